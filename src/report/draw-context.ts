/**
 * One drawing layer for every picture: the drawing code talks to `DrawContext`, the part of the
 * canvas 2D API it needs, and either a browser canvas or an `SvgContext` (which writes SVG
 * markup) receives the calls. The explorer's live map, its PNG and SVG exports, the CLI's maps
 * and the HTML report's maps are therefore the same drawing (d3-delaunay's `render(context)` is
 * the model).
 *
 *   const svg = new SvgContext(400, 300);
 *   drawSomething(svg);            // or drawSomething(canvas.getContext("2d"))
 *   svg.toString();                // "<svg ...>...</svg>"
 */
import { escapeMarkup } from "./escape.ts";

/** The subset of CanvasRenderingContext2D the drawing code may use. */
export interface DrawContext {
  fillStyle: string | object;
  strokeStyle: string | object;
  lineWidth: number;
  lineCap: "butt" | "round" | "square";
  lineJoin: "bevel" | "miter" | "round";
  font: string;
  textAlign: "center" | "end" | "left" | "right" | "start";
  textBaseline: "alphabetic" | "bottom" | "hanging" | "ideographic" | "middle" | "top";
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
  arc(x: number, y: number, radius: number, startAngle: number, endAngle: number): void;
  rect(x: number, y: number, w: number, h: number): void;
  fill(): void;
  stroke(): void;
  fillText(text: string, x: number, y: number): void;
  setLineDash(segments: number[]): void;
  save(): void;
  restore(): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
}

/**
 * Markup attributes for the next element an `SvgContext` writes (a class, a data-cell id). A
 * canvas has no elements, so drawing code calls this only where the context offers it.
 */
export interface Annotating {
  annotate(attributes: Record<string, string | number>): void;
  /** Elements written until endGroup() go into one <g> with these attributes (e.g. class="cells"). */
  beginGroup(attributes: Record<string, string | number>): void;
  endGroup(): void;
}

/** True when the context can carry element attributes (an SvgContext). */
export function canAnnotate(ctx: DrawContext): ctx is DrawContext & Annotating {
  return typeof (ctx as Partial<Annotating>).annotate === "function";
}

interface State {
  fillStyle: string;
  strokeStyle: string;
  lineWidth: number;
  lineCap: DrawContext["lineCap"];
  lineJoin: DrawContext["lineJoin"];
  font: string;
  textAlign: DrawContext["textAlign"];
  textBaseline: DrawContext["textBaseline"];
  dash: number[];
  /** Current transform [a, b, c, d, e, f] (x' = a x + c y + e, y' = b x + d y + f): translate and rotate only. */
  m: [number, number, number, number, number, number];
}

/** Round to 2 decimals: a hundredth of a pixel is below what any renderer shows. */
function fmt(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** "rgba(r, g, b, a)" -> ["rgb(r,g,b)", a]; SVG 1.1 renderers want the opacity apart. */
function paint(colour: string): [string, number] {
  const m = /^rgba\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*\)$/.exec(colour);
  if (!m) return [colour, 1];
  return [`rgb(${m[1]},${m[2]},${m[3]})`, Number(m[4])];
}

function attributeText(attributes: Record<string, string | number>): string {
  let out = "";
  for (const [k, v] of Object.entries(attributes)) out += ` ${k}="${escapeMarkup(String(v))}"`;
  return out;
}

const ANCHOR: Record<DrawContext["textAlign"], string> = { start: "start", left: "start", center: "middle", end: "end", right: "end" };
const BASELINE_DY: Record<DrawContext["textBaseline"], string> = {
  alphabetic: "",
  ideographic: "",
  bottom: "",
  middle: ' dy="0.35em"',
  top: ' dy="0.8em"',
  hanging: ' dy="0.8em"',
};

