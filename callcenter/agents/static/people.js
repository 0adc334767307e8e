// People: every agent's state (polled), log off / end break (supervisors, admins); users, roles, agent
// profiles with skills, activation and password resets (admins). The JSON API under /api/people checks.
// Words through _(), codes through label() and times through fmt (callcenter/web/static/i18n.js).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const _ = window._, label = window.label, fmt = window.fmt, ENGLISH = window.I18N_LANG === "en";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const ADMIN = document.querySelector("main.people").dataset.admin === "yes";
  // Why an agent is in a state (the API's `reason` code); a reason not listed here is not shown.
  const REASONS = { lunch: _("Lunch"), rest: _("Rest"), meeting: _("Meeting"), training: _("Training"),
    technical: _("Technical problem"), missed: _("missed a call"), other: _("Other"), shift_ended: _("shift ended"),
    forced_by_supervisor: _("forced by supervisor"), deactivated: _("deactivated"), user_deactivated: _("login deactivated"),
    softphone_lost: _("softphone lost"), declined: _("declined the call"), caller_left: _("the caller hung up"),
    consult: _("consultation"), callback: _("callback") };
  // The API words its answers in English: on an English page they are shown as they are; otherwise these
  // words, chosen by what was asked (`where`) and the API's error code.
  const REFUSALS = {
    bad_input: _("Check the form: something is missing or not valid."),
    not_found: _("Not found: it may have just been removed; reload the page."),
    not_allowed: _("This change is not allowed."),
    changed: _("The agent's state just changed; look again and retry."),
    forbidden: _("Your role may not do this."),
    "user:not_allowed": _("This username already exists; choose another."),
    "user:bad_input": _("Give a username and a password of at least 10 characters, and choose a role."),
    "agent:bad_input": _("An agent needs a full name (at most 120 characters), at least one branch and one language; the softphone identity may use letters, digits and _ only."),
    "agent:not_allowed": _("This login cannot get this agent profile: it must have role agent and no profile yet, and the softphone identity must be free."),
    "agent:not_found": _("There is no such login: create the user first (role agent)."),
    "active:not_allowed": _("You cannot deactivate yourself; ask another admin."),
    "force:not_allowed": _("The agent's state does not allow this now; look again and retry."),
    "password:bad_input": _("The new password needs at least 10 characters."),
  };
  let agents = [], users = [];

  async function api(method, path, body, where) {
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined });
    const data = await r.json().catch(() => ({}));
    if (r.status === 401) { window.location = "/login?next=/supervisor/people"; throw new Error(_("Your session has ended.")); }
    if (!r.ok) {
      throw new Error(ENGLISH && data.message ? data.message : REFUSALS[`${where}:${data.error}`] || REFUSALS[data.error]
        || _("The server refused the request (HTTP {status}).", { status: r.status }));
    }
    return data;
  }
  const told = (data, words) => (ENGLISH && data.message ? data.message : words);  // the API's answer, or ours
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function say(target, text, ok) { target.textContent = text; target.className = "message" + (ok ? " good" : ""); }
  function mmss(s) { s = Math.max(0, Math.round(s || 0)); const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s % 60).padStart(2, "0"); }
  function button(text, cls, onclick) { const b = el("button", "small-button " + (cls || ""), text); b.type = "button"; b.onclick = onclick; return b; }

  // Branches, problem groups, languages: one line each, in words.
  function skillCell(skills) {
    const td = el("td", "small skills-cell");
    [["branch_1", "branch_2"], ["accounts", "incidents", "single_window", "other"], ["vi", "en"]].forEach((kind) => {
      const some = kind.filter((s) => skills.includes(s)).map((s) => label("skill", s));
      if (some.length) td.appendChild(el("div", "", some.join("; ")));
    });
    return td;
  }

  // -- agents -----------------------------------------------------------------------------------
  async function loadAgents() {
    let data;
    try { data = await api("GET", "/api/people/agents"); } catch (e) { $("updated").textContent = e.message; return; }
    agents = data.agents;
    $("updated").textContent = _("updated {time}", { time: fmt.timeSeconds(new Date()) });
    const body = $("agents").querySelector("tbody"); body.innerHTML = "";
    if (!agents.length) {
      const td = el("td", "muted", ADMIN ? _("No agent profiles yet: create a user with role agent, then their agent profile below.")
        : _("No agent profiles yet: an admin creates them on this page."));
      td.colSpan = 7; const tr = el("tr"); tr.appendChild(td); body.appendChild(tr);
    }
    agents.forEach((a) => body.appendChild(agentRow(a)));
    if (ADMIN) fillAgentUsers();
  }
  function agentRow(a) {
    const tr = el("tr"); tr.dataset.username = a.username;
    if (!a.active || !a.login_active) tr.className = "inactive";
    const who = el("td"); who.append(el("b", "", a.name), el("div", "muted small", a.username)); tr.appendChild(who);
    tr.appendChild(skillCell(a.skills));
    const lost = a.softphone && a.softphone !== "connected" && a.state !== "offline" ? " — " + _("softphone not connected") : "";
    const why = a.reason && a.state !== "available" && REASONS[a.reason] ? ` (${REASONS[a.reason]})` : "";
    tr.appendChild(el("td", "st st-" + a.state, label("agent_state", a.state) + why + lost));
    tr.appendChild(el("td", "", mmss(a.seconds_in_state)));
    tr.appendChild(el("td", "", a.on_duty ? _("on duty") : a.may_take_calls ? _("overtime") : _("off rota")));
    tr.appendChild(el("td", a.active && a.login_active ? "" : "bad-text",
      !a.active ? _("deactivated") : !a.login_active ? _("login deactivated") : _("active")));
    const actions = el("td", "row-actions");
    if (a.state !== "offline") actions.appendChild(button(_("Log off"), "", () => force(a, "offline")));
    if (a.state === "break") actions.appendChild(button(_("End break"), "", () => force(a, "available")));
    if (ADMIN) {
      actions.appendChild(button(_("Edit"), "quiet", () => editAgent(a.username)));
      actions.appendChild(a.active ? button(_("Deactivate"), "quiet", () => agentActive(a, false))
        : button(_("Activate"), "quiet", () => agentActive(a, true)));
    }
    tr.appendChild(actions);
    return tr;
  }
  async function force(a, state) {
    if (state === "offline" && (a.state === "ringing" || a.state === "on_call")) {
      const what = a.state === "ringing" ? _("A call is ringing for them (the caller keeps their place).")
        : _("They are on a call: the call goes on, but no wrap-up is asked.");
      if (!window.confirm(_("Log {name} off?", { name: a.name }) + " " + what)) return;
    }
    try {
      const data = await api("POST", `/api/people/agents/${encodeURIComponent(a.username)}/force`, { state }, "force");
      const off = !data.agent || data.agent.state === "offline";
      say($("agents-note"), told(data, off ? _("{name} is logged off.", { name: a.name })
        : _("{name}'s break is over: available for calls.", { name: a.name })), true);
    } catch (e) { say($("agents-note"), e.message, false); }
    loadAgents();
  }
  async function agentActive(a, active) {
    if (!active && !window.confirm(_("Deactivate {name}? They get no more calls and leave the rota (their shifts stay on record).", { name: a.name }))) return;
    try {
      const data = await api("POST", `/api/people/agents/${encodeURIComponent(a.username)}/${active ? "activate" : "deactivate"}`, null, "active");
      say($("agents-note"), told(data, active ? _("{name} is active again: back in dispatch and on the rota.", { name: a.name })
        : _("{name} is deactivated: no calls, off the rota.", { name: a.name })), true);
    } catch (e) { say($("agents-note"), e.message, false); }
    loadAgents();
  }

  // -- users (admins) ---------------------------------------------------------------------------
  async function loadUsers() {
    let data;
    try { data = await api("GET", "/api/people/users"); } catch (e) { say($("users-note"), e.message, false); return; }
    users = data.users;
    const body = $("users").querySelector("tbody"); body.innerHTML = "";
    users.forEach((u) => {
      const tr = el("tr"); tr.dataset.username = u.username; if (!u.active) tr.className = "inactive";
      tr.appendChild(el("td", "", u.username));
      tr.appendChild(el("td", "", label("role", u.role)));
      tr.appendChild(el("td", u.active ? "" : "bad-text", u.active ? _("active") : _("deactivated")));
      const profile = u.role !== "agent" ? "–" : u.has_agent_profile ? _("yes") : _("none yet");
      tr.appendChild(el("td", u.role === "agent" && !u.has_agent_profile ? "warn-text" : "", profile));
      const actions = el("td", "row-actions");
      if (u.role === "agent" && !u.has_agent_profile) actions.appendChild(button(_("Create agent profile"), "", () => editAgent(u.username)));
      actions.appendChild(button(_("Reset password"), "quiet", () => { const f = $("password-form"); f.username.value = u.username; f.password.focus(); }));
      actions.appendChild(u.active ? button(_("Deactivate"), "quiet", () => userActive(u, false)) : button(_("Activate"), "quiet", () => userActive(u, true)));
      tr.appendChild(actions);
      body.appendChild(tr);
    });
    const pw = $("password-form").username, kept = pw.value; pw.innerHTML = "";
    const choose = el("option", "", "— " + _("choose a user") + " —"); choose.value = ""; pw.appendChild(choose);
    users.forEach((u) => { const o = el("option", "", `${u.username} (${label("role", u.role)})`); o.value = u.username; pw.appendChild(o); });
    if (kept) pw.value = kept;
    fillAgentUsers();
  }
  async function userActive(u, active) {
    if (!active && !window.confirm(_("Deactivate {name}? They can no longer log in; an open session ends at its next click.", { name: u.username }))) return;
    try {
      const data = await api("POST", `/api/people/users/${encodeURIComponent(u.username)}/${active ? "activate" : "deactivate"}`, null, "active");
      say($("users-note"), told(data, active ? _("{name} is active again.", { name: u.username })
        : _("{name} is deactivated: they can no longer log in.", { name: u.username })), true);
    } catch (e) { say($("users-note"), e.message, false); }
    loadUsers(); loadAgents(); loadSessions();
  }

  // -- open page logins (admins) ---------------------------------------------------------------
  async function loadSessions() {
    let data;
    try { data = await api("GET", "/api/people/sessions"); } catch (e) { say($("sessions-note"), e.message, false); return; }
    const body = $("sessions").querySelector("tbody"); body.innerHTML = "";
    data.sessions.forEach((s) => {
      const tr = el("tr"); tr.dataset.username = s.username;
      tr.append(el("td", "", s.username + (s.current ? " " + _("(you, here)") : "")), el("td", "nowrap", fmt.datetime(s.created_at)),
        el("td", "nowrap", fmt.datetime(s.last_seen_at)), el("td", "", s.address), el("td", "small muted browser", s.user_agent));
      const actions = el("td", "row-actions");
      if (!s.current) actions.appendChild(button(_("End"), "quiet", () => endSession(s)));
      tr.appendChild(actions); body.appendChild(tr);
    });
  }
  async function endSession(s) {
    if (!window.confirm(_("End this login of {name}? That browser is logged out at its next click.", { name: s.username }))) return;
    try {
      const data = await api("POST", `/api/people/sessions/${s.id}/end`, null, "session");
      say($("sessions-note"), told(data, _("The session is ended.")), true);
    } catch (e) { say($("sessions-note"), e.message, false); }
    loadSessions();
  }

  // -- the agent profile form -------------------------------------------------------------------
  let filled = "";
  function fillAgentUsers() {
    const select = $("agent-form").username, kept = select.value;
    const logins = users.filter((u) => u.role === "agent");
    const signature = JSON.stringify([logins.map((u) => u.username), agents.map((a) => a.username)]);
    if (signature === filled) return;  // the poll must not close an open list or reset a choice
    filled = signature;
    select.innerHTML = "";
    const none = el("option", "", "— " + (logins.length ? _("choose a login") : _("first create a user with role agent")) + " —"); none.value = "";
    select.appendChild(none);
    logins.forEach((u) => { const has = agents.some((a) => a.username === u.username);
      const o = el("option", "", u.username + " — " + (has ? _("edit profile") : _("no profile yet")));
      o.value = u.username; select.appendChild(o); });
    select.value = logins.some((u) => u.username === kept) ? kept : "";
    showAgentForm();
  }
  function showAgentForm() {
    const f = $("agent-form"), a = agents.find((x) => x.username === f.username.value);
    $("agent-form-title").textContent = a ? _("Agent profile of {name}", { name: a.username }) : _("New agent profile");
    $("agent-submit").textContent = a ? _("Save changes") : _("Create agent profile");
    f.identity.disabled = !!a;
    f.identity.placeholder = a ? a.identity : f.username.value;
  }
  function editAgent(username) {
    const f = $("agent-form"); f.username.value = username;
    const a = agents.find((x) => x.username === username);
    f.name.value = a ? a.name : "";
    f.identity.value = "";
    f.querySelectorAll('input[name="skills"]').forEach((c) => { c.checked = a ? a.skills.includes(c.value) : ["branch_2", "accounts", "incidents", "single_window", "other", "vi"].includes(c.value); });
    say(f.querySelector(".message"), "", false);
    showAgentForm();
    f.scrollIntoView({ behavior: "smooth", block: "center" }); f.name.focus();
  }

  if (ADMIN) {
    $("user-form").onsubmit = async (ev) => {
      ev.preventDefault(); const f = ev.target, msg = f.querySelector(".message");
      try {
        const u = await api("POST", "/api/people/users", { username: f.username.value, role: f.role.value, password: f.password.value }, "user");
        f.reset();
        say(msg, u.role === "agent" ? _("{name} created. Now give them an agent profile →", { name: u.username })
          : _("{name} created ({role}).", { name: u.username, role: label("role", u.role) }), true);
        await loadUsers();
        if (u.role === "agent") editAgent(u.username);
      } catch (e) { say(msg, e.message, false); }
    };
    $("agent-form").username.onchange = () => editAgent($("agent-form").username.value);
    $("agent-form").onsubmit = async (ev) => {
      ev.preventDefault(); const f = ev.target, msg = f.querySelector(".message");
      if (!f.username.value) { say(msg, _("Choose a login with role agent (create the user first)."), false); return; }
      const skills = [...f.querySelectorAll('input[name="skills"]:checked')].map((c) => c.value);
      const existing = agents.some((a) => a.username === f.username.value);
      try {
        const a = existing
          ? await api("PATCH", `/api/people/agents/${encodeURIComponent(f.username.value)}`, { name: f.name.value, skills }, "agent")
          : await api("POST", "/api/people/agents", { username: f.username.value, name: f.name.value, skills, identity: f.identity.value || null }, "agent");
        say(msg, existing ? _("Saved: {name}, {skills}.", { name: a.name, skills: a.skills.map((s) => label("skill", s)).join("; ") })
          : _("Agent profile created: {name} can now log in at /agent/ and answer calls.", { name: a.name }), true);
        await loadAgents(); loadUsers();
      } catch (e) { say(msg, e.message, false); }
    };
    $("password-form").onsubmit = async (ev) => {
      ev.preventDefault(); const f = ev.target, msg = f.querySelector(".message");
      try {
        const r = await api("POST", `/api/people/users/${encodeURIComponent(f.username.value)}/password`, { password: f.password.value }, "password");
        f.password.value = "";
        say(msg, told(r, _("The password of {name} is changed; their open page sessions are ended.", { name: f.username.value })), true);
        loadSessions();
      } catch (e) { say(msg, e.message, false); }
    };
    loadUsers();
    loadSessions();
    setInterval(loadSessions, 30000);
  }
  loadAgents();
  setInterval(loadAgents, 3000);
})();
