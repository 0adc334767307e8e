// One ticket from /api/tickets/<id>: the call, the wrap-up, the voicemail, the timeline; escalate or close.
// Branch-1 callers and what the agent wrote about them are hidden unless the user is an investigator.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const root = $("ticket"), id = root.dataset.ticket;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const when = (iso) => iso ? new Date(iso).toLocaleString(window.I18N_LOCALE, { timeZone: "Asia/Ho_Chi_Minh" }) : "–";
  const BRANCH = { 1: _("1 — denunciations (confidential)"), 2: _("2 — e-customs support") };
  const OUTCOMES = { resolved: _("resolved"), escalated: _("escalated"), follow_up: _("follow-up"),
    callback_promised: _("callback promised"), wrong_number: _("wrong number"), abusive: _("abusive"),
    abandoned_queue: _("hung up while waiting"), abandoned_ivr: _("hung up in the menu"), voicemail: _("voicemail"),
    callback_pending: _("callback pending"), callback_failed: _("callback failed"), queue_full: _("queue full"),
    call_failed: _("call failed") };
  const STATUSES = { open: _("open"), closed: _("closed") };
  const outcome = (code) => OUTCOMES[code] || code;

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
    $("headline").textContent = _("Ticket {id} — {outcome} ({status})", { id: t.id,
      outcome: t.outcome ? outcome(t.outcome) : _("no outcome yet"), status: STATUSES[t.status] || t.status });
    facts($("facts"), [
      [_("Caller"), hidden ? _("hidden (confidential: investigators only)") : (c.caller || _("withheld")), hidden ? "muted" : ""],
      [_("Branch"), BRANCH[c.branch] || _("not chosen")],
      [_("Problem group"), c.problem_group],
      [_("Language"), c.language],
      [_("Called at"), when(c.started_at)],
      [_("Waited"), c.queue.wait_seconds == null ? "–" : _("{seconds} s", { seconds: c.queue.wait_seconds })],
      [_("Answered at"), when(c.answered_at)],
      [_("Ended at"), when(c.ended_at)],
      [_("Call outcome"), c.outcome ? outcome(c.outcome) : c.stage],
      [_("Callback"), c.callback ? _("{status}, {attempts} attempt(s)", c.callback) : "–"],
    ]);
    const hide = hidden ? _("hidden (confidential)") : null;
    facts($("wrapup"), [
      [_("Wrapped up"), when(t.wrapped_up_at)],
      [_("Business code"), t.business_code],
      [_("Tax code"), hide || t.tax_code],
      [_("Customs unit"), hide || t.customs_unit],
      [_("Question"), hide || t.question],
      [_("Answer"), hide || t.answer],
    ]);
    $("notes").textContent = hidden ? _("hidden (confidential)") : (t.notes || _("No notes yet."));
    const rec = $("recording"); rec.innerHTML = "";
    if (t.recording_url) {
      const p = document.createElement("p"); p.textContent = _("Voicemail ({seconds} s): ", { seconds: t.recording_seconds ?? "?" });
      const a = document.createElement("a"); a.href = t.recording_url; a.textContent = _("open the recording");
      const audio = document.createElement("audio"); audio.controls = true; audio.src = t.recording_url;
      p.appendChild(a); rec.append(p, audio);
    } else if (hidden && t.recording_seconds) {
      rec.textContent = _("A voicemail was left (hidden: confidential).");
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
      if (r.ok) { $("changed").textContent = action === "close" ? _("Ticket closed.") : _("Ticket escalated."); form.elements.note.value = ""; load(); }
    };
  });
  load();
})();
