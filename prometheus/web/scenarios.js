// What-if scenarios on the page: a picker (the plan itself or one of its open scenarios), opening one,
// promoting or discarding it, and a side-by-side compare (plan and scenario on one day scale, the figures
// of each, the tasks that moved). While a scenario is chosen, the chart and every edit are the scenario's.
import {get, request} from "./api.js";
import {COMPACT, COMPACT_LEFT, drawGantt} from "./gantt.js";
import {isoMinute, num, svgEl} from "./util.js";

const $ = (id) => document.getElementById(id);
let ctx = null;

export function setupScenarios(context) {
  ctx = context;
  $("scenario").onchange = () => pick($("scenario").value).catch(fail);
  $("new-scenario").onclick = () => open().catch(fail);
  $("compare").onclick = () => showCompare().catch(fail);
  $("close-compare").onclick = () => hideCompare();
  $("promote").onclick = () => promote().catch(fail);
  $("discard").onclick = () => discard().catch(fail);
}

const fail = (err) => ctx.notify(err.message, "error");

// The API path of what the chart shows: the plan, or the chosen scenario of it.
export const basePath = (page) =>
  `/api/plans/${page.current}${page.scenario ? `/scenarios/${page.scenario}` : ""}`;

// The open scenarios of the plan in the picker, the chosen one kept if it is still open. Only the latest
// call applies its list: one a live update started before a new scenario existed must not unpick it.
let loads = 0;
export async function loadScenarios() {
  const {page} = ctx;
  const mine = ++loads;
  const list = page.current ? await get(`/api/plans/${page.current}/scenarios`) : [];
  if (mine !== loads) return list;
  if (page.scenario && !list.some((s) => s.id === page.scenario)) page.scenario = null;
  const none = new Option("the plan itself", "");
  $("scenario").replaceChildren(none, ...list.map((s) => new Option(`${s.name} (${s.change_count} changes)`, s.id)));
  $("scenario").value = page.scenario || "";
  for (const b of document.querySelectorAll(".needs-scenario")) b.disabled = !page.scenario;
  document.body.classList.toggle("in-scenario", Boolean(page.scenario));
  return list;
}

async function pick(id) {
  ctx.page.scenario = id || null;
  hideCompare();
  await loadScenarios();
  await ctx.render();
}

async function open() {
  const name = window.prompt("Name of the new scenario", "What if");
  if (!name) return;
  const made = await request("POST", `/api/plans/${ctx.page.current}/scenarios`, {name});
  ctx.notify(`opened scenario '${made.name}': changes now go to it, not to the plan`);
  await pick(made.id);
}

// Promoting or discarding ends the scenario: the chart goes back to the plan first, so that the live update
// the server sends meanwhile draws the plan; a refusal brings the scenario back.
async function ending(method, tail) {
  const {page} = ctx, sid = page.scenario;
  page.scenario = null;
  try {
    return await request(method, `/api/plans/${page.current}/scenarios/${sid}${tail}`);
  } catch (err) {
    page.scenario = sid;
    throw err;
  } finally {
    await pick(page.scenario || "");
  }
}

async function promote() {
  const name = $("scenario").selectedOptions[0]?.textContent || "the scenario";
  if (!window.confirm(`Apply ${name} to the plan?`)) return;
  const done = await ending("POST", "/promote");
  ctx.notify(`promoted: ${done.changes} changes applied to the plan`);
}

async function discard() {
  if (!window.confirm("Discard this scenario? The plan stays as it is.")) return;
  await ending("DELETE", "");
  ctx.notify("scenario discarded");
}

// -- the compare ------------------------------------------------------------------------------------------

function hideCompare() {
  $("compare-view").hidden = true;
}

const money = (v) => v.toLocaleString("en", {minimumFractionDigits: 2, maximumFractionDigits: 2});
const signed = (v, text = num(v)) => `${v > 0 ? "+" : ""}${text}`;

function cells(tr, values, tag = "td") {
  for (const v of values) {
    const td = document.createElement(tag);
    td.textContent = v;
    tr.append(td);
  }
  return tr;
}

function summary(c, names) {
  const a = c.base, b = c.scenario, d = c.difference;
  const path = (ids) => ids.map((id) => names[id] || id.slice(0, 8)).join(" → ") || "none";
  const rows = [
    ["Finish", isoMinute(a.project_finish), isoMinute(b.project_finish), `${signed(d.finish_shift_hours)} h`],
    ["Working days", num(a.duration_days), num(b.duration_days), signed(d.duration_days)],
    ["Cost", money(a.cost), money(b.cost), signed(d.cost, money(d.cost))],
    ["Critical path", path(a.critical_path), path(b.critical_path),
      `+${d.critical_added.length} −${d.critical_removed.length} critical tasks`],
  ];
  const head = cells(document.createElement("tr"), ["", "Plan", "Scenario", "Difference"], "th");
  $("compare-summary").replaceChildren(head, ...rows.map((r) => {
    const tr = cells(document.createElement("tr"), r);
    tr.dataset.row = r[0];
    return tr;
  }));
  const moved = c.tasks.map((m) => {
    const tr = cells(document.createElement("tr"), [m.name, m.change, isoMinute(m.base_finish || ""),
      isoMinute(m.scenario_finish || ""), m.finish_shift_hours === null ? "" : `${signed(m.finish_shift_hours)} h`]);
    tr.dataset.id = m.task_id;
    return tr;
  });
  const movedHead = cells(document.createElement("tr"), ["Task", "Change", "Plan finish", "Scenario finish", "Shift"], "th");
  $("compare-tasks").replaceChildren(movedHead, ...moved);
  $("compare-title").textContent =
    `${$("scenario").selectedOptions[0]?.textContent || "Scenario"}: ${d.tasks_moved} moved, ${d.tasks_added} added, ${d.tasks_removed} removed`;
}

// Both charts on one day scale: the span of the two together.
function drawBoth(planModel, scenarioModel) {
  const width = Math.max(200, ($("compare-view").clientWidth - 48) / 2 - COMPACT_LEFT);
  const span = planModel.rows.concat(scenarioModel.rows);
  const moved = new Set([...document.querySelectorAll("#compare-tasks tr[data-id]")].map((tr) => tr.dataset.id));
  drawGantt($("gantt-base"), planModel, width, null, {span, columns: COMPACT});
  drawGantt($("gantt-scenario"), scenarioModel, width, null, {span, columns: COMPACT, moved});
  const svg = $("gantt-scenario");
  svg.querySelector("defs style")?.append(".moved .bar { stroke: #ff7f0e; stroke-width: 2; }");
  if (!svg.querySelector("title")) svg.prepend(svgEl("title", {}, "scenario"));
}

export async function showCompare() {
  const {page} = ctx;
  const base = `/api/plans/${page.current}/scenarios/${page.scenario}`;
  const [c, planModel, scenarioModel] = await Promise.all([
    get(`${base}/compare?limit=200`),
    ctx.build(page.current, null),
    ctx.build(page.current, page.scenario),
  ]);
  const names = {...planModel.byId, ...scenarioModel.byId};
  summary(c, Object.fromEntries(Object.entries(names).map(([id, r]) => [id, r.name])));
  $("compare-view").hidden = false;
  drawBoth(planModel, scenarioModel);
  document.body.dataset.compared = String(Date.now());
}
