// Direct manipulation of the chart, as in Microsoft Project: drag a bar to move the task (a start-no-earlier-
// than constraint on the day it is dropped), drag its right end to change its duration, drag from the circle
// after a bar onto another task to link them (finish-to-start). A click opens the task's editor.
import {request} from "./api.js";
import {basePath} from "./scenarios.js";
import {
  DAY_MS, dayOf, firstWorkTime, isoDay, num, svgEl, workingDaysBetween,
} from "./util.js";

const EDGE = 24; // px: how near an edge of the view a link's drag scrolls it, and by how much

export function setupInteractions(svg, {page, changed, notify, render, openEditor}) {
  let drag = null;

  const toSvgX = (e) => {
    const m = svg.getScreenCTM();
    return m ? (e.clientX - m.e) / m.a : e.clientX;
  };
  const toSvgY = (e) => {
    const m = svg.getScreenCTM();
    return m ? (e.clientY - m.f) / m.d : e.clientY;
  };

  // a link drawn near the top or bottom of the view scrolls it, as in Microsoft Project
  const edgeScroll = (e) => {
    const main = svg.closest("main"), box = main?.getBoundingClientRect();
    if (!box) return;
    if (e.clientY > box.bottom - EDGE) main.scrollTop += EDGE;
    else if (e.clientY < box.top + EDGE) main.scrollTop -= EDGE;
  };

  svg.addEventListener("pointerdown", (e) => {
    const target = e.target;
    const id = target.dataset?.id || target.closest("[data-id]")?.dataset.id;
    const row = id && page.model?.byId[id];
    if (!row || e.button !== 0) return;
    let mode = null;
    if (target.classList.contains("resize")) mode = "resize";
    else if (target.classList.contains("handle")) mode = "link";
    else if (target.classList.contains("bar") || target.classList.contains("milestone")) mode = "move";
    if (!mode) return;
    e.preventDefault();
    svg.setPointerCapture(e.pointerId);
    page.dragging = mode; // a scroll during a link's drag draws the rows it brings in (a bar's drag waits)
    const group = target.closest("g.task");
    drag = {mode, row, group, target, x0: toSvgX(e), dx: 0, width0: Number(target.getAttribute("width"))};
    if (mode === "link") {
      drag.line = svgEl("line", {class: "rubber", x1: target.getAttribute("cx"), y1: target.getAttribute("cy"),
        x2: target.getAttribute("cx"), y2: target.getAttribute("cy")});
      svg.append(drag.line);
    }
  });

  svg.addEventListener("pointermove", (e) => {
    if (!drag) return;
    drag.dx = toSvgX(e) - drag.x0;
    if (drag.mode === "move") drag.group.setAttribute("transform", `translate(${drag.dx},0)`);
    else if (drag.mode === "resize") {
      const bar = drag.group.querySelector(".bar");
      bar.setAttribute("width", Math.max(2, drag.width0 + drag.dx));
    } else {
      edgeScroll(e);
      drag.line.setAttribute("x2", toSvgX(e));
      drag.line.setAttribute("y2", toSvgY(e));
    }
  });

  const finish = async (e, cancelled) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    d.line?.remove();
    const days = Math.round(d.dx / page.scale.px);
    let wrote = false;
    try {
      if (cancelled) return;
      if (d.mode === "move") {
        if (Math.abs(d.dx) < 3) openEditor(d.row.id);
        else if (days) wrote = await move(d.row, days);
      } else if (d.mode === "resize") {
        if (days) wrote = await resize(d.row, days);
      } else {
        const over = document.elementFromPoint(e.clientX, e.clientY)?.closest("[data-id]");
        const to = over?.dataset.id;
        if (to && to !== d.row.id) wrote = await link(d.row, page.model.byId[to]);
      }
    } catch (err) {
      notify(err.message, "error");
    } finally {
      page.dragging = false;
      if (!wrote || page.stale) { // put the bar back, or show what came meanwhile
        page.stale = false;
        render();
      }
    }
  };
  svg.addEventListener("pointerup", (e) => finish(e, false));
  svg.addEventListener("pointercancel", (e) => finish(e, true));

  // a click on the table's row opens the editor
  svg.addEventListener("click", (e) => {
    const hit = e.target.closest(".cell, .rowbg, .summarybar");
    const id = hit?.dataset.id || hit?.parentNode?.dataset.id;
    if (id) openEditor(id);
  });

  async function move(row, days) {
    const day = isoDay(dayOf(row.start) + days * DAY_MS);
    const date = `${day}T${firstWorkTime(page.model.calendar)}:00`;
    await request("PATCH", `${basePath(page)}/tasks/${row.id}`,
      {constraint_type: "SNET", constraint_date: date}, {version: row.task.version});
    changed(`'${row.name}' starts no earlier than ${day}`);
    return true;
  }

  async function resize(row, days) {
    const end = dayOf(row.finish);
    const delta = workingDaysBetween(end, end + days * DAY_MS, page.model.calendar);
    const duration = row.duration_days + delta;
    if (duration <= 0) throw new Error("a task cannot end before it starts: to make a milestone, edit it");
    await request("PATCH", `${basePath(page)}/tasks/${row.id}`,
      {duration, duration_unit: "days"}, {version: row.task.version});
    changed(`'${row.name}' now takes ${num(duration)} days`);
    return true;
  }

  async function link(from, to) {
    await request("POST", `${basePath(page)}/dependencies`,
      {predecessor_id: from.id, successor_id: to.id, type: "FS"});
    changed(`linked '${from.name}' → '${to.name}' (finish-to-start)`);
    return true;
  }
}
