/** Place SVG pictures side by side in one SVG (nested <svg> elements, which resvg renders). */
export function sideBySide(svgs: readonly string[], gap = 10): string {
  let x = 0;
  let height = 0;
  const parts: string[] = [];
  for (const svg of svgs) {
    const w = Number(/\bwidth="([\d.]+)"/.exec(svg)?.[1] ?? 400);
    const h = Number(/\bheight="([\d.]+)"/.exec(svg)?.[1] ?? 400);
    parts.push(svg.replace(/<svg\b/, `<svg x="${x}" y="0"`));
    x += w + gap;
    height = Math.max(height, h);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${x - gap}" height="${height}" viewBox="0 0 ${x - gap} ${height}"><rect width="100%" height="100%" fill="#fff"/>${parts.join("")}</svg>`;
}
