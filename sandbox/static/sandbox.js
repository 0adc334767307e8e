// Browser phone for the local telephony sandbox. The server runs the call; this page polls it.
// Two things are followed: the call this phone makes (to the hotline), and calls ringing at this
// phone's number (e.g. the hotline calling back), which can be answered, declined and hung up.
(function () {
  const $ = (id) => document.getElementById(id);
  const api = "/sandbox/api/calls";
  const labels = JSON.parse($("queue-labels").textContent);
  let sid = null, timer = null, shown = 0, ended = false, latest = 0;
  let legSid = null, legShown = 0, legEnded = true, legLive = false, legBusy = false;

  function showError(message) {
    const status = $("status");
    status.className = "status error";
    status.textContent = message;
  }

  // Every request gets a number; an answer to an older request than the last one rendered is dropped,
  // so a slow poll can never undo a key press or a hang-up.
  async function request(url, body) {
    const ticket = ++latest;
    const options = body === undefined ? {} : {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    };
    let res;
    try {
      res = await fetch(url, options);
    } catch (err) {
      showError("The hotline app is not answering. Is `make demo` still running?");
      return null;
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      showError(data.message || `The app answered HTTP ${res.status}.`);
      if (res.status === 404) stop();
      return null;
    }
    return { ticket, data };
  }

  function stop() { if (timer) { clearInterval(timer); timer = null; } }

  function say(line) {
    if (!$("speak").checked || !window.speechSynthesis || line.kind !== "say") return;
    const u = new SpeechSynthesisUtterance(line.text);
    u.lang = line.language || "vi-VN";
    window.speechSynthesis.speak(u);
  }

  function addLine(list, line) {
    const li = document.createElement("li");
    li.className = "line-" + line.kind;
    const t = document.createElement("span"); t.className = "t"; t.textContent = Math.floor(line.at) + " s";
    const k = document.createElement("span"); k.className = "k"; k.textContent = line.kind;
    const x = document.createElement("span"); x.className = "x";
    x.textContent = line.kind === "play" ? "♪ " + (line.url || "audio") : line.text;
    if (line.language) { const l = document.createElement("span"); l.className = "lang"; l.textContent = line.language; x.appendChild(l); }
    li.append(t, k, x);
    list.appendChild(li);
    say(line);
  }

  function recordingText(state) {
    const keys = state.recording.finish_on_key;
    const how = keys.includes("#") ? "press # to finish" : keys ? `press ${keys[0]} to finish` : "hang up to finish";
    return `Recording your message… ${how} (${state.recording.seconds} s)`;
  }

  // Who the caller talks to: the test agent (from a queue), an agent's softphone, or a dialled number.
  function talkingTo(state) {
    const party = state.talking_to && state.talking_to.party;
    if (!party) return "an agent";
    return party.startsWith("client:") ? `an agent (${party.slice(7)})` : party;
  }

  // The keypad serves the call this phone made, or else the answered incoming call.
  function updatePad(listening) {
    const live = (sid && !ended) || legLive;
    document.querySelectorAll(".pad button").forEach((b) => {
      b.disabled = !live; b.classList.toggle("listening", Boolean(live && listening));
    });
  }

  function render(result) {
    if (!result || result.ticket < renderedTicket) return;
    const state = result.data;
    if (state.call_sid !== sid || (ended && !state.ended)) return;
    renderedTicket = result.ticket;
    if (shown === 0 && state.heard.length) $("heard").innerHTML = "";
    state.heard.slice(shown).forEach((line) => addLine($("heard"), line));
    shown = Math.max(shown, state.heard.length);
    $("heard").scrollTop = $("heard").scrollHeight;
    const status = $("status");
    status.className = "status";
    ended = state.ended;
    if (ended) {
      status.textContent = `Call ended after ${state.elapsed} s`; status.classList.add("ended");
      stop();
    } else if (state.recording) {
      status.textContent = recordingText(state);
      status.classList.add("recording");
    } else if (state.with_agent) {
      status.textContent = `Talking with ${talkingTo(state)} (${state.elapsed} s)`;
      status.classList.add("agent-on");
    } else if (state.dialling) {
      status.textContent = `Ringing ${state.dialling.to}… (${state.elapsed} s)`;
      status.classList.add("ringing");
    } else if (state.queue) {
      const name = labels[state.queue.name] || state.queue.name;
      status.textContent = `Waiting for an agent — ${name}: position ${state.queue.position}, waited ${state.queue.waited} s`;
      status.classList.add("queue");
    } else if (state.listening_for_keys) {
      status.textContent = `The menu is listening: press a key (${state.elapsed} s)`;
      status.classList.add("listening");
    } else {
      status.textContent = `The hotline is speaking; keys are ignored now (${state.elapsed} s)`;
    }
    updatePad(state.listening_for_keys || Boolean(state.recording));
    $("hangup").disabled = ended;
    $("agent-hangup").disabled = ended || !state.with_agent || Boolean(state.talking_to); // <Dial>led: they hang up
    $("dial").disabled = !ended;
    $("record").hidden = false;
    $("sid").textContent = state.call_sid;
    $("ticket-link").href = "/supervisor/calls/" + encodeURIComponent(state.call_sid);  // → its ticket page
  }
  let renderedTicket = 0;

  async function poll() { if (sid && !ended) render(await request(`${api}/${sid}`)); }

  // -- calls to this phone ---------------------------------------------------------------------
  function renderLeg(state) {
    if (!state || state.call_sid !== legSid) return;
    const list = $("leg-heard");
    state.heard.slice(legShown).forEach((line) => addLine(list, line));
    legShown = Math.max(legShown, state.heard.length);
    list.scrollTop = list.scrollHeight;
    legEnded = state.ended;
    legLive = !state.ended && state.status === "in-progress";
    const status = $("leg-status");
    status.className = "status";
    if (state.ended) {
      status.textContent = `Call ended (${state.status}) after ${state.elapsed} s`; status.classList.add("ended");
    } else if (state.recording) {
      status.textContent = recordingText(state); status.classList.add("recording");
    } else if (state.talking_to) {
      status.textContent = `Talking with ${state.talking_to.party} (${state.elapsed} s)`;
      status.classList.add("agent-on");
    } else if (state.dialling) {
      status.textContent = `Ringing ${state.dialling.to}… (${state.elapsed} s)`; status.classList.add("ringing");
    } else if (state.listening_for_keys) {
      status.textContent = `Press a key (${state.elapsed} s)`; status.classList.add("listening");
    } else if (state.status === "ringing") {
      status.textContent = "Ringing…"; status.classList.add("ringing");
    } else {
      status.textContent = `The hotline is speaking (${state.elapsed} s)`;
    }
    $("leg").hidden = false;
    $("leg-hangup").disabled = state.ended;
    if (!sid || ended) updatePad(state.listening_for_keys || Boolean(state.recording));
  }

  function showIncoming(call) {
    $("incoming").hidden = !call;
    if (!call) return;
    $("incoming").dataset.sid = call.call_sid;
    $("incoming-from").textContent = call.from;
    $("incoming-to").textContent = `to ${call.to} · ringing ${call.elapsed} s`;
  }

  async function pollPhone() {
    const number = $("from").value.trim();
    if (!number || legBusy) return;
    let res;
    try {
      res = await fetch(`/sandbox/api/phones/${encodeURIComponent(number)}/calls`);
    } catch (err) {
      return; // the caller's own poll reports an app that is down
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      $("phone-note").textContent = `${data.message || `HTTP ${res.status}`} Calls to this phone are not shown.`;
      showIncoming(null);
      return;
    }
    $("phone-note").textContent = "";
    const calls = data.calls || [];
    const followed = calls.find((c) => c.call_sid === legSid && c.status !== "ringing");
    if (followed) renderLeg(followed);
    else if (legSid && !legEnded) await refreshLeg(); // it ended since the last poll: show how
    showIncoming(calls.find((c) => c.status === "ringing" && c.call_sid !== legSid) || null);
  }

  async function refreshLeg() {
    const res = await fetch(`${api}/${legSid}`).catch(() => null);
    if (res && res.ok) renderLeg(await res.json());
  }

  async function legAction(callSid, what) {
    legBusy = true;
    try {
      const res = await fetch(`${api}/${callSid}/${what}`, { method: "POST" });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) { $("phone-note").textContent = data.message || `HTTP ${res.status}`; return null; }
      return data;
    } finally {
      legBusy = false;
    }
  }

  $("answer").addEventListener("click", async () => {
    const callSid = $("incoming").dataset.sid;
    showIncoming(null);
    const state = await legAction(callSid, "answer");
    if (!state) return;
    legSid = callSid; legShown = 0; $("leg-heard").innerHTML = "";
    renderLeg(state);
  });
  $("decline").addEventListener("click", async () => {
    const callSid = $("incoming").dataset.sid;
    showIncoming(null);
    await legAction(callSid, "reject");
  });
  $("leg-hangup").addEventListener("click", async () => {
    if (legSid && !legEnded) renderLeg(await legAction(legSid, "hangup"));
  });
  setInterval(pollPhone, 1000);
  pollPhone();

  // -- the call this phone makes ---------------------------------------------------------------
  $("dial").addEventListener("click", async () => {
    stop();
    const result = await request(api, { from: $("from").value, to: $("to").value });
    if (!result) return;
    sid = result.data.call_sid; shown = 0; ended = false;
    $("heard").innerHTML = "";
    render(result);
    if (!ended) timer = setInterval(poll, 700);
  });
  $("hangup").addEventListener("click", async () => { if (sid) render(await request(`${api}/${sid}/hangup`, {})); });
  document.querySelectorAll(".pad button").forEach((b) => b.addEventListener("click", async () => {
    if (sid && !ended) render(await request(`${api}/${sid}/keys`, { keys: b.dataset.key }));
    else if (legLive) {
      const res = await fetch(`${api}/${legSid}/keys`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ keys: b.dataset.key }),
      });
      if (res.ok) renderLeg(await res.json());
    }
  }));
  ["answer-1", "answer-2"].forEach((id) => $(id).addEventListener("click", async () => {
    const queue = $(id).dataset.queue;
    const res = await fetch(`/sandbox/api/queues/${encodeURIComponent(queue)}/answer`, { method: "POST" });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { $("agent-note").textContent = data.message || `HTTP ${res.status}`; return; }
    $("agent-note").textContent = data.call_sid === sid ? "The agent took your call." : `The agent took ${data.call_sid}.`;
    if (data.call_sid === sid) render(await request(`${api}/${sid}`));
  }));
  $("agent-hangup").addEventListener("click", async () => { if (sid) render(await request(`${api}/${sid}/agent-hangup`, {})); });
  document.addEventListener("keydown", (e) => {
    if ((!sid && !legLive) || e.target.tagName === "INPUT" || !/^[0-9*#]$/.test(e.key)) return;
    const b = document.querySelector(`.pad button[data-key="${e.key}"]`);
    if (b && !b.disabled) b.click();
  });
})();