/** A DrawContext that writes SVG: one element per fill, stroke or text. */
export class SvgContext implements DrawContext, Annotating {
  private state: State = {
    fillStyle: "#000000",
    strokeStyle: "#000000",
    lineWidth: 1,
    lineCap: "butt",
    lineJoin: "miter",
    font: "10px sans-serif",
    textAlign: "start",
    textBaseline: "alphabetic",
    dash: [],
    m: [1, 0, 0, 1, 0, 0],
  };
  private stack: State[] = [];
  private readonly parts: string[] = [];
  /** Per part, stroke attributes that `toString` may hoist into a group shared with its neighbours. */
  private readonly shared: string[] = [];
  private path = "";
  private hasPoint = false;
  private pending = "";
  /** Index in `parts` of the fill just written for the current path (a stroke may join it), or -1. */
  private filledAt = -1;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  get fillStyle(): string {
    return this.state.fillStyle;
  }
  set fillStyle(v: string | object) {
    this.state.fillStyle = String(v);
  }
  get strokeStyle(): string {
    return this.state.strokeStyle;
  }
  set strokeStyle(v: string | object) {
    this.state.strokeStyle = String(v);
  }
  get lineWidth(): number {
    return this.state.lineWidth;
  }
  set lineWidth(v: number) {
    this.state.lineWidth = v;
  }
  get lineCap(): DrawContext["lineCap"] {
    return this.state.lineCap;
  }
  set lineCap(v: DrawContext["lineCap"]) {
    this.state.lineCap = v;
  }
  get lineJoin(): DrawContext["lineJoin"] {
    return this.state.lineJoin;
  }
  set lineJoin(v: DrawContext["lineJoin"]) {
    this.state.lineJoin = v;
  }
  get font(): string {
    return this.state.font;
  }
  set font(v: string) {
    this.state.font = v;
  }
  get textAlign(): DrawContext["textAlign"] {
    return this.state.textAlign;
  }
  set textAlign(v: DrawContext["textAlign"]) {
    this.state.textAlign = v;
  }
  get textBaseline(): DrawContext["textBaseline"] {
    return this.state.textBaseline;
  }
  set textBaseline(v: DrawContext["textBaseline"]) {
    this.state.textBaseline = v;
  }

  setLineDash(segments: number[]): void {
    this.state.dash = [...segments];
  }

  save(): void {
    this.stack.push({ ...this.state, dash: [...this.state.dash], m: [...this.state.m] });
  }

  restore(): void {
    const s = this.stack.pop();
    if (s) this.state = s;
  }

  translate(x: number, y: number): void {
    const m = this.state.m;
    m[4] += m[0] * x + m[2] * y;
    m[5] += m[1] * x + m[3] * y;
  }

  rotate(angle: number): void {
    const [a, b, c, d] = this.state.m;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    this.state.m[0] = a * cos + c * sin;
    this.state.m[1] = b * cos + d * sin;
    this.state.m[2] = c * cos - a * sin;
    this.state.m[3] = d * cos - b * sin;
  }

  annotate(attributes: Record<string, string | number>): void {
    this.pending += attributeText(attributes);
  }

  beginGroup(attributes: Record<string, string | number>): void {
    this.push(`<g${attributeText(attributes)}>`);
    this.filledAt = -1;
  }

  endGroup(): void {
    this.push("</g>");
    this.filledAt = -1;
  }

  beginPath(): void {
    this.path = "";
    this.hasPoint = false;
    this.filledAt = -1;
  }

  private point(x: number, y: number): string {
    const [a, b, c, d, e, f] = this.state.m;
    return `${fmt(a * x + c * y + e)} ${fmt(b * x + d * y + f)}`;
  }

  moveTo(x: number, y: number): void {
    this.path += `M${this.point(x, y)}`;
    this.hasPoint = true;
    this.filledAt = -1;
  }

  lineTo(x: number, y: number): void {
    this.path += `${this.hasPoint ? "L" : "M"}${this.point(x, y)}`;
    this.hasPoint = true;
    this.filledAt = -1;
  }

  closePath(): void {
    if (this.hasPoint) this.path += "Z";
    this.filledAt = -1;
  }

  rect(x: number, y: number, w: number, h: number): void {
    this.moveTo(x, y);
    this.lineTo(x + w, y);
    this.lineTo(x + w, y + h);
    this.lineTo(x, y + h);
    this.closePath();
  }

  arc(x: number, y: number, radius: number, startAngle: number, endAngle: number): void {
    const at = (angle: number): [number, number] => [x + radius * Math.cos(angle), y + radius * Math.sin(angle)];
    const [x0, y0] = at(startAngle);
    this.path += `${this.hasPoint ? "L" : "M"}${this.point(x0, y0)}`;
    const sweep = endAngle - startAngle;
    const r = fmt(radius);
    if (Math.abs(sweep) >= 2 * Math.PI - 1e-9) {
      // A full circle is two half arcs (one arc command cannot end where it starts).
      const [xh, yh] = at(startAngle + Math.PI);
      this.path += `A${r} ${r} 0 1 1 ${this.point(xh, yh)}A${r} ${r} 0 1 1 ${this.point(x0, y0)}`;
    } else {
      const [x1, y1] = at(endAngle);
      this.path += `A${r} ${r} 0 ${Math.abs(sweep) > Math.PI ? 1 : 0} ${sweep > 0 ? 1 : 0} ${this.point(x1, y1)}`;
    }
    this.hasPoint = true;
    this.filledAt = -1;
  }

