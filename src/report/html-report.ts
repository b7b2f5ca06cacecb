/**
 * One self-contained HTML page for a training run or a model (`tessera report`): it opens
 * offline, every picture is inline SVG, the only script is inline. Sections:
 * - region maps at several epochs, coloured by activation pattern (regionMapSvg hashes the
 *   pattern, so the same pattern has the same colour at every epoch), with the decision
 *   boundary and the data, and an animation of all tracked epochs (slider + play);
 * - regions over epochs beside the theoretical bounds of the architecture;
 * - regions along segments between data points (mean and spread);
 * - the distribution of distance to the nearest boundary times #units;
 * - loss and accuracy;
 * - a "PNG" button on every figure (drawn through a canvas, no network).
 * Pure (no Node API): the CLI gathers the inputs, this module only builds the page.
 */
import type { BoundJson } from "../bounds/result.ts";
import type { PlanePartition } from "../regions/partition.ts";
import type { TrackRecord } from "../train/track.ts";
import { escapeMarkup as esc } from "./escape.ts";
import { type MapPoint, regionMapSvg } from "./region-map.ts";
import { type VegaLiteSpec, vegaLiteToSvg } from "./vega-svg.ts";

export interface ReportFrame {
  epoch: number;
  partition: PlanePartition;
}

export interface ReportInput {
  title: string;
  /** Lines of "key: value" shown under the title. */
  facts: [string, string][];
  records: readonly TrackRecord[];
  /** Region maps of the 2D input domain, in epoch order (empty for other inputs). */
  frames: readonly ReportFrame[];
  /** Data points drawn on the maps, coloured by class. */
  points: readonly MapPoint[];
  /** Boundary distances x #units at some epochs (from the run's region snapshots). */
  distances: readonly { epoch: number; timesUnits: readonly number[] }[];
  /** Bounds of the architecture (tessera bounds --json form). */
  bounds: readonly BoundJson[];
  /** How many region maps to show side by side (the animation shows all frames). */
  mapCount?: number;
}

/** Evenly spread picks of k items from a list, always including the first and the last. */
export function spread<T>(items: readonly T[], k: number): T[] {
  if (items.length <= k) return [...items];
  const out: T[] = [];
  for (let i = 0; i < k; i++) out.push(items[Math.round((i * (items.length - 1)) / (k - 1))]);
  return out;
}

function figure(id: string, caption: string, svg: string): string {
  return `<figure class="fig" id="${id}"><div class="pic">${svg}</div><figcaption>${caption} <button class="png" data-fig="${id}">PNG</button></figcaption></figure>`;
}

/** Regions over epochs (log scale) with the smallest applicable upper bound and the largest lower bound as rules. */
export function regionsSpec(records: readonly TrackRecord[], bounds: readonly BoundJson[]): VegaLiteSpec | null {
  const values: { epoch: number; series: string; value: number }[] = [];
  for (const r of records) {
    if (r.plane) {
      values.push({
        epoch: r.epoch,
        series: "activation regions (input box, exact)",
        value: r.plane.activationRegions,
      });
      values.push({
        epoch: r.epoch,
        series: "linear pieces (input box, exact)",
        value: r.plane.linearPieces,
      });
    }
    if (r.planes)
      values.push({
        epoch: r.epoch,
        series: "regions in data planes (mean, exact)",
        value: r.planes.regions.mean,
      });
    if (r.lines)
      values.push({
        epoch: r.epoch,
        series: "regions along data segments (mean, exact)",
        value: r.lines.regions.mean,
      });
    if (r.patterns)
      values.push({
        epoch: r.epoch,
        series: `distinct patterns over ${r.patterns.points} points (sampled)`,
        value: r.patterns.distinct,
      });
  }
  if (values.length === 0) return null;
  const numeric = bounds.filter((b) => b.applies && b.value !== null && b.log10 !== null && b.log10 < 300);
  const uppers = numeric.filter((b) => b.kind === "upper").sort((a, b) => (a.log10 as number) - (b.log10 as number));
  const lowers = numeric.filter((b) => b.kind === "lower").sort((a, b) => (b.log10 as number) - (a.log10 as number));
  const rules = [uppers[0], lowers[0]]
    .filter((b) => b !== undefined)
    .map((b) => ({
      bound: `${b.kind} bound ${b.id}: ${b.value}`,
      value: Number(b.value),
    }));
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "epoch", type: "quantitative", title: "epoch" },
        y: {
          field: "value",
          type: "quantitative",
          scale: { type: "log" },
          title: "count (log scale)",
        },
        color: {
          field: "series",
          type: "nominal",
          title: null,
          legend: { orient: "bottom", columns: 1, labelLimit: 600 },
        },
      },
    },
  ];
  if (rules.length) {
    layers.push({
      data: { values: rules },
      mark: { type: "rule", strokeDash: [6, 4] },
      encoding: {
        y: { field: "value", type: "quantitative" },
        color: { field: "bound", type: "nominal", title: null },
      },
    });
  }
  return {
    width: 520,
    height: 300,
    data: { values },
    layer: layers,
  } as unknown as VegaLiteSpec;
}

