/* The call screen (static/screen.html): live state from the hall's display
   socket, announcements played one after another, published items, ticker.
   Query: ?hall=eco&zone=main&screen=tv-1 */
"use strict";

const Screen = (() => {
  const $ = (id) => document.getElementById(id);
  const el = OW.el;
  const zone = OW.param("zone") || null;
  const screenId = OW.param("screen") || storedScreenId();

  const STATUS = {
    serving: ["办理中", "Serving"],
    idle: ["空闲", "Open"],
    closed: ["暂停服务", "Closed"],
    away: ["暂时离开", "Away"],
  };
  const LEFT = new Set(["closed", "away"]); // a window with nobody to call visitors to
  const REASONS = {
    meeting: ["开会", "In a meeting"],
    lunch: ["午间休息", "Lunch break"],
    back_office: ["后台办理", "Back office"],
    leave: ["请假", "On leave"],
    other: ["暂时离开", "Away"],
  };

  // The hall as the server's projection holds it (see queue/server/projection.py).
  const state = { hall: null, windows: new Map(), calls: [], waiting: {}, completions: [], notice: "", items: [] };
  let live = false;
  let flashTimer = null;
  const calledUntil = new Map(); // window id -> until when its card flashes

  function storedScreenId() {
    try {
      let id = localStorage.getItem("onewindow-screen");
      if (!id) {
        id = "screen-" + Math.random().toString(16).slice(2, 8);
        localStorage.setItem("onewindow-screen", id);
      }
      return id;
    } catch (e) { return ""; }
  }

  function shown(windowId) {
    const w = state.windows.get(windowId);
    return !zone || (w && w.zone === zone);
  }

  // ----- applying the socket's messages ------------------------------------------------

  function onSnapshot(snap) {
    state.hall = snap.hall || state.hall;
    tickClock();
    state.windows = new Map((snap.windows || []).map((w) => [w.window, w]));
    state.calls = (snap.calls || []).slice();
    state.waiting = snap.waiting || {};
    state.completions = (snap.completions || []).slice();
    renderAll();
  }

  function onEvent(ev) {
    const d = ev;
    switch (ev.type) {
      case "call":
      case "recall": {
        const call = { ticket: d.ticket, window: d.window, window_name: d.window_name,
                       window_number: d.window_number, at: d.at, recall: ev.type === "recall" };
        state.calls.unshift(call);
        state.calls.length = Math.min(state.calls.length, 30);
        const w = state.windows.get(d.window);
        if (w) {
          w.number = d.ticket;
          if (w.status !== "away") w.status = "serving";
        }
        calledUntil.set(d.window, Date.now() + 4000);
        renderWindows();
        if (shown(d.window)) renderCalls(true);
        break;
      }
      case "window": {
        const w = state.windows.get(d.window);
        if (w) {
          for (const k of ["status", "number", "clerk", "notice"]) if (k in d) w[k] = d[k];
          renderWindows();
        }
        if (LEFT.has(d.status)) {
          // Nobody serves there now: its calls leave "now calling" (as the server's projection.py).
          const before = state.calls.length;
          state.calls = state.calls.filter((c) => c.window !== d.window);
          if (state.calls.length !== before) renderCalls(false);
        }
        break;
      }
      case "notice": {
        const w = d.window ? state.windows.get(d.window) : null;
        if (w) { w.notice = d.notice; renderWindows(); }
        else if (!d.window) { state.notice = d.notice || ""; renderTicker(); }
        break;
      }
      case "done": {
        const w = state.windows.get(d.window);
        if (w && w.number === d.ticket) {
          w.number = null;
          if (w.status === "serving") w.status = "idle";
          renderWindows();
        }
        break;
      }
      case "queue":
        if (d.waiting) { state.waiting = d.waiting; renderWaiting(); }
        break;
      case "completion":
        state.completions.unshift(d);
        state.completions.length = Math.min(state.completions.length, 20);
        renderTicker();
        break;
      case "announce":
        if (shown(d.window)) Sound.enqueue(d);
        break;
      default:
        break;
    }
  }

  function setLive(s) {
    live = s === "live";
    document.body.classList.toggle("offline", !live);
    if (!live) {
      document.body.classList.remove("connecting");
      for (const span of $("lost").querySelectorAll("[data-lost]")) span.textContent = span.dataset.lost;
    }
  }

  // ----- rendering ------------------------------------------------------------------

  function renderAll() {
    if (state.hall) {
      $("hall-name").textContent = state.hall.name;
      $("hall-name-en").textContent = state.hall.name_en || "";
      document.title = `${state.hall.name} 叫号屏`;
    }
    if (zone) {
      $("zone").textContent = zone;
      $("zone").classList.remove("hidden");
    }
    renderWindows();
    renderCalls(false);
    renderWaiting();
    renderTicker();
  }

  function windowLabel(id, fallback) {
    const w = state.windows.get(id);
    return { zh: (w && w.name) || fallback || id, en: (w && w.name_en) || (w && w.name) || fallback || id };
  }

  function renderCalls(fresh) {
    const calls = state.calls.filter((c) => shown(c.window));
    const latest = calls[0];
    const box = $("latest");
    box.classList.toggle("empty", !latest);
    if (!latest) {
      $("latest-ticket").replaceChildren("等待叫号", el("span", { class: "en" }, "Waiting for the first call"));
    } else {
      const label = windowLabel(latest.window, latest.window_name);
      $("latest-ticket").textContent = latest.ticket;
      $("latest-window").textContent = label.zh;
      $("latest-window-en").textContent = label.en;
      $("latest-label").replaceChildren(latest.recall ? "再次呼叫" : "请以下号码办理",
        el("span", { class: "en" }, latest.recall ? "Calling again" : "Now calling"));
      box.classList.toggle("recall", !!latest.recall);
    }
    if (fresh) {
      box.classList.remove("flash");
      void box.offsetWidth; // restart the animation for a second call in a row
      box.classList.add("flash");
      clearTimeout(flashTimer);
      flashTimer = setTimeout(() => box.classList.remove("flash"), 6500);
    }
    const rows = calls.slice(1, 9).map((c) => {
      const label = windowLabel(c.window, c.window_name);
      return el("li", {}, el("span", { class: "t" }, c.ticket),
        el("span", { class: "w" }, "→", label.zh), c.recall ? el("span", { class: "r" }, "再呼") : null);
    });
    if (!rows.length) rows.push(el("li", { class: "empty" }, "暂无 ", el("span", { class: "en" }, "None yet")));
    $("recent").replaceChildren(...rows);
  }

  function renderWindows() {
    const wins = [...state.windows.values()].filter((w) => !zone || w.zone === zone);
    const grid = $("windows");
    const n = Math.max(1, wins.length);
    const cols = n <= 3 ? n : n <= 6 ? 3 : n <= 8 ? 4 : 5;
    grid.style.setProperty("--cols", cols);
    const now = Date.now();
    grid.replaceChildren(...wins.map((w) => {
      const card = windowCard(w);
      if ((calledUntil.get(w.window) || 0) > now) card.classList.add("called");
      return card;
    }));
  }

  function windowCard(w) {
    const status = STATUS[w.status] ? w.status : "closed";
    const [zh, en] = STATUS[status];
    const body = [];
    if (status === "away" && w.notice) {
      body.push(noticeBlock(w.notice));
    } else {
      const number = status === "closed" ? null : w.number; // a closed window calls nobody
      body.push(el("div", { class: "wnum" + (number ? "" : " none") }, number || "—"));
    }
    const covering = w.clerk && w.clerk.covering  // a colleague serving while the window's clerk is away
      ? el("span", { class: "covering" }, "代岗", el("span", { lang: "en" }, " covering")) : null;
    const clerk = w.clerk && status !== "closed"
      ? el("div", { class: "clerk" }, w.clerk.name, covering,
        w.clerk.title && !covering ? el("span", { class: "title" }, w.clerk.title) : null)
      : el("div", { class: "clerk" }, "\u00a0");
    return el("article", { class: `window ${status}`, "data-window": w.window, "data-status": status },
      el("div", { class: "whead" },
        el("div", { class: "wname" }, w.name, el("span", { class: "en" }, w.name_en || "")),
        el("div", { class: "status" }, zh, el("span", { class: "en" }, en))),
      ...body, clerk);
  }

  function noticeBlock(n) {
    const [rzh, ren] = REASONS[n.reason] || REASONS.other;
    const zh = [rzh], en = [ren];
    if (n.back_at) { zh.push(`${n.back_at} 返回`); en.push(`back at ${n.back_at}`); }
    const parts = [el("div", { class: "reason" }, zh.join(" "), el("span", { class: "en" }, en.join(" · ")))];
    if (n.see_instead) {
      if (n.see_instead_name) {  // a colleague, not a window
        parts.push(el("div", { class: "goto" }, `请找 ${n.see_instead_name} 办理`,
          el("span", { class: "en" }, `please see ${n.see_instead_name}`)));
      } else {
        const label = windowLabel(n.see_instead, n.see_instead);
        parts.push(el("div", { class: "goto" }, `请到 ${label.zh} 办理`,
          el("span", { class: "en" }, `please go to ${label.en}`)));
      }
    } else if (n.note) {
      parts.push(el("div", { class: "note" }, n.note));
    }
    return el("div", { class: "notice" }, ...parts);
  }

  function renderWaiting() {
    const total = Object.values(state.waiting || {}).reduce((a, b) => a + (b || 0), 0);
    $("waiting").textContent = String(total);
  }

  function itemName(code) {
    const it = state.items.find((i) => i.code === code);
    return it ? it.name : code;
  }

  function shortTime(iso) {
    if (!iso) return "";
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
    return m ? `${m[2]}-${m[3]} ${m[4]}:${m[5]}` : String(iso);
  }

  function renderTicker() {
    const entries = state.completions.map((c) => el("span", { class: "entry" },
      "◆ ", c.case ? el("b", {}, c.case) : null, " ", itemName(c.item || ""),
      c.applicant ? ` · ${c.applicant}` : "", c.completed_at ? ` · ${shortTime(c.completed_at)} 办结` : " 已办结"));
    if (state.notice) {  // wrapped: one flex item (.notice is also the away notice's flex box)
      entries.unshift(el("span", { class: "entry notice" }, el("span", {}, "【公告】", ...OW.bilingual(state.notice))));
    }
    if (!entries.length) entries.push(el("span", { class: "entry" }, "欢迎光临 ", el("span", { lang: "en" }, "Welcome")));
    const move = $("ticker");
    // Two copies side by side: the animation moves by one copy and loops seamlessly.
    move.replaceChildren(...entries, ...entries.map((e) => e.cloneNode(true)));
    const chars = move.textContent.length / 2;
    move.style.setProperty("--ticker-s", `${Math.max(20, Math.round(chars * 0.35))}s`);
  }

  // ----- published items: one at a time ------------------------------------------------

  let itemIndex = 0;
  function renderItem() {
    const items = state.items;
    if (!items.length) return;
    itemIndex %= items.length;
    const it = items[itemIndex];
    const facts = [];
    if (it.instant) facts.push(el("span", {}, el("b", {}, "即办件"), el("span", { class: "en" }, "done on the spot")));
    else if (it.promised) facts.push(el("span", {}, el("span", { class: "k" }, "承诺时限 "), el("b", {}, ...OW.bilingual(it.promised.text))));
    facts.push(el("span", {}, el("span", { class: "k" }, "收费 "), el("b", {}, ...OW.bilingual(it.fees))));
    const mats = it.materials.length
      ? el("ol", { class: "materials" }, ...it.materials.slice(0, 6).map((m) => el("li", {}, m)))
      : el("p", { class: "materials none" }, "无需提交材料，请到窗口咨询",
           el("span", { class: "en" }, "no documents needed; ask at a window"));
    $("item").replaceChildren(el("div", { class: "item fade" },
      el("div", { class: "item-name" }, it.name, el("span", { class: "en" }, it.name_en || "")),
      el("div", { class: "item-facts" }, ...facts),
      el("div", { class: "item-docs" },
        el("div", { class: "k" }, "申请材料", el("span", { class: "en" }, "Documents")), mats)));
    $("items-page").textContent = `${itemIndex + 1} / ${items.length}`;
  }

  async function loadItems(hall) {
    try {
      const data = await OW.api("GET", `/api/v1/halls/${encodeURIComponent(hall)}/items`);
      state.items = data.items || [];
      state.notice = data.notice || "";
      renderItem();
      renderTicker();
    } catch (e) { /* shown again at the next refresh */ }
  }

  // The hall's time, whatever zone the TV's browser is set to (the snapshot names the hall's zone).
  let clockFormat = null;
  let clockZone = null;
  function tickClock() {
    const tz = state.hall && state.hall.timezone;
    if (!tz) { $("clock-time").textContent = "--:--"; return; }  // not connected yet: no wrong time
    if (clockZone !== tz) {
      clockZone = tz;
      clockFormat = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric",
        month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", weekday: "short" });
    }
    const p = {};
    for (const part of clockFormat.formatToParts(new Date())) p[part.type] = part.value;
    const days = { Sun: "日", Mon: "一", Tue: "二", Wed: "三", Thu: "四", Fri: "五", Sat: "六" };
    $("clock-time").textContent = `${p.hour}:${p.minute}`;
    $("clock-date").textContent = `${p.year}-${p.month}-${p.day} 星期${days[p.weekday]}`;
  }

  // ----- start ------------------------------------------------------------------

  async function start() {
    tickClock();
    setInterval(tickClock, 1000);  // a minute turns over on time
    let hall = OW.param("hall");
    while (!hall) {
      try {
        const halls = await OW.api("GET", "/api/v1/halls");
        hall = halls.length ? halls[0].id : null;
      } catch (e) { /* server not up yet */ }
      if (!hall) await new Promise((r) => setTimeout(r, 3000));
    }
    loadItems(hall);
    setInterval(() => loadItems(hall), 10 * 60 * 1000);
    setInterval(() => { itemIndex += 1; renderItem(); }, 12000);
    const q = screenId ? `?screen=${encodeURIComponent(screenId)}` : "";
    const sock = OW.liveSocket(`/ws/halls/${encodeURIComponent(hall)}/display${q}`, {
      onSnapshot, onEvent, onState: setLive,
      onOpen: (ws) => Sound.reportTo(ws),
    });
    Sound.attach(sock);
    Screen.socket = sock;
  }

  return { start, state, get live() { return live; }, screenId, socket: null };
})();


