// One ticket from /api/tickets/<id>: the call, the wrap-up, the voicemail, the timeline; escalate or close.
// Branch-1 callers and what the agent wrote about them are hidden unless the user is an investigator.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const root = $("ticket"), id = root.dataset.ticket;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const when = (iso) => iso ? new Date(iso).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" }) : "–";
  const BRANCH = { 1: "1 — denunciations (confidential)", 2: "2 — e-customs support" };

  function facts(dl, pairs) {
    dl.innerHTML = "";
    pairs.forEach(([label, value, cls]) => {
      const dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = label; dd.textContent = value ?? "–"; if (cls) dd.className = cls;
      dl.append(dt, dd);
    });
  }
  function describe(data) {
    return Object.entries(data || {}).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ");
  }

  async function load() {
    const r = await fetch(`/api/tickets/${id}`);
    if (r.status === 401) { window.location = `/login?next=/supervisor/tickets/${id}`; return; }
    const c = await r.json();
    if (!r.ok) { $("error").textContent = c.message; return; }
    const t = c.ticket, hidden = c.caller_hidden;
    $("headline").textContent = `Ticket ${t.id} — ${t.outcome || "no outcome yet"} (${t.status})`;
    facts($("facts"), [
      ["Caller", hidden ? "hidden (confidential: investigators only)" : (c.caller || "withheld"), hidden ? "muted" : ""],
      ["Branch", BRANCH[c.branch] || "not chosen"],
      ["Problem group", c.problem_group],
      ["Language", c.language],
      ["Called at", when(c.started_at)],
      ["Waited", c.queue.wait_seconds == null ? "–" : `${c.queue.wait_seconds} s`],
      ["Answered at", when(c.answered_at)],
      ["Ended at", when(c.ended_at)],
      ["Call outcome", c.outcome || c.stage],
      ["Callback", c.callback ? `${c.callback.status}, ${c.callback.attempts} attempt(s)` : "–"],
    ]);
    const hide = hidden ? "hidden (confidential)" : null;
    facts($("wrapup"), [
      ["Wrapped up", when(t.wrapped_up_at)],
      ["Business code", t.business_code],
      ["Tax code", hide || t.tax_code],
      ["Customs unit", hide || t.customs_unit],
      ["Question", hide || t.question],
      ["Answer", hide || t.answer],
    ]);
    $("notes").textContent = hidden ? "hidden (confidential)" : (t.notes || "No notes yet.");
    const rec = $("recording"); rec.innerHTML = "";
    if (t.recording_url) {
      const p = document.createElement("p"); p.textContent = `Voicemail (${t.recording_seconds ?? "?"} s): `;
      const a = document.createElement("a"); a.href = t.recording_url; a.textContent = "open the recording";
      const audio = document.createElement("audio"); audio.controls = true; audio.src = t.recording_url;
      p.appendChild(a); rec.append(p, audio);
    } else if (hidden && t.recording_seconds) {
      rec.textContent = "A voicemail was left (hidden: confidential).";
    }
    const body = $("timeline").querySelector("tbody"); body.innerHTML = "";
    c.events.forEach((e) => {
      const tr = document.createElement("tr");
      [when(e.at), e.kind, e.queue || "", e.agent || "", describe(e.data)].forEach((v) => {
        const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
      body.appendChild(tr);
    });
  }

  const form = $("change");
  if (form) form.querySelectorAll("button[data-action]").forEach((button) => {
    button.onclick = async () => {
      const action = button.dataset.action;
      const r = await fetch(`/api/tickets/${id}/${action}`, { method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ note: form.elements.note.value }) });
      const data = await r.json().catch(() => ({}));
      $("error").textContent = r.ok ? "" : (data.message || `HTTP ${r.status}`);
      if (r.ok) { $("changed").textContent = action === "close" ? "Ticket closed." : "Ticket escalated."; form.elements.note.value = ""; load(); }
    };
  });
  load();
})();