export function linesSpec(records: readonly TrackRecord[]): VegaLiteSpec | null {
  const values = records
    .filter((r) => r.lines)
    .map((r) => {
      const s = (r.lines as NonNullable<TrackRecord["lines"]>).regions;
      return {
        epoch: r.epoch,
        mean: s.mean,
        lo: s.mean - s.std,
        hi: s.mean + s.std,
        min: s.min,
        max: s.max,
      };
    });
  if (values.length === 0) return null;
  return {
    width: 520,
    height: 240,
    data: { values },
    layer: [
      {
        mark: { type: "area", opacity: 0.25 },
        encoding: {
          x: { field: "epoch", type: "quantitative" },
          y: {
            field: "lo",
            type: "quantitative",
            title: "regions along a segment",
          },
          y2: { field: "hi" },
        },
      },
      {
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "epoch", type: "quantitative" },
          y: { field: "mean", type: "quantitative" },
        },
      },
      {
        mark: { type: "rule", opacity: 0.4 },
        encoding: {
          x: { field: "epoch", type: "quantitative" },
          y: { field: "min", type: "quantitative" },
          y2: { field: "max" },
        },
      },
    ],
  } as unknown as VegaLiteSpec;
}

export function distanceSpec(distances: ReportInput["distances"]): VegaLiteSpec | null {
  const values = distances.flatMap(({ epoch, timesUnits }) => timesUnits.filter(Number.isFinite).map((d) => ({ epoch: `epoch ${epoch}`, d })));
  if (values.length === 0) return null;
  return {
    width: 520,
    height: 240,
    data: { values },
    mark: { type: "bar", opacity: 0.55 },
    encoding: {
      x: {
        field: "d",
        type: "quantitative",
        bin: { maxbins: 40 },
        title: "distance to nearest boundary × #units",
      },
      y: {
        aggregate: "count",
        type: "quantitative",
        stack: null,
        title: "points",
      },
      color: { field: "epoch", type: "nominal", title: null },
    },
  } as unknown as VegaLiteSpec;
}

export function lossSpec(records: readonly TrackRecord[]): VegaLiteSpec | null {
  const values: { epoch: number; series: string; value: number }[] = [];
  for (const r of records) {
    values.push({ epoch: r.epoch, series: "loss", value: r.loss });
    if (r.accuracy !== null) values.push({ epoch: r.epoch, series: "accuracy", value: r.accuracy });
  }
  if (values.length === 0) return null;
  return {
    width: 520,
    height: 200,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative" },
      y: { field: "value", type: "quantitative", title: null },
      color: { field: "series", type: "nominal", title: null },
    },
  } as unknown as VegaLiteSpec;
}