/* Announcements: one audio element, a queue, one WAV at a time to its end.
   A browser that refuses play() without a tap gets a banner, and the server
   is told this screen is muted so the hall manager sees it. */
const Sound = (() => {
  const STALE_MS = 60000; // an announcement this old is skipped: the screen shows the call
  const MAX_QUEUE = 20;
  const audio = () => document.getElementById("voice");
  const queue = [];
  let current = null;     // {item, token}
  let muted = null;       // null: not known yet
  let sock = null;
  let token = 0;
  let watchdog = null;

  function attach(s) { sock = s; }

  function reportTo(ws) {
    if (muted !== null && ws.readyState === 1) ws.send(JSON.stringify({ type: "audio", muted }));
  }

  function setMuted(m) {
    if (muted === m) return;
    muted = m;
    document.body.classList.toggle("muted", m);
    document.getElementById("sound").classList.toggle("hidden", !m);
    if (sock) sock.send({ type: "audio", muted: m });
  }

  function enqueue(ev) {
    if (!ev.audio) return;
    queue.push({ url: ev.audio, duration: Number(ev.duration_s) || 10, at: Date.now(), ticket: ev.ticket });
    while (queue.length > MAX_QUEUE) queue.shift();
    pump();
  }

  function pump() {
    if (current || muted === true) return;
    while (queue.length && Date.now() - queue[0].at > STALE_MS) queue.shift();
    const item = queue.shift();
    if (!item) return;
    const my = ++token;
    current = { item, token: my };
    const a = audio();
    a.src = item.url;
    a.load(); // the same URL again must play again, from its start
    clearTimeout(watchdog);
    // If "ended" never comes (a stalled download), move on; never overlap.
    watchdog = setTimeout(() => finish(my), (item.duration + 10) * 1000);
    const p = a.play();
    if (p && p.then) {
      p.then(() => setMuted(false)).catch((err) => {
        if (!current || current.token !== my) return;
        if (err && err.name === "NotAllowedError") {
          clearTimeout(watchdog);
          current = null;
          queue.unshift(item);
          setMuted(true);
        } else {
          chime();
          finish(my);
        }
      });
    }
  }

  function finish(my) {
    if (!current || current.token !== my) return;
    clearTimeout(watchdog);
    current = null;
    pump();
  }

  /** The fallback when a WAV cannot be loaded: two tones from Web Audio. */
  function chime() {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      const ctx = new Ctx();
      [[784, 0], [523, 0.45]].forEach(([f, t]) => {
        const o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, ctx.currentTime + t);
        g.gain.exponentialRampToValueAtTime(0.4, ctx.currentTime + t + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + t + 0.6);
        o.connect(g).connect(ctx.destination);
        o.start(ctx.currentTime + t);
        o.stop(ctx.currentTime + t + 0.65);
      });
      setTimeout(() => ctx.close(), 1500);
    } catch (e) { /* no sound at all: the screen still shows the call */ }
  }

  /** A short silent WAV: playing it unmuted tells whether the browser allows sound. */
  function silentWav() {
    const rate = 8000, n = 800, buf = new ArrayBuffer(44 + n), v = new DataView(buf);
    const str = (o, s) => { for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); };
    str(0, "RIFF"); v.setUint32(4, 36 + n, true); str(8, "WAVE"); str(12, "fmt ");
    v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
    v.setUint32(24, rate, true); v.setUint32(28, rate, true); v.setUint16(32, 1, true); v.setUint16(34, 8, true);
    str(36, "data"); v.setUint32(40, n, true);
    for (let i = 0; i < n; i++) v.setUint8(44 + i, 128);
    return URL.createObjectURL(new Blob([buf], { type: "audio/wav" }));
  }

  async function probe() {
    const a = new Audio(silentWav());
    try {
      await a.play();
      a.pause();
      if (muted === null) setMuted(false);
    } catch (err) {
      if (err && err.name === "NotAllowedError") setMuted(true);
      else if (muted === null) setMuted(false); // it may play, it just could not play this
    }
  }

  function enable() {
    // A tap is a user gesture: from now on the page may play sound.
    const a = new Audio(silentWav());
    a.play().catch(() => {});
    for (let i = queue.length - 1; i >= 0; i--) if (Date.now() - queue[i].at > STALE_MS) queue.splice(i, 1);
    setMuted(false);
    pump();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const a = audio();
    a.addEventListener("ended", () => current && finish(current.token));
    // A WAV that fails to load rejects play() (handled in pump); one that stalls hits the watchdog.
    document.getElementById("sound").addEventListener("click", enable);
    document.addEventListener("pointerdown", () => { if (muted) enable(); });
    probe();
  });

  return { enqueue, attach, reportTo, get muted() { return muted; }, get pending() { return queue.length; },
           get playing() { return current ? current.item.url : null; } };
})();

document.addEventListener("DOMContentLoaded", () => Screen.start());
