// Forecast: the week's rota against the expected calls, from /api/forecast (JSON) — totals, a chart of the
// 336 half hours (agents on duty as bars, agents needed as a step line, gaps red), expected calls and
// abandonment, a table per day. The what-if (/api/forecast/what-if) compares a draft with a shift added
// and/or removed; supervisors may then save the added shift through /api/rota/shifts. The e-mail block is
// forecast_mail.js (asked in the same request, `include=email`).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const AGENTS = JSON.parse($("agents").textContent);  // [[username, name], …]
  const MAY_CHANGE = JSON.parse($("may-change").textContent);
  const NAMES = Object.fromEntries(AGENTS);
  // Words through _() and dates through fmt (callcenter/web/static/i18n.js): Vietnam time, the page's language.
  const _ = window._, fmt = window.fmt, LOCALE = window.I18N_LOCALE || "vi-VN";
  const OFFSET = "+07:00", DAY = 86400000, HALF = 1800000;
  const form = $("params"), wi = $("what-if");
  const KINDS = { overtime: _("overtime"), swap: _("swap") };  // a shift's kind (regular ones say nothing)
  const ymd = (ms) => fmt.pattern(ms, "yyyy-MM-dd");  // the Vietnam calendar day, ISO
  const wall = (ms) => new Date(ms + 7 * 3600000).toISOString().slice(0, 16) + OFFSET;  // ISO, Vietnam wall clock
  const dayOf = (ms) => fmt.day(ms);
  const hm = (ms) => fmt.time(ms);
  // The chart's geometry (SVG units; the SVG scales to the panel's width).
  const W = 1220, L = 64, R = 56, PW = W - L - R;
  const C = { on: "#6fa8dc", gap: "#b3261e", gapBg: "#fcecea", need: "#1b2733", ok: "#b7dfc1", draft: "#1e7b34",
    grid: "#e6ebf0", day: "#c3ced9", muted: "#5b6b7a", calls: "#cfe0f1", callsLine: "#6fa8dc", zebra: "#f7f9fb" };

  let shown = null;      // the last GET /api/forecast
  let draft = null;      // the last what-if answer {current, draft, difference}
  let pendingAdd = null; // the shift the draft added (what "Save" would save)
  let request = 0;       // answers to older requests are dropped

  // -- small helpers --------------------------------------------------------------------------
  async function api(method, path, body) {
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined });
    const data = await r.json().catch(() => ({}));
    if (r.status === 401) { window.location = "/login?next=/supervisor/forecast"; throw new Error(_("Your session has ended.")); }
    if (!r.ok) { const e = new Error(refusal(data, r.status)); e.status = r.status; throw e; }
    return data;
  }
  // The API words its refusals in English: shown as they are on an English page, else our own words for its code.
  const REFUSALS = { bad_input: _("The forecast cannot be worked out with these values: check the week, the targets and the shift."),
    rota_rule: _("The rota does not allow this shift (the agent may already work then, or it breaks a rest rule)."),
    forbidden: _("Your role may not do this."), not_found: _("Not found: reload the page.") };
  function refusal(data, status) {
    if (data.message && window.I18N_LANG === "en") return data.message;
    return REFUSALS[data.error] || _("The server refused the request (HTTP {status}).", { status });
  }
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function svg(tag, attrs, text) {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
    if (text != null) e.textContent = text;
    return e;
  }
  const num = (v, digits = 0) => (v == null ? "–" : Number(v).toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  const pct = (v) => (v == null ? "–" : `${num(v, 1)} %`);
  const hours = (v) => (v == null ? "–" : _("{n} h", { n: num(v, v % 1 ? 1 : 0) }));
  const signed = (v, digits, unit) => (v > 0 ? "+" : v < 0 ? "−" : "±") + num(Math.abs(v), digits ?? (v % 1 ? 1 : 0)) + unit;
  const mondayMs = (data) => Date.parse(`${data.week}T00:00:00${OFFSET}`);
  const targets = () => ({ service_level: form.elements.service_level.value, threshold: form.elements.threshold.value,
    max_abandonment: form.elements.max_abandonment.value });
  function status(text) { $("status").textContent = text; }
  function note(text) { $("note").textContent = text; }
  // The week as typed (dd/mm/yyyy): ISO, or null with a message beside the field.
  function weekValue() {
    const day = fmt.readDate(form.elements.week.value);
    $("week-error").textContent = day ? "" : _("Write the day as dd/mm/yyyy, e.g. {example}.", { example: fmt.dateInput(fmt.today()) });
    return day;
  }

  // -- loading --------------------------------------------------------------------------------
  async function load(ev) {
    if (ev) ev.preventDefault();
    $("error").textContent = "";
    const week = weekValue();
    if (!week) return;
    status(_("Working out the week…"));
    const mine = ++request;
    const mail = window.forecastMail.params();  // include=email (and the share typed), null when the share is wrong
    if (!mail) { status(""); return; }
    let data;
    try { data = await api("GET", `/api/forecast?${new URLSearchParams({ week, ...targets(), ...mail })}`); }
    catch (e) { if (mine === request) { $("error").textContent = e.message; status(""); } return; }
    if (mine !== request) return;
    shown = data; draft = null; pendingAdd = null;
    status("");
    window.forecastMail.render(data);
    fillDays(data);
    render();
    loadShifts(data, mine);
  }

  async function loadShifts(data, mine) {
    const select = wi.elements.remove, start = mondayMs(data);
    select.replaceChildren(new Option(_("(none)"), ""));
    let rota;
    try { rota = await api("GET", `/api/rota?from=${encodeURIComponent(wall(start))}&to=${encodeURIComponent(wall(start + 7 * DAY))}`); }
    catch (e) {
      if (mine !== request) return;
      if (e.status === 403) { select.replaceChildren(new Option(_("(only supervisors see the rota's shifts)"), "")); select.disabled = true; }
      else $("wi-error").textContent = e.message;
      return;
    }
    if (mine !== request) return;
    rota.shifts.slice().sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at)).forEach((s) => {
      const from = Date.parse(s.starts_at), to = Date.parse(s.ends_at);
      const kind = s.kind && s.kind !== "regular" ? " (" + (KINDS[s.kind] || _("other kind")) + ")" : "";
      select.appendChild(new Option(`${dayOf(from)} ${hm(from)}–${hm(to)} · ${NAMES[s.agent] || s.agent}${kind}`, String(s.id)));
    });
  }

  function fillDays(data) {
    const select = wi.elements.day, keep = select.selectedIndex, start = mondayMs(data);
    select.replaceChildren(...[...Array(7).keys()].map((i) => new Option(dayOf(start + i * DAY), ymd(start + i * DAY))));
    select.selectedIndex = keep > 0 ? keep : 0;
  }

  // -- drawing --------------------------------------------------------------------------------
  function render() {
    const base = draft ? draft.current : shown, other = draft ? draft.draft : null;
    if (!base) return;
    const start = mondayMs(base);
    $("week-title").textContent = _("Week of {first} – {last}",
      { first: `${fmt.pattern(start, "EEEE")} ${fmt.date(start)}`, last: dayOf(start + 6 * DAY) });
    totals(base);
    $("profile").textContent = _("Traffic profile — {profile}. Expected figures come from Erlang A (a queueing formula, per half hour); the simulated rate replays the week call by call with the rota's agents and their skills.", { profile: profileText(base) });
    $("staff-chart").replaceChildren(staffChart(base, other));
    $("load-chart").replaceChildren(loadChart(base, other));
    legends(base, !!other);
    dayTable(base, other);
    comparison();
  }

  function profileText(d) {  // the API's `profile` in English; its `profile_facts` worded here
    const f = d.profile_facts || {};
    if (f.kind === "history") return _("history: {calls} offered calls in the {weeks} weeks before", { calls: num(f.history_calls), weeks: f.weeks });
    if (f.kind !== "default") return window.I18N_LANG === "en" ? d.profile : "";
    const text = _("default: {calls} calls a day at {aht} min, patience {patience} min",
      { calls: num(f.calls_per_day), aht: num(f.aht_minutes, 1), patience: num(f.patience_minutes, 1) });
    return f.history_calls == null ? text : text + " — " + _("only {calls} calls over {days} days recorded in the {weeks} weeks before",
      { calls: num(f.history_calls), days: num(f.history_days), weeks: f.weeks });
  }

  function totals(d) {
    const t = d.totals, s = d.simulated || {}, g = d.targets;
    const cards = [
      [num(t.calls), _("calls expected this week"), ""],
      [pct(t.handled_rate), _("expected handled rate (Erlang A): share of callers answered"), t.handled_rate < t.department_handled_rate_today ? "bad" : "good"],
      [pct(s.handled_rate), _("simulated handled rate (the week replayed call by call)"), s.handled_rate < t.department_handled_rate_today ? "bad" : "good"],
      [_("about {value} %", { value: num(t.department_handled_rate_today) }), _("handled today (department figure), for comparison"), "dim"],
      [pct(t.service_level), _("expected service level: answered within {seconds} s (target {target} %)", { seconds: num(g.threshold_seconds), target: num(g.service_level) }),
        t.service_level < g.service_level ? "bad" : "good"],
      [pct(t.abandonment), _("expected abandonment: callers who hang up waiting (target at most {target} %)", { target: num(g.max_abandonment) }),
        t.abandonment > g.max_abandonment ? "bad" : "good"],
      [`${hours(t.scheduled_hours)} / ${hours(t.required_hours)}`, _("agent-hours on the rota / agent-hours needed"),
        t.scheduled_hours < t.required_hours ? "bad" : "good"],
      [_("{count} of {total}", { count: num(t.gap_intervals), total: num(d.intervals.length) }), _("half hours with a gap (fewer agents than needed)"), t.gap_intervals ? "bad" : "good"],
    ];
    $("totals").replaceChildren(...cards.map(([value, label, cls]) => {
      const card = el("div"); card.append(el("span", `k ${cls}`, value), el("span", "l", label)); return card;
    }));
  }

  function niceTop(value, steps) {
    const raw = Math.max(value, 1) / steps, mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    return { top: step * steps, step };
  }
  function halfHour(d, i) { const t = Date.parse(d.intervals[i].starts_at); return `${dayOf(t)} ${hm(t)}–${hm(t + HALF)}`; }
  function frame(chart, n, top, bottom, dayLabelsAt) {  // zebra days, day lines and labels
    const bw = PW / n, perDay = n / 7;
    for (let d = 0; d < 7; d++) {
      const x = L + d * perDay * bw;
      if (d % 2) chart.appendChild(svg("rect", { x, y: top, width: perDay * bw, height: bottom - top, fill: C.zebra }));
    }
    return (start) => {
      for (let d = 0; d <= 7; d++) {
        const x = L + d * perDay * bw;
        chart.appendChild(svg("line", { x1: x, x2: x, y1: top, y2: dayLabelsAt - 12, stroke: C.day, "stroke-width": 1 }));
        if (d < 7) chart.appendChild(svg("text", { x: x + perDay * bw / 2, y: dayLabelsAt, "text-anchor": "middle",
          "font-size": 13, "font-weight": 600, fill: "#1b2733" }, dayOf(start + d * DAY)));
      }
    };
  }
  function runs(n, same) {  // [first, last] of each run of neighbours for which same(first, k) holds
    const out = [];
    for (let k = 0; k < n; k++) { let end = k; while (end + 1 < n && same(k, end + 1)) end++; out.push([k, end]); k = end; }
    return out;
  }
  function stepPath(values, x0, bw, y) {  // a step line through one value per interval
    return values.map((v, i) => `${i ? "H" : "M"}${(x0 + i * bw).toFixed(1)} ${i ? "V" : ""}${y(v).toFixed(1)}`).join(" ")
      + ` H${(x0 + values.length * bw).toFixed(1)}`;
  }

  function staffChart(cur, drf) {
    const iv = cur.intervals, n = iv.length, bw = PW / n, T = 12, H = 230, base = T + H;
    const peak = Math.max(...iv.map((i) => Math.max(i.required, i.scheduled)), ...(drf ? drf.intervals.map((i) => i.scheduled) : []));
    const step = peak <= 12 ? 1 : peak <= 24 ? 2 : 5, top = Math.max(4, Math.ceil((peak + 0.5) / step) * step);
    const y = (v) => base - (v / top) * H;
    const rows = drf ? 2 : 1, stripTop = base + 17, labelsAt = stripTop + rows * 12 + 18;
    const chart = svg("svg", { viewBox: `0 0 ${W} ${labelsAt + 8}`, width: "100%", role: "img",
      "aria-label": _("Agents on duty and needed; {count} half hours with a gap", { count: cur.totals.gap_intervals }) });
    const days = frame(chart, n, T, base, labelsAt);
    for (let v = 0; v <= top; v += step) {
      chart.appendChild(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: C.grid }));
      chart.appendChild(svg("text", { x: L - 8, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: C.muted }, num(v)));
    }
    chart.appendChild(svg("text", { x: 14, y: T + H / 2, "font-size": 11, fill: C.muted, "text-anchor": "middle",
      transform: `rotate(-90 14 ${T + H / 2})` }, _("agents")));
    runs(n, (a, b) => iv[a].gap === iv[b].gap && iv[a].scheduled === iv[b].scheduled).forEach(([k, end]) => {
      const i = iv[k], x = L + k * bw, width = (end - k + 1) * bw;  // one rect per run: no seams between bars
      if (i.gap) chart.appendChild(svg("rect", { x, y: T, width, height: H, fill: C.gapBg }));
      if (i.scheduled) chart.appendChild(svg("rect", { x, y: y(i.scheduled), width, height: base - y(i.scheduled),
        fill: i.gap ? C.gap : C.on, class: i.gap ? "bar gap-bar" : "bar" }));
    });
    if (drf) {
      const di = drf.intervals;
      for (let k = 0; k < n; k++) {  // outline each run of half hours whose agents the draft changes
        if (di[k].scheduled === iv[k].scheduled) continue;
        let end = k; while (end + 1 < n && di[end + 1].scheduled !== iv[end + 1].scheduled) end++;
        const run = di.slice(k, end + 1).map((i) => i.scheduled), x0 = L + k * bw;
        const d = `M${x0.toFixed(1)} ${base} ` + run.map((v, j) => `V${y(v).toFixed(1)} H${(x0 + (j + 1) * bw).toFixed(1)}`).join(" ") + ` V${base} Z`;
        chart.appendChild(svg("path", { d,
          fill: "rgba(30,123,52,.16)", stroke: C.draft, "stroke-width": 2, "stroke-linejoin": "round", class: "draft-outline" }));
        k = end;
      }
    }
    chart.appendChild(svg("path", { d: stepPath(iv.map((i) => i.required), L, bw, y), fill: "none", stroke: C.need,
      "stroke-width": 1.8, class: "needed" }));
    chart.appendChild(svg("line", { x1: L, x2: W - R, y1: base, y2: base, stroke: C.muted }));
    for (let k = 0; k < n; k += 12) {  // 00 06 12 18 under the axis
      if (k % 48 === 0) continue;
      chart.appendChild(svg("text", { x: L + k * bw, y: base + 11, "text-anchor": "middle", "font-size": 9.5, fill: C.muted },
        String((k % 48) / 2).padStart(2, "0")));
    }
    const strips = [[_("gaps now"), iv]].concat(drf ? [[_("draft"), drf.intervals]] : []);
    strips.forEach(([name, list], r) => {
      const sy = stripTop + r * 12;
      chart.appendChild(svg("text", { x: L - 8, y: sy + 8, "text-anchor": "end", "font-size": 10.5, fill: C.muted }, name));
      list.forEach((i, k) => chart.appendChild(svg("rect", { x: L + k * bw, y: sy, width: bw, height: 9, "shape-rendering": "crispEdges",
        fill: i.gap ? C.gap : C.ok, class: `${r ? "draft-strip" : "strip"}${i.gap ? " gap" : ""}` })));
    });
    days(Date.parse(iv[0].starts_at));
    iv.forEach((i, k) => {  // hover targets
      const d = drf && drf.intervals[k];
      const hit = chart.appendChild(svg("rect", { x: L + k * bw, y: T, width: bw, height: stripTop + rows * 12 - T, fill: "transparent" }));
      const gap = (x) => (x.gap ? " — " + _("GAP") : "");
      hit.appendChild(svg("title", {}, [halfHour(cur, k), _("{calls} calls expected", { calls: num(i.calls, 1) }),
        _("{on} agents on duty, {needed} needed", { on: i.scheduled, needed: i.required }) + gap(i),
        _("service level {sl}, abandonment {ab}", { sl: pct(i.service_level), ab: pct(i.abandonment) })]
        .concat(d ? [_("draft: {on} on duty", { on: d.scheduled }) + gap(d) + ", " + _("abandonment {ab}", { ab: pct(d.abandonment) })] : [])
        .join("\n")));
    });
    return chart;
  }

  function loadChart(cur, drf) {
    const iv = cur.intervals, n = iv.length, bw = PW / n, T = 10, H = 130, base = T + H, labelsAt = base + 30;
    const { top, step } = niceTop(Math.max(...iv.map((i) => i.calls)), 4);
    const y = (v) => base - (v / top) * H, yp = (p) => base - (p / 100) * H;
    const chart = svg("svg", { viewBox: `0 0 ${W} ${labelsAt + 8}`, width: "100%", role: "img",
      "aria-label": _("Expected calls and abandonment, per half hour") });
    const days = frame(chart, n, T, base, labelsAt);
    for (let v = 0; v <= top + 1e-9; v += step) {
      chart.appendChild(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: C.grid }));
      chart.appendChild(svg("text", { x: L - 8, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: C.callsLine }, num(v)));
      const p = (v / top) * 100;
      chart.appendChild(svg("text", { x: W - R + 8, y: y(v) + 4, "font-size": 11, fill: C.gap }, `${num(p)} %`));
    }
    chart.appendChild(svg("text", { x: 14, y: T + H / 2, "font-size": 11, fill: C.muted, "text-anchor": "middle",
      transform: `rotate(-90 14 ${T + H / 2})` }, _("calls")));
    chart.appendChild(svg("path", { d: `${stepPath(iv.map((i) => i.calls), L, bw, y)} V${base} H${L} Z`, fill: C.calls,
      stroke: C.callsLine, "stroke-width": 1, class: "calls" }));
    const target = cur.targets.max_abandonment;
    chart.appendChild(svg("line", { x1: L, x2: W - R, y1: yp(target), y2: yp(target), stroke: C.gap, "stroke-width": 1,
      "stroke-dasharray": "2 3" }));
    chart.appendChild(svg("path", { d: stepPath(iv.map((i) => i.abandonment), L, bw, yp), fill: "none", stroke: C.gap,
      "stroke-width": 1.6, class: "abandonment" }));
    if (drf) {  // only where the draft differs, so the two lines do not hide each other elsewhere
      const di = drf.intervals;
      runs(n, (a, b) => (di[a].abandonment !== iv[a].abandonment) === (di[b].abandonment !== iv[b].abandonment))
        .filter(([k]) => di[k].abandonment !== iv[k].abandonment)
        .forEach(([k, end]) => chart.appendChild(svg("path", { d: stepPath(di.slice(k, end + 1).map((i) => i.abandonment), L + k * bw, bw, yp),
          fill: "none", stroke: C.draft, "stroke-width": 2, "stroke-dasharray": "5 3", class: "draft-abandonment" })));
    }
    chart.appendChild(svg("line", { x1: L, x2: W - R, y1: base, y2: base, stroke: C.muted }));
    days(Date.parse(iv[0].starts_at));
    iv.forEach((i, k) => {
      const hit = chart.appendChild(svg("rect", { x: L + k * bw, y: T, width: bw, height: H, fill: "transparent" }));
      hit.appendChild(svg("title", {}, [halfHour(cur, k), _("{calls} calls expected", { calls: num(i.calls, 1) }),
        _("abandonment {ab}", { ab: pct(i.abandonment) }) + (drf ? " " + _("(draft {ab})", { ab: pct(drf.intervals[k].abandonment) }) : "")].join("\n")));
    });
    return chart;
  }

  function legends(cur, withDraft) {
    const item = (style, text) => { const s = el("span"); const sw = el("span", "sw"); sw.style.cssText = style; s.append(sw, text); return s; };
    $("staff-legend").replaceChildren(
      item(`background:${C.on}`, _("agents on duty (the rota)")),
      item(`background:${C.gap}`, _("on duty, but fewer than needed: a gap")),
      item(`height:0;border-top:2px solid ${C.need};border-radius:0`, _("agents needed to meet the targets")),
      ...(withDraft ? [item(`background:rgba(30,123,52,.16);border:2px solid ${C.draft}`, _("draft: agents on duty with the change"))] : []),
      el("span", "muted", _("Point at the chart for one half hour's figures.")));
    $("load-legend").replaceChildren(
      item(`background:${C.calls};border:1px solid ${C.callsLine}`, _("expected calls per half hour (left scale)")),
      item(`height:0;border-top:2px solid ${C.gap};border-radius:0`, _("expected abandonment (right scale, %)")),
      item(`height:0;border-top:2px dotted ${C.gap};border-radius:0`, _("abandonment target ({target} %)", { target: num(cur.targets.max_abandonment) })),
      ...(withDraft ? [item(`height:0;border-top:2px dashed ${C.draft};border-radius:0`, _("draft: abandonment with the change"))] : []));
  }

  function byDay(d) {
    const start = mondayMs(d);
    return [...Array(7).keys()].map((k) => {
      const part = d.intervals.slice(k * 48, k * 48 + 48), calls = part.reduce((a, i) => a + i.calls, 0);
      const weighted = (key) => (calls ? part.reduce((a, i) => a + i.calls * i[key], 0) / calls : null);
      return { label: dayOf(start + k * DAY), calls, scheduled: part.reduce((a, i) => a + i.scheduled, 0) / 2,
        required: part.reduce((a, i) => a + i.required, 0) / 2, gaps: part.filter((i) => i.gap).length,
        abandonment: weighted("abandonment"), service: weighted("service_level") };
    });
  }
  function dayTable(cur, drf) {
    const now = byDay(cur), later = drf ? byDay(drf) : null, table = $("days");
    const head = el("tr");
    [_("Day"), _("Expected calls"), _("Agent-hours on the rota"), _("Agent-hours needed"), _("Half hours with a gap"),
      _("Expected abandonment"), _("Expected service level")].forEach((h) => head.appendChild(el("th", "", h)));
    table.tHead.replaceChildren(head);
    const cell = (a, b, fmt, better) => {
      const td = el("td", "", fmt(a));
      if (b != null && Math.abs(b - a) > 1e-9) {
        td.textContent = `${fmt(a)} → ${fmt(b)}`;
        if (better) td.className = better(b - a) ? "better" : "worse";
      }
      return td;
    };
    const fmtPct = (v) => (v == null ? "–" : `${num(v, 1)} %`);
    const row = (r, s, cls) => {
      const tr = el("tr", cls);
      tr.append(el("td", "", r.label), el("td", "", num(r.calls)),
        cell(r.scheduled, s && s.scheduled, hours, null), el("td", "", hours(r.required)),
        cell(r.gaps, s && s.gaps, num, (x) => x < 0), cell(r.abandonment, s && s.abandonment, fmtPct, (x) => x < 0),
        cell(r.service, s && s.service, fmtPct, (x) => x > 0));
      return tr;
    };
    const t = cur.totals, dt = drf && drf.totals;
    const total = { label: _("Week"), calls: t.calls, scheduled: t.scheduled_hours, required: t.required_hours, gaps: t.gap_intervals,
      abandonment: t.abandonment, service: t.service_level };
    const totalDraft = dt && { scheduled: dt.scheduled_hours, gaps: dt.gap_intervals, abandonment: dt.abandonment, service: dt.service_level };
    $("days-note").textContent = drf ? _("Where the draft changes a figure: now → draft (green: better, red: worse).") : "";
    table.tBodies[0].replaceChildren(...now.map((r, k) => row(r, later && later[k])), row(total, totalDraft, "total"));
  }

  // -- the what-if ----------------------------------------------------------------------------
  const POINTS = " " + _("points");
  const COMPARE = [  // label, value, difference key, format, +1 when more is better (−1 less, 0 neither)
    [_("Handled rate (Erlang A)"), (x) => x.totals.handled_rate, "handled_rate", pct, 1, POINTS, 1],
    [_("Handled rate (simulated)"), (x) => x.simulated && x.simulated.handled_rate, "simulated_handled_rate", pct, 1, POINTS, 1],
    [_("Service level"), (x) => x.totals.service_level, "service_level", pct, 1, POINTS, 1],
    [_("Abandonment"), (x) => x.totals.abandonment, "abandonment", pct, -1, POINTS, 1],
    [_("Calls answered (expected)"), (x) => x.totals.answered, "answered", (v) => num(v), 1, "", 0],
    [_("Agent-hours on the rota"), (x) => x.totals.scheduled_hours, "scheduled_hours", hours, 0, " " + _("h"), null],
    [_("Half hours with a gap"), (x) => x.totals.gap_intervals, "gap_intervals", (v) => num(v), -1, "", 0],
  ];
  const SIM_NOISE = 2;  // points: seeds differ by ~1 point (sd) for a week of ~3,000 calls, so smaller moves are chance
  function comparison() {
    const box = $("comparison");
    box.hidden = !draft;
    $("clear-draft").hidden = !draft;
    const save = $("save-shift");
    if (save) save.hidden = !(draft && pendingAdd && MAY_CHANGE);
    const body = $("compare").tBodies[0];
    if (!draft) { body.replaceChildren(); return; }
    body.replaceChildren(...COMPARE.map(([label, value, key, fmt, sense, unit, digits]) => {
      const a = value(draft.current), b = value(draft.draft);
      let diff = draft.difference[key];
      if (diff == null && a != null && b != null) diff = b - a;
      const tr = el("tr"); tr.dataset.key = key;
      const d = el("td", "diff", diff == null ? "–" : signed(diff, digits, unit));
      if (key === "simulated_handled_rate" && diff != null && Math.abs(diff) < SIM_NOISE) {
        d.append(el("span", "small muted", " " + _("(within chance)")));
        d.title = _("The simulation replays one random week; the same rota varies by about a point from one random week to the next.");
      } else if (diff && sense) d.classList.add(diff * sense > 0 ? "better" : "worse");
      tr.append(el("th", "", label), el("td", "now", fmt(a)), el("td", "draft", fmt(b)), d);
      return tr;
    }));
  }
  function describe(add, removed) {
    const parts = [];
    if (add) parts.push(_("adding {name}, {day} {from}–{to}", { name: NAMES[add.agent] || add.agent,
      day: dayOf(Date.parse(add.starts_at)), from: hm(Date.parse(add.starts_at)), to: hm(Date.parse(add.ends_at)) }));
    if (removed) parts.push(_("removing {shift}", { shift: removed }));
    return parts.join(" " + _("and") + " ");
  }

  function readTime(text) {  // "8:00", "08:00", "8h", "8h30", "0830" → "08:00"; null when it is not a time of day
    const m = /^\s*(\d{1,2})\s*(?:[:hg.]\s*(\d{2})?|(\d{2}))?\s*$/i.exec(text || "");
    if (!m) return null;
    const h = Number(m[1]), min = Number(m[2] ?? m[3] ?? 0);
    return h > 23 || min > 59 ? null : `${String(h).padStart(2, "0")}:${String(min).padStart(2, "0")}`;
  }

  wi.onsubmit = async (ev) => {
    ev.preventDefault();
    $("wi-error").textContent = ""; note("");
    if (!shown) return;
    const f = wi.elements, body = { week: shown.week, add: [], remove: [], ...targets() };
    let add = null;
    $("start-error").textContent = "";
    if (f.agent.value) {
      const at = readTime(f.start.value);
      if (!at) { $("start-error").textContent = _("Write the time as HH:mm (24 hours), e.g. 08:00."); f.start.focus(); return; }
      const start = Date.parse(`${f.day.value}T${at}:00${OFFSET}`), h = Number(f.hours.value);
      if (Number.isNaN(start) || !(h > 0)) { $("wi-error").textContent = _("Give the shift's start time and its length in hours."); return; }
      add = { agent: f.agent.value, starts_at: wall(start), ends_at: wall(start + h * 3600000) };
      body.add.push(add);
    }
    if (f.remove.value) body.remove.push(Number(f.remove.value));
    const removed = f.remove.value ? f.remove.selectedOptions[0].textContent : "";
    status(_("Comparing…"));
    const mine = ++request;
    let result;
    try { result = await api("POST", "/api/forecast/what-if", body); }
    catch (e) { if (mine === request) { $("wi-error").textContent = e.message; status(""); } return; }
    if (mine !== request) return;
    status("");
    draft = result; pendingAdd = add;
    $("compare-caption").textContent = _("Draft: the rota with {change}.", { change: describe(add, removed) });
    render();
  };
  $("clear-draft").onclick = () => { draft = null; pendingAdd = null; $("wi-error").textContent = ""; note(""); render(); };
  if ($("save-shift")) $("save-shift").onclick = async () => {
    if (!pendingAdd) return;
    $("wi-error").textContent = ""; note("");
    const add = pendingAdd;
    try { await api("POST", "/api/rota/shifts", add); }
    catch (e) { $("wi-error").textContent = e.message; return; }
    await load();
    note(_("Saved to the rota (as overtime): {change}. The forecast above includes it.", { change: describe(add, "") }));
    wi.elements.agent.value = "";
  };

  function moveWeek(days) {
    const day = form.elements.week.value.trim() ? weekValue() : fmt.today();
    if (!day) return;
    form.elements.week.value = fmt.dateInput(ymd(Date.parse(`${day}T12:00:00${OFFSET}`) + days * DAY));
    load();
  }
  $("prev-week").onclick = () => moveWeek(-7);
  $("next-week").onclick = () => moveWeek(7);
  form.onsubmit = load;
  form.elements.week.value = fmt.dateInput(fmt.today());
  load();
})();
