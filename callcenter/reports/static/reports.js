// Reports: parameters → /api/reports/<kind> (JSON) → totals, a bar chart or a weekday × hour heatmap, a table.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const form = $("params");
  // Every word on this page goes through _() (callcenter/web/static/i18n.js): the gettext catalogs.
  const _ = window._ || ((text) => text);
  const DAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")];
  const COLS = [["offered", _("Offered")], ["answered", _("Answered")], ["abandoned", _("Abandoned")],
    ["short_abandoned", _("Short")], ["ivr_abandoned", _("Hung up in menu")], ["abandonment_rate", _("Abandon %")],
    ["callbacks_requested", _("Callbacks")], ["callbacks_completed", _("Called back")], ["service_level", _("SL %")],
    ["asa_seconds", _("ASA s")], ["handled_rate", _("Handled %")], ["longest_wait_seconds", _("Longest wait s")]];
  const BY = { day: _("day"), hour: _("hour"), weekday_hour: _("weekday × hour"), branch: _("branch"),
    group: _("problem group") };
  const AGENT_COLS = [_("Agent"), _("Handled"), _("Answered"), _("Called back"), _("AHT"), _("Talk"), _("Wrap-up"), _("Missed rings"), _("Declined"),
    _("Holds"), _("Held"), _("Back to queue"), _("Consults"), _("Handed over"), _("Occupancy %"), _("Available"), _("Break")];
  const today = fmt.dateInput(fmt.today());
  form.elements.from.value = today; form.elements.to.value = today;
  // The form's days as typed (dd/mm/yyyy) → ISO for the API; null when one cannot be read (the field says why).
  function days() {
    const from = fmt.readField(form.elements.from), to = fmt.readField(form.elements.to);
    return from && to ? { from, to } : null;
  }
  const svg = (tag, attrs, text) => { const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v)); if (text != null) el.textContent = text; return el; };
  // A row's key in words: a day written the page's way, a branch or problem group by its label.
  const keyName = (key) => key == null ? _("(none)") : key === "total" ? _("total")
    : typeof key === "object" ? `${DAYS[key.weekday]} ${String(key.hour).padStart(2, "0")}h`
    : form.elements.by.value === "day" ? fmt.date(key)
    : form.elements.by.value === "hour" ? `${String(key).padStart(2, "0")}h`
    : form.elements.by.value === "branch" ? label("branch", key)
    : form.elements.by.value === "group" ? label("problem_group", key) : String(key);
  function query(range, extra) {
    const p = new URLSearchParams(range);
    for (const n of ["by", "threshold", "formula"]) p.set(n, form.elements[n].value);
    Object.entries(extra || {}).forEach(([k, v]) => p.set(k, v));
    return `/api/reports/${form.elements.kind.value}?${p}`;
  }
  function bars(groups) {
    const w = 900, h = 220, pad = 30, n = Math.max(1, groups.length), max = Math.max(1, ...groups.map((g) => g.offered));
    const chart = svg("svg", { viewBox: `0 0 ${w} ${h + 40}`, width: "100%", role: "img" });
    const bw = Math.min(60, (w - pad) / n);
    groups.forEach((g, i) => {
      const x = pad + i * bw, oh = (g.offered / max) * h, ah = (g.abandoned / max) * h;
      chart.appendChild(svg("rect", { x: x + 2, y: h - oh, width: Math.max(1, bw - 4), height: oh, fill: "#b9d3ee" }, null))
        .appendChild(svg("title", {}, _("{key}: {offered} offered, {abandoned} abandoned",
          { key: keyName(g.key), offered: g.offered, abandoned: g.abandoned })));
      chart.appendChild(svg("rect", { x: x + 2, y: h - ah, width: Math.max(1, bw - 4), height: ah, fill: "#b3261e" }));
      if (n <= 31) chart.appendChild(svg("text", { x: x + bw / 2, y: h + 16, "text-anchor": "middle", "font-size": 11 }, keyName(g.key)));
    });
    chart.appendChild(svg("text", { x: pad, y: h + 36, "font-size": 12, fill: "#5b6b7a" }, _("blue: offered · red: abandoned · max {max}", { max })));
    return chart;
  }
  function heatmap(groups) {
    const cell = 34, chart = svg("svg", { viewBox: `0 0 ${60 + 24 * cell} ${40 + 7 * cell}`, width: "100%", role: "img" });
    const rate = (g) => (g.abandonment_rate == null ? null : g.abandonment_rate);
    groups.forEach((g) => {
      const r = rate(g), x = 60 + g.key.hour * cell, y = 20 + g.key.weekday * cell;
      const color = r == null ? "#f0f2f4" : `hsl(${Math.max(0, 120 - r * 2.4)}, 70%, ${85 - Math.min(r, 50) * 0.6}%)`;
      const rect = chart.appendChild(svg("rect", { x, y, width: cell - 2, height: cell - 2, fill: color }));
      rect.appendChild(svg("title", {}, _("{key}: {offered} offered, abandonment {rate}",
        { key: keyName(g.key), offered: g.offered, rate: r == null ? "–" : r + " %" })));
      if (g.offered) chart.appendChild(svg("text", { x: x + cell / 2 - 1, y: y + cell / 2 + 4, "text-anchor": "middle", "font-size": 10 }, g.offered));
    });
    DAYS.forEach((d, i) => chart.appendChild(svg("text", { x: 8, y: 20 + i * cell + cell / 2 + 4, "font-size": 12 }, d)));
    for (let hr = 0; hr < 24; hr += 3) chart.appendChild(svg("text", { x: 60 + hr * cell, y: 14, "font-size": 11 }, `${hr}h`));
    return chart;
  }
  // A duration as h:mm:ss (m:ss under an hour): the same in both languages, no unit letters to translate.
  function mmss(s) { if (s == null) return "–"; s = Math.round(s); const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s % 60).padStart(2, "0"); }
  async function showAgents(range) {
    // The same calls as the service report: the agents' answered calls, those with no agent on record and the
    // total add up to its "answered" for the same days (callcenter/reports/agents.py).
    const p = new URLSearchParams(range);
    const csv = new URLSearchParams(p); csv.set("format", "csv");
    $("csv").href = "/api/reports/agents?" + csv;  // a plain link: the page session's cookie goes with it
    const r = await fetch("/api/reports/agents?" + p);
    if (r.status === 401) { window.location = "/login?next=/supervisor/reports"; return; }
    const data = await r.json();
    if (!r.ok) { $("error").textContent = data.message; return; }
    $("totals").innerHTML = ""; $("chart").innerHTML = ""; $("chart-title").textContent = _("Agents");
    const head = $("table").querySelector("thead"), body = $("table").querySelector("tbody");
    head.innerHTML = "";
    const hr = head.appendChild(document.createElement("tr"));
    AGENT_COLS.forEach((h) => { hr.appendChild(document.createElement("th")).textContent = h; });
    body.innerHTML = "";
    const calls = (a) => [a.handled, a.answered, a.callbacks_completed, mmss(a.aht_seconds), mmss(a.talk_seconds),
      mmss(a.wrap_up_seconds)];
    const row = (cells) => { const tr = document.createElement("tr");
      cells.forEach((v) => { const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
      body.appendChild(tr); };
    data.agents.forEach((a) => {
      const st = a.seconds_by_state;
      row([a.name, ...calls(a), a.missed_rings, a.declined, a.holds, mmss(a.hold_seconds), a.to_queue, a.consults,
        a.handed_over, a.occupancy == null ? "–" : a.occupancy, mmss(st.available || 0), mmss(st.break || 0)]);
    });
    const rest = Array(AGENT_COLS.length - 7).fill("–");
    if (data.no_agent.handled) row([_("(no agent recorded)"), ...calls(data.no_agent), ...rest]);
    row([_("total"), ...calls(data.total), ...rest]);
  }
  async function show(ev) {
    if (ev) ev.preventDefault();
    $("error").textContent = "";
    const range = days();
    if (!range) return;
    $("handled-note").hidden = true;
    if (form.elements.kind.value === "agents") { await showAgents(range); return; }
    if (form.elements.kind.value === "email") {  // reports_mail.js: the e-mail figures
      await window.showMailReport({ range, by: form.elements.by.value, svg, mmss });
      return;
    }
    $("csv").href = query(range, { format: "csv" });
    const r = await fetch(query(range));
    if (r.status === 401) { window.location = "/login?next=/supervisor/reports"; return; }
    const data = await r.json();
    if (!r.ok) { $("error").textContent = data.message; return; }
    const t = data.total;
    $("totals").innerHTML = "";
    [["offered", _("offered")], ["answered", _("answered")], ["abandoned", _("abandoned in queue")],
      ["abandonment_rate", _("abandonment %")],
      ["service_level", _("service level ({seconds} s)", { seconds: data.service_level_threshold_seconds })],
      ["handled_rate", _("handled %")], ["asa_seconds", _("average wait, s")],
      ["callbacks_requested", _("callbacks requested")]].forEach(([k, l]) => {
      const d = document.createElement("div");
      d.innerHTML = `<span class="k"></span><span class="l"></span>`;
      d.querySelector(".k").textContent = t[k] == null ? "–" : t[k]; d.querySelector(".l").textContent = l;
      $("totals").appendChild(d);
    });
    $("chart").innerHTML = "";
    $("chart-title").textContent = data.by === "weekday_hour" ? _("Abandonment by weekday and hour (number = offered)")
      : _("Offered and abandoned");
    $("chart").appendChild(data.by === "weekday_hour" ? heatmap(data.groups) : bars(data.groups));
    const head = $("table").querySelector("thead"), body = $("table").querySelector("tbody");
    head.innerHTML = ""; body.innerHTML = "";
    const hr = document.createElement("tr");
    [BY[data.by] || data.by, ...COLS.map((c) => c[1])].forEach((h) => { const th = document.createElement("th"); th.textContent = h; hr.appendChild(th); });
    head.appendChild(hr);
    [...data.groups.filter((g) => data.by !== "weekday_hour" || g.offered), { key: "total", ...t }].forEach((g) => {
      const tr = document.createElement("tr");
      [keyName(g.key), ...COLS.map((c) => (g[c[0]] == null ? "–" : g[c[0]]))].forEach((v) => {
        const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
      body.appendChild(tr);
    });
  }
  // The e-mail report groups by day, branch or problem group only: the hourly choices are hidden for it.
  form.elements.kind.addEventListener("change", () => {
    const mail = form.elements.kind.value === "email";
    for (const option of form.elements.by.options) option.hidden = mail && /hour/.test(option.value);
    if (form.elements.by.selectedOptions[0].hidden) form.elements.by.value = "day";
  });
  form.onsubmit = show; show();
})();
