// The softphone's e-mail panel (issue 15, blended work): every few seconds the page asks for the e-mail on her
// desk (GET /agent/api/mail, which offers her the oldest one she is skilled for when she is available, has none
// and no caller waits for her). The answer is autosaved as a draft every few seconds; a call ringing shows the
// call popup first and leaves this panel, with its draft, as it is. The answer base's part of the panel
// (mail_answers.js) hears "mail:shown" (what is on the desk), "mail:sending" (it may add to the reply's body)
// and "mail:replied".
(function () {
  "use strict";
  const panel = document.getElementById("mail-panel");
  if (!panel) return;
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const answer = $("mail-answer");
  let current = null;      // the ticket id on her desk
  let savedText = null;    // the text the server has as the draft
  let busy = false;

  async function call(path, body) {
    const options = body === undefined ? {} : { method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) };
    const response = await fetch(path, options);
    if (response.status === 401) { window.location = "/login?next=/agent/"; throw new Error("logged out"); }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || ("HTTP " + response.status));
    return data;
  }
  function say(text) { $("mail-message").textContent = text || ""; }

  const tell = (name, detail) => document.dispatchEvent(new CustomEvent(name, { detail }));
  function show(mail) {
    tell("mail:shown", mail || null);
    if (!mail) {
      panel.hidden = true; current = null; savedText = null; answer.value = ""; return;
    }
    panel.hidden = false;
    if (mail.ticket_id !== current) {  // a new e-mail: its draft (a returned e-mail keeps the one written before)
      current = mail.ticket_id; answer.value = mail.draft || ""; savedText = answer.value;
      $("mail-waiting").checked = false; say("");
      $("mail-saved").textContent = mail.draft_saved_at ? _("Draft saved at {time}", { time: fmt.time(mail.draft_saved_at) }) : "";
    }
    $("mail-subject").textContent = mail.subject || _("(no subject)");
    $("mail-sender").textContent = mail.sender_hidden ? _("hidden (confidential: investigators only)") : (mail.sender || "–");
    $("mail-sender").className = mail.sender_hidden ? "muted" : "";
    $("mail-branch").textContent = mail.branch ? label("branch", mail.branch) : "–";
    $("mail-group").textContent = mail.problem_group ? label("problem_group", mail.problem_group) : "–";
    $("mail-received").textContent = mail.received_at ? fmt.datetime(mail.received_at) : "–";
    $("mail-branch1").hidden = mail.branch === 1;
    window.mailThread($("mail-thread"), mail.messages);
  }

  async function refresh() {
    if (busy) return;
    try { show((await call("/agent/api/mail")).mail); } catch (e) { say(e.message); }
  }
  async function saveDraft() {
    if (current === null || answer.value === savedText || busy) return;
    const text = answer.value;
    try {
      await call("/agent/api/mail/draft", { ticket_id: current, draft: text });
      savedText = text;
      $("mail-saved").textContent = _("Draft saved at {time}", { time: fmt.time(new Date().toISOString()) });
    } catch (e) { say(e.message); }
  }
  async function act(path, body, done, after) {
    if (current === null) return;
    busy = true;
    try {
      const data = await call(path, { ticket_id: current, ...body });
      if (after) after();
      current = null; show(data.mail); say("");
      const note = $("message"); note.textContent = done; note.className = "message good";  // the desk's message line
    } catch (e) { say(e.message); } finally { busy = false; }
  }
  $("mail-send").onclick = () => {
    if (!answer.value.trim()) { say(_("Write the answer first.")); return; }
    const ticket = current, body = { body: answer.value, waiting: $("mail-waiting").checked };
    tell("mail:sending", { ticket_id: ticket, body });  // the answer base adds the answer used
    act("/agent/api/mail/reply", body, _("Answer sent."), () => tell("mail:replied", { ticket_id: ticket }));
  };
  $("mail-wait").onclick = () => act("/agent/api/mail/state", { state: "waiting" }, _("Waiting for the customer."));
  $("mail-escalate").onclick = () => act("/agent/api/mail/state", { state: "escalated" }, _("Escalated to central support."));
  $("mail-close").onclick = () => act("/agent/api/mail/state", { state: "closed" }, _("Ticket closed."));
  $("mail-branch1").onclick = () => {
    if (window.confirm(_("Move this e-mail to branch 1 (a denunciation)? Its sender will be hidden from everyone but investigators.")))
      act("/agent/api/mail/reclassify", { branch: 1 }, _("Moved to branch 1."));
  };
  setInterval(saveDraft, 3000);
  setInterval(refresh, 3000); refresh();
  window.addEventListener("beforeunload", saveDraft);
})();
