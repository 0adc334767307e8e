// Ticket search: POST /api/tickets/search with the filters in a JSON body (a caller's number never goes
// in a URL, where access logs would keep it) and the session's CSRF token; a hidden caller (branch 1,
// not an investigator) says so.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = $("search");
  const today = fmt.dateInput(fmt.today());
  form.elements.from.value = today; form.elements.to.value = today;
  async function search(ev) {
    if (ev) ev.preventDefault();
    const filters = {};
    new FormData(form).forEach((v, k) => { if (v) filters[k] = v; });
    for (const name of ["from", "to"]) {
      const day = fmt.readField(form.elements[name]);
      if (day === null) return;
      if (day) filters[name] = day;
    }
    const r = await fetch("/api/tickets/search", { method: "POST", body: JSON.stringify(filters),
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf } });
    if (r.status === 401) { window.location = "/login?next=/supervisor/tickets"; return; }
    const data = await r.json();
    $("error").textContent = r.ok ? "" : data.message;
    if (!r.ok) return;
    $("count").textContent = _("{total} ticket(s)", { total: data.total }) + (data.total > data.tickets.length
      ? _(", the newest {shown} shown", { shown: data.tickets.length }) : "");
    const body = $("results").querySelector("tbody"); body.innerHTML = "";
    data.tickets.forEach((t) => {
      const tr = document.createElement("tr");
      tr.onclick = () => { window.location = `/supervisor/tickets/${t.id}`; };
      tr.title = _("Open the ticket");
      const caller = t.details_hidden ? _("hidden (confidential)") : (t.caller || _("withheld"));
      [fmt.datetime(t.started_at), caller,
        t.branch ?? "–", t.problem_group ? label("problem_group", t.problem_group) : "–",
        t.outcome ? label("ticket_outcome", t.outcome) : "–", label("ticket_status", t.status), t.business_code || "", t.tax_code || "", t.question || ""]
        .forEach((v, i) => { const td = document.createElement("td"); td.textContent = v;
          if (i === 1 && t.details_hidden) td.className = "muted"; tr.appendChild(td); });
      body.appendChild(tr);
    });
  }
  form.onsubmit = search; search();
})();
