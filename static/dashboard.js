/* The hall manager's dashboard: now, today and reports, kept live by the hall's
   console socket (fast parts at once, the figures from one refresh). Needs a
   manager or admin account; charts are drawn with the bundled uPlot. */
"use strict";
const STEP_NAMES = { verify: "核实 Verify", rectify: "整改 Rectify", feedback: "反馈 Feedback", callback: "回访 Callback", closed: "已办结 Closed" };
const OUTCOME_NAMES = { substantiated: "属实 Substantiated", unsubstantiated: "不属实 Unsubstantiated", done: "已整改 Done",
  told: "已告知 Told", unreachable: "联系不上 Unreachable", satisfied: "满意 Satisfied", unsatisfied: "不满意 Unsatisfied" };
const LEVEL_NAMES = { 5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意" };
const STATUS_NAMES = { serving: "办理中 Serving", idle: "空闲 Idle", away: "暂离 Away", closed: "未开 Closed" };
const REASON_NAMES = {};
const AWAY_NAMES = { meeting: "开会 meeting", lunch: "午间 lunch", back_office: "后台办理 back office", leave: "请假 on leave", other: "其他 other" };
let HALL = OW.param("hall");
let data = null, scheme = null, refreshTimer = null, figTab = "category", charts = {}, screens = [];
// Alerts heard on the socket since the last refresh, by key (the refresh's list is the truth).
let liveAlerts = new Map();
const LEVEL_WORDS = { ok: "正常", warn: "注意", bad: "告警" };
const LEVEL_WORDS_EN = { ok: "OK", warn: "Watch", bad: "Alarm" };

const $ = (id) => document.getElementById(id);
const el = OW.el;

// English inside a Chinese page is marked lang="en", so a screen reader reads it with an English
// voice: bi("空闲 Idle") -> ["空闲 ", <span lang="en">Idle</span>]. Runs without a lowercase letter
// (A001, EIA, 90%) stay as they are.
const EN_RUN = /[A-Za-z][A-Za-z0-9 ,.:;'’()\-%/!?&…]*[A-Za-z0-9.)!?%…]|[A-Za-z]/g;
function bi(text) {
  const s = text === null || text === undefined ? "" : String(text);
  const out = [];
  let last = 0;
  for (const m of s.matchAll(EN_RUN)) {
    if (!/[a-z]/.test(m[0])) continue;
    out.push(s.slice(last, m.index), el("span", { lang: "en" }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(s.slice(last));
  return out.filter((x) => x !== "");
}

function dur(s) {
  if (s === null || s === undefined) return "—";
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}
const pct = (x) => (x === null || x === undefined) ? "—" : (x * 100).toFixed(1) + "%";
const hhmm = (iso) => iso ? iso.slice(11, 16) : "—";
const mdhm = (iso) => iso ? iso.slice(5, 10) + " " + iso.slice(11, 16) : "—";

/** A tile; `key` names its level in now.tiles (by the hall's thresholds), said in words too. */
function tile(label, en, value, sub, key) {
  const level = key && data.now.tiles ? data.now.tiles[key] : null;
  const known = level && level !== "neutral";
  return el("div", { class: "tile", "data-tile": key || null, "data-level": known ? level : null },
    el("div", { class: "label" }, label, " ", el("span", { class: "en", lang: "en", style: "display:inline" }, en),
      known ? el("span", { class: "state" }, LEVEL_WORDS[level], " ", el("span", { lang: "en" }, LEVEL_WORDS_EN[level])) : null),
    el("div", { class: "value" }, value), el("div", { class: "sub" }, bi(sub)));
}

function renderTiles() {
  const n = data.now, t = data.today.totals, r = data.today.ratings;
  const longest = n.longest;
  const sl = t.service_level.share;
  $("tiles").replaceChildren(
    tile("等候人数", "Waiting", el("span", { id: "tile-waiting" }, n.waiting), "", "waiting"),
    tile("最长等候", "Longest wait", longest ? dur(longest.wait_s) : "—", longest ? longest.number : "", "longest"),
    tile("今日取号", "Issued", t.issued),
    tile("已办结", "Served", t.served),
    tile("过号", "No-shows", t.no_show),
    tile("平均等候", "Mean wait", dur(t.wait.mean), "90%: " + dur(t.wait.p90)),
    tile("平均办理", "Mean service", dur(t.service.mean), "90%: " + dur(t.service.p90)),
    tile("等候达标率", "Service level", pct(sl), `${t.service_level.met}/${t.service_level.total}`, "service_level"),
    tile("今日评价", "Ratings", r.total, `差评 bad ${r.bad} · ${pct(r.rate)}`, "ratings"),
    tile("整改中", "Open tasks", n.tasks.length, n.tasks.some(x => x.overdue) ? "超时 overdue!" : "", "tasks"),
  );
}

function renderCats() {
  $("cats").replaceChildren(...data.now.categories.map(c => el("tr", { class: c.over_target ? "over" : "", "data-category": c.code },
    el("td", {}, `${c.prefix} ${c.name}`, el("span", { class: "en" }, c.name_en)),
    el("td", { class: "num", "data-role": "waiting" }, c.waiting),
    el("td", { class: "num" }, c.waiting ? dur(c.longest_wait_s) : "—"),
    el("td", { class: "num" }, Math.round(c.target_wait_s / 60) + " 分"),
    el("td", { class: "num" }, c.open_windows))));
}

function liveKey(ev) {
  if (ev.kind === "coverage") return "coverage";
  if (ev.kind === "printer") return "printer:" + ev.printer;
  return (ev.kind || "alert") + ":" + (ev.categories || []).join(",") + ":" + (ev.message || "");
}

function renderAlerts() {
  // Each alert once, by key: the server's list, then what the socket said since that is not in it.
  const listed = data.now.alerts.filter(a => !(liveAlerts.has(a.key) && liveAlerts.get(a.key).cleared));
  const keys = new Set(listed.map(a => a.key));
  const items = [...[...liveAlerts.values()].filter(a => !a.cleared && !keys.has(a.key)), ...listed];
  const open = items.filter(a => !a.acknowledged);
  const bar = $("alert-bar");
  bar.dataset.level = open.some(a => a.level === "red") ? "bad" : open.length ? "warn" : "ok";
  $("alert-count").replaceChildren(...(items.length
    ? bi(`共 ${items.length} 条 · 待确认 ${open.length} / ${open.length} of ${items.length} to acknowledge`) : []));
  if (!items.length) {
    $("alerts").replaceChildren(el("li", { class: "none", "data-kind": "none" }, "暂无告警 ", el("span", { lang: "en" }, "No alerts")));
    return;
  }
  $("alerts").replaceChildren(...items.map(alertItem));
}

function alertItem(a) {
  const red = a.level === "red";
  const cls = ["alert", red ? "red" : a.level === "green" ? "none" : "yellow", a.acknowledged ? "acked" : ""];
  const who = a.could_cover_names ? [...new Set(Object.values(a.could_cover_names).flat())] : [];
  const since = a.since || a.at;
  return el("li", { class: cls.join(" "), "data-key": a.key, "data-kind": a.kind || "" },
    el("div", { class: "what" },
      el("span", { class: "level" }, red ? "告警" : "注意", " ", el("span", { lang: "en" }, red ? "Alarm" : "Warning")),
      since ? el("span", { class: "when" }, hhmm(since)) : null,
      el("span", { class: "msg" }, bi(a.message)),
      who.length ? el("div", { class: "who" }, "可补位 ", el("span", { lang: "en" }, "Can cover"), "：", who.join("、")) : null),
    a.acknowledged
      ? el("div", { class: "acked-by" }, "已确认 ", el("span", { lang: "en" }, "Acknowledged"), " ",
          a.acknowledged.by_name, " ", hhmm(a.acknowledged.at))
      : a.live ? null
      : el("button", { type: "button", class: "ack", onclick: (e) => acknowledge(a, e.currentTarget) },
          "确认 ", el("span", { lang: "en" }, "Acknowledge")));
}

async function acknowledge(a, button) {
  button.disabled = true;
  try {
    const ack = await OW.api("POST", `/api/v1/halls/${encodeURIComponent(HALL)}/dashboard/alerts/ack`, { key: a.key });
    for (const x of data.now.alerts) if (x.key === a.key) x.acknowledged = ack;
    renderAlerts();
    scheduleRefresh(50);
  } catch (err) {
    button.disabled = false;
    const why = OW.errorText(err);  // the code's Chinese and English (issue 12, point 18)
    button.title = `${why.zh} ${why.en}`;
  }
}

function renderScreens() {
  const rows = screens.map(s => el("tr", { "data-screen": s.screen },
    el("td", {}, s.screen),
    s.connected
      ? el("td", { class: "on" }, "在线 ", el("span", { lang: "en" }, "connected"), " · ", mdhm(s.since), " 起")
      : el("td", { class: "off" }, "离线 ", el("span", { lang: "en" }, "gone"), " · 最后 ",
          el("span", { lang: "en" }, "last seen"), " ", mdhm(s.last_seen)),
    s.muted === true ? el("td", { class: "muted" }, "无声音 ", el("span", { lang: "en" }, "muted"))
      : s.muted === false ? el("td", {}, "有声音 ", el("span", { lang: "en" }, "sound on"))
      : el("td", { class: "off" }, "—")));
  $("screens").replaceChildren(...(rows.length ? rows
    : [el("tr", {}, el("td", { colspan: 3 }, "暂无叫号屏 ", el("span", { lang: "en" }, "No call screens yet")))]));
}

function renderPrinters() {
  const list = data.printers || [];
  $("printers-card").classList.toggle("hidden", !list.length);
  $("printers").replaceChildren(...list.map(p => el("div", { class: "printer", "data-printer": p.printer, "data-state": p.state },
    el("div", { class: "name" }, p.printer),
    el("div", { class: "state" }, p.state_name, el("span", { class: "en", lang: "en", style: "display:inline;margin-left:6px" }, p.state_name_en)),
    el("div", { class: "where" }, bi([p.kiosks.length ? "取号机 kiosk " + p.kiosks.join(", ") : "",
      p.windows.length ? "窗口 windows " + p.windows.join(", ") : ""].filter(Boolean).join(" · ")
      + (p.when_unavailable === "refuse" ? " · 缺纸停止取号 refuses when out" : ""))),
    el("div", { class: "count" }, bi(`已打印 printed ${p.printed} · 失败 failed ${p.failed}`)))));
}

function renderWindows() {
  $("windows").replaceChildren(...data.now.windows.map(w => {
    const duty = w.on_duty === "A" ? "A岗 A post" : w.on_duty === "B" ? "B岗 B post" : w.on_duty ? "代岗 stand-in" : null;
    const notice = w.notice ? `去向 Away：${AWAY_NAMES[w.notice.reason] || w.notice.reason || ""} ${w.notice.back_at ? "至 " + w.notice.back_at : ""} ${w.notice.see_instead ? (w.notice.see_instead_name ? "请找 " + w.notice.see_instead_name : "请到 " + w.notice.see_instead) : ""} ${w.notice.note || ""}` : null;
    return el("div", { class: "win", "data-window": w.id, "data-status": w.status },
      el("span", { class: "status" }, bi(STATUS_NAMES[w.status] || w.status)),
      el("div", { class: "name" }, w.name),
      el("div", { class: "num", "data-role": "number" }, w.number || ""),
      el("div", { class: "who" }, w.clerk ? w.clerk.name : "—", duty ? el("span", { class: "duty" }, bi(duty)) : null),
      el("div", { class: "who", style: "color:var(--muted)" }, `A: ${w.a_clerk_name || w.a_clerk || "—"} · B: ${w.b_clerk_name || w.b_clerk || "—"}`),
      w.covered_by ? el("div", { class: "notice" }, bi(`由B岗 ${w.covered_by_name || w.covered_by} 顶岗 / covered by B post`)) : null,
      notice ? el("div", { class: "notice" }, bi(notice)) : null);
  }));
}

function renderTasks() {
  const tasks = data.now.tasks;
  if (!tasks.length) {
    $("tasks").replaceChildren(el("tr", {}, el("td", { colspan: 7 }, bi("暂无整改任务 No open tasks"))));
    return;
  }
  $("tasks").replaceChildren(...tasks.map(t => el("tr", { "data-task": t.id, class: t.overdue ? "over" : "" },
    el("td", {}, t.ticket),
    el("td", {}, t.window || "—"),
    el("td", {}, `${t.level} ${LEVEL_NAMES[t.level]}`),
    el("td", {}, bi(t.reasons.map(r => REASON_NAMES[r] || r).join("、")), t.comment ? el("div", { style: "color:var(--muted)" }, "“" + t.comment + "”") : null),
    el("td", {}, bi(STEP_NAMES[t.state])),
    el("td", { class: t.overdue ? "flag" : "" }, mdhm(t.due_at), t.overdue ? bi(" 超时 overdue") : ""),
    el("td", {}, t.state !== "closed" ? el("button", { type: "button", onclick: () => openStep(t) }, bi(STEP_NAMES[t.state])) : null))));
}

const FIG_TABS = [["category", "按类别 By category"], ["window", "按窗口 By window"], ["clerk", "按人员 By clerk"]];
function renderFigures() {
  $("tabs").replaceChildren(...FIG_TABS.map(([k, label]) => el("button", { type: "button", role: "tab",
    "aria-selected": String(k === figTab), onclick: () => { figTab = k; renderFigures(); } }, bi(label))));
  const today = data.today;
  const rows = today["by_" + figTab];
  const util = Object.fromEntries(today.utilisation.map(u => [u.key, u]));
  const rates = Object.fromEntries((figTab === "window" ? today.ratings.by_window : figTab === "clerk" ? today.ratings.by_clerk : []).map(x => [x.key, x]));
  const heads = ["名称 Name", "取号 Issued", "办结 Served", "过号 No-show", "平均等候 Wait", "90%等候 P90", "平均到窗 Walk",
    "平均办理 Service", "90%办理 P90", "达标率 Level"];
  if (figTab === "window") heads.push("利用率 Utilisation");
  if (figTab !== "category") heads.push("差评率 Bad rate");
  $("fig-head").replaceChildren(el("tr", {}, ...heads.map((h, i) => el("th", { class: i ? "num" : "" }, bi(h)))));
  $("fig-body").replaceChildren(...rows.map(x => {
    const cells = [x.name, x.issued, x.served, x.no_show, dur(x.wait.mean), dur(x.wait.p90), dur(x.walk.mean),
      dur(x.service.mean), dur(x.service.p90), pct(x.service_level.share)];
    const tds = cells.map((c, i) => el("td", { class: i ? "num" : "" }, i ? c : bi(c)));
    if (figTab === "window") {
      const u = util[x.key];
      tds.push(el("td", { class: "num " + (u && u.flagged ? "flag" : "") }, u ? pct(u.share) : "—"));
    }
    if (figTab !== "category") {
      const r = rates[x.key];
      tds.push(el("td", { class: "num " + (r && r.flagged ? "flag" : "") }, r ? `${pct(r.rate)} (${r.bad}/${r.total})` : "—"));
    }
    return el("tr", { "data-key": x.key }, ...tds);
  }));
}

function chartOpts(width, series, whole) {
  const tz = data.hall.timezone || "Asia/Shanghai";
  const local = (ts) => uPlot.tzDate(new Date(ts * 1e3), tz);
  const pad = (n) => String(n).padStart(2, "0");
  return {
    width, height: 240,
    tzDate: local,
    legend: { show: false },
    scales: { x: { time: true } },
    axes: [
      { stroke: "#4a564c", grid: { stroke: "#e3e8e4" },
        values: (u, ticks) => ticks.map(t => { const d = local(t); return pad(d.getHours()) + ":" + pad(d.getMinutes()); }) },
      { stroke: "#4a564c", grid: { stroke: "#e3e8e4" }, incrs: whole ? [1, 2, 5, 10, 20, 50, 100] : undefined,
        values: (u, ticks) => ticks.map(v => whole ? String(Math.round(v)) : String(+v.toFixed(1))) },
    ],
    series: [{}, series],
  };
}

function renderCharts() {
  if (typeof uPlot === "undefined") return;
  const s = data.today.series;
  const t = s.t.map(x => x + s.step_s / 2);
  const sets = {
    "chart-arrivals": [[t, s.arrivals], { label: "到达 Arrivals", stroke: "#0b6e3a", fill: "#0b6e3a99",
      paths: uPlot.paths.bars({ size: [0.8, 60] }), points: { show: false } }],
    "chart-waits": [[t, s.wait_mean_s.map(v => v === null ? null : +(v / 60).toFixed(1))],
      { label: "平均等候 Mean wait (min)", stroke: "#c1272d", width: 3, spanGaps: true, points: { show: true, size: 7 } }],
  };
  for (const [id, [series, opts]] of Object.entries(sets)) {
    const box = $(id);
    const width = Math.max(280, box.clientWidth || 500);
    if (charts[id]) charts[id].destroy();
    charts[id] = new uPlot(chartOpts(width, opts, id === "chart-arrivals"), series, box);
  }
}

function render() {
  $("hall-name").textContent = data.hall.name;
  $("clock").textContent = data.at.slice(0, 16).replace("T", " ");
  renderTiles(); renderCats(); renderAlerts(); renderScreens(); renderWindows(); renderPrinters(); renderTasks();
  renderFigures(); renderCharts();
  document.body.dataset.loadedAt = data.at;
}

async function refresh() {
  try {
    const hall = encodeURIComponent(HALL);
    const [d, s] = await Promise.all([OW.api("GET", `/api/v1/halls/${hall}/dashboard`),
      OW.api("GET", `/api/v1/halls/${hall}/screens`)]);
    data = d; screens = s;
    liveAlerts = new Map();  // the refreshed list tells them now
    render();
  } catch (e) {
    if (e.status === 401) { showLogin(); }
  }
}

function scheduleRefresh(ms = 300) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, ms);
}

function onEvent(ev) {
  // The fast part at once; the figures follow from one refresh.
  if (!data) return scheduleRefresh();
  if (ev.type === "queue" && ev.waiting) {
    let total = 0;
    for (const c of data.now.categories) {
      c.waiting = ev.waiting[c.code] || 0;
      total += c.waiting;
      const cell = document.querySelector(`tr[data-category="${c.code}"] [data-role="waiting"]`);
      if (cell) cell.textContent = c.waiting;
    }
    data.now.waiting = total;
    const tw = $("tile-waiting");
    if (tw) tw.textContent = total;
  } else if (ev.type === "call" || ev.type === "recall") {
    const card = document.querySelector(`.win[data-window="${ev.window}"]`);
    if (card) {
      card.querySelector('[data-role="number"]').textContent = ev.ticket;
      if (card.dataset.status !== "away") card.dataset.status = "serving";
    }
  } else if (ev.type === "printer") {
    // Paper out, offline, near end and back: the panel at once, alarms in the list too.
    const list = data.printers || (data.printers = []);
    const i = list.findIndex(p => p.printer === ev.printer);
    if (i >= 0) list[i] = ev; else list.push(ev);
    renderPrinters();
    if (ev.alert) {
      const key = "printer:" + ev.printer;
      liveAlerts.set(key, { key, kind: "printer", level: ev.level, message: ev.message, at: ev.at || null,
        live: true, cleared: ev.level === "green" });
      renderAlerts();
      scheduleRefresh(1000); // the supervision log has it (or its all-clear) by then
    }
    return;
  } else if (ev.type === "alert") {
    const key = liveKey(ev);
    liveAlerts.set(key, { key, kind: ev.kind, level: ev.level || "yellow", message: ev.message || "",
      at: ev.at || null, categories: ev.categories || [], live: true, cleared: ev.level === "green" });
    if (liveAlerts.size > 50) liveAlerts.delete(liveAlerts.keys().next().value);
    renderAlerts();
  }
  scheduleRefresh();
}

function openStep(t) {
  const step = scheme.steps.find(s => s.step === t.state);
  const dlg = $("step-dialog");
  $("step-title").replaceChildren(`${t.ticket}：`, ...bi(STEP_NAMES[t.state]));
  $("step-outcome").replaceChildren(...step.outcomes.map(o => el("option", { value: o }, OUTCOME_NAMES[o] || o)));
  $("step-form").note.value = "";
  $("step-error").classList.add("hidden");
  dlg.dataset.task = t.id;
  dlg.dataset.step = t.state;
  dlg.showModal();
}

$("step-cancel").addEventListener("click", () => $("step-dialog").close());
$("step-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const dlg = $("step-dialog");
  try {
    await OW.api("POST", `/api/v1/halls/${encodeURIComponent(HALL)}/rating-tasks/${dlg.dataset.task}/advance`,
      { step: dlg.dataset.step, outcome: $("step-outcome").value, note: e.target.note.value });
    dlg.close();
    refresh();
  } catch (err) {
    const box = $("step-error");
    box.replaceChildren(...OW.errorNodes("", "", err));
    box.classList.remove("hidden");
  }
});

let exporting = false;
async function startExport(format) {
  if (exporting) return;
  exporting = true;
  const step = $("rep-step"), bar = $("rep-progress"), link = $("rep-download");
  $("rep-job").classList.remove("hidden");
  link.classList.add("hidden");
  bar.value = 0;
  step.replaceChildren(...bi("正在导出… Exporting…"));
  try {
    let job = await OW.api("POST", `/api/v1/halls/${encodeURIComponent(HALL)}/exports`,
      { from: $("rep-from").value, to: $("rep-to").value, format });
    while (job.status === "running") {
      bar.value = job.progress;
      step.replaceChildren(...bi(`正在导出 Exporting ${Math.round(job.progress * 100)}%`));
      await new Promise((r) => setTimeout(r, 400));
      job = await OW.api("GET", job.status_url);
    }
    if (job.status !== "done") throw Object.assign(new Error(job.error || job.status), { job: true });
    bar.value = 1;
    step.replaceChildren(...bi(`导出完成 Done: ${job.filename}`));
    link.href = job.download;
    link.classList.remove("hidden");
    link.click();
  } catch (err) {
    // a failed job gives its reason in English; an error answer, its code's texts (issue 12, point 18)
    step.replaceChildren(...(err.job ? ["导出失败：导出任务出错", OW.en(`Export failed: ${err.message}`)]
      : OW.errorNodes("导出失败", "Export failed", err)));
  } finally {
    exporting = false;
  }
}
$("rep-csv").addEventListener("click", () => startExport("csv"));
$("rep-xlsx").addEventListener("click", () => startExport("xlsx"));

function showLogin() {
  $("board").classList.add("hidden");
  $("logout").classList.add("hidden");
  $("login").classList.remove("hidden");
}

OW.signInForm($("login-form"), $("login-error"), () => { start(); });  // errors by code (OW.errorNodes)

$("logout").addEventListener("click", async () => {
  try { await OW.api("POST", "/api/v1/auth/logout"); } finally { location.reload(); }
});

let socket = null;
async function start() {
  let me;
  try { me = await OW.api("GET", "/api/v1/auth/me"); } catch (e) { showLogin(); return; }
  if (me.role !== "manager" && me.role !== "admin") {
    showLogin();
    const box = $("login-error");
    box.replaceChildren(...bi("需要大厅管理权限 / This page needs a manager account"));
    box.classList.remove("hidden");
    return;
  }
  if (!HALL) HALL = (await OW.api("GET", "/api/v1/halls"))[0].id;
  $("devices-link").href = `/devices?hall=${encodeURIComponent(HALL)}`;
  scheme = await OW.api("GET", "/api/v1/rating-scheme");
  for (const r of scheme.reasons) REASON_NAMES[r.code] = r.name;
  $("login").classList.add("hidden");
  $("board").classList.remove("hidden");
  $("logout").classList.remove("hidden");
  await refresh();
  const today = data.at.slice(0, 10);
  $("rep-from").value = today; $("rep-to").value = today;
  if (socket) socket.close();
  socket = OW.liveSocket(`/ws/halls/${encodeURIComponent(HALL)}/console`, {
    onSnapshot: () => scheduleRefresh(50),
    onEvent,
    onState: (s) => {
      if (s === "signed-out") { location.reload(); return; }  // the session was revoked: sign in again
      $("live").className = "pill " + s;
      $("live").replaceChildren(...bi(s === "live" ? "实时 Live" : "断开 Lost"));
      $("lost").classList.toggle("hidden", s !== "lost");
    },
  });
  setInterval(refresh, 30000);
  window.addEventListener("resize", () => { if (data) renderCharts(); });
}

start();
