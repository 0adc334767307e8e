// People: every agent's state (polled), log off / end break (supervisors, admins); users, roles, agent
// profiles with skills, activation and password resets (admins). The JSON API under /api/people checks.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const ADMIN = document.querySelector("main.people").dataset.admin === "yes";
  const STATES = { offline: "Offline", available: "Available", ringing: "Ringing", on_call: "On a call",
    wrap_up: "Wrap-up", break: "Break" };
  let agents = [], users = [];

  async function api(method, path, body) {
    const r = await fetch(path, { method, headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined });
    const data = await r.json().catch(() => ({}));
    if (r.status === 401) { window.location = "/login?next=/supervisor/people"; throw new Error("Your session has ended."); }
    if (!r.ok) throw new Error(data.message || "HTTP " + r.status);
    return data;
  }
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function say(target, text, ok) { target.textContent = text; target.className = "message" + (ok ? " good" : ""); }
  function mmss(s) { s = Math.max(0, Math.round(s || 0)); const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s % 60).padStart(2, "0"); }
  function button(label, cls, onclick) { const b = el("button", "small-button " + (cls || ""), label); b.type = "button"; b.onclick = onclick; return b; }

  // "Branch 2 · accounts, incidents · VI, EN": branches, problem groups, languages.
  function skillText(skills) {
    const branches = skills.filter((s) => s.startsWith("branch_")).map((s) => "Branch " + s.slice(7));
    const languages = ["vi", "en"].filter((s) => skills.includes(s)).map((s) => s.toUpperCase());
    const groups = ["accounts", "incidents", "single_window", "other"].filter((s) => skills.includes(s)).map((s) => s.replace("_", " "));
    return [branches.join(", "), groups.join(", "), languages.join(", ")].filter(Boolean).join(" · ");
  }

  // -- agents -----------------------------------------------------------------------------------
  async function loadAgents() {
    let data;
    try { data = await api("GET", "/api/people/agents"); } catch (e) { $("updated").textContent = e.message; return; }
    agents = data.agents;
    $("updated").textContent = "updated " + new Date().toLocaleTimeString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" });
    const body = $("agents").querySelector("tbody"); body.innerHTML = "";
    if (!agents.length) {
      const td = el("td", "muted", ADMIN ? "No agent profiles yet: create a user with role agent, then their agent profile below."
        : "No agent profiles yet: an admin creates them on this page.");
      td.colSpan = 7; const tr = el("tr"); tr.appendChild(td); body.appendChild(tr);
    }
    agents.forEach((a) => body.appendChild(agentRow(a)));
    if (ADMIN) fillAgentUsers();
  }
  function agentRow(a) {
    const tr = el("tr"); tr.dataset.username = a.username;
    if (!a.active || !a.login_active) tr.className = "inactive";
    const who = el("td"); who.append(el("b", "", a.name), el("div", "muted small", a.username)); tr.appendChild(who);
    tr.appendChild(el("td", "small", skillText(a.skills)));
    const lost = a.softphone && a.softphone !== "connected" && a.state !== "offline" ? " — softphone not connected" : "";
    const state = (STATES[a.state] || a.state) + (a.reason && a.state !== "available" ? ` (${a.reason.replaceAll("_", " ")})` : "") + lost;
    tr.appendChild(el("td", "st st-" + a.state, state));
    tr.appendChild(el("td", "", mmss(a.seconds_in_state)));
    tr.appendChild(el("td", "", a.on_duty ? "on duty" : a.may_take_calls ? "overtime" : "off rota"));
    tr.appendChild(el("td", a.active && a.login_active ? "" : "bad-text",
      !a.active ? "deactivated" : !a.login_active ? "login deactivated" : "active"));
    const actions = el("td", "row-actions");
    if (a.state !== "offline") actions.appendChild(button("Log off", "", () => force(a, "offline")));
    if (a.state === "break") actions.appendChild(button("End break", "", () => force(a, "available")));
    if (ADMIN) {
      actions.appendChild(button("Edit", "quiet", () => editAgent(a.username)));
      actions.appendChild(a.active ? button("Deactivate", "quiet", () => agentActive(a, false))
        : button("Activate", "quiet", () => agentActive(a, true)));
    }
    tr.appendChild(actions);
    return tr;
  }
  async function force(a, state) {
    if (state === "offline" && (a.state === "ringing" || a.state === "on_call")) {
      const what = a.state === "ringing" ? "A call is ringing for them (the caller keeps their place)."
        : "They are on a call: the call goes on, but no wrap-up is asked.";
      if (!window.confirm(`Log ${a.name} off? ${what}`)) return;
    }
    try { say($("agents-note"), (await api("POST", `/api/people/agents/${encodeURIComponent(a.username)}/force`, { state })).message, true); }
    catch (e) { say($("agents-note"), e.message, false); }
    loadAgents();
  }
  async function agentActive(a, active) {
    if (!active && !window.confirm(`Deactivate ${a.name}? They get no more calls and leave the rota (their shifts stay on record).`)) return;
    try { say($("agents-note"), (await api("POST", `/api/people/agents/${encodeURIComponent(a.username)}/${active ? "activate" : "deactivate"}`)).message, true); }
    catch (e) { say($("agents-note"), e.message, false); }
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
      tr.appendChild(el("td", "", u.role));
      tr.appendChild(el("td", u.active ? "" : "bad-text", u.active ? "active" : "deactivated"));
      const profile = u.role !== "agent" ? "–" : u.has_agent_profile ? "yes" : "none yet";
      tr.appendChild(el("td", u.role === "agent" && !u.has_agent_profile ? "warn-text" : "", profile));
      const actions = el("td", "row-actions");
      if (u.role === "agent" && !u.has_agent_profile) actions.appendChild(button("Create agent profile", "", () => editAgent(u.username)));
      actions.appendChild(button("Reset password", "quiet", () => { const f = $("password-form"); f.username.value = u.username; f.password.focus(); }));
      actions.appendChild(u.active ? button("Deactivate", "quiet", () => userActive(u, false)) : button("Activate", "quiet", () => userActive(u, true)));
      tr.appendChild(actions);
      body.appendChild(tr);
    });
    const pw = $("password-form").username, kept = pw.value; pw.innerHTML = "";
    const choose = el("option", "", "— choose a user —"); choose.value = ""; pw.appendChild(choose);
    users.forEach((u) => { const o = el("option", "", `${u.username} (${u.role})`); o.value = u.username; pw.appendChild(o); });
    if (kept) pw.value = kept;
    fillAgentUsers();
  }
  async function userActive(u, active) {
    if (!active && !window.confirm(`Deactivate ${u.username}? They can no longer log in; an open session ends at its next click.`)) return;
    try { say($("users-note"), (await api("POST", `/api/people/users/${encodeURIComponent(u.username)}/${active ? "activate" : "deactivate"}`)).message, true); }
    catch (e) { say($("users-note"), e.message, false); }
    loadUsers(); loadAgents(); loadSessions();
  }

  // -- open page logins (admins) ---------------------------------------------------------------
  function when(iso) { return iso ? new Date(iso).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" }) : ""; }
  async function loadSessions() {
    let data;
    try { data = await api("GET", "/api/people/sessions"); } catch (e) { say($("sessions-note"), e.message, false); return; }
    const body = $("sessions").querySelector("tbody"); body.innerHTML = "";
    data.sessions.forEach((s) => {
      const tr = el("tr"); tr.dataset.username = s.username;
      tr.append(el("td", "", s.username + (s.current ? " (you, here)" : "")), el("td", "", when(s.created_at)),
        el("td", "", when(s.last_seen_at)), el("td", "", s.address), el("td", "small muted", s.user_agent));
      const actions = el("td", "row-actions");
      if (!s.current) actions.appendChild(button("End", "quiet", () => endSession(s)));
      tr.appendChild(actions); body.appendChild(tr);
    });
  }
  async function endSession(s) {
    if (!window.confirm(`End this login of ${s.username}? That browser is logged out at its next click.`)) return;
    try { say($("sessions-note"), (await api("POST", `/api/people/sessions/${s.id}/end`)).message, true); }
    catch (e) { say($("sessions-note"), e.message, false); }
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
    const none = el("option", "", logins.length ? "— choose a login —" : "— first create a user with role agent —"); none.value = "";
    select.appendChild(none);
    logins.forEach((u) => { const o = el("option", "", `${u.username} — ${agents.some((a) => a.username === u.username) ? "edit profile" : "no profile yet"}`);
      o.value = u.username; select.appendChild(o); });
    select.value = logins.some((u) => u.username === kept) ? kept : "";
    showAgentForm();
  }
  function showAgentForm() {
    const f = $("agent-form"), a = agents.find((x) => x.username === f.username.value);
    $("agent-form-title").textContent = a ? `Agent profile of ${a.username}` : "New agent profile";
    $("agent-submit").textContent = a ? "Save changes" : "Create agent profile";
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
        const u = await api("POST", "/api/people/users", { username: f.username.value, role: f.role.value, password: f.password.value });
        f.reset();
        say(msg, u.role === "agent" ? `${u.username} created. Now give them an agent profile →` : `${u.username} created (${u.role}).`, true);
        await loadUsers();
        if (u.role === "agent") editAgent(u.username);
      } catch (e) { say(msg, e.message, false); }
    };
    $("agent-form").username.onchange = () => editAgent($("agent-form").username.value);
    $("agent-form").onsubmit = async (ev) => {
      ev.preventDefault(); const f = ev.target, msg = f.querySelector(".message");
      if (!f.username.value) { say(msg, "Choose a login with role agent (create the user first).", false); return; }
      const skills = [...f.querySelectorAll('input[name="skills"]:checked')].map((c) => c.value);
      const existing = agents.some((a) => a.username === f.username.value);
      try {
        const a = existing
          ? await api("PATCH", `/api/people/agents/${encodeURIComponent(f.username.value)}`, { name: f.name.value, skills })
          : await api("POST", "/api/people/agents", { username: f.username.value, name: f.name.value, skills, identity: f.identity.value || null });
        say(msg, existing ? `Saved: ${a.name}, ${a.skills.join(", ")}.` : `Agent profile created: ${a.name} can now log in at /agent/ and answer calls.`, true);
        await loadAgents(); loadUsers();
      } catch (e) { say(msg, e.message, false); }
    };
    $("password-form").onsubmit = async (ev) => {
      ev.preventDefault(); const f = ev.target, msg = f.querySelector(".message");
      try {
        const r = await api("POST", `/api/people/users/${encodeURIComponent(f.username.value)}/password`, { password: f.password.value });
        f.password.value = ""; say(msg, r.message, true); loadSessions();
      } catch (e) { say(msg, e.message, false); }
    };
    loadUsers();
    loadSessions();
    setInterval(loadSessions, 30000);
  }
  loadAgents();
  setInterval(loadAgents, 3000);
})();
