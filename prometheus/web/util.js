// Shared helpers: SVG elements, the plan's naive local times as milliseconds, formatting.
export const DAY_MS = 86400000;
export const SVG_NS = "http://www.w3.org/2000/svg";

export function svgEl(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// The API's dates are the plan's wall-clock times without a zone: read and do arithmetic on them as UTC,
// so that daylight-saving changes of the browser's zone never shift a bar.
export function ms(value) {
  if (typeof value === "number") return value;
  if (value instanceof Date) return value.getTime();
  const s = String(value);
  if (s.length === 10) return Date.parse(`${s}T00:00:00Z`);
  return Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(s) ? s : `${s}Z`);
}

export const dayOf = (t) => Math.floor(ms(t) / DAY_MS) * DAY_MS;
export const isoDay = (t) => new Date(ms(t)).toISOString().slice(0, 10);
export const isoMinute = (t) => new Date(ms(t)).toISOString().slice(0, 16).replace("T", " ");
export const weekday = (t) => (new Date(ms(t)).getUTCDay() + 6) % 7; // 0 = Monday, as in the calendar

// Now, as the wall clock here reads it, on the same scale as the plan's dates.
export function nowMs() {
  const n = new Date();
  return Date.UTC(n.getFullYear(), n.getMonth(), n.getDate(), n.getHours(), n.getMinutes(), n.getSeconds());
}

export const num = (x) => (Math.round(x * 100) / 100).toLocaleString("en", {maximumFractionDigits: 2});
export const UNIT = {hours: "h", days: "d", weeks: "w"};

export const DEFAULT_CALENDAR = {
  working_days: [0, 1, 2, 3, 4],
  working_hours: [["08:00:00", "12:00:00"], ["13:00:00", "17:00:00"]],
  holidays: [],
};

export function isWorkingDay(dayMs, calendar) {
  return calendar.working_days.includes(weekday(dayMs)) && !calendar.holidays.includes(isoDay(dayMs));
}

// Working days in (from, to] when to > from, minus those in (to, from] when to < from.
export function workingDaysBetween(fromDay, toDay, calendar) {
  const sign = toDay >= fromDay ? 1 : -1;
  let n = 0;
  for (let d = Math.min(fromDay, toDay) + DAY_MS; d <= Math.max(fromDay, toDay); d += DAY_MS) {
    if (isWorkingDay(d, calendar)) n++;
  }
  return sign * n;
}

export const firstWorkTime = (calendar) => calendar.working_hours[0][0].slice(0, 5);
export const lastWorkTime = (calendar) => calendar.working_hours.at(-1)[1].slice(0, 5);
