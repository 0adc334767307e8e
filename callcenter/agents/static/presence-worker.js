// The softphone's presence reports, from a dedicated worker: Chrome throttles the timers of a tab hidden
// for five minutes to one wake-up a minute (intensive throttling), not a worker's, so a softphone left in
// a background tab (while the agent works in VNACCS) keeps reporting and keeps being offered calls.
// The page tells the worker its CSRF token and whether its device is registered (softphone.js).
"use strict";
let csrf = null, ready = null;
async function report() {
  if (!csrf) return;
  try {
    const response = await fetch("/agent/api/presence", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify({ ready }) });
    if (response.ok) postMessage(await response.json());
  } catch (e) { /* the next report tries again */ }
}
onmessage = (ev) => {
  const changed = ev.data.ready !== ready;
  csrf = ev.data.csrf; ready = !!ev.data.ready;
  if (changed) report();  // a device that just registered (or dropped) says so at once
};
setInterval(report, 3000);