export async function reportHtml(input: ReportInput): Promise<string> {
  const parts: string[] = [];
  const { frames } = input;
  if (frames.length) {
    const shown = spread(frames, input.mapCount ?? 4);
    const maps = shown.map((f) =>
      figure(
        `map-${f.epoch}`,
        `epoch ${f.epoch}: ${f.partition.activationRegions} activation regions, ${f.partition.linearPieces} linear pieces`,
        regionMapSvg(f.partition, {
          size: 300,
          boundary: true,
          points: input.points,
          labels: ["x1", "x2"],
        }),
      ),
    );
    parts.push(
      `<h2>Region maps</h2><p>Each cell is an exact activation region of the input box, coloured by its activation pattern (the same pattern has the same colour at every epoch); black lines are the decision boundary.</p><div class="row">${maps.join("")}</div>`,
    );
    const anim = frames.map(
      (f, i) =>
        `<div class="frame" data-i="${i}"${i === 0 ? "" : ' style="display:none"'}>${regionMapSvg(f.partition, { size: 420, boundary: true, points: input.points, title: `epoch ${f.epoch}: ${f.partition.activationRegions} regions`, labels: ["x1", "x2"] })}</div>`,
    );
    parts.push(
      `<h2>Evolution</h2><figure class="fig" id="anim"><div class="pic">${anim.join("")}</div><figcaption><button id="play">play</button> <input id="slider" type="range" min="0" max="${frames.length - 1}" value="0"> <span id="label">epoch ${frames[0].epoch}</span> <button class="png" data-fig="anim">PNG</button></figcaption></figure>`,
    );
  }
  const charts: [string, string, VegaLiteSpec | null][] = [
    [
      "regions",
      "Regions over epochs (exact counts are over the data's box, slices or segments; the bounds hold over all of input space, so counts stay below the upper bound).",
      regionsSpec(input.records, input.bounds),
    ],
    ["lines", "Exact regions along segments between random pairs of data points: mean, ±1 standard deviation (band), min-max (bars).", linesSpec(input.records)],
    ["distance", "Distance from data points to the nearest region boundary, times the number of units (Hanin & Rolnick's scale-free measure).", distanceSpec(input.distances)],
    ["loss", "Loss and accuracy on the training data.", lossSpec(input.records)],
  ];
  for (const [id, caption, spec] of charts) {
    if (!spec) continue;
    parts.push(`<h2>${esc(caption.split(" (")[0].split(":")[0].replace(/\.$/, ""))}</h2>${figure(id, esc(caption), await vegaLiteToSvg(spec))}`);
  }
  if (input.bounds.length) {
    const rows = input.bounds
      .filter((b) => b.applies)
      .map((b) => `<tr><td>${esc(b.id)}</td><td>${b.kind}</td><td class="num">${esc(b.value ?? "")}</td><td>${esc(b.title)}</td></tr>`)
      .join("");
    parts.push(`<h2>Bounds of the architecture</h2><table><tr><th>bound</th><th>kind</th><th>value</th><th>what</th></tr>${rows}</table>`);
  }
  if (input.records.length) {
    const keys = ["epoch", "loss", "accuracy", "plane regions", "line regions", "median dist×units", "patterns"];
    const rows = input.records
      .map((r) =>
        [
          r.epoch,
          r.loss.toFixed(4),
          r.accuracy?.toFixed(3) ?? "-",
          r.plane?.activationRegions ?? "-",
          r.lines ? r.lines.regions.mean.toFixed(2) : "-",
          r.distance ? r.distance.timesUnits.median.toFixed(3) : "-",
          r.patterns?.distinct ?? "-",
        ]
          .map((v, i) => `<td${i ? ' class="num"' : ""}>${v}</td>`)
          .join(""),
      )
      .map((r) => `<tr>${r}</tr>`)
      .join("");
    parts.push(`<h2>Tracked epochs</h2><table><tr>${keys.map((k) => `<th>${k}</th>`).join("")}</tr>${rows}</table>`);
  }
  const facts = input.facts.map(([k, v]) => `<div><b>${esc(k)}</b>: ${esc(v)}</div>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px auto;padding:0 24px;max-width:1400px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
.row{display:flex;flex-wrap:wrap;gap:16px}.fig{margin:0;display:inline-block;max-width:100%}.row .fig{flex:0 1 400px}
.pic svg{display:block;max-width:100%;height:auto}
figcaption{font-size:.85em;color:#444;max-width:560px}button{font-size:.8em}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:2px 6px}.num{text-align:right}
.facts{font-size:.9em;color:#333}
</style></head><body>
<h1>${esc(input.title)}</h1><div class="facts">${facts}</div>
${parts.join("\n")}
<script>
(function(){
  function download(fig){
    var svg=fig.querySelector(".pic svg:not([style*='display: none'])");
    var frames=fig.querySelectorAll(".frame");
    for(var i=0;i<frames.length;i++){if(frames[i].style.display!=="none"){svg=frames[i].querySelector("svg");}}
    if(!svg)return;
    var xml=new XMLSerializer().serializeToString(svg);
    if(xml.indexOf("xmlns=")<0)xml=xml.replace("<svg","<svg xmlns=\\"http://www.w3.org/2000/svg\\"");
    var box=svg.getBoundingClientRect(),scale=2;
    var img=new Image();
    img.onload=function(){
      var c=document.createElement("canvas");c.width=Math.ceil(box.width*scale);c.height=Math.ceil(box.height*scale);
      var g=c.getContext("2d");g.fillStyle="#fff";g.fillRect(0,0,c.width,c.height);g.drawImage(img,0,0,c.width,c.height);
      var a=document.createElement("a");a.download=fig.id+".png";a.href=c.toDataURL("image/png");document.body.appendChild(a);a.click();a.remove();
    };
    img.src="data:image/svg+xml;charset=utf-8,"+encodeURIComponent(xml);
  }
  document.querySelectorAll("button.png").forEach(function(b){b.addEventListener("click",function(){download(document.getElementById(b.dataset.fig));});});
  var frames=document.querySelectorAll("#anim .frame"),slider=document.getElementById("slider"),label=document.getElementById("label"),play=document.getElementById("play");
  if(!frames.length)return;
  var epochs=${JSON.stringify(frames.map((f) => f.epoch))},cur=0,timer=null;
  function show(i){frames[cur].style.display="none";cur=i;frames[cur].style.display="";slider.value=String(i);label.textContent="epoch "+epochs[i];}
  slider.addEventListener("input",function(){show(Number(slider.value));});
  play.addEventListener("click",function(){
    if(timer){clearInterval(timer);timer=null;play.textContent="play";return;}
    play.textContent="pause";timer=setInterval(function(){show((cur+1)%frames.length);},600);
  });
})();
</script>
</body></html>
`;
}
