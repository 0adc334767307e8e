// Ticket search: POST /api/tickets/search with the filters in a JSON body (a caller's number never goes
// in a URL, where access logs would keep it) and the session's CSRF token; a hidden caller (branch 1,
// not an investigator) says so. Pages of PAGE tickets, newest first (started, then ticket id: a stable
// order), by offset: Previous / Next ask the API for the page before or after with the same filters.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = $("search");
  const PAGE = 50;
  let offset = 0, filters = {};
  const today = fmt.dateInput(fmt.today());
  form.elements.from.value = today; form.elements.to.value = today;
  async function search(ev) {  // a new search: the form's filters, from the first page
    if (ev) ev.preventDefault();
    filters = {};
    new FormData(form).forEach((v, k) => { if (v) filters[k] = v; });
    for (const name of ["from", "to"]) {
      const day = fmt.readField(form.elements[name]);
      if (day === null) return;
      if (day) filters[name] = day;
    }
    await show(0);
  }
  async function show(from) {
    const r = await fetch("/api/tickets/search", { method: "POST",
      body: JSON.stringify({ ...filters, limit: PAGE, offset: from }),
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf } });
    if (r.status === 401) { window.location = "/login?next=/supervisor/tickets"; return; }
    const data = await r.json();
    $("error").textContent = r.ok ? "" : data.message;
    if (!r.ok) return;
    offset = data.offset;
    const several = data.total > data.limit || offset > 0;
    $("count").textContent = !several ? _("{total} ticket(s)", { total: data.total })
      : data.tickets.length ? _("Showing {first}–{last} of {total} tickets", { first: offset + 1,
        last: offset + data.tickets.length, total: data.total })
        : _("No tickets on this page ({total} in all).", { total: data.total });
    $("pager").hidden = !several;
    $("prev").disabled = offset === 0;
    $("next").disabled = offset + data.tickets.length >= data.total;
    const body = $("results").querySelector("tbody"); body.innerHTML = "";
    data.tickets.forEach((t) => {
      const tr = document.createElement("tr");
      tr.onclick = () => { window.location = `/supervisor/tickets/${t.id}`; };
      tr.title = _("Open the ticket");
      const caller = t.details_hidden ? _("hidden (confidential)") : (t.caller || _("withheld"));
      [fmt.datetime(t.started_at), label("channel", t.channel || "call"), caller,
        t.branch ?? "–", t.problem_group ? label("problem_group", t.problem_group) : "–",
        t.outcome ? label("ticket_outcome", t.outcome) : "–", label("ticket_status", t.status), t.business_code || "", t.tax_code || "", t.question || ""]
        .forEach((v, i) => { const td = document.createElement("td"); td.textContent = v;
          if (i === 2 && t.details_hidden) td.className = "muted"; tr.appendChild(td); });
      body.appendChild(tr);
    });
  }
  $("prev").onclick = () => show(Math.max(0, offset - PAGE));
  $("next").onclick = () => show(offset + PAGE);
  form.onsubmit = search; search();
})();
