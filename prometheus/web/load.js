// Resource load histogram under the Gantt chart, on the same day scale.
import {LEFT} from "./gantt.js";
import {DAY_MS, isWorkingDay, ms, svgEl} from "./util.js";

const CSS = `
  text { font: 12px system-ui, sans-serif; fill: #222; }
  .load { fill: #9ecae1; }
  .load.over { fill: #d62728; }
  .capacity { stroke: #555; stroke-dasharray: 4 3; }
`;

export function drawLoad(svg, title, model, s) {
  svg.replaceChildren();
  const assigned = s ? model.rows.filter((r) => !r.summary && (r.assignments || []).length) : [];
  title.hidden = !assigned.length;
  if (!assigned.length) {
    svg.setAttribute("height", 0);
    return;
  }
  const load = new Array(s.days).fill(0);
  for (const r of assigned) {
    const units = r.assignments.reduce((sum, a) => sum + a.units, 0);
    for (let d = Math.floor(ms(r.start) / DAY_MS) * DAY_MS; d < ms(r.finish); d += DAY_MS) {
      const i = Math.round((d - s.origin) / DAY_MS);
      if (i >= 0 && i < load.length && isWorkingDay(d, model.calendar)) load[i] += units;
    }
  }
  const capacity = model.plan.resources.reduce((sum, res) => sum + (res.availability ?? 1), 0) || 1;
  const top = load.reduce((most, v) => Math.max(most, v), capacity), h = 120;
  svg.setAttribute("width", s.width);
  svg.setAttribute("height", h + 20);
  svg.setAttribute("viewBox", `0 0 ${s.width} ${h + 20}`);
  svg.append(svgEl("style", {}, CSS));
  load.forEach((v, i) => {
    if (!v) return;
    const bh = (v / top) * h;
    svg.append(svgEl("rect", {class: `load${v > capacity + 1e-9 ? " over" : ""}`, x: LEFT + i * s.px + 1,
      y: h - bh + 10, width: Math.max(1, s.px - 2), height: bh}));
  });
  const cy = h - (capacity / top) * h + 10;
  svg.append(svgEl("line", {class: "capacity", x1: LEFT, x2: s.width, y1: cy, y2: cy}));
  svg.append(svgEl("text", {x: 4, y: cy + 4}, `capacity ${capacity}`));
}
