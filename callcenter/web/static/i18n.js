// The pages' words in the page's language: the server puts the translations of every `_("…")` of the
// rooms' scripts in <script type="application/json" id="i18n"> (from the gettext catalogs, see
// callcenter/web/i18n.py). `_("On duty until {time}.", { time })` fills {placeholders}.
(function () {
  "use strict";
  const block = document.getElementById("i18n");
  let words = {};
  try { words = block ? JSON.parse(block.textContent) : {}; } catch (e) { words = {}; }
  window._ = function (msgid, values) {
    const text = words[msgid] || msgid;
    return values ? text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all)) : text;
  };
  window.I18N_LANG = document.documentElement.lang || "vi";
  // Dates and times: Vietnam time, written the way the page's language writes them.
  window.I18N_LOCALE = window.I18N_LANG === "en" ? "en-GB" : "vi-VN";
})();
