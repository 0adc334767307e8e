// Mail rules: the rules that propose a branch-2 mail's problem group (GET /api/mail/rules), in the order
// intake tries them; supervisors and admins add, reorder, switch off and delete them; anyone here may try
// a mail on them (POST /api/mail/rules/test). The API checks roles again and words its refusals in the
// page's language. Words through _(), groups through label() (callcenter/web/static/i18n.js).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const _ = window._, label = window.label, fmt = window.fmt;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const EDITOR = document.querySelector("main.mail-rules").dataset.editor === "yes";

  async function api(method, path, body) {
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined });
    const data = await r.json().catch(() => ({}));
    if (r.status === 401) { window.location = "/login?next=/supervisor/mail-rules"; throw new Error(_("Your session has ended.")); }
    if (!r.ok) throw new Error(data.message || _("The server refused the request (HTTP {status}).", { status: r.status }));
    return data;
  }
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function say(target, text, ok) { target.textContent = text; target.className = "message" + (ok ? " good" : ""); }
  function button(text, cls, onclick) { const b = el("button", "small-button " + (cls || ""), text); b.type = "button"; b.onclick = onclick; return b; }
  function cell(tr, name, content) {
    const td = el("td"); td.dataset.label = name;
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    tr.appendChild(td); return td;
  }

  async function load() {
    const table = $("rules"), body = table.querySelector("tbody");
    let data;
    try { data = await api("GET", "/api/mail/rules"); } catch (e) { say($("note"), e.message); table.dataset.loaded = "yes"; return; }
    body.innerHTML = "";
    if (!data.rules.length) {
      const td = el("td", "muted", EDITOR ? _("No rules yet: every mail is proposed as “{group}”. Add the first rule below.", { group: label("problem_group", "other") })
        : _("No rules yet: every mail is proposed as “{group}”.", { group: label("problem_group", "other") }));
      td.colSpan = 6; const tr = el("tr"); tr.appendChild(td); body.appendChild(tr);
    }
    data.rules.forEach((rule) => body.appendChild(row(rule)));
    table.dataset.loaded = "yes";
  }

  function row(rule) {
    const tr = el("tr", rule.active ? "" : "inactive"); tr.dataset.id = rule.id;
    if (EDITOR) {
      const input = el("input"); input.type = "number"; input.min = 1; input.max = 9999; input.value = rule.position;
      input.setAttribute("aria-label", _("Position of the rule {words}", { words: rule.words }));
      input.onchange = () => change(rule, { position: input.value }, _("Position saved."));
      cell(tr, _("Position"), input).className = "position";
    } else cell(tr, _("Position"), String(rule.position));
    const words = el("span"); rule.phrases.forEach((p) => words.appendChild(el("span", "phrase", p)));
    cell(tr, _("Words or phrases"), words).className = "words";
    cell(tr, _("Problem group"), label("problem_group", rule.problem_group));
    if (EDITOR) {
      const box = el("input"); box.type = "checkbox"; box.checked = rule.active;
      box.setAttribute("aria-label", _("Rule {words} is active", { words: rule.words }));
      box.onchange = () => change(rule, { active: box.checked }, box.checked ? _("The rule is used again.") : _("The rule is switched off."));
      const wrap = el("label", "check"); wrap.appendChild(box); wrap.appendChild(document.createTextNode(" " + (rule.active ? _("yes") : _("no"))));
      cell(tr, _("Active"), wrap).className = "active";
    } else cell(tr, _("Active"), rule.active ? _("yes") : _("no"));
    cell(tr, _("Added by"), rule.created_by ? _("{name}, {when}", { name: rule.created_by, when: fmt.datetime(rule.created_at) }) : fmt.datetime(rule.created_at));
    if (EDITOR) {
      const td = cell(tr, _("Actions"), ""); td.className = "actions"; td.removeAttribute("data-label");
      td.appendChild(button(_("Delete"), "danger", () => confirmDelete(td, rule)));
    }
    return tr;
  }

  function confirmDelete(td, rule) {
    td.innerHTML = "";
    const box = el("span", "confirm-delete");
    box.appendChild(el("strong", "", _("Delete this rule?")));
    box.appendChild(button(_("Yes, delete"), "danger", async () => {
      try { await api("DELETE", `/api/mail/rules/${rule.id}`); say($("note"), _("Rule deleted: {words}", { words: rule.words }), true); }
      catch (e) { say($("note"), e.message); }
      load();
    }));
    box.appendChild(button(_("No"), "", () => { td.innerHTML = ""; td.appendChild(button(_("Delete"), "danger", () => confirmDelete(td, rule))); }));
    td.appendChild(box);
  }

  async function change(rule, body, done) {
    try { await api("PATCH", `/api/mail/rules/${rule.id}`, body); say($("note"), done, true); }
    catch (e) { say($("note"), e.message); }
    load();
  }

  if (EDITOR) {
    $("rule-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.target, body = { words: form.words.value, problem_group: form.problem_group.value, active: form.active.checked };
      if (form.position.value !== "") body.position = form.position.value;
      try {
        const rule = await api("POST", "/api/mail/rules", body);
        say($("form-error"), "");
        say($("note"), _("Rule added at position {position}: {words} → {group}", { position: rule.position, words: rule.words,
          group: label("problem_group", rule.problem_group) }), true);
        form.words.value = ""; form.position.value = "";
        load();
      } catch (e) { say($("form-error"), e.message); }
    });
  }

  $("try-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target, out = $("try-result");
    out.textContent = "";
    try {
      const data = await api("POST", "/api/mail/rules/test", { subject: form.subject.value, text: form.text.value });
      out.className = "try-result";
      out.appendChild(document.createTextNode(_("Proposed group:") + " "));
      out.appendChild(el("strong", "", label("problem_group", data.problem_group)));
      out.appendChild(document.createTextNode(" — " + (data.rule
        ? _("rule at position {position} matched “{phrase}”.", { position: data.rule.position, phrase: data.phrase })
        : _("no rule matched."))));
    } catch (e) { out.className = "try-result message"; out.textContent = e.message; }
  });

  load();
})();
