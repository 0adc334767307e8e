// Rota: a calendar of days (one week, or four weeks as a month view): each day lists its shifts as
// "HH:mm–HH:mm name" chips, its leave, and its gaps (hours with too few on duty) in red, over a strip of
// half-hours; on a phone the grid becomes a list of days. A shift's chip opens a dialog to hand it over or
// delete it (asked twice); a deletion can be undone for 10 s (the API restores the same shift).
// Add shifts and leave with dates typed dd/mm/yyyy hh:mm (the JSON API validates).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const AGENTS = JSON.parse($("agents").textContent);
  const DAY = 86400000, SLOT = 1800000, UNDO_MS = 10000;
  const FULL = Object.fromEntries(AGENTS.map(([u, n]) => [u, n]));
  const SHORT = (() => {  // the given name (last word of a Vietnamese name), unless two agents share it
    const given = Object.fromEntries(AGENTS.map(([u, n]) => [u, n.trim().split(/\s+/).pop()]));
    const count = {};
    Object.values(given).forEach((g) => { count[g] = (count[g] || 0) + 1; });
    return Object.fromEntries(AGENTS.map(([u, n]) => [u, count[given[u]] > 1 ? n : given[u]]));
  })();
  const full = (u) => FULL[u] || u, short = (u) => SHORT[u] || u;
  const dayStart = (isoDay) => Date.parse(isoDay + "T00:00:00+07:00");
  function thisMonday() {
    const today = dayStart(fmt.today());
    return today - ((new Date(today + 7 * 3600000).getUTCDay() + 6) % 7) * DAY;
  }
  let monday = thisMonday();
  let current = null;  // the shift the dialog shows
  let undoTimer = null;
  const view = () => $("view").value;
  const span = () => (view() === "week" ? 7 : 28);

  async function api(method, path, body) {
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined });
    const data = await r.json().catch(() => ({}));
    if (r.status === 401) { window.location = "/login?next=/supervisor/rota"; throw new Error(_("Logged out.")); }
    if (!r.ok) throw new Error(data.message || _("The server answered {status}.", { status: r.status }));
    return data;
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  const until = (ms, from) => (ms - from >= DAY ? "24:00" : fmt.time(ms));  // a day's end reads 24:00

  async function load() {
    $("error").textContent = "";
    const days = span(), end = monday + days * DAY;
    $("range").textContent = `${fmt.date(monday)} – ${fmt.date(end - DAY)}`;
    let data;
    try {
      data = await api("GET", `/api/rota?from=${encodeURIComponent(new Date(monday).toISOString())}` +
        `&to=${encodeURIComponent(new Date(end).toISOString())}`);
    } catch (e) { $("error").textContent = e.message; return; }
    const hours = (data.gaps / 2).toLocaleString(window.I18N_LOCALE);
    $("gaps").textContent = data.gaps ? _("{hours} h with too few agents on duty", { hours }) : _("Fully covered");
    $("gaps").className = "small " + (data.gaps ? "bad-text" : "good-text");
    render(data, days);
  }

  function render(data, days) {
    const grid = $("grid"), now = Date.now();
    grid.innerHTML = "";
    grid.className = "cal " + view();
    for (let i = 0; i < 7; i++) grid.appendChild(el("div", "weekday", fmt.pattern(monday + i * DAY, "EEEE")));
    const holidays = Object.fromEntries((data.holidays || []).map((h) => [h.day, h.name]));
    for (let i = 0; i < days; i++) {
      const from = monday + i * DAY, to = from + DAY;
      const cell = el("section", "day" + (from <= now && now < to ? " today" : "") + (to <= now ? " past" : ""));
      cell.dataset.day = fmt.pattern(from, "yyyy-MM-dd");
      const head = el("h4", "", fmt.day(from));
      if (holidays[cell.dataset.day]) head.appendChild(el("span", "holiday", holidays[cell.dataset.day]));
      cell.appendChild(head);
      const slots = data.coverage.filter((c) => { const t = Date.parse(c.starts_at); return t >= from && t < to; });
      gapsOf(slots, from).forEach(([a, b]) => {
        const gap = el("div", "gap-line", _("{from}–{to} nobody", { from: fmt.time(a), to: until(b, from) }));
        gap.title = gap.textContent;
        cell.appendChild(gap);
      });
      data.shifts.filter((s) => { const t = Date.parse(s.starts_at); return (t >= from || i === 0) && t < to; })
        .forEach((s) => cell.appendChild(shiftChip(s, now)));
      data.absences.filter((a) => Date.parse(a.starts_at) < to && Date.parse(a.ends_at) > from).forEach((a) => {
        const chip = el("div", "chip absence", `${label("absence_reason", a.reason)}: ${short(a.agent)}`);
        chip.title = `${full(a.agent)} ${fmt.datetime(a.starts_at)} – ${fmt.datetime(a.ends_at)}`;
        cell.appendChild(chip);
      });
      if (slots.some((c) => c.gap)) cell.classList.add("has-gap");
      cell.appendChild(strip(slots, now));
      grid.appendChild(cell);
    }
  }
  function gapsOf(slots, from) {  // merged [start, end) runs of gap slots
    const runs = [];
    slots.forEach((c) => {
      const t = Date.parse(c.starts_at);
      if (!c.gap) return;
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[1] = t + SLOT; else runs.push([t, t + SLOT]);
    });
    return runs.map(([a, b]) => [Math.max(a, from), b]);
  }
  function strip(slots, now) {
    const bar = el("div", "cover");
    bar.setAttribute("aria-hidden", "true");
    slots.forEach((c) => {
      const t = Date.parse(c.starts_at);
      const slot = el("span", "slot" + (c.gap ? " gap" : "") + (t <= now && now < t + SLOT ? " now" : ""));
      const who = c.on_duty.map(full).join(", ") || _("nobody");
      slot.title = `${fmt.time(t)}: ${who}`;
      bar.appendChild(slot);
    });
    return bar;
  }
  function shiftChip(s, now) {
    const live = Date.parse(s.starts_at) <= now && now < Date.parse(s.ends_at);
    const name = view() === "week" ? full(s.agent) : short(s.agent);
    const before = Date.parse(s.starts_at) < monday;  // from the day before the first: "…–07:00"
    const chip = el("button", `chip ${s.kind}${live ? " live" : ""}`,
      `${before ? "…" : fmt.time(s.starts_at)}–${fmt.time(s.ends_at)} ${name}`);
    chip.type = "button";
    chip.dataset.shift = s.id;
    chip.title = `${full(s.agent)}, ${label("shift_kind", s.kind)}${s.note ? ": " + s.note : ""}`;
    chip.onclick = () => openShift(s);
    return chip;
  }

  // -- one shift: hand over or delete (confirmed), then Undo -----------------------------------------
  function openShift(s) {
    current = s;
    $("shift-facts").textContent = _("{name}, {kind}: {from} – {to}", { name: full(s.agent),
      kind: label("shift_kind", s.kind), from: fmt.datetime(s.starts_at), to: fmt.datetime(s.ends_at) }) +
      (s.note ? ` (${s.note})` : "");
    const swap = $("swap-to");
    swap.innerHTML = "";
    AGENTS.filter(([u]) => u !== s.agent).forEach(([u, n]) => { const o = el("option", "", n); o.value = u; swap.appendChild(o); });
    $("dialog-error").textContent = "";
    $("confirm").hidden = true;
    $("delete").hidden = false;
    $("shift-dialog").showModal();
  }
  $("close").onclick = () => $("shift-dialog").close();
  $("delete").onclick = () => { $("confirm").hidden = false; $("delete").hidden = true; $("confirm-yes").focus(); };
  $("confirm-no").onclick = () => { $("confirm").hidden = true; $("delete").hidden = false; };
  $("confirm-yes").onclick = async () => {
    const s = current;
    try { await api("DELETE", `/api/rota/shifts/${s.id}`); }
    catch (e) { $("dialog-error").textContent = e.message; return; }
    $("shift-dialog").close();
    offerUndo(s);
    load();
  };
  $("swap").onclick = async () => {
    const s = current, to = $("swap-to").value;
    try { await api("POST", `/api/rota/shifts/${s.id}/swap`, { to_agent: to }); }
    catch (e) { $("dialog-error").textContent = e.message; return; }
    $("shift-dialog").close();
    note(_("Shift handed over to {name}.", { name: full(to) }));
    load();
  };
  function offerUndo(s) {
    clearTimeout(undoTimer);
    $("undo-text").textContent = _("Shift deleted: {name} {from}–{to}.", { name: full(s.agent),
      from: fmt.datetime(s.starts_at), to: fmt.time(s.ends_at) });
    $("undo-button").hidden = false;
    $("undo-button").onclick = () => undo(s);
    $("undo").hidden = false;
    undoTimer = setTimeout(() => { $("undo").hidden = true; }, UNDO_MS);
  }
  async function undo(s) {
    clearTimeout(undoTimer);
    $("undo-button").hidden = true;
    try {
      await api("POST", `/api/rota/shifts/${s.id}/restore`);
      $("undo-text").textContent = _("Shift restored.");
      load();
    } catch (e) {
      $("undo-text").textContent = _("Could not undo: {reason}", { reason: e.message });
    }
    undoTimer = setTimeout(() => { $("undo").hidden = true; }, UNDO_MS);
  }
  function note(text) { $("note").textContent = text; }

  // -- adding shifts and leave ---------------------------------------------------------------------------
  function formBody(form) {  // the body to send, or null (each unreadable date said next to its field)
    const body = {};
    let ok = true;
    new FormData(form).forEach((v, k) => {
      if (!k.endsWith("_at")) { body[k] = v; return; }
      const read = fmt.readDateTime(v), error = form.querySelector(`.field-error[data-for="${k}"]`);
      const input = form.elements[k];
      error.textContent = read ? "" : (String(v).trim() ? _("Not a date and time: write it as dd/mm/yyyy hh:mm, e.g. {example}.",
        { example: fmt.dateTimeInput(new Date()) }) : _("Required."));
      input.setAttribute("aria-invalid", read ? "false" : "true");
      if (read) body[k] = read; else ok = false;
    });
    return ok ? body : null;
  }
  async function submit(form, path, done) {
    const body = formBody(form);
    $("form-note").textContent = "";
    if (!body) return;
    try { await api("POST", path, body); $("form-note").textContent = done; load(); }
    catch (e) { $("form-note").textContent = e.message; }
  }
  $("shift-form").onsubmit = (ev) => { ev.preventDefault(); submit(ev.target, "/api/rota/shifts", _("Shift added.")); };
  $("absence-form").onsubmit = (ev) => { ev.preventDefault(); submit(ev.target, "/api/rota/absences", _("Absence recorded.")); };
  $("prev").onclick = () => { monday -= span() * DAY; load(); };
  $("next").onclick = () => { monday += span() * DAY; load(); };
  $("today").onclick = () => { monday = thisMonday(); load(); };
  $("view").onchange = load;
  load();
})();
