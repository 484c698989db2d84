/* The clerk's console: sign in, pick a window, call and serve visitors.
   Chinese first, English second; every action has a key. The console
   re-reads its state (GET .../windows/{w}/console) whenever the hall's
   console socket reports a change, so two consoles of one clerk agree. */
"use strict";

(() => {
  const { api, el } = OW;
  const $ = (id) => document.getElementById(id);

  const REASONS = {
    meeting: ["开会", "Meeting"],
    lunch: ["午间轮岗", "Lunch rotation"],
    back_office: ["后台办理", "Back office"],
    leave: ["请假", "On leave"],
    other: ["暂时离开", "Away"],
  };
  const STATUS = {
    called: ["已呼叫，等候到窗", "Called, on the way"],
    serving: ["正在办理", "Serving"],
    waiting: ["等候中", "Waiting"],
  };
  const OUTCOMES = [
    ["done", "办结", "Done"],
    ["accepted", "受理立案", "Accepted as a case"],
    ["notified", "一次性告知", "Missing materials notice"],
    ["consulted", "咨询答复", "Consulted"],
  ];
  // key, action, Chinese, English, style
  const ACTIONS = [
    ["N", "next", "叫下一位", "Next", "primary"],
    ["R", "recall", "重呼", "Recall", ""],
    ["S", "start", "开始办理", "Start", ""],
    ["C", "complete", "办结", "Complete", "primary"],
    ["X", "noshow", "未到", "No-show", "warn"],
    ["T", "transfer", "转办", "Transfer", ""],
    ["P", "park", "暂挂", "Park", ""],
    ["G", "call", "指定叫号", "Call number", ""],
    ["L", "late", "过号恢复", "Late visitor", ""],
    ["A", "away", "暂离", "Away", "warn"],
    ["B", "back", "回岗", "Back", "primary"],
    ["Q", "signout", "签退", "Sign out", "secondary"],
  ];
  const KEYMAP = Object.fromEntries(ACTIONS.map(([k, a]) => [k.toLowerCase(), a]));

  const S = {
    hall: null, info: null, items: [], me: null, window: null, data: null, fetchedAt: 0,
    sock: null, dialog: null, busy: false, refreshTimer: null, alert: null,
  };

  // ----- helpers ------------------------------------------------------------------------

  function bi(zh, en) { return [zh, el("span", { class: "en" }, en)]; }
  function catOf(code) { return (S.info.categories.find((c) => c.code === code)) || { name: code, name_en: code, code }; }
  function winOf(id) { return (S.info.windows.find((w) => w.id === id)) || { name: id, name_en: id, id }; }
  function userName(u) { return u || "—"; }
  function minutes(s) {
    if (s === null || s === undefined) return ["—", "—"];
    const m = Math.floor(s / 60), sec = Math.floor(s % 60);
    return [m ? `${m} 分 ${sec} 秒` : `${sec} 秒`, m ? `${m} min ${sec} s` : `${sec} s`];
  }
  function serverNow() {
    // The server's clock (the console answer's `at`), moved on by the time since it came.
    if (!S.data) return Date.now();
    return Date.parse(S.data.at) + (Date.now() - S.fetchedAt);
  }
  function toast(zh, en, bad, ...extra) {
    const t = $("toast");
    t.className = "toast" + (bad ? " bad" : " ok");
    t.replaceChildren(zh, el("span", { class: "en" }, en), ...extra);
  }

  // ----- papers: the case receipt 《接收单》 and the one-time notice 《一次性告知单》 -----------

  const PAPERS = { receipt: ["《接收单》", "Receipt"], notice: ["《一次性告知单》", "One-time notice"] };
  const PRINT_REASONS = { paper_out: ["缺纸", "out of paper"], offline: ["打印机离线", "printer offline"],
    busy: ["打印机忙", "printer busy"], error: ["打印出错", "print error"] };

  /** Print a paper (no busy lock: it must not hold up the next visitor), then say how it went. */
  async function printPaper(kind, path, body, [baseZh, baseEn]) {
    const [pz, pe] = PAPERS[kind];
    let zh, en, bad = false;
    try {
      const r = (await api("POST", path, body)).print;
      const [rz, re] = PRINT_REASONS[r.reason] || [r.reason || "", r.reason || ""];
      ({ zh, en, bad } = {
        printed: { zh: `${pz}已打印`, en: `${pe} printed` },
        queued: { zh: `${pz}正在打印`, en: `${pe} is printing` },
        failed: { zh: `${pz}打印失败：${rz}`, en: `${pe} not printed: ${re}`, bad: true },
        none: { zh: "本窗口没有配置打印机", en: "No printer is configured for this window", bad: true },
      }[r.status] || { zh: r.status, en: r.status });
    } catch (err) {
      zh = `${pz}打印失败：${err.message}`; en = `${pe} not printed`; bad = true;
    }
    const again = el("button", { type: "button", class: "secondary print-again", "data-paper": kind,
      onclick: () => printPaper(kind, path, body, [baseZh, baseEn]) }, "再次打印", el("span", { class: "en" }, "Print again"));
    toast(`${baseZh} · ${zh}`, `${baseEn} · ${en}`, bad, again);
  }
  function fail(err) {
    toast("操作失败：" + err.message, "Failed: " + err.message, true);
  }
  function show(id) {
    for (const s of ["login", "picker", "desk"]) $(s).classList.toggle("hidden", s !== id);
  }

  // ----- start, sign in, pick a window --------------------------------------------------

  async function init() {
    const halls = await api("GET", "/api/v1/halls");
    S.hall = OW.param("hall") || (halls[0] && halls[0].id);
    [S.info, S.items] = await Promise.all([
      api("GET", `/api/v1/halls/${S.hall}`),
      api("GET", `/api/v1/halls/${S.hall}/items`).then((r) => r.items),
    ]);
    try {
      await api("GET", "/api/v1/auth/me");
    } catch (err) {
      showLogin();
      return;
    }
    await afterLogin();
  }

  function showLogin() {
    show("login");
    $("who").replaceChildren();
    $("where").replaceChildren();
    $("logout").classList.add("hidden");
    $("username").focus();
  }

  OW.signInForm($("login-form"), $("login-error"), async () => {
    $("login-form").reset();
    await afterLogin();
  }, (err) => ["登录失败：" + err.message, el("span", { class: "en" }, "Sign-in failed")]);

  $("logout").addEventListener("click", async () => {
    await api("POST", "/api/v1/auth/logout").catch(() => {});
    if (S.sock) { S.sock.close(); S.sock = null; }
    S.window = null; S.data = null;
    showLogin();
  });

  async function afterLogin() {
    S.me = await api("GET", `/api/v1/halls/${S.hall}/me`);
    const roles = { clerk: ["窗口人员", "clerk"], manager: ["大厅管理", "manager"], admin: ["管理员", "admin"] };
    const [rz, re] = roles[S.me.role] || [S.me.role, S.me.role];
    const name = S.me.display_name && S.me.display_name !== S.me.username ? `${S.me.display_name}（${S.me.username}）` : S.me.username;
    $("who").replaceChildren(el("b", {}, name), el("span", { class: "en" }, `${rz} · ${re}`));
    $("logout").classList.remove("hidden");
    if (S.me.signed_in_at) await openWindow(S.me.signed_in_at);
    else showPicker();
  }

  function showPicker() {
    show("picker");
    $("where").replaceChildren();
    const posts = S.me.posts;
    const list = $("posts");
    if (!posts.length) {
      list.replaceChildren(el("p", { class: "error" }, "您在本大厅没有岗位。",
        el("span", { class: "en" }, "You hold no post in this hall; ask the hall manager.")));
      return;
    }
    list.replaceChildren(...posts.map((p, i) => {
      const post = p.post ? [`${p.post} 岗`, `${p.post} post`] : ["管理", "manager"];
      const taken = p.signed_in && p.signed_in !== S.me.username;
      return el("button", { class: "post" + (p.post === "B" ? " secondary" : ""), type: "button",
        "data-window": p.window, onclick: () => pickWindow(p.window) },
        i < 9 ? el("kbd", {}, String(i + 1)) : null,
        el("span", { class: "pname" }, p.name, el("span", { class: "en" }, p.name_en)),
        el("span", { class: "ppost" }, post[0], el("span", { class: "en" }, post[1])),
        el("span", { class: "pwho" }, taken ? `在岗：${p.signed_in}` : "空闲",
          el("span", { class: "en" }, taken ? `staffed by ${p.signed_in}` : "free")));
    }));
  }

  async function pickWindow(window) {
    const box = $("picker-error");
    try {
      await api("POST", `/api/v1/halls/${S.hall}/windows/${window}/sign-in`);
      box.classList.add("hidden");
      await openWindow(window);
    } catch (err) {
      box.replaceChildren("无法签到：" + err.message, el("span", { class: "en" }, "Cannot sign in here"));
      box.classList.remove("hidden");
    }
  }

  async function openWindow(window) {
    S.window = window;
    S.data = null;
    const w = winOf(window);
    $("where").replaceChildren(el("b", {}, w.name), el("span", { class: "en" }, w.name_en));
    connect();
    await refresh();  // the desk shows once its state is in, so a key pressed at once acts
    if (S.window === window && S.data) show("desk");
  }

  // ----- live state ---------------------------------------------------------------------

  function connect() {
    if (S.sock) S.sock.close();
    S.sock = OW.liveSocket(`/ws/halls/${S.hall}/console`, {
      onState: (st) => $("lost").classList.toggle("hidden", st !== "lost"),
      onSnapshot: () => scheduleRefresh(),
      onEvent: (ev) => {
        if (ev.type === "alert" && ev.kind === "coverage") S.alert = ev.level === "red" ? ev : null;
        if (["announce", "screen", "completion"].includes(ev.type)) return;
        scheduleRefresh();
      },
    });
  }

  function scheduleRefresh() {
    clearTimeout(S.refreshTimer);
    S.refreshTimer = setTimeout(refresh, 80);
  }

  async function refresh() {
    if (!S.window) return;
    try {
      S.data = await api("GET", `/api/v1/halls/${S.hall}/windows/${S.window}/console`);
      S.fetchedAt = Date.now();
    } catch (err) {
      if (err.status === 401) { showLogin(); return; }
      fail(err);
      return;
    }
    if (S.data.window.signed_in !== S.me.username && S.me.role === "clerk") {
      // Signed out here (on another console, or moved to another window).
      S.me = await api("GET", `/api/v1/halls/${S.hall}/me`);
      if (S.me.signed_in_at && S.me.signed_in_at !== S.window) { await openWindow(S.me.signed_in_at); return; }
      if (!S.me.signed_in_at) { if (S.sock) { S.sock.close(); S.sock = null; } S.window = null; showPicker(); return; }
    }
    render();
  }

  // ----- rendering ----------------------------------------------------------------------

  function render() {
    renderAlerts();
    renderVisitor();
    renderActions();
    renderQueue();
    renderStats();
    renderKeys();
  }

  function renderAlerts() {
    const d = S.data;
    const out = [];
    const win = d.window;
    if (win.status === "away" && win.notice) {
      const n = win.notice;
      const [rz, re] = REASONS[n.reason] || REASONS.other;
      const zh = [`您已暂离：${rz}`], en = [`You are away: ${re}`];
      if (n.back_at) { zh.push(`${n.back_at} 返回`); en.push(`back at ${n.back_at}`); }
      if (n.see_instead) { const w = winOf(n.see_instead); zh.push(`请到 ${w.name}`); en.push(`see ${w.name_en}`); }
      if (d.covered_by) { zh.push(`B 岗 ${d.covered_by} 代岗中`); en.push(`${d.covered_by} covers your window`); }
      out.push(el("div", { class: "banner away", id: "away-banner" },
        el("div", {}, zh.join(" · "), el("span", { class: "en" }, en.join(" · "))),
        el("button", { type: "button", onclick: () => run("back") }, el("kbd", {}, "B"), " 回岗 ", el("span", { class: "en" }, "Back"))));
    }
    if (d.profile && d.profile.covers.length) {
      const names = d.profile.covers.map(winOf);
      const takeover = d.acting_window !== S.window;
      out.push(el("div", { class: "banner covering", id: "covering-banner" },
        el("div", {},
          `您正在代岗（B 岗）：${names.map((w) => w.name).join("、")}` + (takeover ? "，叫号到该窗口" : "，叫号已合并其业务"),
          el("span", { class: "en" }, `You cover ${names.map((w) => w.name_en).join(", ")} as its B post` +
            (takeover ? ": calls go to that window" : ": its categories are merged into your calls")))));
    }
    const cov = d.coverage;
    const manager = S.me.role !== "clerk";
    if (cov.uncovered.length && (cov.mine.length || manager)) {
      const cats = cov.uncovered.map((c) => [catOf(c), cov.waiting[c] || 0]);
      out.push(el("div", { class: "banner uncovered", id: "coverage-alert", role: "alert" },
        el("div", {},
          "无窗口受理：" + cats.map(([c, n]) => `${c.name}（${n} 人等候）`).join("、") +
            (cov.mine.length ? "。您可以补位，请尽快回岗或签到。" : ""),
          el("span", { class: "en" }, "Nobody is serving " + cats.map(([c, n]) => `${c.name_en} (${n} waiting)`).join(", ") +
            (cov.mine.length ? ". You could cover: come back or sign in." : ""))),
        null));
    }
    $("alerts").replaceChildren(...out);
  }

  function renderVisitor() {
    const d = S.data;
    const t = d.current;
    const box = $("visitor");
    const acting = winOf(d.acting_window);
    const head = el("div", { class: "vhead" },
      el("span", {}, "当前办理", el("span", { class: "en" }, "Current visitor")),
      el("span", { class: "vwin" }, acting.name, el("span", { class: "en" }, acting.name_en)));
    if (!t) {
      box.replaceChildren(head, el("div", { class: "vnum none", id: "current-number" }, "空闲", el("span", { class: "en" }, "Idle")),
        el("p", { class: "vidle" }, "按 N 叫下一位", el("span", { class: "en" }, "Press N to call the next visitor")));
      box.dataset.status = "idle";
      return;
    }
    const cat = catOf(t.category);
    const [sz, se] = STATUS[t.status] || [t.status, t.status];
    const issued = Date.parse(t.issued_at);
    const waited = t.wait_s !== null && t.wait_s !== undefined ? t.wait_s : (serverNow() - issued) / 1000;
    const [wz, we] = minutes(waited);
    const facts = [
      ["业务", "Category", `${cat.name}`, cat.name_en],
      ["状态", "Status", sz, se],
      ["等候", "Waited", wz, we],
      ["呼叫次数", "Calls", `${t.call_count}`, `${t.call_count}`],
      ["首问人", "First clerk", userName(t.first_clerk), userName(t.first_clerk)],
    ];
    if (t.status === "serving" && t.started_at) {
      const [sz2, se2] = minutes((serverNow() - Date.parse(t.started_at)) / 1000);
      facts.push(["办理用时", "Service time", sz2, se2]);
    }
    if (t.origin_category) {
      const o = catOf(t.origin_category);
      facts.push(["转自", "Transferred from", o.name, o.name_en]);
    }
    if (t.note) facts.push(["备注", "Note", t.note, ""]);
    box.dataset.status = t.status;
    box.replaceChildren(head,
      el("div", { class: "vnum", id: "current-number" }, t.number,
        t.priority === "priority" ? el("span", { class: "prio" }, "优先", el("span", { class: "en" }, "priority")) : null),
      el("dl", { class: "facts" }, ...facts.flatMap(([kz, ke, vz, ve]) => [
        el("dt", {}, kz, el("span", { class: "en" }, ke)),
        el("dd", { "data-fact": ke.toLowerCase().replace(/ /g, "-") }, vz, ve && ve !== vz ? el("span", { class: "en" }, ve) : null),
      ])));
  }

  function enabled(action) {
    const d = S.data;
    if (!d) return false;
    const away = d.window.status === "away";
    const t = d.current;
    const st = t ? t.status : null;
    switch (action) {
      case "back": return away;
      case "signout": return true;
      case "away": return !away;
    }
    if (away || !d.may_act) return false;
    switch (action) {
      case "next": case "call": return !t;
      case "late": return true;
      case "recall": case "start": case "noshow": return st === "called";
      case "complete": case "transfer": case "park": return st === "called" || st === "serving";
    }
    return false;
  }

  function renderActions() {
    $("actions").replaceChildren(...ACTIONS.map(([key, action, zh, en, style]) =>
      el("button", { type: "button", class: `act ${style}`, "data-action": action, disabled: !enabled(action),
        title: `${zh} ${en} (${key})`, onclick: () => run(action) },
        el("kbd", {}, key), el("span", { class: "label" }, zh, el("span", { class: "en" }, en)))));
  }

  function renderQueue() {
    const d = S.data;
    const unc = new Set(d.coverage.uncovered);
    const total = d.waiting.reduce((a, w) => a + w.waiting, 0);
    const [lz, le] = minutes(d.longest_wait_s);
    $("queue").replaceChildren(
      el("h2", {}, "本窗口等候", el("span", { class: "en" }, "Waiting for this window")),
      el("div", { class: "big" }, el("b", { id: "waiting-total" }, String(total)), " 人 ",
        el("span", { class: "en" }, "waiting"), el("span", { class: "longest" }, `最长 ${lz}`, el("span", { class: "en" }, `longest ${le}`))),
      el("table", { class: "waiting" },
        el("tbody", {}, ...d.waiting.map((w) => el("tr", { class: (w.waiting ? "" : "zero") + (unc.has(w.code) ? " uncovered" : ""), "data-category": w.code },
          el("td", {}, el("span", { class: "prefix" }, w.prefix), w.name, el("span", { class: "en" }, w.name_en)),
          el("td", { class: "n" }, String(w.waiting)),
          el("td", { class: "t" }, w.waiting ? minutes(w.longest_wait_s)[0] : "")))))
    );
  }

  function renderStats() {
    const s = S.data.stats;
    const [az, ae] = minutes(s.average_service_s);
    $("stats").replaceChildren(
      el("h2", {}, "今日统计", el("span", { class: "en" }, "My day")),
      el("dl", { class: "facts" },
        el("dt", {}, "已办结", el("span", { class: "en" }, "Served")), el("dd", { id: "served" }, String(s.served)),
        el("dt", {}, "平均办理", el("span", { class: "en" }, "Avg. service")), el("dd", {}, az, el("span", { class: "en" }, ae)),
        el("dt", {}, "评价", el("span", { class: "en" }, "Ratings")),
        el("dd", {}, s.ratings ? `${s.ratings} 条，差评 ${s.bad_ratings}` : "暂无",
          el("span", { class: "en" }, s.ratings ? `${s.ratings}, ${s.bad_ratings} bad` : "none yet"))));
  }

  function renderKeys() {
    $("keys").replaceChildren(
      el("h2", {}, "快捷键", el("span", { class: "en" }, "Keys")),
      el("ul", {}, ...ACTIONS.map(([k, , zh, en]) => el("li", {}, el("kbd", {}, k), ` ${zh} `, el("span", { class: "en" }, en))),
        el("li", {}, el("kbd", {}, "Esc"), " 关闭 ", el("span", { class: "en" }, "close")),
        el("li", {}, el("kbd", {}, "Enter"), " 确认 ", el("span", { class: "en" }, "confirm"))));
  }

  // ----- actions ------------------------------------------------------------------------

  const base = () => `/api/v1/halls/${S.hall}`;

  async function post(path, body) {
    if (S.busy) return null;
    S.busy = true;
    try {
      return await api("POST", path, body);
    } finally {
      S.busy = false;
    }
  }

  async function run(action) {
    if (!enabled(action) || S.dialog) return;
    const d = S.data;
    const t = d.current;
    const acting = d.acting_window;
    try {
      switch (action) {
        case "next": {
          const got = await post(`${base()}/windows/${acting}/next`);
          if (got) toast(`已呼叫 ${got.number}`, `Called ${got.number}`);
          else toast("暂无等候的访客", "Nobody is waiting for this window");
          break;
        }
        case "recall": {
          const got = await post(`/api/v1/tickets/${t.id}/recall`);
          if (got && got.status === "no_show") toast(`${got.number} 多次呼叫未到，已记为未到`, `${got.number}: no-show after repeated calls`);
          else if (got) toast(`已重呼 ${got.number}`, `Recalled ${got.number}`);
          break;
        }
        case "start":
          await post(`/api/v1/tickets/${t.id}/start`);
          toast(`开始办理 ${t.number}`, `Serving ${t.number}`);
          break;
        case "noshow":
          await post(`/api/v1/tickets/${t.id}/no-show`);
          toast(`${t.number} 记为未到`, `${t.number}: no-show`);
          break;
        case "back":
          await post(`${base()}/windows/${S.window}/back`);
          toast("已回岗", "Back at the window");
          break;
        case "complete": openComplete(); return;
        case "transfer": openTransfer(); return;
        case "park": openPark(); return;
        case "call": openCall(); return;
        case "late": openLate(); return;
        case "away": await openAway(); return;
        case "signout": await openSignOut(); return;
      }
    } catch (err) {
      fail(err);
    }
    await refresh();
  }

  // ----- dialogs ------------------------------------------------------------------------

  function openDialog(spec) {
    // spec: {title: [zh, en], body: [nodes], confirm: [zh, en], onConfirm: async () => bool, keys: {digit: fn}}
    S.dialog = spec;
    const err = el("div", { class: "error hidden", role: "alert", id: "dialog-error" });
    const ok = el("button", { type: "button", id: "dialog-ok", class: spec.danger ? "danger" : "",
      onclick: () => confirmDialog() }, el("kbd", {}, "Enter"), " ", spec.confirm[0], el("span", { class: "en" }, spec.confirm[1]));
    spec.okButton = ok;
    spec.errorBox = err;
    $("dialog-box").replaceChildren(
      el("h2", {}, spec.title[0], el("span", { class: "en" }, spec.title[1])),
      ...spec.body, err,
      el("div", { class: "dbuttons" },
        el("button", { type: "button", class: "secondary", onclick: closeDialog }, el("kbd", {}, "Esc"), " 取消 ",
          el("span", { class: "en" }, "Cancel")), ok));
    $("dialog").classList.remove("hidden");
    // With choices (keys 1-9) focus the chosen one, so digits pick; else the first field.
    const first = spec.keys ? $("dialog-box").querySelector("button.choice.on")
      : $("dialog-box").querySelector("input, select, textarea");
    (first || ok).focus();
  }

  function closeDialog() {
    S.dialog = null;
    $("dialog").classList.add("hidden");
    $("dialog-box").replaceChildren();
  }

  async function confirmDialog() {
    const spec = S.dialog;
    if (!spec || spec.running) return;
    spec.running = true;
    try {
      const done = await spec.onConfirm();
      if (done !== false) { closeDialog(); await refresh(); }
    } catch (err) {
      spec.errorBox.replaceChildren("失败：" + err.message, el("span", { class: "en" }, "Failed"));
      spec.errorBox.classList.remove("hidden");
    } finally {
      spec.running = false;
    }
  }

  function choiceButtons(name, options, current, onPick) {
    // options: [[value, zh, en]]; digit keys 1..9 pick
    const wrap = el("div", { class: "choices", role: "radiogroup", "data-name": name });
    const draw = (value) => {
      const had = wrap.contains(document.activeElement);
      wrap.replaceChildren(...options.map(([v, zh, en], i) => el("button", {
        type: "button", role: "radio", "aria-checked": String(v === value), class: "choice" + (v === value ? " on" : ""),
        "data-value": v, onclick: () => { draw(v); onPick(v); } },
        el("kbd", {}, String(i + 1)), " ", zh, el("span", { class: "en" }, en))));
      if (had) wrap.querySelector(".on").focus();
    };
    draw(current);
    wrap.pick = (i) => { if (options[i]) { draw(options[i][0]); onPick(options[i][0]); } };
    return wrap;
  }

  function itemsOf(category) { return S.items.filter((i) => i.categories.includes(category)); }

  function openComplete() {
    const t = S.data.current;
    const items = itemsOf(t.category);
    const st = { outcome: "done", item: items.length ? items[0].code : null, print: true };
    const extra = el("div", { class: "extra" });
    const drawExtra = () => {
      const parts = [];
      if (st.outcome === "accepted" || st.outcome === "notified") {
        if (!items.length) {
          parts.push(el("p", { class: "error" }, "该业务没有可受理的事项", el("span", { class: "en" }, "No business item for this category")));
        } else {
          const sel = el("select", { id: "item", onchange: (e) => { st.item = e.target.value; drawExtra(); } },
            ...items.map((i) => el("option", { value: i.code, selected: i.code === st.item }, `${i.name} ${i.name_en}`)));
          parts.push(el("label", {}, "事项 ", el("span", { class: "en" }, "Business item"), sel));
        }
      }
      if (st.outcome === "accepted") {
        parts.push(el("label", {}, "申请人 ", el("span", { class: "en" }, "Applicant (optional)"), el("input", { id: "applicant", maxlength: 100 })),
          el("label", {}, "联系电话 ", el("span", { class: "en" }, "Phone (optional)"), el("input", { id: "phone", maxlength: 40, inputmode: "tel" })),
          el("label", {}, "项目名称 ", el("span", { class: "en" }, "Project (optional)"), el("input", { id: "project", maxlength: 200 })));
      }
      if (st.outcome === "notified" && st.item) {
        const item = items.find((i) => i.code === st.item);
        parts.push(el("fieldset", { class: "materials" },
          el("legend", {}, "勾选缺少的材料（一次性告知）", el("span", { class: "en" }, "Tick every missing material (one-time notice)")),
          ...(item.materials.length ? item.materials.map((m, i) => el("label", { class: "check" },
            el("input", { type: "checkbox", name: "missing", value: m, "data-index": i }), " ", m))
            : [el("p", {}, "该事项无材料清单", el("span", { class: "en" }, "No checklist for this item"))])));
      }
      if ((st.outcome === "accepted" || st.outcome === "notified") && st.item) {
        const [pz, pe] = PAPERS[st.outcome === "accepted" ? "receipt" : "notice"];
        parts.push(el("label", { class: "check" }, el("input", { type: "checkbox", id: "print-paper", checked: st.print,
          onchange: (e) => { st.print = e.target.checked; } }), ` 办结后打印${pz}`, el("span", { class: "en" }, `Print the ${pe.toLowerCase()}`)));
      }
      extra.replaceChildren(...parts);
    };
    const choices = choiceButtons("outcome", OUTCOMES, st.outcome, (v) => { st.outcome = v; drawExtra(); });
    drawExtra();
    openDialog({
      title: [`办结 ${t.number}`, `Complete ${t.number}`],
      body: [el("p", {}, "办理结果", el("span", { class: "en" }, "Outcome (keys 1–4)")), choices, extra],
      confirm: ["确认办结", "Complete"],
      keys: (i) => choices.pick(i),
      onConfirm: async () => {
        const body = { outcome: st.outcome };
        if (st.outcome === "accepted" || st.outcome === "notified") {
          if (!st.item) throw new Error("请选择事项 / pick a business item");
          body.case = { item: st.item };
          if (st.outcome === "accepted") {
            body.case.applicant_name = $("applicant").value.trim();
            body.case.applicant_phone = $("phone").value.trim();
            body.case.project = $("project").value.trim();
          } else {
            body.missing = [...extra.querySelectorAll("input[name=missing]:checked")].map((x) => x.value);
            if (!body.missing.length) throw new Error("请勾选缺少的材料 / tick the missing materials");
          }
        }
        const got = await post(`/api/v1/tickets/${t.id}/complete`, body);
        if (got && got.case) toast(`已受理，办件号 ${got.case.number || got.case.id}`, `Case opened: ${got.case.number || got.case.id}`);
        else toast(`${t.number} 已办结`, `${t.number} done`);
        if (got && st.print && got.case && st.outcome === "accepted") {
          printPaper("receipt", `/api/v1/cases/${got.case.id}/receipt/print`, {},
            [`已受理，办件号 ${got.case.number}`, `Case opened: ${got.case.number}`]);
        } else if (got && st.print && st.outcome === "notified") {
          printPaper("notice", `/api/v1/tickets/${t.id}/notice/print`, { item: st.item, missing: body.missing },
            [`${t.number} 已一次性告知`, `${t.number}: missing materials notified`]);
        }
      },
    });
  }

  function openTransfer() {
    const t = S.data.current;
    const st = { to: "category", category: t.category, window: null };
    const others = S.info.windows.filter((w) => w.id !== S.data.acting_window);
    st.window = others.length ? others[0].id : null;
    const target = el("div", { class: "extra" });
    const draw = () => {
      target.replaceChildren(st.to === "category"
        ? el("label", {}, "转至业务 ", el("span", { class: "en" }, "To category"),
          el("select", { id: "to-category", onchange: (e) => { st.category = e.target.value; } },
            ...S.info.categories.map((c) => el("option", { value: c.code, selected: c.code === st.category }, `${c.name} ${c.name_en}`))))
        : el("label", {}, "转至窗口 ", el("span", { class: "en" }, "To window"),
          el("select", { id: "to-window", onchange: (e) => { st.window = e.target.value; } },
            ...others.map((w) => el("option", { value: w.id, selected: w.id === st.window }, `${w.name} ${w.name_en}`)))));
    };
    const choices = choiceButtons("to", [["category", "转至业务", "To a category"], ["window", "转至窗口", "To a window"]], st.to,
      (v) => { st.to = v; draw(); });
    draw();
    const note = el("input", { id: "note", maxlength: 500, placeholder: "告知下一窗口的说明 / a note for the next clerk" });
    openDialog({
      title: [`转办 ${t.number}（保留排队位置）`, `Transfer ${t.number} (keeps their place)`],
      body: [choices, target, el("label", {}, "备注 ", el("span", { class: "en" }, "Note"), note)],
      confirm: ["确认转办", "Transfer"],
      keys: (i) => choices.pick(i),
      onConfirm: async () => {
        const body = st.to === "category" ? { category: st.category } : { window: st.window };
        body.note = note.value.trim();
        await post(`/api/v1/tickets/${t.id}/transfer`, body);
        toast(`${t.number} 已转办`, `${t.number} transferred`);
      },
    });
  }

  function openPark() {
    const t = S.data.current;
    const note = el("input", { id: "note", maxlength: 500, placeholder: "如：回车取材料 / e.g. fetching a document" });
    openDialog({
      title: [`暂挂 ${t.number}`, `Park ${t.number}`],
      body: [el("p", {}, "访客暂离窗口（取材料等），可用“过号恢复”按号码恢复排队。",
        el("span", { class: "en" }, "The visitor steps aside; bring them back with Late visitor (L) by number.")),
        el("label", {}, "原因 ", el("span", { class: "en" }, "Reason"), note)],
      confirm: ["确认暂挂", "Park"],
      onConfirm: async () => {
        await post(`/api/v1/tickets/${t.id}/park`, { note: note.value.trim() });
        toast(`${t.number} 已暂挂`, `${t.number} parked`);
      },
    });
  }

  function numberInput() {
    return el("input", { id: "number", class: "number", maxlength: 8, autocomplete: "off", placeholder: "A001",
      pattern: "[A-Za-z]{1,2}[0-9]{1,5}", oninput: (e) => { e.target.value = e.target.value.toUpperCase(); } });
  }

  function openCall() {
    const input = numberInput();
    openDialog({
      title: ["指定叫号", "Call a number"],
      body: [el("label", {}, "号码 ", el("span", { class: "en" }, "Ticket number"), input)],
      confirm: ["呼叫", "Call"],
      onConfirm: async () => {
        const got = await post(`${base()}/windows/${S.data.acting_window}/call`, { number: input.value.trim() });
        if (got) toast(`已呼叫 ${got.number}`, `Called ${got.number}`);
      },
    });
  }

  function openLate() {
    const input = numberInput();
    openDialog({
      title: ["过号 / 暂挂恢复", "Late or parked visitor"],
      body: [el("p", {}, "未到或暂挂的访客回来后，按号码恢复排队。",
        el("span", { class: "en" }, "A no-show or parked visitor who is back goes into the queue again.")),
        el("label", {}, "号码 ", el("span", { class: "en" }, "Ticket number"), input)],
      confirm: ["恢复排队", "Back to the queue"],
      onConfirm: async () => {
        const number = input.value.trim().toUpperCase();
        const t = await api("GET", `${base()}/tickets/by-number/${encodeURIComponent(number)}`);
        let got;
        if (t.status === "parked") got = await post(`/api/v1/tickets/${t.id}/resume`);
        else got = await post(`${base()}/tickets/by-number/${encodeURIComponent(number)}/reactivate`);
        if (got) toast(`${got.number} 已恢复排队`, `${got.number} is waiting again`);
      },
    });
  }

  function warningBox(found) {
    if (!found.length) return null;
    return el("div", { class: "warning", id: "coverage-warning", role: "alert" },
      el("b", {}, "注意：以下业务将无人受理", el("span", { class: "en" }, "Warning: nobody would serve")),
      el("ul", {}, ...found.map((v) => el("li", { "data-category": v.category },
        `${v.name}（${v.waiting} 人等候）`, el("span", { class: "en" }, `${v.name_en} (${v.waiting} waiting)`),
        v.could_cover.length ? el("span", { class: "cover" }, `可补位：${v.could_cover.join("、")}`,
          el("span", { class: "en" }, `could cover: ${v.could_cover.join(", ")}`)) : null))));
  }

  async function check(action) {
    try {
      return (await api("POST", `${base()}/windows/${S.window}/check`, { action })).violations;
    } catch (err) {
      return [];
    }
  }

  async function openAway() {
    const found = await check("away");
    S.info = await api("GET", base()).catch(() => S.info);  // who is signed in where, now
    const st = { reason: "meeting" };
    const reasons = [["meeting", ...REASONS.meeting], ["lunch", ...REASONS.lunch],
      ["back_office", ...REASONS.back_office], ["leave", ...REASONS.leave]];
    const choices = choiceButtons("reason", reasons, st.reason, (v) => { st.reason = v; });
    const backAt = el("input", { id: "back-at", type: "time", step: 60 });
    const others = S.info.windows.filter((w) => w.id !== S.window);
    const d = S.data;
    const b = d.window.b_clerk;
    const see = el("select", { id: "see-instead" }, el("option", { value: "" }, "—"),
      ...others.map((w) => el("option", { value: w.id }, `${w.name} ${w.name_en}`)));
    // Default: the window of this window's B post, who will cover.
    const bWindow = others.find((w) => w.signed_in === b);
    if (bWindow) see.value = bWindow.id;
    const note = el("input", { id: "away-note", maxlength: 200 });
    openDialog({
      title: ["暂离（去向留言）", "Step away (whereabouts notice)"],
      body: [warningBox(found),
        el("p", {}, "原因", el("span", { class: "en" }, "Reason (keys 1–4)")), choices,
        el("div", { class: "row" },
          el("label", {}, "预计返回 ", el("span", { class: "en" }, "Back at"), backAt),
          el("label", {}, "请找 ", el("span", { class: "en" }, "See instead"), see)),
        el("label", {}, "留言 ", el("span", { class: "en" }, "Note"), note)].filter(Boolean),
      confirm: found.length ? ["仍然暂离", "Step away anyway"] : ["确认暂离", "Step away"],
      danger: found.length > 0,
      keys: (i) => choices.pick(i),
      onConfirm: async () => {
        const body = { reason: st.reason, note: note.value.trim() };
        if (backAt.value) body.back_at = backAt.value.slice(0, 5);
        if (see.value) body.see_instead = see.value;
        await post(`${base()}/windows/${S.window}/away`, body);
        toast("已暂离，叫号屏显示去向留言", "Away: the call screen shows your notice");
      },
    });
  }

  async function openSignOut() {
    const found = await check("sign-out");
    openDialog({
      title: ["签退", "Sign out of this window"],
      body: [warningBox(found) || el("p", {}, "确认离开本窗口？", el("span", { class: "en" }, "Leave this window?"))],
      confirm: found.length ? ["仍然签退", "Sign out anyway"] : ["确认签退", "Sign out"],
      danger: found.length > 0,
      onConfirm: async () => {
        await post(`${base()}/windows/${S.window}/sign-out`);
        if (S.sock) { S.sock.close(); S.sock = null; }
        S.window = null; S.data = null;
        closeDialog();
        S.me = await api("GET", `${base()}/me`);
        showPicker();
        return false;
      },
    });
  }

  // ----- keyboard -----------------------------------------------------------------------

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const typing = e.target instanceof HTMLElement && e.target.matches("input, select, textarea");
    if (S.dialog) {
      if (e.key === "Escape") { e.preventDefault(); closeDialog(); return; }
      // Enter confirms, except in a text area and on the dialog's other buttons (Cancel).
      const otherButton = e.target instanceof HTMLButtonElement && e.target !== S.dialog.okButton &&
        !e.target.classList.contains("choice");
      if (e.key === "Enter" && !(e.target instanceof HTMLTextAreaElement) && !otherButton) {
        e.preventDefault();
        confirmDialog();
        return;
      }
      if (!typing && /^[1-9]$/.test(e.key) && S.dialog.keys) { e.preventDefault(); S.dialog.keys(Number(e.key) - 1); }
      return;
    }
    if (typing) return;
    if (!$("picker").classList.contains("hidden") && /^[1-9]$/.test(e.key)) {
      const p = S.me && S.me.posts[Number(e.key) - 1];
      if (p) { e.preventDefault(); pickWindow(p.window); }
      return;
    }
    if ($("desk").classList.contains("hidden")) return;
    const action = KEYMAP[e.key.toLowerCase()];
    if (action) { e.preventDefault(); run(action); }
  });

  setInterval(() => { if (S.data && S.data.current && !S.dialog) renderVisitor(); }, 1000);

  init().catch((err) => {
    document.body.prepend(el("div", { class: "error" }, "无法加载：" + err.message, el("span", { class: "en" }, "Cannot load the console")));
  });
})();
