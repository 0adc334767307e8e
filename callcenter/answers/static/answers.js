// The answer base for supervisors (issue 16): proposals from the agents' wrap-ups to review, the published
// answers (search), an editor (title, question, answer, business codes, group, language, links, and the period
// it is valid for, typed dd/mm/yyyy) with Publish and Retire, and the gaps: searches that found nothing.
// Everything through the JSON API (/api/answers…); the server checks and refuses with a message.
(function () {
  "use strict";
  const page = document.getElementById("answers-page");
  if (!page) return;
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = $("editor");
  const STATUS = { proposed: _("Proposed"), published: _("Published"), retired: _("Retired") };
  const WHERE = { public: _("Public page"), desk: _("Agents' desk") };
  const SHOWN = 10;  // published answers listed at first
  let current = null;  // the entry in the editor (null: a new one)

  async function api(method, path, body) {
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await r.json().catch(() => ({}));
    if (r.status === 401) { window.location = "/login?next=/supervisor/answers"; throw new Error(_("Logged out.")); }
    if (!r.ok) { const e = new Error(data.message || _("The server answered {status}.", { status: r.status }));
      e.data = data; throw e; }
    return data;
  }
  const list = (data) => (Array.isArray(data) ? data : (data.hits || data.entries || data.gaps || []));
  const idOf = (e) => (e.entry_id !== undefined ? e.entry_id : e.id);
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function say(text, good) { $(good ? "note" : "error").textContent = text || ""; $(good ? "error" : "note").textContent = ""; }
  function meta(e) {
    const parts = [];
    if (e.status) parts.push(STATUS[e.status] || "");
    if ((e.business_codes || []).length) parts.push(e.business_codes.join(", "));
    if (e.problem_group) parts.push(label("problem_group", e.problem_group));
    parts.push(e.language === "en" ? _("English") : _("Vietnamese"));
    if (e.uses !== undefined) parts.push(_("used {n} times", { n: e.uses }));
    if (e.helped !== undefined) parts.push(_("helped {yes} · did not help {no}", { yes: e.helped, no: e.not_helped || 0 }));
    if (e.valid_until) parts.push(_("valid until {day}", { day: fmt.date(e.valid_until) }));
    if (e.author) parts.push(_("written by {who}", { who: e.author }));
    if (e.created_at) parts.push(fmt.datetime(e.created_at));
    return parts.filter(Boolean).join(" · ");
  }
  function entryItem(e) {
    const li = el("li");
    li.dataset.id = idOf(e);
    li.appendChild(el("h3", "", e.title));
    li.appendChild(el("div", "meta", meta(e)));
    li.appendChild(el("p", "", e.question));
    const actions = el("div", "actions");
    const edit = el("button", "", _("Open"));
    edit.type = "button";
    edit.onclick = () => open(idOf(e));
    actions.appendChild(edit);
    li.appendChild(actions);
    return li;
  }
  function fill(target, entries, empty) {
    target.innerHTML = "";
    if (!entries.length) target.appendChild(el("li", "muted", empty));
    entries.forEach((e) => target.appendChild(entryItem(e)));
  }

  async function loadProposals() {
    const data = await api("GET", "/api/answers?status=proposed&limit=50");
    fill($("proposals"), list(data).filter((e) => !e.status || e.status === "proposed"), _("No proposal waiting."));
  }
  async function loadPublished() {
    const f = new FormData($("search"));
    const query = new URLSearchParams();
    for (const name of ["q", "code", "group"]) { const v = String(f.get(name) || "").trim(); if (v) query.set(name, v); }
    // No words, code or group: every published answer (newest first); else the search, ranked.
    const data = await api("GET", "/api/answers?" + (query.toString() || "status=published&all=1&limit=50"));
    const entries = list(data).filter((e) => !e.status || e.status === "published");
    fill($("published"), entries.slice(0, SHOWN), _("No answer found."));
    if (entries.length > SHOWN) {  // the rest on request: the editor and the gaps stay near the top
      const li = el("li", "more");
      const more = el("button", "quiet", _("Show {n} more", { n: entries.length - SHOWN }));
      more.type = "button";
      more.id = "more-published";
      more.onclick = () => { li.remove(); entries.slice(SHOWN).forEach((e) => $("published").appendChild(entryItem(e))); };
      li.appendChild(more);
      $("published").appendChild(li);
    }
  }
  async function loadGaps() {
    const data = await api("GET", "/api/answers/gaps");
    const body = $("gaps").querySelector("tbody");
    body.innerHTML = "";
    const gaps = list(data);
    if (!gaps.length) { const tr = el("tr"); const td = el("td", "muted", _("No search without an answer yet."));
      td.colSpan = 5; tr.appendChild(td); body.appendChild(tr); }
    gaps.forEach((g) => {
      const tr = el("tr");
      [g.query, g.business_code || "—", WHERE[g.source] || "", String(g.count), fmt.datetime(g.last_at)]
        .forEach((text) => tr.appendChild(el("td", "", text)));
      body.appendChild(tr);
    });
  }
  async function loadAll() {
    try { await Promise.all([loadProposals(), loadPublished(), loadGaps()]); }
    catch (e) { say(e.message); }
    page.dataset.loaded = "yes";
  }

  // -- the editor --------------------------------------------------------------------------------
  function showEditor(entry) {
    current = entry;
    $("editor-panel").hidden = false;
    form.reset();
    form.querySelectorAll(".field-error").forEach((e) => { e.textContent = ""; });
    const e = entry || {};
    for (const name of ["title", "question", "answer"]) form.elements[name].value = e[name] || "";
    form.elements.business_codes.value = (e.business_codes || []).join(", ");
    form.elements.problem_group.value = e.problem_group || "";
    form.elements.language.value = e.language || "vi";
    form.elements.links.value = (e.links || []).join("\n");
    form.elements.valid_from.value = e.valid_from ? fmt.dateInput(e.valid_from) : "";
    form.elements.valid_until.value = e.valid_until ? fmt.dateInput(e.valid_until) : "";
    $("editor-title").textContent = entry ? _("Edit the answer") : _("New answer");
    $("editor-status").textContent = entry ? meta(entry) : "";
    $("publish").hidden = !!entry && entry.status === "published";
    $("retire").hidden = !entry || entry.status === "retired";
    $("editor-panel").scrollIntoView({ block: "start" });
    form.elements.title.focus();
  }
  async function open(id) {
    try { const data = await api("GET", "/api/answers/" + id); showEditor(data); }
    catch (e) { say(e.message); }
  }
  function body() {
    const f = form.elements;
    const from = fmt.readField(f.valid_from), until = fmt.readField(f.valid_until);
    if (from === null || until === null) return null;  // the field says what is wrong; nothing is sent
    return {
      title: f.title.value.trim(),
      question: f.question.value.trim(),
      answer: f.answer.value.trim(),
      business_codes: f.business_codes.value.split(/[\s,;]+/).map((c) => c.trim().toUpperCase()).filter(Boolean),
      problem_group: f.problem_group.value || null,
      language: f.language.value,
      links: f.links.value.split(/\n+/).map((l) => l.trim()).filter(Boolean),
      valid_from: from || null,
      valid_until: until || null,
    };
  }
  function showErrors(fields) {
    form.querySelectorAll(".field-error").forEach((e) => { e.textContent = (fields || {})[e.dataset.for] || ""; });
  }
  async function save() {
    const values = body();
    if (!values) return null;
    try {
      const data = current ? await api("PATCH", "/api/answers/" + idOf(current), values)
        : await api("POST", "/api/answers", values);
      showErrors({});
      current = data;
      return current;
    } catch (e) { showErrors(e.data && e.data.fields); say(e.message); return null; }
  }
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const saved = await save();
    if (saved) { showEditor(saved); say(_("Saved."), true); loadAll(); }
  };
  async function act(action, done) {
    const saved = action === "publish" ? await save() : current;
    if (!saved) return;
    try { const data = await api("POST", `/api/answers/${idOf(saved)}/${action}`, {});
      showEditor(data); say(done, true); loadAll(); }
    catch (e) { say(e.message); }
  }
  $("publish").onclick = () => act("publish", _("Published: the desk and the public page find it now."));
  $("retire").onclick = () => act("retire", _("Retired: it is no longer shown."));
  $("close-editor").onclick = () => { $("editor-panel").hidden = true; current = null; };
  $("new-entry").onclick = () => showEditor(null);
  $("search").onsubmit = (ev) => { ev.preventDefault(); loadPublished().catch((e) => say(e.message)); };
  loadAll();
})();
