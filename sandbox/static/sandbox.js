// Browser phone for the local telephony sandbox. The server runs the call; this page polls it.
(function () {
  const $ = (id) => document.getElementById(id);
  const api = "/sandbox/api/calls";
  let sid = null, timer = null, shown = 0;

  async function post(url, body) {
    const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
    return res.json();
  }

  function say(line) {
    if (!$("speak").checked || !window.speechSynthesis || line.kind !== "say") return;
    const u = new SpeechSynthesisUtterance(line.text);
    u.lang = line.language || "vi-VN";
    window.speechSynthesis.speak(u);
  }

  function render(state) {
    const list = $("heard");
    if (shown === 0 && state.heard.length) list.innerHTML = "";
    state.heard.slice(shown).forEach((line) => {
      const li = document.createElement("li");
      li.className = line.kind;
      const what = line.kind === "play" ? "♪ " + (line.url || "audio") : line.text;
      li.innerHTML = `<span class="t">${line.at.toFixed(0)} s</span><span class="k">${line.kind}</span><span class="x"></span>`;
      li.querySelector(".x").textContent = what;
      if (line.language) { const l = document.createElement("span"); l.className = "lang"; l.textContent = line.language; li.querySelector(".x").appendChild(l); }
      list.appendChild(li);
      say(line);
    });
    shown = state.heard.length;
    list.scrollTop = list.scrollHeight;
    const status = $("status");
    status.className = "status";
    if (state.status === "completed") {
      status.textContent = `Call ended after ${state.elapsed} s`; status.classList.add("ended");
    } else if (state.queue) {
      status.textContent = `In queue ${state.queue.name}: position ${state.queue.position}, waited ${state.queue.waited} s`;
      status.classList.add("queue");
    } else {
      status.textContent = state.listening_for_keys ? `In the menu — press a key (${state.elapsed} s)` : `Listening… (${state.elapsed} s)`;
    }
    document.querySelectorAll(".key").forEach((b) => { b.disabled = state.status === "completed"; b.classList.toggle("listening", state.listening_for_keys); });
    $("hangup").disabled = state.status === "completed";
    $("dial").disabled = state.status !== "completed";
    $("record").hidden = false;
    $("sid").textContent = state.call_sid;
    $("api-link").href = "/api/calls/" + state.call_sid;
    if (state.status === "completed" && timer) { clearInterval(timer); timer = null; }
  }

  async function poll() {
    if (!sid) return;
    const res = await fetch(`${api}/${sid}`);
    if (res.ok) render(await res.json());
  }

  $("dial").addEventListener("click", async () => {
    shown = 0;
    $("heard").innerHTML = "";
    const state = await post(api, { from: $("from").value, to: $("to").value });
    sid = state.call_sid;
    render(state);
    if (timer) clearInterval(timer);
    timer = setInterval(poll, 700);
  });
  $("hangup").addEventListener("click", async () => { if (sid) render(await post(`${api}/${sid}/hangup`)); });
  document.querySelectorAll(".key").forEach((b) => b.addEventListener("click", async () => {
    if (sid) render(await post(`${api}/${sid}/keys`, { keys: b.dataset.key }));
  }));
  document.addEventListener("keydown", (e) => {
    if (!sid || e.target.tagName === "INPUT" || !/^[0-9*#]$/.test(e.key)) return;
    const b = document.querySelector(`.key[data-key="${e.key}"]`);
    if (b && !b.disabled) b.click();
  });
})();
