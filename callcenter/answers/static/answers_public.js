// The businesses' answer page (issue 16): search the published answers by words (with or without accents)
// and/or a business code; each answer asks "Did this help? Yes / No" (one vote per answer on this page).
// No login; the public JSON API (/public/api/answers) shows only what is published and valid today. The answers
// in the page's language come first (`prefer=`), the others after.
(function () {
  "use strict";
  const root = document.getElementById("answers-public");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const form = $("public-search");
  const voted = new Set();

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  async function call(method, path, body) {
    const r = await fetch(path, { method, headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await r.json().catch(() => ({}));
    if (r.status === 429) throw new Error(_("Too many searches in a short time; please wait a minute."));
    if (!r.ok) throw new Error(data.message || _("The server answered {status}.", { status: r.status }));
    return data;
  }
  const idOf = (e) => (e.entry_id !== undefined ? e.entry_id : e.id);
  function feedback(entry, box) {
    const id = idOf(entry);
    box.innerHTML = "";
    if (voted.has(id)) { box.appendChild(el("span", "helped", _("Thank you for telling us."))); return; }
    box.appendChild(el("span", "", _("Did this help?")));
    for (const [helped, text] of [[true, _("Yes")], [false, _("No")]]) {
      const b = el("button", "", text);
      b.type = "button";
      b.dataset.helped = helped ? "yes" : "no";
      b.onclick = async () => {
        try { await call("POST", `/public/api/answers/${id}/feedback`, { helped }); voted.add(id); feedback(entry, box);
          if (!helped) $("still").scrollIntoView({ block: "center" }); }
        catch (e) { $("public-error").textContent = e.message; }
      };
      box.appendChild(b);
    }
  }
  function item(e) {
    const li = el("li");
    li.appendChild(el("h3", "", e.title));
    const facts = [];
    if ((e.business_codes || []).length) facts.push(_("Business codes: {codes}", { codes: e.business_codes.join(", ") }));
    if (e.problem_group) facts.push(label("problem_group", e.problem_group));
    if (facts.length) li.appendChild(el("div", "meta", facts.join(" · ")));
    li.appendChild(el("p", "", e.question));
    li.appendChild(el("p", "answer-text", e.answer));
    if ((e.links || []).length) {
      const links = el("div", "links");
      e.links.filter((u) => /^https?:\/\//i.test(u)).forEach((u) => {
        const a = el("a", "", u); a.href = u; a.rel = "noopener"; links.appendChild(a);
      });
      li.appendChild(links);
    }
    const box = el("div", "actions feedback");
    feedback(e, box);
    li.appendChild(box);
    return li;
  }
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const f = new FormData(form), query = new URLSearchParams();
    const q = String(f.get("q") || "").trim(), code = String(f.get("code") || "").trim().toUpperCase();
    if (!q && !code) { $("public-error").textContent = _("Type a few words or a business code."); return; }
    if (q) query.set("q", q);
    if (code) query.set("code", code);
    query.set("prefer", window.I18N_LANG === "en" ? "en" : "vi");
    $("public-error").textContent = "";
    try {
      const data = await call("GET", "/public/api/answers?" + query.toString());
      const hits = Array.isArray(data) ? data : (data.hits || []);
      $("results-panel").hidden = false;
      $("results-count").textContent = hits.length === 1 ? _("1 answer found")
        : hits.length ? _("{n} answers found", { n: hits.length })
        : _("No answer found for this search.");
      const list = $("results");
      list.innerHTML = "";
      hits.forEach((e) => list.appendChild(item(e)));
      root.dataset.searched = "yes";
    } catch (e) { $("public-error").textContent = e.message; }
  };
  // Opened from a link (the e-mail acknowledgement's suggestions: /answers?q=<title>): search it at once.
  const opened = new URLSearchParams(window.location.search);
  if (opened.get("q") || opened.get("code")) {
    form.elements.q.value = (opened.get("q") || "").slice(0, 200);
    form.elements.code.value = (opened.get("code") || "").slice(0, 5);
    form.onsubmit(new Event("submit", { cancelable: true }));
  }
})();
