/**
 * The one escaper for text put into HTML or SVG markup (element content and quoted attribute
 * values alike): the five characters that can end a text or an attribute.
 */
const ENTITIES: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" };

export function escapeMarkup(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => ENTITIES[ch]);
}
