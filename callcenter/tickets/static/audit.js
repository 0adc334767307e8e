// The audit log from /api/audit (investigators and admins), newest first.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  // A search's filters by name (never their values: the log keeps only which filters were used).
  const FILTERS = { from: _("date from"), to: _("date to"), caller: _("caller"), tax_code: _("tax code"), outcome: _("outcome"),
    status: _("status"), business_code: _("business code"), group: _("problem group"), branch: _("branch") };
  function detail(d) {
    if (!d) return "";
    const parts = [];
    if (d.branch) parts.push(label("branch", d.branch));
    if (d.agent) parts.push(_("agent {name}", { name: d.agent }));
    if (d.filters) parts.push(d.filters.length ? _("searched by {filters}", { filters: d.filters.map((f) => FILTERS[f] || f).join(", ") }) : _("opened the list"));
    else if (d.path) parts.push(d.path.startsWith("/api/tickets") ? _("opened the ticket") : _("opened the call"));
    return parts.join(" · ");
  }
  (async () => {
    const r = await fetch("/api/audit?limit=500");
    if (r.status === 401) { window.location = "/login?next=/supervisor/audit"; return; }
    const data = await r.json();
    if (!r.ok) { $("error").textContent = data.message; return; }
    const body = $("entries").querySelector("tbody");
    if (!data.entries.length) { $("error").className = "muted"; $("error").textContent = _("Nobody has viewed a confidential caller yet."); }
    data.entries.forEach((e) => {
      const tr = document.createElement("tr");
      [fmt.datetimeSeconds(e.at), e.user, label("role", e.role), label("audit_action", e.action), e.call_sid || "", detail(e.detail)].forEach((v, i) => {
        const td = document.createElement("td");
        if (i === 4 && v) {  // the call's ticket page
          const a = document.createElement("a"); a.href = `/supervisor/calls/${encodeURIComponent(v)}`; a.textContent = v; td.appendChild(a);
        } else td.textContent = v;
        tr.appendChild(td); });
      body.appendChild(tr);
    });
  })();
})();
