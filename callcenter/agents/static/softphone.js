// The agent's softphone: state controls, calls waiting, screen pop, answer / hang up / mute, wrap-up.
// Two devices behind one small interface: Twilio's Voice SDK, or the local sandbox (simulated audio).
(function () {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk) return;
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const MODE = desk.dataset.mode;
  // Every word on this page goes through _() (callcenter/web/static/i18n.js): the gettext catalogs.
  const _ = window._ || ((text) => text);
  const STATE_LABELS = { offline: _("Offline"), available: _("Available"), ringing: _("Ringing"), on_call: _("On a call"),
    wrap_up: _("Wrap-up"), break: _("On a break") };
  const BREAK_REASONS = { lunch: _("Lunch"), rest: _("Rest"), meeting: _("Meeting"), training: _("Training"),
    technical: _("Technical problem"), missed: _("missed a call"), other: _("Other") };
  const BRANCHES = { 1: _("1 — reports & denunciations (confidential)"), 2: _("2 — e-customs support") };
  const LINE_MOMENTS = { ring: _("The phone rings"), connect: _("Connected"), play: _("Hold music"), beep: _("Beep"),
    end: _("The call is over") };
  const group = (code) => label("problem_group", code);
  const outcome = (code) => label("ticket_outcome", code);
  const NOT_CONNECTED = _("Your softphone is not connected: you are not offered calls until it is. Keep this page open.");
  let last = null;        // the last /api/state answer
  let wrapLoadedFor = null;

  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body) };
    const response = await fetch(path, options);
    if (response.status === 401) { window.location = "/login?next=/agent/"; throw new Error("logged out"); }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { const e = new Error(data.message || ("HTTP " + response.status)); e.data = data; throw e; }
    return data;
  }
  function say(text, good) { const m = $("message"); m.textContent = text || ""; m.className = "message" + (good ? " good" : ""); }
  function mmss(seconds) {
    seconds = Math.max(0, Math.round(seconds || 0));
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + String(s).padStart(2, "0");
  }
  // Shift times are Vietnam time whatever the computer's zone is.
  function clock(iso) {
    return iso ? fmt.time(iso) : "";
  }

  // -- ring tone (WebAudio: a real sound, generated, no file) -----------------------------
  let ringer = null;
  function ring(on) {
    if (!on) { if (ringer) { clearInterval(ringer.timer); ringer.ctx.close(); ringer = null; } return; }
    if (ringer || !window.AudioContext) return;
    const ctx = new AudioContext();
    const beep = () => {
      const osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 440; gain.gain.value = 0.08;
      osc.connect(gain).connect(ctx.destination); osc.start(); osc.stop(ctx.currentTime + 0.8);
    };
    beep(); ringer = { ctx, timer: setInterval(beep, 2000) };
  }

  // -- devices -------------------------------------------------------------------------------
  // Each device calls onIncoming(call) / onEnded() and gives calls accept(), reject(), hangup(), mute(on).
  // Each device also says whether it can ring now (ready()): the presence report carries it.
  function SandboxDevice(handlers) {
    let current = null, muted = false;
    handlers.ready = () => true;  // the sandbox rings this page as long as it runs
    $("device").textContent = _("Softphone: local sandbox (no Twilio). Audio is simulated; what each side hears is written out.");
    async function poll() {
      try {
        const data = await api("/agent/api/sandbox/calls");
        const leg = data.calls.find((c) => c.status === "ringing" || c.status === "in-progress") || null;
        if (leg && (!current || current.sid !== leg.call_sid)) {
          current = { sid: leg.call_sid, leg };
          current.accept = () => api(`/agent/api/sandbox/calls/${leg.call_sid}/answer`, {});
          current.reject = () => api(`/agent/api/sandbox/calls/${leg.call_sid}/reject`, {});
          current.hangup = () => api(`/agent/api/sandbox/calls/${leg.call_sid}/hangup`, {});
          current.mute = (on) => { muted = on; };
          current.isMuted = () => muted;
          handlers.onIncoming(current);
        }
        if (current && leg && current.sid === leg.call_sid) { current.leg = leg; handlers.onUpdate(current); }
        if (current && !leg) { current = null; muted = false; handlers.onEnded(); }
      } catch (e) { /* the state poll reports problems */ }
    }
    setInterval(poll, 1000); poll();
  }

  function TwilioDevice(handlers) {
    if (!window.Twilio || !window.Twilio.Device) {
      $("device").textContent = _("The Twilio Voice SDK is not installed on the server (run make install).");
      return;
    }
    let device = null;
    handlers.ready = () => !!device && device.state === "registered";
    async function token() { return (await api("/agent/api/token", {})).token; }
    (async () => {
      try {
        device = new Twilio.Device(await token(), { closeProtection: true, codecPreferences: ["opus", "pcmu"] });
        device.on("registered", () => { $("device").textContent = _("Softphone: connected to Twilio."); reportPresence(); });
        device.on("unregistered", () => { $("device").textContent = _("Softphone: not connected to Twilio."); reportPresence(); });
        device.on("error", (e) => { $("device").textContent = _("Softphone error: {error}", { error: e.message || e }); reportPresence(); });
        device.on("tokenWillExpire", async () => device.updateToken(await token()));
        device.on("incoming", (call) => {
          const wrapped = { sid: call.parameters.CallSid, twilio: call,
            accept: async () => call.accept(), reject: async () => call.reject(),
            hangup: async () => call.disconnect(), mute: (on) => call.mute(on), isMuted: () => call.isMuted() };
          ["disconnect", "cancel", "reject"].forEach((ev) => call.on(ev, () => handlers.onEnded()));
          call.on("accept", () => handlers.onUpdate(wrapped));
          handlers.onIncoming(wrapped);
        });
        await device.register();
      } catch (e) { $("device").textContent = _("Softphone could not start: {error}", { error: e.message }); }
    })();
  }

  let call = null;
  const handlers = {
    ready: () => false,
    onIncoming(c) { call = c; renderCallButtons(); },
    onUpdate(c) { call = c; renderCallButtons(); },
    onEnded() { call = null; ring(false); renderCallButtons(); refresh(); },
  };

  // -- presence: calls are offered only while this page reports, with its device ready ----------
  // The reports go from a worker (presence-worker.js: its timers are not throttled in a background tab);
  // without workers the page reports itself.
  let presenceWorker = null;
  try { presenceWorker = new Worker(desk.dataset.presenceWorker); } catch (e) { presenceWorker = null; }
  async function reportPresence() {
    if (presenceWorker) { presenceWorker.postMessage({ csrf, ready: handlers.ready() }); return; }
    try { await api("/agent/api/presence", { ready: handlers.ready() }); } catch (e) { /* the state poll reports problems */ }
  }
  // A closing tab says so at once. A beacon cannot set headers: the CSRF token goes in its form body.
  window.addEventListener("pagehide", () => {
    navigator.sendBeacon("/agent/api/presence", new URLSearchParams({ csrf_token: csrf, gone: "1" }));
  });
  if (MODE === "sandbox") SandboxDevice(handlers); else TwilioDevice(handlers);
  setInterval(reportPresence, 3000); reportPresence();

  function callStatus() {
    if (!call) return null;
    if (call.leg) return call.leg.status;
    return call.twilio && call.twilio.status() === "open" ? "in-progress" : "ringing";
  }
  // A call that starts ringing brings Answer into view once (after a wrap-up on a phone the page is scrolled
  // down): when both the device rings and the pop-up shows, whichever comes second.
  let shownFor = null;
  function showAnswer() {
    const button = $("answer");
    if (callStatus() !== "ringing") { shownFor = null; return; }
    if (shownFor === call || button.offsetParent === null) return;
    shownFor = call;
    // After this render's other changes (the wrap-up form above it closes), so the layout is final.
    requestAnimationFrame(() => { if (callStatus() === "ringing") button.scrollIntoView({ block: "center" }); });
  }
  function renderCallButtons() {
    const status = callStatus();
    $("answer").hidden = $("decline").hidden = status !== "ringing";
    $("hangup").hidden = $("mute").hidden = status !== "in-progress";
    $("mute").textContent = call && call.isMuted() ? _("Unmute") : _("Mute");
    $("mute").classList.toggle("on", !!(call && call.isMuted()));
    ring(status === "ringing");
    showAnswer();
    const leg = call && call.leg;
    $("line").hidden = !leg;
    if (leg) {
      $("line-log").innerHTML = "";
      // What the agent hears: the words said to her (the whisper: the app's own TwiML, in the caller's
      // language), and the sandbox line's other moments in the page's words (its notes are for developers).
      (leg.heard || []).forEach((h) => {
        const text = h.kind === "say" ? h.text : LINE_MOMENTS[h.kind];
        if (!text) return;
        const li = document.createElement("li");
        li.textContent = text;
        if (h.kind === "say") li.className = "said";
        $("line-log").appendChild(li);
      });
      if (status === "in-progress" && leg.talking_to) {
        const li = document.createElement("li"); li.className = "muted";
        li.textContent = call.isMuted() ? _("(you are muted)") : _("(talking — simulated audio)");
        $("line-log").appendChild(li);
      }
    }
  }
  $("answer").onclick = async () => { if (call) { try { await call.accept(); ring(false); } catch (e) { say(e.message); } } };
  $("decline").onclick = async () => { if (call) { try { await call.reject(); } catch (e) { say(e.message); } } };
  $("hangup").onclick = async () => { if (call) { try { await call.hangup(); } catch (e) { say(e.message); } } };
  $("mute").onclick = () => { if (call) { call.mute(!call.isMuted()); renderCallButtons(); } };
  async function consultAction(action) {
    try { last = await api("/agent/api/consult", { action }); say(""); render(last); } catch (e) { say(e.message); }
  }
  function renderConsultTargets(colleagues) {
    const select = $("consult-target"), chosen = select.value;
    const options = [["", _("Central support (this field)"), false]].concat(colleagues.map((c) =>
      ["agent:" + c.username, `${c.name} — ${STATE_LABELS[c.state] || c.state}`, c.state !== "available"]));
    const key = JSON.stringify(options);
    if (select.dataset.key === key) return;  // unchanged: keep the agent's choice
    select.dataset.key = key; select.innerHTML = "";
    for (const [value, text, disabled] of options) {
      const o = document.createElement("option"); o.value = value; o.textContent = text; o.disabled = disabled;
      select.appendChild(o);
    }
    select.value = options.some(([v, , d]) => v === chosen && !d) ? chosen : "";
  }
  $("consult-target").onchange = () => {
    $("transfer-now").hidden = !$("consult-target").value.startsWith("agent:");
  };
  $("transfer-now").onclick = async () => {
    const target = $("consult-target").value;
    if (!target.startsWith("agent:")) return;
    try { last = await api("/agent/api/transfer", { to: "agent", agent: target.slice(6) });
      say(_("Transferred: the caller hears music until your colleague answers.")); render(last); }
    catch (e) { say(e.message); }
  };
  $("consult").onclick = async () => {
    const target = $("consult-target").value;
    const body = { action: "start" };
    if (target.startsWith("agent:")) body.colleague = target.slice(6);
    try { last = await api("/agent/api/consult", body); say(""); render(last); } catch (e) { say(e.message); }
  };
  $("consult-join").onclick = () => consultAction("join");
  $("consult-handover").onclick = () => consultAction("handover");
  $("consult-cancel").onclick = () => consultAction("cancel");
  $("to-queue").onclick = async () => {
    try { last = await api("/agent/api/transfer", { to: "queue" }); say(_("The caller is back in the queue, in their place.")); render(last); }
    catch (e) { say(e.message); }
  };
  $("hold").onclick = async () => {
    const held = !!(last && last.call && last.call.on_hold);
    try { last = await api("/agent/api/hold", { hold: !held }); say(""); render(last); } catch (e) { say(e.message); }
  };

  // -- state ----------------------------------------------------------------------------------
  async function setState(state, reason) {
    try { last = await api("/agent/api/state", { state, reason }); say(""); render(last); }
    catch (e) { say(e.message); }
  }
  $("go-available").onclick = () => setState("available");
  $("go-break").onclick = () => setState("break", $("break-reason").value);
  $("go-offline").onclick = () => setState("offline");

  function render(data) {
    window.showTelephony($("telephony-banner"), data.telephony, _("Calls may not ring for you until it answers " +
      "again; stay available, nothing is lost (callers keep their place)."));
    const a = data.agent;
    const box = $("state");
    box.className = "state state-" + a.state;
    $("state-label").textContent = (STATE_LABELS[a.state] || a.state) +
      (a.state === "break" && a.reason ? " (" + (BREAK_REASONS[a.reason] || a.reason) + ")" : "");
    $("state-timer").textContent = mmss(a.seconds_in_state);
    $("duty").textContent = a.on_duty ? _("On duty until {time}.", { time: clock(a.shift_ends_at) })
      : a.overtime_until ? _("Overtime allowed until {time}.", { time: clock(a.overtime_until) })
      : _("Not on the rota now: you will not be offered calls.");
    if (a.state === "offline" && a.reason === "shift_ended") {
      say(_("Your shift has ended: you are not offered new calls. A supervisor can allow overtime."));
    } else if (a.state === "offline" && a.reason === "forced_by_supervisor") {
      say(_("A supervisor logged your softphone off. Go available when you are back at your desk."));
    } else if (a.state === "offline" && a.reason === "deactivated") {
      say(_("Your agent profile is deactivated: you are not offered calls. An admin can reactivate it."));
    } else if (a.state === "offline" && a.reason === "softphone_lost") {
      say(_("Your softphone was closed or lost its connection, so you were logged off. Go available when you are back."));
    } else if (a.state === "break" && a.reason === "missed") {
      say(_("You missed a call, so you were put on a break. Go available when you are ready."));
    } else if (a.state === "available" && a.softphone && a.softphone !== "connected") {
      say(NOT_CONNECTED);
    } else if ($("message").textContent === NOT_CONNECTED) {
      say("");
    }
    $("go-available").disabled = !(["offline", "break"].includes(a.state)) || !a.may_take_calls;
    $("go-break").disabled = !(["available", "wrap_up"].includes(a.state));
    $("go-offline").disabled = ["ringing", "on_call", "offline"].includes(a.state);
    for (const b of ["1", "2"]) {
      const q = data.queues[b] || { waiting: 0, longest_wait_seconds: 0, callbacks: 0 };
      const el = $("queue-" + b);
      el.querySelector(".n").textContent = q.waiting;
      el.classList.toggle("busy", q.waiting > 0);
      el.querySelector(".detail").textContent = (q.waiting ? _("longest {time}", { time: mmss(q.longest_wait_seconds) }) : _("nobody waiting"))
        + (q.callbacks ? " · " + (q.callbacks > 1 ? _("{n} callbacks due", { n: q.callbacks }) : _("1 callback due")) : "");
    }
    renderPopup(data);
    renderWrapUp(data);
    document.dispatchEvent(new CustomEvent("softphone:state", { detail: data }));  // answers_call.js
  }

  function renderPopup(data) {
    const c = data.call, a = data.agent;
    const show = c && ["ringing", "on_call"].includes(a.state);
    $("popup").hidden = !show; $("idle").hidden = !!c;
    showAnswer();
    if (!c) return;
    $("pop-kind").textContent = c.kind === "callback" ? _("Callback") : (a.state === "ringing" ? _("Incoming call") : _("On a call"));
    $("pop-caller").textContent = c.caller_hidden ? _("Caller's number hidden (branch 1 is confidential)") : (c.caller || _("Number withheld"));
    $("pop-branch").textContent = BRANCHES[c.branch] || _("unknown");
    $("pop-group").textContent = (c.problem_group && group(c.problem_group)) || (c.branch === 1 ? "—" : _("not chosen"));
    $("pop-waited").textContent = c.waited_seconds == null ? "—" : mmss(c.waited_seconds);
    $("pop-language").textContent = c.language === "en" ? _("English") : _("Vietnamese");
    $("pop-timer").textContent = mmss(a.seconds_in_state);
    const holdable = data.bridge === "conference" && a.state === "on_call";
    const consult = c.consult;
    const consulting = !!consult && ["ringing", "talking", "not_answered", "conference"].includes(consult.stage);
    $("hold").hidden = $("to-queue").hidden = !holdable || consulting;
    $("consult").hidden = $("consult-target").hidden = !holdable || consulting;
    if (holdable && !consulting) renderConsultTargets(data.colleagues || []);
    $("transfer-now").hidden = !holdable || consulting || !$("consult-target").value.startsWith("agent:");
    $("consult-box").hidden = !holdable || !consulting;
    if (consulting) {
      const who = consult.kind === "agent" ? consult.target
        : _("Central support ({group})", { group: group(consult.target) });
      $("consult-status").textContent = {
        ringing: _("Calling {who}… (the caller is on hold)", { who }),
        talking: _("{who} is on the line (the caller is on hold).", { who }),
        not_answered: _("{who} did not answer.", { who }),
        conference: _("All three of you are on the line."),
      }[consult.stage] || "";
      $("consult-join").hidden = consult.stage !== "talking";
      $("consult-handover").hidden = !["talking", "conference"].includes(consult.stage);
      $("consult-cancel").hidden = consult.stage === "conference";
    }
    $("hold").textContent = c.on_hold ? _("Resume") : _("Hold");
    $("hold").classList.toggle("on", !!c.on_hold);
    if (c.on_hold && a.state === "on_call") $("pop-kind").textContent = _("On a call · caller on hold (hearing music)");
    const cb = c.callback && c.kind === "callback";
    $("pop-callback-label").hidden = $("pop-callback").hidden = !cb;
    if (cb) $("pop-callback").textContent = _("attempt {n} of {max}",
      { n: Math.max(1, c.callback.attempt), max: c.callback.max_attempts }) +
      (c.callback.number ? " " + _("to {number}", { number: c.callback.number }) : "");
    const list = $("history"); list.innerHTML = "";
    if (!c.history.length) { const li = document.createElement("li"); li.className = "muted";
      li.textContent = c.caller_hidden ? _("Not shown for branch 1.") : _("None."); list.appendChild(li); }
    c.history.forEach((t) => {
      const li = document.createElement("li");
      li.textContent = fmt.date(t.started_at) + " · " +
        (t.outcome ? outcome(t.outcome) : _("open")) +
        (t.problem_group ? ` · ${group(t.problem_group)}` : "") +
        (t.business_code ? ` · ${t.business_code}` : "") + (t.question ? ` — ${t.question}` : "");
      list.appendChild(li);
    });
  }

  // -- wrap-up --------------------------------------------------------------------------------
  const form = $("wrapup");
  function renderWrapUp(data) {
    const a = data.agent, inWrap = a.state === "wrap_up" && data.call;
    form.hidden = !inWrap;
    if (!inWrap) { wrapLoadedFor = null; return; }
    const w = a.wrap_up || { seconds_left: data.wrap_up_seconds - a.seconds_in_state, may_extend: false, warning_seconds: 0 };
    $("wrap-timer").textContent = _("time left {time}", { time: mmss(w.seconds_left) });
    const warn = w.seconds_left <= w.warning_seconds;
    $("wrap-warning").hidden = !warn;
    $("wrap-warning").textContent = (w.may_extend ? _("You will be made available in {seconds} s — save the wrap-up or ask for more time.",
      { seconds: w.seconds_left }) : _("You will be made available in {seconds} s — save the wrap-up.", { seconds: w.seconds_left }));
    $("wrap-more").hidden = !w.may_extend;
    $("wrap-more").textContent = _("More time (+{seconds} s)", { seconds: w.extend_seconds });
    const c = data.call;
    const caller = c.caller_hidden ? _("a confidential caller") : (c.caller || _("a withheld number"));
    $("wrap-about").textContent = (c.kind === "callback" ? _("Callback to {who}", { who: caller }) : _("Call from {who}", { who: caller })) +
      " · " + _("branch {branch}", { branch: c.branch || "?" }) +
      (c.problem_group ? " · " + group(c.problem_group) : "");
    if (wrapLoadedFor === data.call.call_sid) return;
    wrapLoadedFor = data.call.call_sid;     // fill the form once per call: never overwrite typing
    const t = data.call.ticket || {};
    form.reset();
    for (const name of ["business_code", "tax_code", "customs_unit", "question", "answer"]) form.elements[name].value = t[name] || "";
    form.elements.problem_group.value = t.problem_group || data.call.problem_group || "";
    form.elements.problem_group.disabled = data.call.branch === 1;
    form.querySelectorAll(".field-error").forEach((e) => { e.textContent = ""; });
    $("wrap-note").textContent = "";
  }
  function formBody(final) {
    const body = { final };
    new FormData(form).forEach((v, k) => { body[k] = v; });
    return body;
  }
  function showErrors(fields) {
    form.querySelectorAll(".field-error").forEach((e) => { e.textContent = (fields || {})[e.dataset.for] || ""; });
  }
  $("save-draft").onclick = async () => {
    try { const r = await api("/agent/api/wrapup", formBody(false)); showErrors(r.fields);
      $("wrap-note").textContent = Object.keys(r.fields || {}).length ? _("Draft saved; some fields need fixing.") : _("Draft saved.");
    } catch (e) { showErrors(e.data && e.data.fields); $("wrap-note").textContent = e.message; }
  };
  $("wrap-more").onclick = async () => {
    try { last = await api("/agent/api/wrapup/extend", {}); render(last); $("wrap-note").textContent = _("You have more time."); }
    catch (e) { $("wrap-note").textContent = e.message; }
  };
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    try { const r = await api("/agent/api/wrapup", formBody(true));
      say(_("Ticket #{id} saved: {outcome}.", { id: r.ticket_id, outcome: outcome(r.outcome) }), true); wrapLoadedFor = null; refresh();
      document.dispatchEvent(new CustomEvent("softphone:wrapped", { detail: r }));
    } catch (e) { showErrors(e.data && e.data.fields); $("wrap-note").textContent = e.message; }
  };

  // Polls overlap (every second, and after each action); a reply that arrives after a newer one is stale and
  // dropped: rendered, it would flick the wrap-up form away and back, which empties what she has typed.
  let asked = 0, shown = 0;
  async function refresh() {
    const n = ++asked;
    try {
      const data = await api("/agent/api/state");
      if (n < shown) return;
      shown = n; last = data; render(last);
    } catch (e) { if (n >= shown) say(e.message); }
  }
  setInterval(refresh, 1000); refresh();
})();
