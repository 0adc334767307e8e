// The live wallboard: polls /api/wallboard every 2 seconds (a change shows within 3 s).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const STATES = { offline: "Offline", available: "Available", ringing: "Ringing", on_call: "On a call",
    wrap_up: "Wrap-up", break: "Break" };
  let current = null;
  function mmss(s) { s = Math.max(0, Math.round(s || 0)); const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s % 60).padStart(2, "0"); }
  function pct(v) { return v == null ? "–" : v.toFixed(1) + " %"; }
  function vnTime(iso) { return new Date(iso).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit",
    minute: "2-digit", day: "2-digit", month: "2-digit" }); }

  function render(d) {
    window.showTelephony($("telephony-banner"), d.telephony, "Callers still queue, book callbacks and leave " +
      "messages; nobody is put through to an agent until it answers again (retried automatically).");
    $("updated").textContent = "updated " + new Date(d.at).toLocaleTimeString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" });
    for (const b of ["1", "2"]) {
      const q = d.queues[b], el = $("q-" + b);
      el.querySelector(".n").textContent = q.waiting;
      el.classList.toggle("busy", q.waiting > 0);
      el.querySelector(".detail").textContent = (q.waiting ? "longest wait " + mmss(q.longest_wait_seconds) : "nobody waiting") +
        (q.callbacks ? " · " + q.callbacks + " callback(s) due" : "");
    }
    const t = d.today;
    $("k-offered").textContent = t.offered; $("k-answered").textContent = t.answered;
    $("k-abandoned").textContent = t.abandoned; $("k-ivr").textContent = t.ivr_abandoned;
    $("k-sl").textContent = pct(t.service_level); $("k-handled").textContent = pct(t.handled_rate);
    $("k-asa").textContent = t.asa_seconds == null ? "–" : mmss(t.asa_seconds);
    $("k-callbacks").textContent = t.callbacks_requested + " / " + t.callbacks_completed;
    $("sl-note").textContent = `service level: answered within ${d.service_level_threshold_seconds} s (${d.service_level_formula})`;
    const tbody = $("agents"); tbody.innerHTML = "";
    if (!d.agents.length) tbody.innerHTML = '<tr><td colspan="4" class="muted">No agents yet.</td></tr>';
    d.agents.forEach((a) => {
      const tr = document.createElement("tr");
      const lost = a.softphone && a.softphone !== "connected" && a.state !== "offline" ? " — softphone not connected" : "";
      const cells = [a.name, (STATES[a.state] || a.state) + (a.reason && a.state !== "available" ? " (" + a.reason + ")" : "") + lost,
        mmss(a.seconds_in_state), a.on_duty ? "on duty" : "off rota"];
      cells.forEach((text, i) => { const td = document.createElement("td"); td.textContent = text;
        if (i === 1) td.className = "st st-" + a.state; tr.appendChild(td); });
      tbody.appendChild(tr);
    });
    current = d.announcement;
    $("ann-now").textContent = current ? `Playing until ${vnTime(current.expires_at)}: “${current.text_vi}”` : "None playing.";
    $("ann-now").className = current ? "playing" : "muted";
    $("ann-expire").hidden = !current;
  }
  async function refresh() {
    try {
      const r = await fetch("/api/wallboard");
      if (r.status === 401) { window.location = "/login?next=/supervisor/"; return; }
      render(await r.json());
    } catch (e) { $("updated").textContent = "connection lost; retrying…"; }
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
    const f = ev.target, local = f.expires_at.value;  // Vietnam time, as the label says
    try {
      await post("/api/announcements", { text_vi: f.text_vi.value, text_en: f.text_en.value || null,
        expires_at: local ? local + "+07:00" : null });
      $("ann-note").textContent = "Announcement set."; f.reset(); refresh();
    } catch (e) { $("ann-note").textContent = e.message; }
  };
  $("ann-expire").onclick = async () => {
    if (!current) return;
    try { await post(`/api/announcements/${current.id}/expire`, {}); $("ann-note").textContent = "Stopped."; refresh(); }
    catch (e) { $("ann-note").textContent = e.message; }
  };
  const today = new Date().toLocaleDateString("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });
  $("csv").href = `/api/reports/abandonment?from=${today}&to=${today}&by=hour&format=csv`;
  setInterval(refresh, 2000); refresh();
})();
