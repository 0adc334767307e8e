// The banner the wallboard and the softphone show while Twilio's REST API is failing (telephony degraded).
// `telephony` is what /api/wallboard and /agent/api/state send: {state: "ok"} or {state: "degraded", since, error}.
window.showTelephony = function (banner, telephony, consequence) {
  const degraded = telephony && telephony.state === "degraded";
  banner.hidden = !degraded;
  if (!degraded) { banner.textContent = ""; return; }
  const _ = window._ || ((text) => text);
  const since = telephony.since ? new Date(telephony.since).toLocaleString(window.I18N_LOCALE || "vi-VN", { timeZone: "Asia/Ho_Chi_Minh",
    hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit" }) : _("now");
  banner.textContent = _("Telephony degraded since {since}: Twilio is not answering requests.", { since }) + " " + consequence;
};
