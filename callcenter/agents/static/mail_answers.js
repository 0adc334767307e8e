// The answer base in the e-mail panel (issue 16): for a branch-2 e-mail, the top answers for its business code
// (picked out by intake) and its problem group, in the e-mail's language first, and a search box. "Insert into
// the reply" puts the answer's text into the reply at the cursor (or at the end); the draft autosave keeps it,
// and it becomes the "Answer used" sent with the reply (which records the use; the agent can choose None).
// "Propose this as an answer" proposes the e-mail's question and answer (without the correspondent's data) once
// the reply is sent. Branch 1 (a denunciation) never sees or records any of this. mail.js says what is on the
// desk ("mail:shown"), asks for additions to the reply ("mail:sending") and says it was sent ("mail:replied").
(function () {
  "use strict";
  const box = document.getElementById("mail-answers");
  if (!box || !window.answerList) return;
  const $ = (id) => document.getElementById(id);
  const A = window.answerList;  // answer_list.js: shared with the call's screen pop
  const TOP = 5;
  const reply = $("mail-answer"), used = $("mail-answer-used"), meta = $("mail-answer-meta");
  let ticket = null;       // the e-mail the list was loaded for
  let branch = null;
  let language = "";       // the e-mail's language: its answers first
  let seen = new Map();    // entry id → entry, every answer shown for this e-mail ("Answer used" choices)
  let cursor = null;       // where the agent left the cursor in the reply (null: never there: the end)
  let proposeFor = null;   // the e-mail to propose once its reply is sent

  function choices(chosen) {
    const keep = chosen !== undefined ? chosen : used.value;
    used.innerHTML = "";
    used.appendChild(new Option(_("None"), ""));
    seen.forEach((e, id) => used.appendChild(new Option(e.title, id)));
    used.value = seen.has(keep) ? keep : "";
  }
  function show(entries, empty) {
    entries.forEach((e) => seen.set(A.idOf(e), e));
    choices();
    A.render($("mail-answer-list"), entries, { empty, language, action: (e) => {
      const button = A.el("button", "quiet insert-answer", _("Insert into the reply"));
      button.type = "button";
      button.onclick = () => insert(e);
      return button;
    } });
  }
  function insert(e) {  // at the cursor, or at the end; a blank line apart from the text around it
    const at = cursor === null ? reply.value.length : Math.min(cursor, reply.value.length);
    const before = reply.value.slice(0, at), after = reply.value.slice(at);
    const gap = !before || before.endsWith("\n\n") ? "" : (before.endsWith("\n") ? "\n" : "\n\n");
    const text = gap + e.answer + (after && !after.startsWith("\n") ? "\n\n" : "");
    reply.value = before + text + after;
    cursor = before.length + text.length;
    reply.focus();
    reply.setSelectionRange(cursor, cursor);
    choices(A.idOf(e));
  }
  ["click", "keyup", "select", "input"].forEach((kind) => reply.addEventListener(kind, () => { cursor = reply.selectionStart; }));

  document.addEventListener("mail:shown", (ev) => {
    const mail = ev.detail;
    if (mail ? mail.ticket_id === ticket && mail.branch === branch : ticket === null) return;
    const branch2 = !!mail && mail.branch === 2;
    box.hidden = meta.hidden = !branch2;
    if (mail && mail.ticket_id === ticket && !branch2) { seen = new Map(); choices(""); branch = mail.branch; return; }
    ticket = mail ? mail.ticket_id : null; branch = mail ? mail.branch : null;
    language = (mail && mail.language) || ""; seen = new Map(); cursor = null;
    $("mail-propose").checked = false;
    $("mail-answer-search").reset();
    $("mail-answer-list").innerHTML = "";
    choices("");
    if (!branch2) return;
    const codes = mail.business_code ? [mail.business_code] : [];
    A.top({ codes, group: mail.problem_group, language, limit: TOP })
      .then((entries) => { if (ticket === mail.ticket_id) show(entries, _("No answer for this e-mail's subject yet: search below.")); });
  });
  $("mail-answer-search").onsubmit = async (ev) => {
    ev.preventDefault();
    const q = String(new FormData(ev.target).get("q") || "").trim();
    if (!q) return;
    try { show(await A.search(q, language, TOP), _("No answer found.")); }
    catch (e) { show([], e.message); }
  };
  document.addEventListener("mail:sending", (ev) => {  // the reply carries the answer used (branch 2 only)
    proposeFor = null;
    if (box.hidden || ev.detail.ticket_id !== ticket) return;
    if (used.value) ev.detail.body.answer_id = Number(used.value);
    if ($("mail-propose").checked) proposeFor = ticket;
  });
  document.addEventListener("mail:replied", async (ev) => {
    if (proposeFor === null || ev.detail.ticket_id !== proposeFor) return;
    proposeFor = null;
    const note = $("message");
    try {
      await A.api("/api/answers/propose", { ticket_id: ev.detail.ticket_id });
      note.textContent += " " + _("Proposed as an answer: a supervisor reviews it.");
    } catch (e) { note.textContent += " " + _("Not proposed: {reason}", { reason: e.message }); }
  });
})();
