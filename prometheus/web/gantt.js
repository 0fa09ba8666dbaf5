// The Gantt chart as one SVG: a task table (name, duration, start, finish, slack, % complete) beside bars on
// a day scale with the year and month, weekends and holidays of the plan's calendar shaded, and today.
// As in Microsoft Project and DHTMLX Gantt, only the rows in view (and a margin) are drawn: the SVG keeps the
// whole chart's height, so the page scrolls as before, and `followView` draws the rows a scroll brings in.
import {
  DAY_MS, UNIT, dayOf, isWorkingDay, isoDay, isoMinute, ms, nowMs, num, svgEl,
} from "./util.js";

export const ROW = 24, HEAD = 44;
export const COLUMNS = [
  {key: "name", title: "Task name", width: 220},
  {key: "duration", title: "Duration", width: 66},
  {key: "start", title: "Start", width: 84},
  {key: "finish", title: "Finish", width: 84},
  {key: "slack", title: "Slack", width: 54},
  {key: "complete", title: "%", width: 40},
];
const leftOf = (columns) => columns.reduce((sum, c) => sum + c.width, 0) + 8;
export const LEFT = leftOf(COLUMNS);
// The columns of the compare's side-by-side charts.
export const COMPACT = COLUMNS.filter((c) => c.key === "name" || c.key === "finish");
export const COMPACT_LEFT = leftOf(COMPACT);

// Inside the SVG, so that a PNG made from it looks the same as the page.
const CHART_CSS = `
  text { font: 12px system-ui, -apple-system, "Segoe UI", sans-serif; fill: #222; }
  .sheet { fill: #fff; }
  .head { fill: #f3f4f6; }
  .colhead, .month { font-weight: 600; }
  .day { fill: #555; font-size: 11px; }
  .grid { stroke: #ececec; }
  .monthline { stroke: #c8c8c8; }
  .nonworking { fill: #eef0f3; }
  .nonworking.holiday { fill: #fbe6d4; }
  .rowline { stroke: #f1f1f1; }
  .row.selected .rowbg { fill: #e8f0fb; }
  .rowbg { fill: transparent; }
  .cell { cursor: pointer; }
  .cell.summary { font-weight: 600; }
  .cell.critical { fill: #b01c1c; }
  .bar { fill: #1f77b4; cursor: grab; }
  .bar.critical { fill: #d62728; }
  .summarybar { fill: #333; }
  .progress { fill: rgba(0, 0, 0, .3); pointer-events: none; }
  .milestone { fill: #000; cursor: grab; }
  .milestone.critical { fill: #d62728; }
  .resize { fill: transparent; cursor: ew-resize; }
  .handle { fill: #fff; stroke: #666; opacity: 0; cursor: crosshair; }
  .task:hover .handle { opacity: 1; }
  .barlabel { fill: #555; font-size: 11px; pointer-events: none; }
  .link { fill: none; stroke: #888; stroke-width: 1.2; marker-end: url(#arrow); }
  .link.critical { stroke: #d62728; marker-end: url(#arrow-critical); }
  .today { stroke: #ff7f0e; stroke-width: 2; stroke-dasharray: 5 3; }
  .todaylabel { fill: #c05600; font-size: 11px; }
  .statusdate { stroke: #2ca02c; stroke-width: 1.5; stroke-dasharray: 2 3; }
  .rubber { stroke: #444; stroke-dasharray: 4 3; }
`;

// Day scale of a plan: `x(date)` in SVG units, `px` per day, from midnight before the first start.
export function makeScale(rows, chartWidth, columns = COLUMNS) {
  let first = Infinity, last = -Infinity; // a loop: spreading 100,000 rows as arguments overflows the stack
  for (const r of rows) {
    first = Math.min(first, dayOf(r.start));
    last = Math.max(last, ms(r.finish));
  }
  last = Math.max(last, first + DAY_MS);
  const days = Math.ceil((last - first) / DAY_MS) + 1; // a spare day after the finish
  const px = Math.max(4, Math.min(48, chartWidth / days));
  const left = leftOf(columns);
  return {origin: first, days, px, x: (t) => left + ((ms(t) - first) / DAY_MS) * px, width: left + days * px, left,
    columns};
}

