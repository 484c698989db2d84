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
let data = null, scheme = null, refreshTimer = null, liveAlerts = [], figTab = "category", charts = {};

const $ = (id) => document.getElementById(id);
const el = OW.el;

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

function tile(label, en, value, sub, cls) {
  return el("div", { class: "tile " + (cls || "") },
    el("div", { class: "label" }, label, " ", el("span", { class: "en", style: "display:inline" }, en)),
    el("div", { class: "value" }, value), el("div", { class: "sub" }, sub || ""));
}

function renderTiles() {
  const n = data.now, t = data.today.totals, r = data.today.ratings;
  const longest = n.longest;
  const sl = t.service_level.share;
  $("tiles").replaceChildren(
    tile("等候人数", "Waiting", el("span", { id: "tile-waiting" }, n.waiting)),
    tile("最长等候", "Longest wait", longest ? dur(longest.wait_s) : "—", longest ? longest.number : "",
      n.categories.some(c => c.over_target) ? "warn" : ""),
    tile("今日取号", "Issued", t.issued),
    tile("已办结", "Served", t.served),
    tile("过号", "No-shows", t.no_show),
    tile("平均等候", "Mean wait", dur(t.wait.mean), "90%: " + dur(t.wait.p90)),
    tile("平均办理", "Mean service", dur(t.service.mean), "90%: " + dur(t.service.p90)),
    tile("等候达标率", "Service level", pct(sl), `${t.service_level.met}/${t.service_level.total}`,
      sl !== null && sl < 0.8 ? "warn" : ""),
    tile("今日评价", "Ratings", r.total, `差评 bad ${r.bad} · ${pct(r.rate)}`, r.flagged ? "bad" : ""),
    tile("整改中", "Open tasks", n.tasks.length, n.tasks.some(x => x.overdue) ? "超时 overdue!" : "",
      n.tasks.some(x => x.overdue) ? "bad" : ""),
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

function renderAlerts() {
  // An alarm both heard live and read from the supervision log is listed once.
  const logged = new Set(data.now.alerts.map(a => a.message));
  const items = [...liveAlerts.filter(a => !logged.has(a.message)), ...data.now.alerts];
  if (!items.length) {
    $("alerts").replaceChildren(el("li", { class: "none" }, "暂无告警 No alerts"));
    return;
  }
  $("alerts").replaceChildren(...items.map(a => el("li", { class: a.level === "red" ? "red" : a.level === "green" ? "none" : "",
    "data-kind": a.kind || "" }, a.at ? hhmm(a.at) + " " : "", a.message)));
}

function renderPrinters() {
  const list = data.printers || [];
  $("printers-card").classList.toggle("hidden", !list.length);
  $("printers").replaceChildren(...list.map(p => el("div", { class: "printer", "data-printer": p.printer, "data-state": p.state },
    el("div", { class: "name" }, p.printer),
    el("div", { class: "state" }, p.state_name, el("span", { class: "en", style: "display:inline;margin-left:6px" }, p.state_name_en)),
    el("div", { class: "where" }, [p.kiosks.length ? "取号机 kiosk " + p.kiosks.join(", ") : "",
      p.windows.length ? "窗口 windows " + p.windows.join(", ") : ""].filter(Boolean).join(" · "),
      p.when_unavailable === "refuse" ? " · 缺纸停止取号 refuses when out" : ""),
    el("div", { class: "count" }, `已打印 printed ${p.printed} · 失败 failed ${p.failed}`))));
}

function renderWindows() {
  $("windows").replaceChildren(...data.now.windows.map(w => {
    const duty = w.on_duty === "A" ? "A岗 A post" : w.on_duty === "B" ? "B岗 B post" : w.on_duty ? "代岗 stand-in" : null;
    const notice = w.notice ? `去向 Away：${AWAY_NAMES[w.notice.reason] || w.notice.reason || ""} ${w.notice.back_at ? "至 " + w.notice.back_at : ""} ${w.notice.see_instead ? (w.notice.see_instead_name ? "请找 " + w.notice.see_instead_name : "请到 " + w.notice.see_instead) : ""} ${w.notice.note || ""}` : null;
    return el("div", { class: "win", "data-window": w.id, "data-status": w.status },
      el("span", { class: "status" }, STATUS_NAMES[w.status] || w.status),
      el("div", { class: "name" }, w.name),
      el("div", { class: "num", "data-role": "number" }, w.number || ""),
      el("div", { class: "who" }, w.clerk ? w.clerk.name : "—", duty ? el("span", { class: "duty" }, duty) : null),
      el("div", { class: "who", style: "color:var(--muted)" }, `A: ${w.a_clerk || "—"} · B: ${w.b_clerk || "—"}`),
      w.covered_by ? el("div", { class: "notice" }, `由B岗 ${w.covered_by} 顶岗 / covered by B post`) : null,
      notice ? el("div", { class: "notice" }, notice) : null);
  }));
}

function renderTasks() {
  const tasks = data.now.tasks;
  if (!tasks.length) {
    $("tasks").replaceChildren(el("tr", {}, el("td", { colspan: 7 }, "暂无整改任务 No open tasks")));
    return;
  }
  $("tasks").replaceChildren(...tasks.map(t => el("tr", { "data-task": t.id, class: t.overdue ? "over" : "" },
    el("td", {}, t.ticket),
    el("td", {}, t.window || "—"),
    el("td", {}, `${t.level} ${LEVEL_NAMES[t.level]}`),
    el("td", {}, t.reasons.map(r => REASON_NAMES[r] || r).join("、"), t.comment ? el("div", { style: "color:var(--muted)" }, "“" + t.comment + "”") : null),
    el("td", {}, STEP_NAMES[t.state]),
    el("td", { class: t.overdue ? "flag" : "" }, mdhm(t.due_at), t.overdue ? " 超时 overdue" : ""),
    el("td", {}, t.state !== "closed" ? el("button", { type: "button", onclick: () => openStep(t) }, STEP_NAMES[t.state]) : null))));
}

const FIG_TABS = [["category", "按类别 By category"], ["window", "按窗口 By window"], ["clerk", "按人员 By clerk"]];
function renderFigures() {
  $("tabs").replaceChildren(...FIG_TABS.map(([k, label]) => el("button", { type: "button", role: "tab",
    "aria-selected": String(k === figTab), onclick: () => { figTab = k; renderFigures(); } }, label)));
  const today = data.today;
  const rows = today["by_" + figTab];
  const util = Object.fromEntries(today.utilisation.map(u => [u.key, u]));
  const rates = Object.fromEntries((figTab === "window" ? today.ratings.by_window : figTab === "clerk" ? today.ratings.by_clerk : []).map(x => [x.key, x]));
  const heads = ["名称 Name", "取号 Issued", "办结 Served", "过号 No-show", "平均等候 Wait", "90%等候 P90", "平均到窗 Walk",
    "平均办理 Service", "90%办理 P90", "达标率 Level"];
  if (figTab === "window") heads.push("利用率 Utilisation");
  if (figTab !== "category") heads.push("差评率 Bad rate");
  $("fig-head").replaceChildren(el("tr", {}, ...heads.map((h, i) => el("th", { class: i ? "num" : "" }, h))));
  $("fig-body").replaceChildren(...rows.map(x => {
    const cells = [x.name, x.issued, x.served, x.no_show, dur(x.wait.mean), dur(x.wait.p90), dur(x.walk.mean),
      dur(x.service.mean), dur(x.service.p90), pct(x.service_level.share)];
    const tds = cells.map((c, i) => el("td", { class: i ? "num" : "" }, c));
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
  renderTiles(); renderCats(); renderAlerts(); renderWindows(); renderPrinters(); renderTasks(); renderFigures(); renderCharts();
  document.body.dataset.loadedAt = data.at;
}

async function refresh() {
  try {
    data = await OW.api("GET", `/api/v1/halls/${encodeURIComponent(HALL)}/dashboard`);
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
      liveAlerts.unshift({ kind: "printer", level: ev.level, message: ev.message, at: ev.at || null });
      liveAlerts = liveAlerts.slice(0, 20);
      renderAlerts();
      scheduleRefresh(1000); // the supervision log has it (or its all-clear) by then
    }
    return;
  } else if (ev.type === "alert") {
    liveAlerts.unshift({ level: ev.level || "yellow", message: ev.message || "", at: ev.at || null });
    liveAlerts = liveAlerts.slice(0, 20);
    renderAlerts();
  }
  scheduleRefresh();
}

function openStep(t) {
  const step = scheme.steps.find(s => s.step === t.state);
  const dlg = $("step-dialog");
  $("step-title").textContent = `${t.ticket}：${STEP_NAMES[t.state]}`;
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
    box.textContent = err.message;
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
  step.textContent = "正在导出… Exporting…";
  try {
    let job = await OW.api("POST", `/api/v1/halls/${encodeURIComponent(HALL)}/exports`,
      { from: $("rep-from").value, to: $("rep-to").value, format });
    while (job.status === "running") {
      bar.value = job.progress;
      step.textContent = `正在导出 Exporting ${Math.round(job.progress * 100)}%`;
      await new Promise((r) => setTimeout(r, 400));
      job = await OW.api("GET", job.status_url);
    }
    if (job.status !== "done") throw new Error(job.error || job.status);
    bar.value = 1;
    step.textContent = `导出完成 Done: ${job.filename}`;
    link.href = job.download;
    link.classList.remove("hidden");
    link.click();
  } catch (err) {
    step.textContent = `导出失败 Export failed: ${err.message}`;
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

OW.signInForm($("login-form"), $("login-error"), () => { start(); },
  (err) => err.status === 401 ? "用户名或密码错误 / Wrong username or password" : err.message);

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
    box.textContent = "需要大厅管理权限 / This page needs a manager account";
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
      $("live").textContent = s === "live" ? "实时 Live" : "断开 Lost";
      $("lost").classList.toggle("hidden", s !== "lost");
    },
  });
  setInterval(refresh, 30000);
  window.addEventListener("resize", () => { if (data) renderCharts(); });
}

start();
