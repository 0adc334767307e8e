// The live wallboard: polls /api/wallboard every 2 seconds (a change shows within 3 s).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  // Every word on this page goes through _() (callcenter/web/static/i18n.js): the gettext catalogs.
  const _ = window._ || ((text) => text);
  const STATES = { offline: _("Offline"), available: _("Available"), ringing: _("Ringing"), on_call: _("On a call"),
    wrap_up: _("Wrap-up"), break: _("Break") };
  const REASONS = { lunch: _("Lunch"), rest: _("Rest"), meeting: _("Meeting"), training: _("Training"),
    technical: _("Technical problem"), missed: _("missed a call"), other: _("Other"), shift_ended: _("shift ended"),
    forced_by_supervisor: _("forced by supervisor"), deactivated: _("deactivated"), softphone_lost: _("softphone lost") };
  let current = null;
  function mmss(s) { s = Math.max(0, Math.round(s || 0)); const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s % 60).padStart(2, "0"); }
  function pct(v) { return v == null ? "–" : v.toFixed(1) + " %"; }
  const vnTime = (iso) => fmt.datetime(iso);

  function render(d) {
    window.showTelephony($("telephony-banner"), d.telephony, _("Callers still queue, book callbacks and leave " +
      "messages; nobody is put through to an agent until it answers again (retried automatically)."));
    $("updated").textContent = _("updated {time}",
      { time: fmt.timeSeconds(d.at) });
    for (const b of ["1", "2"]) {
      const q = d.queues[b], el = $("q-" + b);
      el.querySelector(".n").textContent = q.waiting;
      el.classList.toggle("busy", q.waiting > 0);
      el.querySelector(".detail").textContent = (q.waiting ? _("longest wait {time}", { time: mmss(q.longest_wait_seconds) })
        : _("nobody waiting")) + (q.callbacks ? " · " + _("{n} callback(s) due", { n: q.callbacks }) : "");
    }
    renderMail(d.mail);
    const t = d.today;
    $("k-offered").textContent = t.offered; $("k-answered").textContent = t.answered;
    $("k-abandoned").textContent = t.abandoned; $("k-ivr").textContent = t.ivr_abandoned;
    $("k-sl").textContent = pct(t.service_level); $("k-handled").textContent = pct(t.handled_rate);
    $("k-asa").textContent = t.asa_seconds == null ? "–" : mmss(t.asa_seconds);
    $("k-callbacks").textContent = t.callbacks_requested + " / " + t.callbacks_completed;
    $("sl-note").textContent = _("service level: answered within {seconds} s ({formula})",
      { seconds: d.service_level_threshold_seconds, formula: label("sl_formula", d.service_level_formula) });
    const tbody = $("agents"); tbody.innerHTML = "";
    if (!d.agents.length) {
      const tr = tbody.appendChild(document.createElement("tr")), td = tr.appendChild(document.createElement("td"));
      td.colSpan = 5; td.className = "muted"; td.textContent = _("No agents yet.");
    }
    d.agents.forEach((a) => {
      const tr = document.createElement("tr");
      const lost = a.softphone && a.softphone !== "connected" && a.state !== "offline" ? " — " + _("softphone not connected") : "";
      const reason = a.reason && a.state !== "available" ? " (" + (REASONS[a.reason] || a.reason) + ")" : "";
      const onMail = !a.mail ? "" : " · " + (a.mail.since
        ? _("e-mail on her desk since {time}", { time: fmt.time(a.mail.since) }) : _("e-mail on her desk"));
      const cells = [a.name, (STATES[a.state] || a.state) + reason + lost + onMail, mmss(a.seconds_in_state),
        a.on_duty ? _("on duty") : _("off rota")];
      cells.forEach((text, i) => { const td = document.createElement("td"); td.textContent = text;
        if (i === 1) td.className = "st st-" + a.state; tr.appendChild(td); });
      tr.appendChild(monitorCell(d, a));
      tbody.appendChild(tr);
    });
    current = d.announcement;
    $("ann-now").textContent = current ? _("Playing until {time}: “{text}”", { time: vnTime(current.expires_at), text: current.text_vi })
      : _("None playing.");
    $("ann-now").className = current ? "playing" : "muted";
    $("ann-expire").hidden = !current;
  }
  // The e-mail backlog (issue 15): new ones per branch and the oldest one's age, on desks, waiting for customers.
  function renderMail(m) {
    if (!m) return;
    $("m-new").textContent = m.new; $("m-desks").textContent = m.on_desks;
    $("m-waiting").textContent = m.waiting_for_customer;
    for (const b of ["1", "2"]) $("m-branch-" + b).textContent = (m.by_branch[b] || { count: 0 }).count;
    $("m-oldest").textContent = m.oldest_seconds == null ? "–" : mmss(m.oldest_seconds);
    $("m-oldest").classList.toggle("bad", m.oldest_seconds != null && m.oldest_seconds > 4 * 3600);
  }
  // -- monitoring (conference bridge): the supervisor's browser is called into the agent's call --------
  const MODES = { listen: _("Listen"), whisper: _("Whisper"), barge: _("Barge in"), stop: _("Stop") };
  const MODE_TEXT = { listen: _("listening (nobody hears you)"), whisper: _("whispering (only the agent hears you)"),
    barge: _("in the call (everyone hears you)") };
  let monitoring = null, device = null, sandboxPoll = null;
  function monitorCell(d, a) {
    const td = document.createElement("td");
    if (d.bridge !== "conference" || a.state !== "on_call") return td;
    const mine = monitoring && monitoring.agent === a.username;
    for (const mode of Object.keys(MODES)) {
      if (mode === "stop" && !mine) continue;
      const b = document.createElement("button");
      b.type = "button"; b.className = "small"; b.textContent = MODES[mode];
      b.dataset.agent = a.username; b.dataset.mode = mode; b.dataset.name = a.name;
      if (mine && monitoring.mode === mode) b.classList.add("on");
      td.appendChild(b);
    }
    return td;
  }
  $("agents").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button[data-mode]");
    if (!b) return;
    try {
      await ensureDevice(current_mode);
      const r = await post("/api/monitor", { agent: b.dataset.agent, mode: b.dataset.mode });
      monitoring = r.mode ? { agent: r.agent, mode: r.mode, name: b.dataset.name } : null;
      $("monitor-status").textContent = monitoring
        ? _("Monitoring {name}: {mode}.", { name: monitoring.name, mode: MODE_TEXT[monitoring.mode] }) : _("Stopped.");
      refresh();
    } catch (e) { $("monitor-status").textContent = e.message; }
  });
  let current_mode = "sandbox";
  async function ensureDevice(mode) {
    if (mode === "sandbox") {  // answer the monitoring legs the sandbox rings at this browser
      if (!sandboxPoll) sandboxPoll = setInterval(async () => {
        const r = await fetch("/supervisor/api/sandbox/calls"); if (!r.ok) return;
        for (const leg of (await r.json()).calls) {
          if (leg.status === "ringing") await post(`/supervisor/api/sandbox/calls/${leg.call_sid}/answer`, {});
        }
      }, 1000);
      return;
    }
    if (device || !window.Twilio) return;
    const t = await post("/api/monitor/token", {});
    device = new window.Twilio.Device(t.token);
    device.on("incoming", (call) => call.accept());  // the supervisor asked for this leg
    await device.register();
  }
  async function refresh() {
    try {
      const r = await fetch("/api/wallboard");
      if (r.status === 401) { window.location = "/login?next=/supervisor/"; return; }
      const d = await r.json(); current_mode = d.mode; render(d);
    } catch (e) { $("updated").textContent = _("connection lost; retrying…"); }
  }
  async function post(path, body) {
    const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body) });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(data.message || "HTTP " + r.status);
    return data;
  }
  $("ann-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const f = ev.target, ends = fmt.readField(f.expires_at);  // typed dd/mm/yyyy HH:mm, Vietnam time
    if (!ends) return;
    try {
      await post("/api/announcements", { text_vi: f.text_vi.value, text_en: f.text_en.value || null,
        expires_at: ends });
      $("ann-note").textContent = _("Announcement set."); f.reset(); refresh();
    } catch (e) { $("ann-note").textContent = e.message; }
  };
  $("ann-expire").onclick = async () => {
    if (!current) return;
    try { await post(`/api/announcements/${current.id}/expire`, {}); $("ann-note").textContent = _("Stopped."); refresh(); }
    catch (e) { $("ann-note").textContent = e.message; }
  };
  const today = fmt.today();
  $("csv").href = `/api/reports/abandonment?from=${today}&to=${today}&by=hour&format=csv`;
  setInterval(refresh, 2000); refresh();
})();
