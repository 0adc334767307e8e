// Forecast: the week's e-mails (issue 15), from /api/forecast?include=email — the e-mail load used (recorded
// mail, the documented assumption or the share typed here), e-mails expected, answered, within the target,
// the backlog at the week's end, and the handled rate over calls and e-mails (the department's basis) next
// to calls only and the department's ~70 %. forecast.js asks for it with the week (window.forecastMail).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const _ = window._, LOCALE = window.I18N_LOCALE || "vi-VN";
  const form = $("email-form"), input = form.elements.email_share;
  const MAX = 90;  // percent (the API takes 0–0.9)
  const num = (v, digits = 0) => (v == null ? "–" : Number(v).toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  const pct = (v) => (v == null ? "–" : `${num(v, 1)}\u00a0%`);  // no line break before the sign
  function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }

  // The share as typed ("30", "12,5", "12.5 %"): the query's part, or null with a message beside the field.
  function params() {
    const raw = input.value.trim().replace(/\s*%$/, "").replace(",", ".");
    $("email-share-error").textContent = "";
    if (!raw) return { include: "email" };
    const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= 0 && value <= MAX)) {
      $("email-share-error").textContent = _("Write a percentage from 0 to {max}, e.g. {example}.", { max: num(MAX), example: num(30) });
      input.focus();
      return null;
    }
    return { include: "email", email_share: String(value / 100) };
  }

  function sourceText(m) {
    const each = _("{minutes} min to answer each, first answer within {hours} h.", { minutes: num(m.handle_minutes, 1), hours: num(m.target_hours) });
    if (m.source === "history") {
      return _("E-mail load learned from the {count} e-mails recorded in the {weeks} weeks before ({share} of the week's contacts).",
        { count: num(m.history_emails), weeks: num(m.history_weeks), share: pct(m.email_share) }) + " " + each;
    }
    if (m.source === "parameter") {
      return _("Your figure: {share} of all contacts are e-mails, with the calls' hours and days.", { share: pct(m.email_share) }) + " " + each;
    }
    return _("Assumption: {share} of all contacts are e-mails, with the calls' hours and days (too few e-mails recorded to learn from; the department gives calls and e-mails only together).",
      { share: pct(m.email_share) }) + " " + each;
  }

  function render(data) {
    const m = data.email;
    if (!m) return;
    input.placeholder = num(m.source === "parameter" ? m.default_email_share : m.email_share, m.source === "history" ? 1 : 0);
    $("email-source").textContent = sourceText(m);
    const cards = [
      [num(m.expected), _("e-mails expected this week"), ""],
      [_("{count} of {total}", { count: num(m.answered), total: num(m.received) }), _("e-mails answered (simulated)"), m.answered < m.received ? "bad" : "good"],
      [pct(m.answered_within_target), _("answered within {hours} h of arriving", { hours: num(m.target_hours) }), ""],
      [num(m.backlog_at_week_end), _("e-mails still waiting at the week's end"), m.backlog_at_week_end ? "bad" : "good"],
      [pct(m.handled_rate_calls_and_emails), _("handled: calls and e-mails together"), m.handled_rate_calls_and_emails < m.department_handled_rate ? "bad" : "good"],
      [pct(m.handled_rate_calls), _("handled: calls only"), "dim"],
    ];
    $("email-totals").replaceChildren(...cards.map(([value, label, cls]) => {
      const card = el("div"); card.append(el("span", `k ${cls}`, value), el("span", "l", label)); return card;
    }));
    const gap = m.handled_rate_calls_and_emails - m.department_handled_rate;
    $("email-reality").textContent = _("Reality check: this week handles {rate} of calls and e-mails together; the department says about {department} on the same basis (calls and e-mails).",
      { rate: pct(m.handled_rate_calls_and_emails), department: pct(m.department_handled_rate) }) + " "
      + (gap < 0 ? _("{points} points below the department's figure.", { points: num(-gap, 1) })
        : gap > 0 ? _("{points} points above the department's figure.", { points: num(gap, 1) }) : _("Level with the department's figure."));
  }

  form.onsubmit = (ev) => {
    ev.preventDefault();
    if (params()) $("params").requestSubmit();
  };
  window.forecastMail = { params, render };
})();