const duration = (r) => {
  if (r.milestone) return "0 d";
  if (r.summary || !r.task) return `${num(r.duration_days)} d`;
  return `${num(r.task.duration)} ${UNIT[r.task.duration_unit] || r.task.duration_unit}`;
};

export function tooltip(r) {
  const lines = [
    r.name,
    `Start: ${isoMinute(r.start)}`,
    `Finish: ${isoMinute(r.finish)}`,
    `Duration: ${duration(r)}${r.summary ? "" : ` (${num(r.duration_days)} working days)`}`,
    `Total slack: ${num(r.total_slack_days)} d${r.critical ? " (critical)" : ""}`,
    `Free slack: ${num(r.free_slack_days)} d`,
    `Complete: ${num(r.percent_complete)} %`,
  ];
  const c = r.task && r.task.constraint_type;
  if (c && c !== "ASAP") lines.push(`Constraint: ${c}${r.task.constraint_date ? ` ${isoMinute(r.task.constraint_date)}` : ""}`);
  if (r.resources.length) lines.push(`Resources: ${r.resources.join(", ")}`);
  return lines.join("\n");
}

const fit = (text, width) => {
  const max = Math.max(3, Math.floor(width / 6.6));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

function drawAxis(svg, s, calendar, height) {
  svg.append(svgEl("rect", {class: "head", x: 0, y: 0, width: s.width, height: HEAD}));
  let x0 = 0;
  for (const c of s.columns) {
    svg.append(svgEl("text", {class: "colhead", x: x0 + 4, y: HEAD - 8}, c.title));
    x0 += c.width;
  }
  const every = Math.ceil(22 / s.px);
  for (let d = 0; d < s.days; d++) {
    const day = s.origin + d * DAY_MS, x = s.left + d * s.px, iso = isoDay(day), date = new Date(day);
    if (!isWorkingDay(day, calendar)) {
      const holiday = calendar.holidays.includes(iso);
      svg.append(svgEl("rect", {class: `nonworking${holiday ? " holiday" : ""}`, "data-date": iso,
        x, y: HEAD, width: s.px, height: height - HEAD}));
    }
    if (s.px >= 8 || date.getUTCDay() === 1) {
      svg.append(svgEl("line", {class: "grid day", "data-date": iso, x1: x, x2: x, y1: 22, y2: height}));
    }
    if (d % every === 0) svg.append(svgEl("text", {class: "day", x: x + 2, y: HEAD - 8}, String(date.getUTCDate())));
    if (d === 0 || date.getUTCDate() === 1) {
      const label = date.toLocaleString("en", {month: "long", year: "numeric", timeZone: "UTC"});
      const left = (new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)) - day) / DAY_MS * s.px;
      if (date.getUTCDate() === 1) svg.append(svgEl("line", {class: "monthline", x1: x, x2: x, y1: 0, y2: height}));
      if (left > 70 || d + left / s.px >= s.days) {
        svg.append(svgEl("text", {class: "month", "data-month": iso.slice(0, 7), x: x + 4, y: 15}, label));
      }
    }
  }
}

