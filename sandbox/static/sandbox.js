// Browser phone for the local telephony sandbox. The server runs the call; this page polls it.
(function () {
  const $ = (id) => document.getElementById(id);
  const api = "/sandbox/api/calls";
  const labels = JSON.parse($("queue-labels").textContent);
  let sid = null, timer = null, shown = 0, ended = false, latest = 0;

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

  function addLine(line) {
    const li = document.createElement("li");
    li.className = "line-" + line.kind;
    const t = document.createElement("span"); t.className = "t"; t.textContent = Math.floor(line.at) + " s";
    const k = document.createElement("span"); k.className = "k"; k.textContent = line.kind;
    const x = document.createElement("span"); x.className = "x";
    x.textContent = line.kind === "play" ? "♪ " + (line.url || "audio") : line.text;
    if (line.language) { const l = document.createElement("span"); l.className = "lang"; l.textContent = line.language; x.appendChild(l); }
    li.append(t, k, x);
    $("heard").appendChild(li);
    say(line);
  }

  function render(result) {
    if (!result || result.ticket < renderedTicket) return;
    const state = result.data;
    if (state.call_sid !== sid || (ended && state.status !== "completed")) return;
    renderedTicket = result.ticket;
    if (shown === 0 && state.heard.length) $("heard").innerHTML = "";
    state.heard.slice(shown).forEach(addLine);
    shown = Math.max(shown, state.heard.length);
    $("heard").scrollTop = $("heard").scrollHeight;
    const status = $("status");
    status.className = "status";
    ended = state.status === "completed";
    if (ended) {
      status.textContent = `Call ended after ${state.elapsed} s`; status.classList.add("ended");
      stop();
    } else if (state.with_agent) {
      status.textContent = `Talking with an agent (${state.elapsed} s)`;
      status.classList.add("agent-on");
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
    document.querySelectorAll(".pad button").forEach((b) => {
      b.disabled = ended; b.classList.toggle("listening", state.listening_for_keys);
    });
    $("hangup").disabled = ended;
    $("agent-hangup").disabled = ended || !state.with_agent;
    $("dial").disabled = !ended;
    $("record").hidden = false;
    $("sid").textContent = state.call_sid;
    $("api-link").href = "/api/calls/" + state.call_sid;
  }
  let renderedTicket = 0;

  async function poll() { if (sid && !ended) render(await request(`${api}/${sid}`)); }

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
    if (!sid || e.target.tagName === "INPUT" || !/^[0-9*#]$/.test(e.key)) return;
    const b = document.querySelector(`.pad button[data-key="${e.key}"]`);
    if (b && !b.disabled) b.click();
  });
})();