  private strokeAttributes(): string {
    const s = this.state;
    const [colour, opacity] = paint(s.strokeStyle);
    let out = ` stroke="${escapeMarkup(colour)}" stroke-width="${fmt(s.lineWidth)}"`;
    if (opacity !== 1) out += ` stroke-opacity="${opacity}"`;
    if (s.lineCap !== "butt") out += ` stroke-linecap="${s.lineCap}"`;
    if (s.lineJoin !== "miter") out += ` stroke-linejoin="${s.lineJoin}"`;
    if (s.dash.length > 0) out += ` stroke-dasharray="${s.dash.map(fmt).join(" ")}"`;
    return out;
  }

  private fillAttributes(): string {
    const [colour, opacity] = paint(this.state.fillStyle);
    return ` fill="${escapeMarkup(colour)}"${opacity !== 1 ? ` fill-opacity="${opacity}"` : ""}`;
  }

  private take(): string {
    const a = this.pending;
    this.pending = "";
    return a;
  }

  fill(): void {
    if (!this.path) return;
    this.push(`<path${this.take()} d="${this.path}"${this.fillAttributes()}/>`);
    this.filledAt = this.parts.length - 1;
  }

  stroke(): void {
    if (!this.path) return;
    if (this.filledAt === this.parts.length - 1 && !this.pending) {
      // Fill then stroke of one path (a cell and its outline) is one element, as in hand-written SVG.
      // The stroke is kept apart: runs of cells with one outline style share it through a <g>.
      this.shared[this.filledAt] = this.strokeAttributes();
      this.filledAt = -1;
      return;
    }
    this.push(`<path${this.take()} d="${this.path}" fill="none"${this.strokeAttributes()}/>`);
  }

  fillText(text: string, x: number, y: number): void {
    const s = this.state;
    const font = /^\s*(?:(bold|normal|\d{3})\s+)?([\d.]+)px\s+(.+)$/.exec(s.font);
    const size = font ? font[2] : "10";
    const family = font ? font[3] : "sans-serif";
    const weight = font?.[1] && font[1] !== "normal" ? ` font-weight="${font[1]}"` : "";
    const [a, b, c, d, e, f] = s.m;
    const place =
      a === 1 && b === 0 && c === 0 && d === 1
        ? ` x="${fmt(x + e)}" y="${fmt(y + f)}"`
        : ` transform="matrix(${[a, b, c, d, e, f].map((v) => Math.round(v * 1e4) / 1e4).join(" ")})" x="${fmt(x)}" y="${fmt(y)}"`;
    const [colour, opacity] = paint(s.fillStyle);
    this.push(
      `<text${this.take()}${place} text-anchor="${ANCHOR[s.textAlign]}"${BASELINE_DY[s.textBaseline]} font-size="${size}"${weight} font-family="${escapeMarkup(family.replace(/"/g, ""))}" fill="${escapeMarkup(colour)}"${opacity !== 1 ? ` fill-opacity="${opacity}"` : ""}>${escapeMarkup(text)}</text>`,
    );
  }

  private push(element: string): void {
    this.parts.push(element);
    this.shared.push("");
  }

  /** The whole picture as an SVG document. */
  toString(): string {
    const w = Math.ceil(this.width);
    const h = Math.ceil(this.height);
    const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`];
    for (let i = 0; i < this.parts.length; ) {
      const attrs = this.shared[i];
      let j = i + 1;
      while (attrs && j < this.parts.length && this.shared[j] === attrs) j++;
      const open = out.length - 1;
      if (j - i > 1 && out[open].startsWith("<g") && this.parts[j] === "</g>" && this.parts[i - 1] === out[open]) {
        // The run fills a group: its shared attributes go on the group itself.
        out[open] = `${out[open].slice(0, -1)}${attrs}>`;
        out.push(...this.parts.slice(i, j));
      } else if (j - i > 1) {
        out.push(`<g${attrs}>`, ...this.parts.slice(i, j), "</g>");
      } else {
        const el = this.parts[i];
        out.push(attrs ? `${el.slice(0, -2)}${attrs}/>` : el);
      }
      i = j;
    }
    out.push("</svg>");
    return `${out.join("\n")}\n`;
  }
}