function drawRow(svg, r, i, s, selected, moved) {
  const y = HEAD + i * ROW;
  const row = svgEl("g", {class: `row${r.id === selected ? " selected" : ""}`, "data-id": r.id});
  row.append(svgEl("rect", {class: "rowbg", x: 0, y, width: s.left, height: ROW}));
  const flags = `${r.summary ? " summary" : ""}${r.critical ? " critical" : ""}`;
  const values = {
    name: r.name, duration: duration(r), start: isoDay(r.start), finish: isoDay(r.finish),
    slack: `${num(r.total_slack_days)} d`, complete: `${Math.round(r.percent_complete)}`,
  };
  svg.append(row);
  let x = 0;
  for (const c of s.columns) {
    const indent = c.key === "name" ? r.depth * 12 : 0;
    row.append(svgEl("text", {class: `cell${flags}`, "data-col": c.key, "data-id": r.id, x: x + 4 + indent,
      y: y + 16}, fit(values[c.key], c.width - 8 - indent)));
    x += c.width;
  }
  svg.append(svgEl("line", {class: "rowline", x1: 0, x2: s.width, y1: y + ROW, y2: y + ROW}));

  const g = svgEl("g", {class: `task${moved?.has(r.id) ? " moved" : ""}`, "data-id": r.id,
    "aria-label": tooltip(r)});
  const x1 = s.x(r.start), x2 = Math.max(s.x(r.finish), x1 + 2);
  let end = x2;
  if (r.milestone) {
    const cx = s.x(r.finish), cy = y + ROW / 2;
    g.append(svgEl("path", {class: `milestone${r.critical ? " critical" : ""}`, "data-id": r.id, "data-x": cx,
      d: `M${cx},${cy - 7} L${cx + 7},${cy} L${cx},${cy + 7} L${cx - 7},${cy} z`}));
    end = cx + 7;
  } else if (r.summary) {
    g.append(svgEl("path", {class: "summarybar", "data-id": r.id, "data-x": x1, "data-width": x2 - x1,
      d: `M${x1},${y + 6} H${x2} V${y + 16} L${x2 - 5},${y + 12} H${x1 + 5} L${x1},${y + 16} z`}));
  } else {
    g.append(svgEl("rect", {class: `bar${r.critical ? " critical" : ""}`, "data-id": r.id, x: x1, y: y + 4,
      width: x2 - x1, height: ROW - 8, rx: 3}));
    if (r.percent_complete > 0) {
      g.append(svgEl("rect", {class: "progress", x: x1, y: y + ROW / 2, width: ((x2 - x1) * r.percent_complete) / 100,
        height: ROW / 2 - 4}));
    }
    g.append(svgEl("rect", {class: "resize", "data-id": r.id, x: x2 - 5, y: y + 4, width: 8, height: ROW - 8}));
  }
  if (!r.summary) g.append(svgEl("circle", {class: "handle", "data-id": r.id, cx: end + 8, cy: y + ROW / 2, r: 4}));
  if (r.resources.length) {
    g.append(svgEl("text", {class: "barlabel", x: end + 16, y: y + 16}, r.resources.join(", ")));
  }
  svg.append(g);
}

// An elbow from the predecessor's end (or start) to the successor's start (or end): out sideways, along the
// successor's row into its bar, or round through the gap between the rows when the bar is in the way.
function route(xa, ya, exit, xb, yb, enterFromLeft, gap) {
  const xe = xa + 6 * exit, xp = enterFromLeft ? xb - 6 : xb + 6;
  if (enterFromLeft ? xe <= xp : xe >= xp) return `M${xa},${ya} H${xe} V${yb} H${xb}`;
  return `M${xa},${ya} H${xe} V${gap} H${xp} V${yb} H${xb}`;
}

// The links with an end among the rows drawn, `from` to `to`.
function drawLinks(svg, chart, from, to) {
  const {model, s, index} = chart;
  for (const link of model.links) {
    const ia = index.get(link.predecessor_id), ib = index.get(link.successor_id);
    if (ia === undefined || ib === undefined) continue;
    if ((ia < from || ia >= to) && (ib < from || ib >= to)) continue;
    const a = model.rows[ia], b = model.rows[ib];
    const fromEnd = link.type === "FS" || link.type === "FF", toEnd = link.type === "FF" || link.type === "SF";
    const xa = s.x(fromEnd ? a.finish : a.start), xb = s.x(toEnd ? b.finish : b.start);
    const ya = HEAD + ia * ROW + ROW / 2, yb = HEAD + ib * ROW + ROW / 2;
    const gap = HEAD + (ib > ia ? ib : ib + 1) * ROW;
    const critical = a.critical && b.critical && !a.summary && !b.summary;
    svg.append(svgEl("path", {class: `link${critical ? " critical" : ""}`, "data-from": a.id, "data-to": b.id,
      "data-type": link.type, d: route(xa, ya, fromEnd ? 1 : -1, xb, yb, !toEnd, gap)}));
  }
}

function drawDates(svg, model, s, height) {
  const end = s.origin + s.days * DAY_MS, now = nowMs();
  if (now >= s.origin && now <= end) {
    const x = s.x(now);
    svg.append(svgEl("line", {class: "today", "data-date": isoDay(now), x1: x, x2: x, y1: 20, y2: height}));
    svg.append(svgEl("text", {class: "todaylabel", x: x + 3, y: height - 4}, "today"));
  }
  const status = model.plan.status_date;
  if (status) {
    const t = ms(status) + DAY_MS; // the end of the status day
    if (t >= s.origin && t <= end) {
      const x = s.x(t);
      svg.append(svgEl("line", {class: "statusdate", "data-date": status, x1: x, x2: x, y1: 20, y2: height}));
    }
  }
}

