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


  // The server's error codes (queue/server: errors.py classes and the codes raised with them), in
  // Chinese and English: pages show these, never the server's English message after a Chinese
  // prefix. tests/server/test_error_texts.py fails when the server raises a code missing here.
  const ERROR_TEXTS = {
    account_locked: ["账号已被暂时锁定，请稍后再试或请管理员解锁", "This account is locked for a while: try later or ask an administrator"],
    address_locked: ["本机尝试次数过多，已暂时锁定", "Too many attempts from this device: locked for a while"],
    already_done: ["这一步已经完成", "This step is already done"],
    already_key_project: ["该办件已列为重点项目", "This case is already a key project"],
    already_rated: ["这个号已经评价过了", "This ticket has already been rated"],
    already_signed_off: ["该办件已审核通过", "This case is already signed off"],
    appointment_closed: ["此预约已签到、取消或过期", "This appointment was already used, cancelled or missed"],
    away: ["您正在暂离，请先按“返回”再叫号", "You are away: press Back first"],
    bad_body: ["请求内容应为 JSON 对象", "The request body must be a JSON object"],
    bad_complaint_step: ["投诉当前的状态不能进行这一步", "The complaint's status does not allow this step"],
    bad_credentials: ["用户名或密码错误", "Wrong username or password"],
    bad_date: ["日期格式应为 年-月-日", "Give the date as YYYY-MM-DD"],
    bad_hours: ["结束时间须晚于开始时间", "The visit must end after it starts"],
    bad_id_number: ["身份证号码无效", "Not a valid ID number"],
    bad_json: ["请求内容无法读取", "The request could not be read"],
    bad_pairing_code: ["配对码错误或已过期", "The pairing code is wrong or has expired"],
    bad_phone: ["手机号码无效", "Not a valid phone number"],
    bad_priority: ["优先类别无效", "Not a valid priority"],
    bad_request: ["请求无法读取", "The request could not be read"],
    bad_reset_code: ["重置码错误或已过期", "The reset code is wrong or has expired"],
    bad_signature: ["同步数据签名不符", "The sync payload's signature does not match"],
    bad_state: ["当前状态下不能这样操作", "Not possible in the current state"],
    bad_step: ["整改任务不在这一步", "The task is not at this step"],
    bad_step_state: ["该步骤当前不能这样登记", "This step cannot be recorded so now"],
    booking_blocked: ["多次预约未到，暂时不能预约", "After repeated missed appointments you cannot book for a while"],
    bureau_read_only: ["市局账号只能查看网点，不能更改", "The bureau's account sees every outlet and changes none"],
    cancelled: ["该流动服务已取消", "This visit was cancelled"],
    category_closed: ["该业务现在不办理", "This service is not open now"],
    conflict: ["与当前状态冲突，请刷新后重试", "This conflicts with the current state: refresh and try again"],
    csrf: ["请求来源不被接受，请刷新页面", "Request refused: reload the page"],
    cut_off: ["传输中断，请重新同步", "The transfer was cut off: sync again"],
    daily_cap: ["今日号已取完", "Today's tickets are all taken"],
    dangling: ["同步数据引用了未发送的记录", "The sync data refers to a row never sent"],
    database: ["数据库忙或不可用，请稍后重试", "The database is busy or unavailable: try again"],
    device_required: ["需要已配对的设备", "A paired device is needed"],
    device_revoked: ["此设备已被撤销，请重新配对", "This device was revoked: pair it again"],
    error: ["出错了", "Something went wrong"],
    exists: ["已经存在", "It already exists"],
    forbidden: ["没有权限", "Not allowed"],
    foreign_row: ["同步数据属于其他网点", "A row of another outlet"],
    hall_closed: ["大厅现在不办理业务", "The hall is closed now"],
    http: ["请求未能完成", "The request could not be completed"],
    id_required: ["此事项预约需要身份证号码", "This service needs your ID number to book"],
    internal: ["服务器内部错误，管理员可在服务器日志中查看", "Internal error: the administrator can find it in the server log"],
    invalid: ["输入无效", "Invalid input"],
    invalid_phone: ["请输入正确的手机号码", "Give a mobile phone number"],
    invalid_schedule: ["日程表无效", "The schedule is not valid"],
    last_admin: ["最后一个管理员账号不能停用或降级", "The last administrator cannot be deactivated or demoted"],
    login_backoff: ["尝试过于频繁，请稍后再试", "Too many attempts: wait a moment"],
    manager_only: ["这一步须由管理人员进行", "Only a manager may take this step"],
    no_appointments: ["此事项不接受预约", "This service takes no appointments"],
    no_callback: ["这件投诉现在不能回访（未结项，或匿名、未留电话）", "No callback: not closed yet, or anonymous or without a phone"],
    no_key_project: ["此事项不办理重点项目绿色通道预约", "This service takes no key-project (green channel) bookings"],
    no_key_steps: ["该事项未配置重点项目步骤", "This service has no key-project steps configured"],
    no_messages: ["本网点不发短信", "This outlet sends no messages"],
    no_phone: ["投诉人未留电话", "The complainant left no phone"],
    no_such_slot: ["没有这个预约时段", "There is no such slot"],
    not_a_system: ["只有本大厅配对的外部系统可以提交投诉", "Only a paired outside system of this hall may post complaints"],
    not_a_van: ["只有流动服务网点的配对车辆可以同步", "Only a mobile outlet's paired van syncs"],
    not_found: ["找不到", "Not found"],
    not_key_project: ["该办件不是重点项目", "This case is not a key project"],
    not_mobile: ["不是流动服务网点", "Not a mobile outlet"],
    not_rateable: ["这次办理不能评价", "This visit cannot be rated"],
    not_ready: ["尚未准备好", "Not ready yet"],
    not_reviewer: ["只有审核人（首席代表）或大厅管理可以审核", "Only a reviewer (chief representative) or a manager signs a case off"],
    not_your_case: ["不是您受理的办件", "Not your case"],
    not_your_ticket: ["不是您的号", "Not your ticket"],
    not_your_window: ["您不在这个窗口签到", "You are not signed in at this window"],
    number_clash: ["该号码在中心已存在，请管理员核对", "This number already exists at the centre: an administrator must check"],
    one_per_person: ["同一人同一事项每天只能预约或取号一次", "One booking or ticket per person per day for this service"],
    outside_horizon: ["超出可预约的天数", "That slot is too far ahead to book"],
    outlet_closed: ["本网点当天不开放，请选择其他日期", "The outlet does not open that day: choose another day"],
    printer_unavailable: ["打印机不可用", "The printer is unavailable"],
    rate_limited: ["请求过于频繁，请稍后再试", "Too many requests: try again shortly"],
    reason_required: ["请填写理由", "A reason is needed"],
    remote_cap: ["网上取号已满", "Remote tickets are all taken"],
    review_not_required: ["该事项不需要审核", "This service needs no sign-off"],
    review_required: ["办结前需经审核人审核（一审一核）", "The reviewer must sign the case off before it completes"],
    same_person: ["受理或经办人不能审核同一办件（一审一核）", "Whoever accepted or handled a case may not sign it off"],
    self: ["不能对自己的账号这样操作", "Not on your own account"],
    slot_full: ["该时段已约满", "This slot is full"],
    slot_past: ["该时段已开始或已过", "This slot has begun or passed"],
    sync_gap: ["同步批次顺序不对", "A sync batch is out of order"],
    sync_unsigned: ["未签名的同步请求", "An unsigned sync request"],
    too_deep: ["请求嵌套过深", "The request is nested too deeply"],
    too_early: ["还未到签到时间", "Too early to check in"],
    too_large: ["请求内容过大", "The request is too large"],
    too_late: ["流动服务须至少提前三天公布，临近的不能更改", "Visits are published at least 3 days ahead and cannot change when close"],
    top_grade: ["已是最高级别", "Already at the highest grade"],
    unauthenticated: ["请先登录", "Please sign in"],
    unauthorized: ["请先登录", "Please sign in"],
    unavailable: ["服务暂不可用，请稍后重试", "Unavailable right now: try again"],
    unhealthy: ["服务暂不可用", "The server is not healthy"],
    unknown_appointment: ["没有这个预约", "No such appointment"],
    unknown_case: ["没有这个办件号", "No case has this number"],
    unknown_category: ["没有这个业务类别", "No such category"],
    unknown_complaint: ["没有这件投诉", "No such complaint"],
    unknown_department: ["没有这个部门", "No such department"],
    unknown_device: ["没有这台设备", "No such device"],
    unknown_hall: ["没有这个大厅", "No such hall"],
    unknown_item: ["没有这个事项", "No such service item"],
    unknown_kiosk: ["没有这台取号机", "No such kiosk"],
    unknown_liaison: ["联络人不是在岗的工作人员账号", "The liaison is not an active staff account"],
    unknown_session: ["没有这个会话", "No such session"],
    unknown_step: ["没有这个步骤", "No such step"],
    unknown_type: ["没有这个投诉类型", "No such complaint type"],
    unknown_user: ["没有这个用户", "No such user"],
    unknown_visit: ["没有这次流动服务", "No such visit"],
    unknown_window: ["没有这个窗口", "No such window"],
    weak_password: ["密码太弱", "The password is too weak"],
    window_taken: ["该窗口已有他人签到", "Someone else is signed in at this window"],
    wrong_department: ["该部门不负责这类投诉，请按职责派遣", "This department is not responsible for this type: dispatch by duties"],
    wrong_device: ["此设备不能做这件事", "This device cannot do that"],
  };
  const BY_STATUS = { 400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
    413: "too_large", 422: "invalid", 429: "rate_limited", 500: "internal", 503: "unavailable" };

  /**
   * What an error says, in Chinese and English: `errorText("daily_cap")` or `errorText(err)` (an
   * Error thrown by api(): its code, else its HTTP status, else a network failure) → {zh, en, code}.
   * A field that failed validation and a wait in seconds are added to both.
   */
  function errorText(errOrCode) {
    const data = (errOrCode && errOrCode.data) || {};
    const code = typeof errOrCode === "string" ? errOrCode
      : data.code || (errOrCode && BY_STATUS[errOrCode.status]) || null;
    let zh, en;
    if (code && ERROR_TEXTS[code]) [zh, en] = ERROR_TEXTS[code];
    else if (errOrCode && errOrCode.status === undefined && typeof errOrCode !== "string") {
      [zh, en] = ["无法连接服务器，请检查网络", "Cannot reach the server: check the network"];
    } else [zh, en] = ERROR_TEXTS.error;
    if (data.field) { zh += `（${data.field}）`; en += ` (${data.field})`; }
    if (data.retry_after) { zh += `，${data.retry_after} 秒后可再试`; en += `; try again in ${data.retry_after} s`; }
    return { zh, en, code };
  }

  /** An English text for a Chinese page: <span class="en" lang="en">. */
  function en(text, attrs) { return el("span", { class: "en", lang: "en", ...(attrs || {}) }, text); }

  /** "中文 / English" or "中文 English" (a bilingual text from the hall's configuration or the server) as nodes, the
   *  English part in <span lang="en"> inline as before; a text without such a part as it is. */
  function bilingual(text) {
    const m = /^(.*[\u3400-\u9fff].*?)(\s*\/\s*|\s+)([^\u3400-\u9fff\s][^\u3400-\u9fff]*)$/.exec(text || "");
    if (m && !/[a-z]/.test(m[3])) return [text];  // "窗口 A": a letter, not English
    return m ? [m[1], m[2], el("span", { lang: "en" }, m[3])] : [text == null ? "" : String(text)];
  }

  /** Nodes saying what failed and why: "登录失败：用户名或密码错误" + en("Sign-in failed: Wrong username or password"). */
  function errorNodes(zhWhat, enWhat, err) {
    const t = errorText(err);
    return [zhWhat ? `${zhWhat}：${t.zh}` : t.zh, en(enWhat ? `${enWhat}: ${t.en}` : t.en)];
  }

  // English beside Chinese says so (lang="en": a screen reader reads it with an English voice), on
  // every page and for what pages add later: each element of class "en" gets lang="en", and so does
  // an element whose whole text is Latin-script words without any Chinese (a username, a code, a
  // device's name: read better by an English voice than spelt out by a Chinese one). Text that mixes
  // both in one element ("空闲 Idle") is the page's to split: <span class="en">.
  const LATIN_WORD = /[A-Za-z]*[a-z][A-Za-z]*/;
  const HAN = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
  const autoMarked = new WeakSet();  // elements this code marked (their text may change later)
  function markText(t) {
    const e = t.parentElement;
    if (!e) return;
    if (autoMarked.has(e)) {
      if (HAN.test(e.textContent)) { e.removeAttribute("lang"); autoMarked.delete(e); }
      return;
    }
    if (e.hasAttribute("lang") || !LATIN_WORD.test(t.nodeValue)) return;
    const marked = e.closest("[lang]");
    if (marked && marked !== document.documentElement) return;  // the page said which language
    if (!/^(SCRIPT|STYLE|TEMPLATE|TITLE)$/.test(e.tagName) && !HAN.test(e.textContent)) {
      e.setAttribute("lang", "en");
      autoMarked.add(e);
    }
  }
  function markEnglish(node) {
    if (node.nodeType === 3) { markText(node); return; }
    if (node.nodeType !== 1) return;
    if (node.classList.contains("en") && !node.hasAttribute("lang")) node.setAttribute("lang", "en");
    for (const e of node.querySelectorAll(".en:not([lang])")) e.setAttribute("lang", "en");
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) markText(t);
  }
  if (typeof MutationObserver !== "undefined" && typeof document !== "undefined") {
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === "childList") for (const n of r.addedNodes) markEnglish(n);
        else markEnglish(r.target);
      }
    }).observe(document.documentElement, { childList: true, subtree: true, characterData: true,
                                           attributes: true, attributeFilter: ["class"] });
    markEnglish(document.documentElement);
  }

  function param(name) { return new URLSearchParams(location.search).get(name); }

  /**
   * A phone page following one ticket or case over its own socket (`path`, e.g.
   * "/ws/tickets/7?token=…"), which sends the whole object on connect and on every change:
   * onMessage(msg) for each message of `type`; `liveBox` says live / lost / connecting / ended.
   * Reconnects with back-off and jitter (1 s doubling, 30 s at most) and at once when the phone
   * wakes; a 4404 close calls onNotFound(); no reconnecting once isFinal() or after close().
   * The page calls connect() once it has its first state; setLive("ended") when it starts final.
   */
  function follow(path, { type, onMessage, onNotFound, isFinal, liveBox }) {
    let ws = null, attempt = 0, timer = null, closing = false;

    function setLive(state) {
      liveBox.dataset.state = state;
      const text = { live: ["实时更新中", "Live"], lost: ["连接中断，正在重连…", "Connection lost, reconnecting…"],
        connecting: ["正在连接…", "Connecting…"], ended: ["已结束", "Finished"] }[state];
      liveBox.replaceChildren(text[0], en(text[1]));
    }

    function connect() {
      clearTimeout(timer);
      closing = false;
      const proto = location.protocol === "https:" ? "wss://" : "ws://";
      const sock = new WebSocket(`${proto}${location.host}${path}`);
      ws = sock;
      sock.onopen = () => { attempt = 0; setLive("live"); };
      sock.onmessage = (m) => {
        let msg;
        try { msg = JSON.parse(m.data); } catch (e) { return; }
        if (msg.type === type) onMessage(msg);
      };
      sock.onclose = (e) => {
        if (ws !== sock) return;
        ws = null;
        if (e.code === 4404) { onNotFound(); return; }
        if (closing || isFinal()) { setLive("ended"); return; }
        setLive("lost");
        const base = Math.min(30000, 1000 * 2 ** attempt++);
        timer = setTimeout(connect, base / 2 + Math.random() * base / 2);
      };
    }

    document.addEventListener("visibilitychange", () => {
      // A phone waking up: reconnect now rather than after the back-off.
      if (document.hidden || ws || isFinal()) return;
      attempt = 0;
      connect();
    });

    return {
      connect,
      setLive,
      /** The state became final: close the socket (it then says "ended"). */
      close() { if (ws) { closing = true; ws.close(); } },
    };
  }

  /**
   * A card of the dashboard (static/dashboard.html) with its own figures: `load(card, hallId)`
   * fetches and renders them. It runs when the board appears (after sign-in), then every 30 s,
   * never while the board is hidden; a 401/403 hides the card, other failures keep what it shows.
   * The hall: ?hall= or the first one.
   */
  function dashboardCard(cardId, load) {
    const card = document.getElementById(cardId);
    if (!card) return;
    async function refresh(id) {
      if (document.getElementById("board").classList.contains("hidden")) return;  // not signed in yet
      try {
        await load(card, id);
      } catch (e) {
        if (e.status === 401 || e.status === 403) card.classList.add("hidden");
      }
    }
    (async () => {
      let id;
      try { id = param("hall") || (await api("GET", "/api/v1/halls"))[0].id; } catch (e) { return; }
      refresh(id);
      // The board appears after sign-in: look as soon as it does, then every 30 s.
      new MutationObserver(() => refresh(id))
        .observe(document.getElementById("board"), { attributes: true, attributeFilter: ["class"] });
      setInterval(() => refresh(id), 30000);
    })();
  }

  /**
   * A sign-in form (username, password): signs in, hides `box` and awaits
   * done(); on failure shows say(err) (text or nodes) in `box`.
   */
  function signInForm(form, box, done, say = (err) => errorNodes("登录失败", "Sign-in failed", err)) {
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
      box.replaceChildren("需要大厅管理或管理员账号", en("A manager or administrator account is needed"));
      box.classList.remove("hidden");
      document.getElementById("login").classList.remove("hidden");
    });
    api("GET", "/api/v1/auth/me").then((me) => { if (allowed(me)) show(); }).catch(() => {});
  }

  return { api, liveSocket, follow, dashboardCard, waitText, el, en, bilingual, param, signInForm, managerPage, useDevice, errorText, errorNodes, ERROR_TEXTS };
})();
