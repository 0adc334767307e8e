// The answer base on the agent's desk (issue 16), shared by the call's screen pop (answers_call.js) and the
// e-mail panel (mail_answers.js): asking GET /api/answers with the contact's language ranked first (`prefer=`, a
// ranking, never a filter), the top answers for some business codes and a problem group, and a list of answers
// (title, an other-language tag, codes and group; question and answer folded) with one action button each.
// Everything goes in the page as text (textContent).
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

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
  const ask = (params, language) => "/api/answers?" + new URLSearchParams(language ? { ...params, prefer: language } : params);
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  async function search(q, language, limit) {
    return hits(await api(ask({ q, limit }, language)));
  }
  // The top `limit` answers: the contact's language first; inside it, the codes' answers, then the group's.
  async function top({ codes, group, language, limit }) {
    const asks = (codes || []).map((code) => ask({ code, limit }, language));
    if (group) asks.push(ask({ group, limit }, language));
    const found = new Map();
    const answers = await Promise.all(asks.map((path) => api(path).then(hits).catch(() => [])));
    answers.flat().forEach((e) => { if (!found.has(idOf(e))) found.set(idOf(e), e); });
    const theirs = (e) => (e.language === language ? 0 : 1);
    return [...found.values()].sort((a, b) => theirs(a) - theirs(b)).slice(0, limit);  // stable sort
  }
  // The list: `action(entry)` gives the button (or nothing) under each answer.
  function render(list, entries, { empty, language, action }) {
    list.innerHTML = "";
    if (!entries.length) list.appendChild(el("li", "muted", empty));
    entries.forEach((e) => {
      const li = el("li");
      li.dataset.id = idOf(e);
      const details = el("details");
      const facts = [(e.business_codes || []).join(", "), e.problem_group ? label("problem_group", e.problem_group) : ""];
      const summary = el("summary", "", e.title);
      if (language && e.language && e.language !== language) {  // to be said or written in the contact's language
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
      const button = action && action(e);
      if (button) li.appendChild(button);
      list.appendChild(li);
    });
  }
  window.answerList = { api, hits, idOf, ask, el, search, top, render };
})();
