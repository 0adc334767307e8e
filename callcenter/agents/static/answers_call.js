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
  if (!box) return;
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const TOP = 5;
  let callSid = null;      // the call the list was loaded for
  let seen = new Map();    // entry id → entry, every answer shown during this call (the wrap-up's choices)
  let chosen = "";         // the entry the agent chose with "Use this answer"
  let language = "";       // the call's language (vi, en): its answers first

  async function api(path, body) {
    const options = body === undefined ? {} : { method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) };
    const r = await fetch(path, options);
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(data.message || _("The server answered {status}.", { status: r.status }));
    return data;
  }
  const hits = (data) => (Array.isArray(data) ? data : (data.hits || []));
  const idOf = (e) => String(e.entry_id !== undefined ? e.entry_id : e.id);
  const ask = (params) => "/api/answers?" + new URLSearchParams(language ? { ...params, prefer: language } : params);
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function show(entries, empty) {
    const list = $("answer-list");
    list.innerHTML = "";
    if (!entries.length) list.appendChild(el("li", "muted", empty));
    entries.forEach((e) => {
      seen.set(idOf(e), e);
      const li = el("li");
      li.dataset.id = idOf(e);
      const details = el("details");
      const facts = [(e.business_codes || []).join(", "), e.problem_group ? label("problem_group", e.problem_group) : ""];
      const summary = el("summary", "", e.title);
      if (language && e.language && e.language !== language) {  // read it to the caller in their language
        const tag = el("span", "tag lang-tag", label("language", e.language));
        tag.lang = e.language;
        summary.appendChild(tag);
      }
      const more = facts.filter(Boolean).join(" · ");
      if (more) summary.appendChild(el("span", "muted small", " · " + more));
      details.appendChild(summary);
      details.appendChild(el("p", "small", e.question));
      details.appendChild(el("p", "answer-text", e.answer));
      li.appendChild(details);
      const use = el("button", "quiet use-answer", idOf(e) === chosen ? _("Chosen for the wrap-up") : _("Use this answer"));
      use.type = "button";
      use.onclick = () => { chosen = idOf(e); choices(); show(entries, empty); };
      li.appendChild(use);
      list.appendChild(li);
    });
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
    const codes = [...new Set((call.history || []).map((t) => t.business_code).filter(Boolean))].slice(0, 3);
    // The caller's language first; inside it, the codes' answers (this caller's own subjects), then the group's.
    const asks = codes.map((code) => ask({ code, limit: TOP }));
    if (call.problem_group) asks.push(ask({ group: call.problem_group, limit: TOP }));
    const found = new Map();
    const answers = await Promise.all(asks.map((path) => api(path).then(hits).catch(() => [])));
    answers.flat().forEach((e) => { if (!found.has(idOf(e))) found.set(idOf(e), e); });
    const theirs = (e) => (e.language === language ? 0 : 1);
    const ranked = [...found.values()].sort((a, b) => theirs(a) - theirs(b));  // stable: keeps each list's order
    show(ranked.slice(0, TOP), _("No answer for this group yet: search below."));
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
    try { show(hits(await api(ask({ q, limit: TOP }))), _("No answer found.")); }
    catch (e) { show([], e.message); }
  };
  $("answer-used").onchange = () => { chosen = $("answer-used").value; };
  document.addEventListener("softphone:wrapped", async (ev) => {
    if (!$("propose-answer").checked || $("wrap-answers").hidden) return;
    $("propose-answer").checked = false;
    const note = $("message");
    try {
      await api("/api/answers/propose", { ticket_id: ev.detail.ticket_id });
      note.textContent += " " + _("Proposed as an answer: a supervisor reviews it.");
    } catch (e) { note.textContent += " " + _("Not proposed: {reason}", { reason: e.message }); }
  });
})();
