// The "E-mail" report (issue 15): /api/reports/email → totals, the backlog by age at the period's end (a bar
// chart), a table by day, branch or problem group, and the one handled rate over calls and e-mails next to the
// department's ~70 %. Called by reports.js with its helpers; every word through _() (window._).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const _ = window._ || ((text) => text);
  const BANDS = [["lt_1h", _("under 1 h")], ["1_4h", _("1–4 h")], ["4_8h", _("4–8 h")], ["8_24h", _("8–24 h")],
    ["gt_24h", _("over 24 h")]];
  const BY = { day: _("day"), branch: _("branch"), group: _("problem group") };
  const pct = (v) => (v == null ? "–" : v + " %");

  function backlogChart(backlog, svg) {
    const w = 900, h = 180, pad = 30, top = 20, bw = (w - pad) / BANDS.length;  // top: room for the counts
    const max = Math.max(1, ...BANDS.map(([code]) => backlog[code] || 0));
    const chart = svg("svg", { viewBox: `0 0 ${w} ${top + h + 30}`, width: "100%", role: "img" });
    BANDS.forEach(([code, name], i) => {
      const n = backlog[code] || 0, x = pad + i * bw, bh = (n / max) * h;
      chart.appendChild(svg("rect", { x: x + 4, y: top + h - bh, width: bw - 8, height: bh, fill: i >= 3 ? "#b3261e" : "#b9d3ee" }))
        .appendChild(svg("title", {}, _("{band}: {n} e-mail(s) without an answer", { band: name, n })));
      chart.appendChild(svg("text", { x: x + bw / 2, y: top + h - bh - 4, "text-anchor": "middle", "font-size": 12 }, String(n)));
      chart.appendChild(svg("text", { x: x + bw / 2, y: top + h + 18, "text-anchor": "middle", "font-size": 12 }, name));
    });
    return chart;
  }

  window.showMailReport = async function ({ range, by, svg, mmss }) {
    const p = new URLSearchParams(range);
    p.set("by", BY[by] ? by : "day");  // the e-mail report groups by day, branch or problem group
    const csv = new URLSearchParams(p); csv.set("format", "csv");
    $("csv").href = "/api/reports/email?" + csv;
    const r = await fetch("/api/reports/email?" + p);
    if (r.status === 401) { window.location = "/login?next=/supervisor/reports"; return; }
    const data = await r.json();
    if (!r.ok) { $("error").textContent = data.message; return; }
    const t = data.total, hd = data.handled;
    $("totals").innerHTML = "";
    [[t.received, _("e-mails received (new conversations)")], [t.replies_received, _("customers' further messages")],
      [t.answered, _("answered")], [pct(t.answered_rate), _("answered %")],
      [pct(t.within_target_rate), _("answered within {hours} h", { hours: data.target_hours })],
      [mmss(t.first_response_median_seconds), _("first response, median")],
      [mmss(t.first_response_p90_seconds), _("first response, 90th percentile")],
      [pct(hd.handled_rate), _("handled % (calls and e-mails)")]].forEach(([value, text]) => {
      const d = document.createElement("div");
      d.innerHTML = `<span class="k"></span><span class="l"></span>`;
      d.querySelector(".k").textContent = value; d.querySelector(".l").textContent = text;
      $("totals").appendChild(d);
    });
    const note = $("handled-note");
    note.hidden = false;
    note.textContent = _("Handled over calls and e-mails: (answered calls {answered} + called back {callbacks} + " +
      "e-mails answered {emails}) / (offered calls {offered} + e-mails received {received}) = {rate}. " +
      "The department, counted the same way: about {department} %.",
      { answered: hd.calls_answered, callbacks: hd.callbacks_completed, emails: hd.emails_answered,
        offered: hd.calls_offered, received: hd.emails_received, rate: pct(hd.handled_rate),
        department: hd.department_handled_rate });
    $("chart-title").textContent = _("E-mails without an answer at {time}, by age", { time: fmt.datetime(data.backlog_at) });
    $("chart").innerHTML = "";
    $("chart").appendChild(backlogChart(data.backlog, svg));
    const head = $("table").querySelector("thead"), body = $("table").querySelector("tbody");
    head.innerHTML = ""; body.innerHTML = "";
    const hr = head.appendChild(document.createElement("tr"));
    [BY[data.by], _("Received"), _("Further messages"), _("Answered"), _("Answered %"), _("Within target %"),
      _("Median first response"), _("90th percentile")].forEach((h) => {
      hr.appendChild(document.createElement("th")).textContent = h; });
    // Keys in words (the API may have fallen back to "day" from an hourly grouping).
    const name = (key) => key === "total" ? _("total") : data.by === "day" ? fmt.date(key)
      : data.by === "branch" ? label("branch", key) : key == null ? _("(none)") : label("problem_group", key);
    [...data.groups, { key: "total", ...t }].forEach((g) => {
      const tr = body.appendChild(document.createElement("tr"));
      [name(g.key), g.received, g.replies_received, g.answered, pct(g.answered_rate), pct(g.within_target_rate),
        mmss(g.first_response_median_seconds), mmss(g.first_response_p90_seconds)].forEach((v) => {
        tr.appendChild(document.createElement("td")).textContent = v; });
    });
  };
})();
