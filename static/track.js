/* A visitor's phone, opened from the ticket's QR code: number, status, people
   ahead, estimated wait and, once called, the window. Live over the ticket's
   own socket (/ws/tickets/{id}?token=), which sends the ticket's state on
   connect and on every change; it reconnects with back-off and jitter, and at
   once when the phone wakes. When called: vibration and a chime, where the
   phone allows (sound needs one tap on "turn on call alerts"). */
"use strict";

(() => {
  const { api, el } = OW;
  const $ = (id) => document.getElementById(id);
  const TICKET = OW.param("ticket") || OW.param("id");
  const TOKEN = OW.param("token") || "";
  const FINAL = new Set(["done", "cancelled"]);  // nothing changes after these
  const STATUS = {
    waiting: ["等候中", "Waiting"],
    called: ["请到窗口办理", "Please go to the window now"],
    serving: ["正在办理", "Being served"],
    done: ["已办结，谢谢！", "Done. Thank you!"],
    no_show: ["已过号", "Your number was missed"],
    cancelled: ["已取消", "Cancelled"],
    parked: ["暂挂中", "On hold"],
  };
  const HINT = {
    waiting: ["叫到您的号码时，本页会提醒您。请留意叫号屏。", "This page alerts you when your number is called. Keep an eye on the call screen."],
    no_show: ["请到窗口说明情况，或重新取号。", "Please ask at a window, or take a new ticket."],
    parked: ["请回到窗口继续办理。", "Please go back to the window to carry on."],
  };

  const S = { hall: OW.param("hall"), info: null, state: null, audio: null };

  function bi(zh, en) { return [zh, el("span", { class: "en" }, en)]; }

  function fail(title, text) {
    $("board").classList.add("hidden");
    $("message-title").replaceChildren(...bi(...title));
    $("message-text").replaceChildren(...bi(...text));
    $("message").classList.remove("hidden");
  }

  function notFound() {
    fail(["找不到这个号码", "Ticket not found"],
      ["请重新扫描号票上的二维码。", "Please scan the QR code on your ticket again."]);
  }

  function windowNames(s) {
    const w = S.info && S.info.windows.find((x) => x.id === s.window);
    const zh = s.window_name || (w && w.name) || s.window;
    return [zh, (w && w.name_en) || zh];
  }

  function render() {
    const s = S.state;
    const cat = S.info && S.info.categories.find((c) => c.code === s.category);
    $("number").textContent = s.number;
    $("category").replaceChildren(...(cat ? bi(cat.name, cat.name_en || cat.name) : [s.category || ""]));
    const [zh, en] = STATUS[s.status] || [s.status, s.status];
    const box = $("status");
    box.dataset.status = s.status;
    const parts = [el("div", { class: "state" }, ...bi(zh, en))];
    if ((s.status === "called" || s.status === "serving") && s.window) {
      const [wz, we] = windowNames(s);
      parts.push(el("div", { class: "window", id: "window" }, ...bi(wz, we)));
      if (s.status === "called" && s.call_count > 1) {
        parts.push(el("div", { class: "recalled", id: "recalled" }, ...bi("再次呼叫，请尽快到窗口", "Called again: please come now")));
      }
    }
    if (HINT[s.status]) parts.push(el("div", { class: "hint" }, ...bi(...HINT[s.status])));
    box.replaceChildren(...parts);

    const facts = [];
    if (s.status === "waiting") {
      // The server's words: the same rounding as the kiosk and the slip (caller/estimate.py).
      const w = s.wait_text || { zh: "", en: "" };
      facts.push([["前面还有", "Ahead"], [`${s.ahead} 人`, `${s.ahead} ${s.ahead === 1 ? "person" : "people"}`], "ahead"],
        s.serving_now === false ? [["窗口服务", "Service"], [w.zh, w.en], "wait"] : [["预计等候", "Est. wait"], [w.zh, w.en], "wait"]);
    }
    if (s.issued_at) facts.push([["取号时间", "Issued"], [s.issued_at.slice(11, 16), s.issued_at.slice(5, 10)], "issued"]);
    $("facts").replaceChildren(...facts.map(([k, v, key]) => el("div", {},
      el("dt", {}, ...bi(...k)), el("dd", { "data-fact": key }, ...bi(...v)))));

    const rate = $("rate");
    rate.classList.toggle("hidden", s.status !== "done");
    rate.href = `/rate?ticket=${encodeURIComponent(TICKET)}&token=${encodeURIComponent(TOKEN)}`;
    $("alerts").classList.toggle("hidden", FINAL.has(s.status) || Boolean(S.audio));
    document.title = s.status === "called" ? `请到 ${windowNames(s)[0]}！${s.number}` : `${s.number} ${zh}`;
    document.body.dataset.status = s.status;
  }

  function update(s) {
    const before = S.state;
    S.state = s;
    $("message").classList.add("hidden");
    $("board").classList.remove("hidden");
    render();
    const recalled = before && before.status === "called" && (s.call_count || 0) > (before.call_count || 0);
    if (s.status === "called" && (!before || before.status !== "called" || before.window !== s.window || recalled)) cue();
    if (FINAL.has(s.status)) live.close();
  }

  // ----- alerts ---------------------------------------------------------------------

  function chime() {
    const ctx = S.audio;
    if (!ctx) return;
    const now = ctx.currentTime;
    [[880, 0], [660, 0.35], [880, 0.7]].forEach(([f, at]) => {
      const o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, now + at);
      g.gain.exponentialRampToValueAtTime(0.4, now + at + 0.03);
      g.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.3);
      o.connect(g).connect(ctx.destination);
      o.start(now + at);
      o.stop(now + at + 0.32);
    });
  }

  function cue() {
    document.body.dataset.cued = String(Number(document.body.dataset.cued || 0) + 1);
    try { if (navigator.vibrate) navigator.vibrate([500, 200, 500, 200, 500]); } catch (e) { /* not allowed */ }
    try { chime(); } catch (e) { /* no audio */ }
  }

  $("alerts").addEventListener("click", () => {
    // Browsers let a page make sound only after a tap: this is it.
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !S.audio) S.audio = new Ctx();
    if (S.audio && S.audio.state === "suspended") S.audio.resume();
    try { if (navigator.vibrate) navigator.vibrate(200); } catch (e) { /* not allowed */ }
    chime();
    render();
  });

  // ----- the live socket ----------------------------------------------------------------

  const live = OW.follow(`/ws/tickets/${encodeURIComponent(TICKET)}?token=${encodeURIComponent(TOKEN)}`, {
    type: "ticket", onMessage: update, onNotFound: notFound,
    isFinal: () => S.state && FINAL.has(S.state.status), liveBox: $("live"),
  });

  async function start() {
    if (!TICKET || !/^\d+$/.test(TICKET)) { notFound(); return; }
    try {
      if (!S.hall) S.hall = (await api("GET", "/api/v1/halls"))[0].id;
      S.info = await api("GET", `/api/v1/halls/${encodeURIComponent(S.hall)}`);
      $("hall-name").replaceChildren(...bi(S.info.name, S.info.name_en || ""));
    } catch (e) { /* names are a nicety; the ticket itself matters */ }
    try {
      update(await api("GET", `/api/v1/tickets/${encodeURIComponent(TICKET)}?token=${encodeURIComponent(TOKEN)}`));
    } catch (e) {
      if (e.status === 404) { notFound(); return; }
      fail(["暂时无法连接", "Cannot reach the hall right now"], ["请稍后刷新本页。", "Please reload this page in a moment."]);
    }
    if (!S.state || !FINAL.has(S.state.status)) live.connect();
    else live.setLive("ended");
  }

  start();
})();
