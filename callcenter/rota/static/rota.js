// Rota: a week (agents × days, shifts and leave, a coverage strip per day) or four weeks of coverage,
// now highlighted, gaps in red; add shifts and leave, cancel or swap a shift (the JSON API validates).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const AGENTS = JSON.parse($("agents").textContent);
  const DAY = 86400000, TZ = "+07:00";
  const vnDate = (d) => new Date(d.getTime() + 7 * 3600000);  // the Vietnam wall clock, read with getUTC*
  const ymd = (d) => vnDate(d).toISOString().slice(0, 10);
  const hm = (iso) => vnDate(new Date(iso)).toISOString().slice(11, 16);
  let monday = (() => { const now = vnDate(new Date()); const dow = (now.getUTCDay() + 6) % 7;
    return new Date(Date.parse(now.toISOString().slice(0, 10) + "T00:00:00" + TZ) - dow * DAY); })();
  const view = () => $("view").value;

  async function api(method, path, body) {
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined });
    const data = await r.json().catch(() => ({}));
    if (r.status === 401) { window.location = "/login?next=/supervisor/rota"; throw new Error("logged out"); }
    if (!r.ok) throw new Error(data.message || "HTTP " + r.status);
    return data;
  }
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }

  async function load() {
    $("error").textContent = "";
    const days = view() === "week" ? 7 : 28, end = new Date(monday.getTime() + days * DAY);
    $("range").textContent = `${ymd(monday)} – ${ymd(new Date(end.getTime() - DAY))}`;
    let data;
    try { data = await api("GET", `/api/rota?from=${encodeURIComponent(monday.toISOString())}&to=${encodeURIComponent(end.toISOString())}`); }
    catch (e) { $("error").textContent = e.message; return; }
    $("gaps").textContent = data.gaps ? `${data.gaps / 2} hour(s) with too few agents` : "fully covered";
    $("gaps").className = "small " + (data.gaps ? "bad-text" : "good-text");
    const grid = $("grid"); grid.innerHTML = "";
    const now = Date.now();
    const dayList = [...Array(days).keys()].map((i) => new Date(monday.getTime() + i * DAY));
    const table = el("table", "rota-grid"), head = el("tr");
    head.appendChild(el("th", "", view() === "week" ? "Agent" : ""));
    dayList.forEach((d) => { const th = el("th", d.getTime() <= now && now < d.getTime() + DAY ? "today" : "",
      new Date(d).toLocaleDateString("en-GB", { weekday: "short", day: "2-digit", month: "2-digit", timeZone: "Asia/Ho_Chi_Minh" }));
      head.appendChild(th); });
    table.appendChild(head);
    if (view() === "week") {
      AGENTS.forEach(([username, name]) => {
        const tr = el("tr"); tr.appendChild(el("th", "agent", name));
        dayList.forEach((d) => {
          const td = el("td"), from = d.getTime(), to = from + DAY;
          data.shifts.filter((s) => s.agent === username && Date.parse(s.starts_at) < to && Date.parse(s.starts_at) >= from)
            .forEach((s) => td.appendChild(shiftChip(s, now)));
          data.absences.filter((a) => a.agent === username && Date.parse(a.starts_at) < to && Date.parse(a.ends_at) > from)
            .forEach((a) => td.appendChild(el("div", "chip absence", `${a.reason} ${hm(a.starts_at)}–${hm(a.ends_at)}`)));
          tr.appendChild(td);
        });
        table.appendChild(tr);
      });
    }
    const strip = el("tr"); strip.appendChild(el("th", "agent", "Coverage"));
    dayList.forEach((d) => {
      const td = el("td"), bar = el("div", "cover"), from = d.getTime();
      data.coverage.filter((c) => Date.parse(c.starts_at) >= from && Date.parse(c.starts_at) < from + DAY).forEach((c) => {
        const t = Date.parse(c.starts_at), slot = el("span", "slot" + (c.gap ? " gap" : "") + (t <= now && now < t + 1800000 ? " now" : ""));
        slot.title = `${hm(c.starts_at)}: ${c.on_duty.join(", ") || "nobody"}`; bar.appendChild(slot);
      });
      td.appendChild(bar);
      strip.appendChild(td);
    });
    table.appendChild(strip);
    grid.appendChild(table);
  }
  function shiftChip(s, now) {
    const live = Date.parse(s.starts_at) <= now && now < Date.parse(s.ends_at);
    const chip = el("div", `chip ${s.kind}${live ? " live" : ""}`, `${hm(s.starts_at)}–${hm(s.ends_at)} ${s.kind === "regular" ? "" : s.kind}`);
    chip.title = s.note || "";
    const cancel = el("button", "mini", "✕"); cancel.title = "Cancel this shift";
    cancel.onclick = async () => { try { await api("DELETE", `/api/rota/shifts/${s.id}`); note("Shift cancelled."); load(); } catch (e) { note(e.message); } };
    const swap = el("select", "mini"); swap.title = "Swap to";
    swap.appendChild(el("option", "", "swap…"));
    AGENTS.filter(([u]) => u !== s.agent).forEach(([u, n]) => { const o = el("option", "", n); o.value = u; swap.appendChild(o); });
    swap.onchange = async () => { try { await api("POST", `/api/rota/shifts/${s.id}/swap`, { to_agent: swap.value }); note("Shift swapped."); load(); }
      catch (e) { note(e.message); load(); } };
    chip.append(" ", swap, cancel);
    return chip;
  }
  function note(text) { $("note").textContent = text; }
  function formBody(form) { const b = {}; new FormData(form).forEach((v, k) => { b[k] = k.endsWith("_at") ? v + TZ : v; }); return b; }
  $("shift-form").onsubmit = async (ev) => { ev.preventDefault();
    try { await api("POST", "/api/rota/shifts", formBody(ev.target)); note("Shift added."); load(); } catch (e) { note(e.message); } };
  $("absence-form").onsubmit = async (ev) => { ev.preventDefault();
    try { await api("POST", "/api/rota/absences", formBody(ev.target)); note("Absence recorded."); load(); } catch (e) { note(e.message); } };
  $("prev").onclick = () => { monday = new Date(monday.getTime() - (view() === "week" ? 7 : 28) * DAY); load(); };
  $("next").onclick = () => { monday = new Date(monday.getTime() + (view() === "week" ? 7 : 28) * DAY); load(); };
  $("view").onchange = load;
  load();
})();
