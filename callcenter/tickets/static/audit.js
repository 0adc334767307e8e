// The audit log from /api/audit (investigators and admins), newest first.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const when = (iso) => new Date(iso).toLocaleString(window.I18N_LOCALE, { timeZone: "Asia/Ho_Chi_Minh" });
  const ROLES = { agent: _("agent"), supervisor: _("supervisor"), investigator: _("investigator"), admin: _("admin") };
  (async () => {
    const r = await fetch("/api/audit?limit=500");
    if (r.status === 401) { window.location = "/login?next=/supervisor/audit"; return; }
    const data = await r.json();
    if (!r.ok) { $("error").textContent = data.message; return; }
    const body = $("entries").querySelector("tbody");
    if (!data.entries.length) { $("error").className = "muted"; $("error").textContent = _("Nobody has viewed a confidential caller yet."); }
    data.entries.forEach((e) => {
      const tr = document.createElement("tr");
      [when(e.at), e.user, ROLES[e.role] || e.role, e.action, e.call_sid || "", e.detail ? JSON.stringify(e.detail) : ""].forEach((v) => {
        const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
      body.appendChild(tr);
    });
  })();
})();
