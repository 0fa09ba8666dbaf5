// The task editor (a dialog, as Microsoft Project's Task Information): name, duration, start and finish
// (which set a start-no-earlier-than or finish-no-earlier-than constraint), the constraint itself,
// % complete (recorded as progress), and the predecessors. Every change goes through the REST API.
import {get, request} from "./api.js";
import {basePath} from "./scenarios.js";
import {firstWorkTime, isoDay, lastWorkTime} from "./util.js";

const $ = (id) => document.getElementById(id);
let ctx = null, task = null;

export function setupEditor(context) {
  ctx = context;
  const form = $("editor-form");
  form.elements.start.addEventListener("change", () => setConstraint("SNET", form.elements.start.value, firstWorkTime));
  form.elements.finish.addEventListener("change", () => setConstraint("FNET", form.elements.finish.value, lastWorkTime));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (e.submitter?.value === "cancel") $("editor").close();
    else save().catch(showError);
  });
  $("add-link").onclick = () => addLink().catch(showError);
  $("delete-task").onclick = () => remove().catch(showError);
}

function setConstraint(type, day, at) {
  if (!day) return;
  const f = $("editor-form").elements;
  f.constraint_type.value = type;
  f.constraint_date.value = `${day}T${at(ctx.page.model.calendar)}`;
}

const showError = (err) => { $("editor-error").textContent = err.message; };

export function openEditor(id) {
  return fill(id).catch((err) => ctx.notify(`cannot edit the task: ${err.message}`, "error"));
}

async function fill(id) {
  const {page} = ctx;
  if (!page.model) return;
  const f = $("editor-form").elements;
  $("editor-error").textContent = "";
  const row = id && page.model.byId[id];
  // in a scenario, the task as the scenario sees it (the chart's own copy)
  task = row ? (page.scenario ? row.task : await get(`${basePath(page)}/tasks/${id}`)) : null;
  page.selected = id;
  $("editor").classList.toggle("creating", !task);
  $("editor-title").textContent = task ? `Task: ${task.name}` : "New task";
  f.name.value = task ? task.name : "";
  f.duration.value = task ? task.duration : 1;
  f.duration_unit.value = task ? task.duration_unit : "days";
  f.start.value = row ? isoDay(row.start) : "";
  f.finish.value = row ? isoDay(row.finish) : "";
  f.constraint_type.value = task ? task.constraint_type : "ASAP";
  f.constraint_date.value = task?.constraint_date ? task.constraint_date.slice(0, 16) : "";
  f.percent_complete.value = task ? task.percent_complete : 0;
  f.actual_start.value = task?.actual_start ? task.actual_start.slice(0, 16) : "";
  f.actual_finish.value = task?.actual_finish ? task.actual_finish.slice(0, 16) : "";
  const others = document.createDocumentFragment(); // one by one: a large plan's rows are too many arguments
  let n = 0;
  for (const r of page.model.rows) if (r.id !== id) others.append(new Option(`${++n}. ${r.name}`, r.id));
  f.pred.replaceChildren(others);
  listLinks();
  $("editor").showModal();
  f.name.focus();
}

function listLinks() {
  const {model} = ctx.page;
  const items = task ? model.links.filter((l) => l.successor_id === task.id) : [];
  $("pred-list").replaceChildren(...items.map((l) => {
    const li = document.createElement("li");
    const lag = l.lag ? `${l.lag > 0 ? "+" : ""}${l.lag} ${l.lag_unit}` : "";
    li.textContent = `${model.byId[l.predecessor_id]?.name || "?"} ${l.type}${lag} `;
    const drop = document.createElement("button");
    drop.type = "button";
    drop.textContent = "remove";
    drop.onclick = () => request("DELETE", `${basePath(ctx.page)}/dependencies/${l.id}`).then(() => {
      model.links = model.links.filter((x) => x.id !== l.id);
      listLinks();
      ctx.changed("link removed");
    }, showError);
    li.append(drop);
    return li;
  }));
}

async function addLink() {
  const f = $("editor-form").elements;
  const body = {predecessor_id: f.pred.value, successor_id: task.id, type: f.pred_type.value,
    lag: Number(f.pred_lag.value) || 0, lag_unit: "days"};
  const made = await request("POST", `${basePath(ctx.page)}/dependencies`, body);
  const link = made.predecessor_id ? made : {...body, id: made.id}; // a scenario answers the new link's id
  ctx.page.model.links = [...ctx.page.model.links, link];
  listLinks();
  ctx.changed("linked");
}

async function save() {
  const f = $("editor-form").elements;
  const base = basePath(ctx.page);
  const fields = {name: f.name.value.trim(), duration: Number(f.duration.value), duration_unit: f.duration_unit.value};
  const type = f.constraint_type.value, dated = !["ASAP", "ALAP"].includes(type);
  if (dated && !f.constraint_date.value) throw new Error(`a ${type} constraint needs a date`);
  const constraint = {constraint_type: type, constraint_date: dated ? `${f.constraint_date.value.slice(0, 16)}:00` : null};
  if (!task) {
    await request("POST", `${base}/tasks`, {...fields, ...constraint});
    $("editor").close();
    ctx.changed(`added '${fields.name}'`);
    return;
  }
  const patch = {};
  for (const [k, v] of Object.entries(fields)) if (v !== task[k]) patch[k] = v;
  const before = task.constraint_date ? task.constraint_date.slice(0, 16) : null;
  if (type !== task.constraint_type || (constraint.constraint_date?.slice(0, 16) ?? null) !== before) Object.assign(patch, constraint);
  let version = task.version;
  if (Object.keys(patch).length) {
    const done = await request("PATCH", `${base}/tasks/${task.id}`, patch, {version});
    version = done.version ?? version + 1; // a scenario answers {id, scenario}
  }
  const progress = progressOf(f);
  if (Object.keys(progress).length) {
    await request("PUT", `${base}/tasks/${task.id}/progress`, progress, {version});
  }
  $("editor").close();
  if (version === task.version && !Object.keys(progress).length) ctx.notify("nothing changed");
  else ctx.changed(`saved '${fields.name}'`);
}

// What changed of % complete and the actual dates. As in Microsoft Project, work reported without dates
// started on the scheduled start (and, when complete, finished on the scheduled finish).
function progressOf(f) {
  const out = {}, row = ctx.page.model.byId[task.id];
  const percent = Number(f.percent_complete.value);
  const start = f.actual_start.value ? `${f.actual_start.value.slice(0, 16)}:00` : null;
  const finish = f.actual_finish.value ? `${f.actual_finish.value.slice(0, 16)}:00` : null;
  if (percent !== task.percent_complete) out.percent_complete = percent;
  if (start && start !== task.actual_start?.slice(0, 19)) out.actual_start = start;
  if (finish && finish !== task.actual_finish?.slice(0, 19)) out.actual_finish = finish;
  if (out.percent_complete > 0 && !start && !task.actual_start) out.actual_start = row.start.slice(0, 19);
  if (out.percent_complete === 100 && !finish && !task.actual_finish) out.actual_finish = row.finish.slice(0, 19);
  return out;
}

async function remove() {
  if (!window.confirm(`Delete '${task.name}' and its links?`)) return;
  await request("DELETE", `${basePath(ctx.page)}/tasks/${task.id}`, undefined, {version: task.version});
  $("editor").close();
  ctx.changed(`deleted '${task.name}'`);
}
