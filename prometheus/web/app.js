// The page: the plans, the chosen plan's Gantt chart and resource load, kept live over the WebSocket /ws.
import {currentToken, get} from "./api.js";
import {openEditor, setupEditor} from "./editor.js";
import {downloadPng} from "./export.js";
import {LEFT, drawGantt, followView, wholeChart} from "./gantt.js";
import {setupInteractions} from "./interact.js";
import {drawLoad} from "./load.js";
import {loadScenarios, setupScenarios} from "./scenarios.js";
import {DEFAULT_CALENDAR, isoMinute, num} from "./util.js";

const $ = (id) => document.getElementById(id);
const page = {current: null, scenario: null, model: null, scale: null, selected: null, socket: null, dragging: false,
  stale: false};

export function notify(text, kind = "info") {
  const box = $("message");
  box.textContent = text;
  box.className = kind;
}

const shortId = (id) => id.slice(0, 8);

async function loadPlans() {
  const plans = await get("/api/plans?limit=1000");
  const names = {};
  for (const p of plans) names[p.name] = (names[p.name] || 0) + 1;
  $("plans").replaceChildren(...plans.map((p) => {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = `${p.name} (${p.task_count})`;
    const more = document.createElement("small");
    // plans of the same name told apart by their start and id
    more.textContent = `${p.start_date ? `from ${p.start_date}` : "no start date"} · ${shortId(p.id)}`;
    if (names[p.name] > 1) li.classList.add("namesake");
    li.append(name, more);
    li.dataset.id = p.id;
    li.title = `${p.name}\nid ${p.id}\nstatus ${p.status}, version ${p.version}`;
    if (p.id === page.current) li.classList.add("active");
    li.onclick = () => choose(p.id);
    return li;
  }));
}

async function choose(id) {
  const socket = page.socket;
  if (page.current && socket?.readyState === 1) socket.send(JSON.stringify({action: "unsubscribe", plan_id: page.current}));
  page.current = id;
  page.scenario = null;
  page.selected = null;
  $("compare-view").hidden = true;
  history.replaceState(null, "", `?plan=${id}`);
  if (socket?.readyState === 1) socket.send(JSON.stringify({action: "subscribe", plan_id: id}));
  await Promise.all([render(), loadPlans(), loadScenarios()]);
}

// Each task's depth in the outline, from its parent (tasks: {id, parent_id}).
function depths(tasks) {
  const parentOf = new Map(tasks.map((t) => [t.id, t.parent_id]));
  const depth = {};
  for (const t of tasks) {
    let d = 0, parent = t.parent_id;
    while (parent && parentOf.has(parent) && d < 50) { d++; parent = parentOf.get(parent); }
    depth[t.id] = d;
  }
  return depth;
}

// The chart's model of a plan, or of one of its scenarios (its tasks, resources and links as it sees them).
// A plan's timeline rows carry what the chart shows of each task (duration as entered, constraint, version):
// its tasks are not read whole (10,000 of them are some 14 MB). A scenario's are: its editor has no other copy.
async function build(id, scenario = page.scenario) {
  const base = scenario ? `/api/plans/${id}/scenarios/${scenario}` : `/api/plans/${id}`;
  const [info, resources, dependencies, timeline, scenarioTasks] = await Promise.all([
    get(`/api/plans/${id}?include_tasks=false`), get(`${base}/resources`), get(`${base}/dependencies`),
    get(`${base}/timeline?include_resources=true`), scenario ? get(`${base}/tasks`) : null]);
  const tasks = scenarioTasks || timeline.tasks.map((r) => ({...r, id: r.task_id}));
  const plan = {...info, tasks, resources, dependencies};
  const byTask = Object.fromEntries(tasks.map((t) => [t.id, t]));
  const names = Object.fromEntries(resources.map((r) => [r.id, r.name]));
  const depth = depths(tasks);
  const rows = timeline.tasks.map((r) => ({
    ...r, id: r.task_id, task: byTask[r.task_id], depth: depth[r.task_id] || 0,
    resources: (r.assignments || []).map((a) => `${names[a.resource_id] || "?"}${a.units === 1 ? "" : ` [${num(a.units * 100)}%]`}`),
  }));
  return {plan, timeline, rows, calendar: plan.calendar || DEFAULT_CALENDAR, links: plan.dependencies,
    byId: Object.fromEntries(rows.map((r) => [r.id, r]))};
}

