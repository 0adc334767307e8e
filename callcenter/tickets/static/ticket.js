// One ticket from /api/tickets/<id>: the call, the wrap-up, the voicemail, the timeline; escalate or close.
// Branch-1 callers and what the agent wrote about them are hidden unless the user is an investigator.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const root = $("ticket"), id = root.dataset.ticket;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const when = (iso) => iso ? fmt.datetimeSeconds(iso) : "–";
  const outcome = (code) => label("ticket_outcome", code);

  function facts(dl, pairs) {
    dl.innerHTML = "";
    pairs.forEach(([name, value, cls]) => {
      const dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = name; dd.textContent = value ?? "–"; if (cls) dd.className = cls;
      dl.append(dt, dd);
    });
  }
  // What an event's data says, in words: each known field named and its codes labelled; the raw data stays
  // in the JSON API (/api/tickets/<id>).
  const seconds = (v) => _("{seconds} s", { seconds: v });
  const FIELDS = {
    language: [_("language"), (v) => label("language", v)],
    branch: [_("branch"), (v) => label("branch", v)],
    group: [_("problem group"), (v) => label("problem_group", v)],
    outcome: [_("outcome"), (v) => label("call_outcome", v)],
    status: [_("status"), (v) => label("call_status", v)],
    result: [_("result"), (v) => label("queue_result", v) !== String(v) ? label("queue_result", v) : label("call_status", v)],
    option: [_("option"), (v) => label("queue_option", v)],
    to: [_("transferred to"), (v) => label("transfer_to", v)],
    stage: [_("stage"), (v) => label("transfer_stage", v)],
    mode: [_("mode"), (v) => label("monitor_mode", v)],
    position: [_("place in the queue"), String],
    original_position: [_("first place"), String],
    eta_seconds: [_("estimated wait"), seconds],
    holdtime: [_("waited"), seconds],
    queue_time: [_("waited"), seconds],
    seconds: [_("duration"), seconds],
    duration: [_("duration"), seconds],
    attempt: [_("attempt"), String],
    attempts: [_("attempts"), String],
    digits: [_("keys pressed"), String],
    reason: [_("reason"), (v) => label("break_reason", v)],
    hold: [_("on hold"), (v) => (v ? _("yes") : _("no"))],
    merged_into: [_("merged into ticket"), String],
  };
  function describe(data) {
    return Object.entries(data || {}).filter(([k, v]) => k in FIELDS && v !== null && v !== "").map(([k, v]) => {
      const [name, show] = FIELDS[k];
      return `${name}: ${show(v)}`;
    }).join(" · ");
  }

  async function load() {
    const r = await fetch(`/api/tickets/${id}`);
    if (r.status === 401) { window.location = `/login?next=/supervisor/tickets/${id}`; return; }
    const c = await r.json();
    if (!r.ok) { $("error").textContent = c.message; return; }
    const t = c.ticket, hidden = c.caller_hidden;
    $("headline").textContent = _("Ticket {id} — {outcome} ({status})", { id: t.id,
      outcome: t.outcome ? outcome(t.outcome) : _("no outcome yet"), status: label("ticket_status", t.status) });
    const email = c.channel === "email";
    const who = hidden ? _("hidden (confidential: investigators only)") : (c.caller || (email && c.caller_raw) || _("withheld"));
    facts($("facts"), email ? [  // an e-mail conversation: no line, no queue, no call outcome
      [_("Channel"), label("channel", c.channel)],
      [_("Sender"), who, hidden ? "muted" : ""],
      [_("Branch"), c.branch ? label("branch", c.branch) : _("not chosen")],
      [_("Problem group"), c.problem_group ? label("problem_group", c.problem_group) : "–"],
      [_("Language"), label("language", c.language)],
      [_("Received"), when(c.started_at)],
    ] : [
      [_("Channel"), label("channel", c.channel || "call")],
      [_("Caller"), who, hidden ? "muted" : ""],
      [_("Branch"), c.branch ? label("branch", c.branch) : _("not chosen")],
      [_("Problem group"), c.problem_group ? label("problem_group", c.problem_group) : "–"],
      [_("Language"), label("language", c.language)],
      [_("Called at"), when(c.started_at)],
      [_("Waited"), c.queue.wait_seconds == null ? "–" : _("{seconds} s", { seconds: c.queue.wait_seconds })],
      [_("Answered at"), when(c.answered_at)],
      [_("Ended at"), when(c.ended_at)],
      [_("Call outcome"), c.outcome ? label("call_outcome", c.outcome) : label("call_stage", c.stage)],
      [_("Callback"), c.callback ? _("{status}, {attempts} attempt(s)",
        { status: label("callback_status", c.callback.status), attempts: c.callback.attempts }) : "–"],
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
    if (email) showThread();
    const body = $("timeline").querySelector("tbody"); body.innerHTML = "";
    c.events.forEach((e) => {
      const tr = document.createElement("tr");
      [when(e.at), label("event", e.kind), label("queue", e.queue), e.agent || "", describe(e.data)].forEach((v) => {
        const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
      body.appendChild(tr);
    });
  }

  // An e-mail ticket's messages in and out (text only: a message is put in the page as text, never HTML).
  async function showThread() {
    const r = await fetch(`/api/tickets/${id}/mail`);
    const m = await r.json();
    if (!r.ok) { $("error").textContent = m.message; return; }
    $("mail").hidden = false;
    $("mail-hidden").hidden = !m.text_hidden;
    window.mailThread($("thread"), m.messages);
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
