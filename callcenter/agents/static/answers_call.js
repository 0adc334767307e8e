// The answer base on the call (issue 16): while a branch-2 caller rings or talks, the screen pop lists the top
// answers for the call's problem group and for the business codes of the caller's earlier tickets; the agent
// searches the base during the call; "Use this answer" chooses it as the wrap-up's "Answer used" (sent with the
// wrap-up, which records the use). "Propose this as an answer" asks a supervisor to publish this call's
// question and answer (without the caller's data) once the wrap-up is saved. Branch 1 never sees any of this.
// The caller's language (chosen in the IVR) comes first everywhere (`prefer=`, a ranking, never a filter: the
// other language's answers follow); an answer in the other language carries a small tag with its language.
(function () {
  "use strict";
  const box = document.getElementById("call-answers");
  if (!box || !window.answerList) return;
  const $ = (id) => document.getElementById(id);
  const A = window.answerList;  // answer_list.js: shared with the e-mail panel
  const TOP = 5;
  let callSid = null;      // the call the list was loaded for
  let seen = new Map();    // entry id → entry, every answer shown during this call (the wrap-up's choices)
  let chosen = "";         // the entry the agent chose with "Use this answer"
  let language = "";       // the call's language (vi, en): its answers first

  function show(entries, empty) {
    entries.forEach((e) => seen.set(A.idOf(e), e));
    A.render($("answer-list"), entries, { empty, language, action: (e) => {
      const id = A.idOf(e);
      const use = A.el("button", "quiet use-answer", id === chosen ? _("Chosen for the wrap-up") : _("Use this answer"));
      use.type = "button";
      use.onclick = () => { chosen = id; choices(); show(entries, empty); };
      return use;
    } });
  }
  function choices() {  // the wrap-up's "Answer used": the answers seen on this call
    const select = $("answer-used");
    const keep = chosen || select.value;
    select.innerHTML = "";
    select.appendChild(new Option(_("None"), ""));
    seen.forEach((e, id) => select.appendChild(new Option(e.title, id)));
    select.value = seen.has(keep) ? keep : "";
  }
  async function top(call) {
    // The caller's own subjects: the business codes of their earlier tickets, then the call's group.
    const codes = [...new Set((call.history || []).map((t) => t.business_code).filter(Boolean))].slice(0, 3);
    const ranked = await A.top({ codes, group: call.problem_group, language, limit: TOP });
    show(ranked, _("No answer for this group yet: search below."));
  }
  document.addEventListener("softphone:state", (ev) => {
    const data = ev.detail, c = data.call;
    const branch2 = !!c && c.branch === 2;
    box.hidden = !branch2 || !["ringing", "on_call", "wrap_up"].includes(data.agent.state);
    $("wrap-answers").hidden = !branch2;
    if (!c) { callSid = null; language = ""; return; }
    if (c.call_sid === callSid) return;
    callSid = c.call_sid; seen = new Map(); chosen = ""; language = c.language || "";
    $("propose-answer").checked = false;
    $("answer-search").reset();
    choices();
    if (branch2) top(c);
  });
  let wrapFor = null;
  document.addEventListener("softphone:state", (ev) => {  // the wrap-up form was just filled (reset): keep the choice
    if (ev.detail.agent.state !== "wrap_up" || wrapFor === callSid) return;
    wrapFor = callSid; choices();
  });
  $("answer-search").onsubmit = async (ev) => {
    ev.preventDefault();
    const q = String(new FormData(ev.target).get("q") || "").trim();
    if (!q) return;
    try { show(await A.search(q, language, TOP), _("No answer found.")); }
    catch (e) { show([], e.message); }
  };
  $("answer-used").onchange = () => { chosen = $("answer-used").value; };
  document.addEventListener("softphone:wrapped", async (ev) => {
    if (!$("propose-answer").checked || $("wrap-answers").hidden) return;
    $("propose-answer").checked = false;
    const note = $("message");
    try {
      await A.api("/api/answers/propose", { ticket_id: ev.detail.ticket_id });
      note.textContent += " " + _("Proposed as an answer: a supervisor reviews it.");
    } catch (e) { note.textContent += " " + _("Not proposed: {reason}", { reason: e.message }); }
  });
})();