function show(model) {
  const {plan, timeline} = model;
  $("title").textContent = plan.name;
  document.title = `${plan.name} — Prometheus`;
  const where = page.scenario ? ` · scenario: ${$("scenario").selectedOptions[0]?.textContent || ""}` : "";
  $("subtitle").textContent = `${plan.start_date ? `starts ${plan.start_date}` : "no start date"} · id ${shortId(plan.id)}${where}`;
  $("subtitle").title = plan.id;
  $("finish").textContent = timeline.tasks.length ? `finish ${isoMinute(timeline.project_finish)}` : "no tasks yet";
  $("critical").textContent = `critical path: ${timeline.critical_path.map((t) => t.name).join(" → ") || "none"}`;
  $("conflicts").textContent = timeline.conflicts.map((c) => c.message).join("; ");
  const width = Math.max(900, document.querySelector("main").clientWidth - 40);
  page.scale = drawGantt($("gantt"), model, width - LEFT, page.selected);
  drawLoad($("histogram"), $("histogram-title"), model, page.scale);
  for (const b of document.querySelectorAll(".needs-plan")) b.disabled = false;
  document.body.dataset.rendered = String(Date.now());
}

// One render at a time, the newest state last; none while a bar is being dragged.
let rendering = null, again = false;
export function render() {
  if (!page.current) return Promise.resolve();
  if (page.dragging) { page.stale = true; return Promise.resolve(); }
  if (rendering) { again = true; return rendering; }
  rendering = (async () => {
    do {
      again = false;
      const id = page.current, scenario = page.scenario;
      try {
        const model = await build(id, scenario);
        if (id === page.current && scenario === page.scenario && !page.dragging) { page.model = model; show(model); }
      } catch (err) {
        if (id === page.current && scenario === page.scenario) notify(`could not load the plan: ${err.message}`, "error");
      }
    } while (again);
  })().finally(() => { rendering = null; });
  return rendering;
}

// After a change made here: the live update redraws; without a socket, redraw now.
// A scenario's changes are not announced (only its opening, promotion and discarding): redraw now.
export function changed(text) {
  notify(text);
  if (page.socket?.readyState !== 1 || page.scenario) render();
  if (page.scenario) loadScenarios().catch(() => {});
}

function connect() {
  const status = $("status");
  const token = currentToken();
  const query = token ? `?token=${encodeURIComponent(token)}` : "";
  const socket = page.socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws${query}`);
  socket.onopen = () => {
    status.textContent = "live";
    status.className = "live";
    socket.send(JSON.stringify({action: "subscribe", plan_id: "*"}));
    if (page.current) socket.send(JSON.stringify({action: "subscribe", plan_id: page.current}));
  };
  socket.onmessage = (msg) => {
    const event = JSON.parse(msg.data);
    if (!event.event_id) return; // replies to our own actions
    if (event.plan_id === page.current) {
      if (event.type === "prometheus.plan.deleted") notify("this plan was deleted", "error");
      else render();
      if (event.type.startsWith("prometheus.scenario.")) loadScenarios().then(() => render()).catch(() => {});
    }
    loadPlans().catch(() => {});
  };
  socket.onclose = () => {
    status.textContent = "reconnecting…";
    status.className = "";
    setTimeout(connect, 1000);
  };
}

setupEditor({page, changed, notify});
setupScenarios({page, notify, render, build});
setupInteractions($("gantt"), {page, changed, notify, render, openEditor});
$("add-task").onclick = () => openEditor(null);
$("print").onclick = () => window.print();
$("png").onclick = () => downloadPng(wholeChart($("gantt")), page.model?.plan.name || "plan")
  .catch((e) => notify(e.message, "error"));

// Only the rows in view are drawn: a scroll or resize draws those it brings in (not while a bar is moved or
// resized, whose drop redraws anyway; while a link is drawn, so that its task far below can be reached);
// printing draws them all.
const charts = () => ["gantt", "gantt-base", "gantt-scenario"].map($);
let following = false;
function follow() {
  if (following) return;
  following = true;
  requestAnimationFrame(() => {
    following = false;
    if (!page.dragging || page.dragging === "link") for (const svg of charts()) followView(svg);
  });
}
document.querySelector("main").addEventListener("scroll", follow, {passive: true});
window.addEventListener("resize", follow);
window.addEventListener("beforeprint", () => followView($("gantt"), {all: true}));
window.addEventListener("afterprint", () => followView($("gantt"), {force: true}));

const wanted = new URLSearchParams(location.search).get("plan");
loadPlans()
  .then(() => wanted && choose(wanted))
  .catch((err) => notify(`could not load the plans: ${err.message}`, "error"));
connect();
