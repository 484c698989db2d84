/* onewindow: what every page shares. No build step, no internet. */
"use strict";

const OW = (() => {
  let deviceToken = null;  // a paired kiosk's or pad's token (static/device.js), sent with every call

  /** This page is a paired device: send its token (X-Device-Token) with every API call; null: not. */
  function useDevice(token) { deviceToken = token || null; }

  /** JSON API call; throws an Error carrying the server's {"error"} message and status. */
  async function api(method, path, body, token) {
    const headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers["Authorization"] = "Bearer " + token;
    if (deviceToken) headers["X-Device-Token"] = deviceToken;
    const resp = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (resp.status === 204) return null;
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (!resp.ok) {
      const err = new Error((data && data.error) || ("HTTP " + resp.status));
      err.status = resp.status;
      err.data = data;
      throw err;
    }
    return data;
  }

  /**
   * A websocket that reconnects with exponential back-off and jitter, and
   * resyncs (a fresh snapshot) when a sequence number is skipped.
   * onSnapshot(snap) and onEvent(ev) are called; onState("live"|"lost"|"signed-out"):
   * "signed-out" when the server closed it because the session ended (4401); no reconnecting then.
   */
  function liveSocket(path, { onSnapshot, onEvent, onState, onOpen }) {
    let ws = null, seq = null, attempt = 0, closedByUs = false, timer = null;
    const url = () => (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;

    function connect() {
      ws = new WebSocket(url());
      ws.onopen = () => { attempt = 0; if (onOpen) onOpen(ws); };
      ws.onmessage = (m) => {
        let msg;
        try { msg = JSON.parse(m.data); } catch (e) { return; }
        if (msg.type === "snapshot") {
          seq = msg.seq;
          if (onState) onState("live");
          onSnapshot && onSnapshot(msg);
          return;
        }
        if (seq !== null && msg.seq !== undefined && msg.seq !== seq + 1) {
          // A gap: something was missed. Reconnect for a fresh snapshot.
          seq = null;
          ws.close(4000, "gap");
          return;
        }
        if (msg.seq !== undefined) seq = msg.seq;
        onEvent && onEvent(msg);
      };
      ws.onclose = (e) => {
        if (closedByUs) return;
        if (e.code === 4401) { if (onState) onState("signed-out"); return; }
        if (onState) onState("lost");
        seq = null;
        const base = Math.min(15000, 500 * Math.pow(2, attempt++));
        timer = setTimeout(connect, base / 2 + Math.random() * base / 2);
      };
      ws.onerror = () => { /* onclose follows */ };
    }
    connect();
    return {
      close() { closedByUs = true; clearTimeout(timer); if (ws) ws.close(); },
      send(obj) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj)); },
      get socket() { return ws; },
    };
  }

  /** "约 12 分钟 / about 12 min" */
  function waitText(seconds) {
    if (!seconds) return { zh: "即将叫号", en: "very soon" };
    const min = Math.max(1, Math.round(seconds / 60));
    if (min < 60) return { zh: `约 ${min} 分钟`, en: `about ${min} min` };
    const h = Math.floor(min / 60), m = min % 60;
    return { zh: `约 ${h} 小时 ${m} 分钟`, en: `about ${h} h ${m} min` };
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c.nodeType ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function param(name) { return new URLSearchParams(location.search).get(name); }

  /**
   * A sign-in form (username, password): signs in, hides `box` and awaits
   * done(); on failure shows say(err) (text or nodes) in `box`.
   */
  function signInForm(form, box, done, say = (err) => "登录失败：" + err.message) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const f = new FormData(form);
      try {
        await api("POST", "/api/v1/auth/login", { username: f.get("username"), password: f.get("password") });
        box.classList.add("hidden");
        await done();
      } catch (err) {
        box.replaceChildren(...[].concat(say(err)));
        box.classList.remove("hidden");
      }
    });
  }

  // A page for managers and admins: `show()` once signed in with such a role (at
  // once when the session cookie already is), else the sign-in form says why not.
  function managerPage(show) {
    const allowed = (me) => me.role === "manager" || me.role === "admin";
    const box = document.getElementById("login-error");
    signInForm(document.getElementById("login-form"), box, async () => {
      if (allowed(await api("GET", "/api/v1/auth/me"))) return show();
      box.textContent = "需要大厅管理或管理员账号 A manager or administrator account is needed";
      box.classList.remove("hidden");
      document.getElementById("login").classList.remove("hidden");
    });
    api("GET", "/api/v1/auth/me").then((me) => { if (allowed(me)) show(); }).catch(() => {});
  }

  return { api, liveSocket, waitText, el, param, signInForm, managerPage, useDevice };
})();
