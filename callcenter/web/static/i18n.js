// The pages' words in the page's language: the server puts the translations of every `_("…")` of the
// rooms' scripts in <script type="application/json" id="i18n"> (from the gettext catalogs, see
// callcenter/web/i18n.py). `_("On duty until {time}.", { time })` fills {placeholders}.
// `label("ticket_outcome", "abandoned_queue")`: a code in words (callcenter/common/labels.py, id="i18n-labels").
// `fmt.datetime(iso)`, `fmt.date(…)`, `fmt.time(…)`, `fmt.day(…)`: Vietnam time, written with Babel's patterns
// and names for the page's language (callcenter/common/when.py, id="i18n-calendar"); `fmt.readDate(text)`,
// `fmt.readDateTime(text)` read what a person typed (dd/mm/yyyy [HH:mm]) into ISO; `fmt.dateInput(iso)`
// writes a day for a form.
(function () {
  "use strict";
  function data(id) {
    const block = document.getElementById(id);
    try { return block ? JSON.parse(block.textContent) : {}; } catch (e) { return {}; }
  }
  const words = data("i18n"), labels = data("i18n-labels"), cal = data("i18n-calendar");
  window._ = function (msgid, values) {
    const text = words[msgid] || msgid;
    return values ? text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all)) : text;
  };
  window.label = function (vocabulary, code) {
    if (code === null || code === undefined || code === "") return "";
    const found = (labels[vocabulary] || {})[String(code)];
    return found !== undefined ? found : String(code);
  };
  window.I18N_LANG = document.documentElement.lang || "vi";
  window.I18N_LOCALE = window.I18N_LANG === "en" ? "en-GB" : "vi-VN";  // numbers

  const OFFSET_MS = 7 * 3600000;  // Vietnam: UTC+7 all year
  const pad = (n, w) => String(n).padStart(w, "0");
  const patterns = cal.patterns || { datetime: "dd/MM/yyyy HH:mm", date: "dd/MM/yyyy", time: "HH:mm",
    datetime_seconds: "dd/MM/yyyy HH:mm:ss", time_seconds: "HH:mm:ss", day: "EEE dd/MM" };
  function wall(value) {  // a Date whose UTC fields read the Vietnam wall clock
    const d = value instanceof Date ? value : new Date(value);
    return isNaN(d.getTime()) ? null : new Date(d.getTime() + OFFSET_MS);
  }
  function write(value, pattern) {
    if (value === null || value === undefined || value === "") return "";
    // A bare day ("2026-12-03") is a calendar day, not midnight UTC.
    const v = typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value + "T00:00:00+07:00" : value;
    const w = wall(v);
    if (!w) return "";
    return pattern.replace(/yyyy|y|MMMM|MMM|MM|M|dd|d|EEEE|EEE|HH|H|mm|ss/g, (t) => {
      switch (t) {
        case "yyyy": case "y": return String(w.getUTCFullYear());
        case "MMMM": return (cal.months_wide || [])[w.getUTCMonth()] || pad(w.getUTCMonth() + 1, 2);
        case "MMM": return (cal.months_abbr || [])[w.getUTCMonth()] || pad(w.getUTCMonth() + 1, 2);
        case "MM": return pad(w.getUTCMonth() + 1, 2);
        case "M": return String(w.getUTCMonth() + 1);
        case "dd": return pad(w.getUTCDate(), 2);
        case "d": return String(w.getUTCDate());
        case "EEEE": return (cal.days_wide || [])[w.getUTCDay()] || "";
        case "EEE": return (cal.days_abbr || [])[w.getUTCDay()] || "";
        case "HH": return pad(w.getUTCHours(), 2);
        case "H": return String(w.getUTCHours());
        case "mm": return pad(w.getUTCMinutes(), 2);
        case "ss": return pad(w.getUTCSeconds(), 2);
        default: return t;
      }
    });
  }
  // dd/mm/yyyy [HH:mm] as typed (also d/m/yyyy, "-" or "." between), or an ISO day a date picker gave.
  const TYPED = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ ,T]+(\d{1,2})[:h.](\d{2}))?\s*$/;
  function read(text, withTime) {
    const iso = /^\s*(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?\s*$/.exec(text || "");
    const m = iso ? [null, iso[3], iso[2], iso[1], iso[4], iso[5]] : TYPED.exec(text || "");
    if (!m) return null;
    const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const [hour, minute] = [m[4] === undefined ? 0 : Number(m[4]), m[5] === undefined ? 0 : Number(m[5])];
    if (withTime && m[4] === undefined) return null;
    const check = new Date(Date.UTC(year, month - 1, day, hour, minute));
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day ||
        hour > 23 || minute > 59) return null;
    const ymd = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
    return withTime ? `${ymd}T${pad(hour, 2)}:${pad(minute, 2)}:00+07:00` : ymd;
  }
  window.fmt = {
    datetime: (v) => write(v, patterns.datetime),
    datetimeSeconds: (v) => write(v, patterns.datetime_seconds),
    date: (v) => write(v, patterns.date),
    day: (v) => write(v, patterns.day),
    time: (v) => write(v, patterns.time),
    timeSeconds: (v) => write(v, patterns.time_seconds),
    pattern: (v, pattern) => write(v, pattern),
    readDate: (text) => read(text, false),
    readDateTime: (text) => read(text, true),
    dateInput: (v) => write(v, "dd/MM/yyyy"),
    dateTimeInput: (v) => write(v, "dd/MM/yyyy HH:mm"),
    today: () => write(new Date(), "yyyy-MM-dd"),  // the Vietnam calendar day, ISO
    // A form's date field (<input data-when="date|datetime">): its value as ISO, "" when empty, null (and the
    // field marked with a message the browser shows) when a person typed something that is not a date.
    readField(input) {
      const text = (input.value || "").trim();
      input.setCustomValidity("");
      if (!text) return "";
      const value = input.dataset.when === "datetime" ? read(text, true) : read(text, false);
      if (value === null) {
        input.setCustomValidity(input.dataset.when === "datetime"
          ? _("Write the date and time as dd/mm/yyyy HH:mm, e.g. 03/12/2026 08:30.")
          : _("Write the date as dd/mm/yyyy, e.g. 03/12/2026."));
        input.reportValidity();
      }
      return value;
    },
  };
})();