// `span`: rows whose dates the day scale covers (default: the model's), to draw two charts on one scale;
// `columns`: the table's columns (COMPACT for the compare); `moved`: ids of tasks outlined (the compare);
// `all`: every row, not only those in view (print, PNG).
export function drawGantt(svg, model, chartWidth, selected, {span = null, columns = COLUMNS, moved = null,
  all = false} = {}) {
  svg.replaceChildren();
  svg.chart = null;
  const rows = model.rows;
  if (!rows.length) {
    svg.setAttribute("width", 0);
    svg.setAttribute("height", 0);
    return null;
  }
  const s = makeScale(span || rows, chartWidth, columns);
  const height = HEAD + rows.length * ROW + 18;
  for (const [k, v] of Object.entries({width: s.width, height, viewBox: `0 0 ${s.width} ${height}`,
    "data-origin": isoDay(s.origin), "data-px-per-day": s.px, "data-left": s.left, "data-rows": rows.length,
  })) svg.setAttribute(k, v);
  const defs = svgEl("defs");
  defs.append(svgEl("style", {}, CHART_CSS));
  for (const [id, colour] of [["arrow", "#888"], ["arrow-critical", "#d62728"]]) {
    const marker = svgEl("marker", {id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6,
      orient: "auto"});
    marker.append(svgEl("path", {d: "M0,0 L10,5 L0,10 z", fill: colour}));
    defs.append(marker);
  }
  svg.append(defs, svgEl("rect", {class: "sheet", x: 0, y: 0, width: s.width, height}));
  drawAxis(svg, s, model.calendar, height);
  const layer = svgEl("g", {class: "rows"});
  svg.append(layer);
  drawDates(svg, model, s, height);
  svg.chart = {model, s, selected, moved, chartWidth, span, columns, layer, height, drawn: null,
    index: new Map(rows.map((r, i) => [r.id, i]))};
  followView(svg, {all});
  return s;
}

// Rows drawn beyond those in view, above and below (at least a screenful each way).
const MARGIN_ROWS = 40;

// The rows `[first, last)` in view: where the SVG meets the window (the first screenful while it is hidden).
function rowsInView(svg, count) {
  const box = svg.getBoundingClientRect(), height = Number(svg.getAttribute("height"));
  let top = 0, bottom = window.innerHeight;
  if (box.height > 0) {
    const scale = height / box.height;
    top = Math.max(0, -box.top) * scale;
    bottom = Math.max(top, (window.innerHeight - box.top) * scale);
  }
  const first = Math.max(0, Math.min(count, Math.floor((top - HEAD) / ROW)));
  return [first, Math.max(first, Math.min(count, Math.ceil((bottom - HEAD) / ROW)))];
}

// Draws the rows in view and a margin, when a scroll or resize has brought in rows not drawn (or `force`);
// `all` draws every row.
export function followView(svg, {force = false, all = false} = {}) {
  const chart = svg.chart;
  if (!chart) return;
  const count = chart.model.rows.length;
  let from = 0, to = count;
  if (!all) {
    const [first, last] = rowsInView(svg, count);
    const d = chart.drawn;
    // redrawn while half a margin is still drawn ahead: the compositor may scroll before the redraw
    const ahead = MARGIN_ROWS / 2;
    if (!force && d && d[0] <= Math.max(0, first - ahead) && Math.min(count, last + ahead) <= d[1]) return;
    const margin = Math.max(MARGIN_ROWS, last - first);
    from = Math.max(0, first - margin);
    to = Math.min(count, last + margin);
  }
  chart.drawn = [from, to];
  svg.dataset.drawn = `${from}-${to}`;
  const {layer, model, s, selected, moved} = chart;
  layer.replaceChildren();
  for (let i = from; i < to; i++) drawRow(layer, model.rows[i], i, s, selected, moved);
  drawLinks(layer, chart, from, to);
}

// A copy of the chart with every row drawn (for the PNG); the SVG itself while it has no chart.
export function wholeChart(svg) {
  const c = svg.chart;
  if (!c) return svg;
  const copy = svgEl("svg");
  drawGantt(copy, c.model, c.chartWidth, c.selected, {span: c.span, columns: c.columns, moved: c.moved, all: true});
  return copy;
}
