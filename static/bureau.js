/* The bureau's view across outlets (bureau.html): totals, each outlet's queue, today's service and
   the year's figures with the outlet rules' flags (000 第十七条), reports and exports across outlets. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const { el, en } = OW;
  const KINDS = { comprehensive: ["综合", "comprehensive"], special: ["专项", "special"], mobile: ["流动", "mobile"] };
  const DAYS = { mon: "一", tue: "二", wed: "三", thu: "四", fri: "五", sat: "六", sun: "日" };
  const REFRESH_MS = 30000;
  let timer = null;
  let serverDay = null;  // the server's today (its hall's time zone), for the report's default dates

  const pct = (x) => (x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%");
  const minutes = (s) => (s ? Math.max(1, Math.round(s / 60)) : 0);

  function tile(zh, enText, value, sub, bad) {
    return el("div", { class: "tile" + (bad ? " bad" : "") },
      el("div", { class: "label" }, zh, en(enText)), el("div", { class: "value" }, String(value)),
      sub ? el("div", { class: "sub" }, sub) : null);
  }

  function days(o) {
    if (o.kind === "mobile") {
      const next = o.visits.filter((d) => d >= o.today_date);
      return next.length ? ["出车日 ", next.slice(0, 3).map((d) => d.slice(5)).join("、"), en("visits")] : ["无后续出车", en("no visits ahead")];
    }
    return ["周" + o.opening_days.map((d) => DAYS[d]).join(""), en(o.opening_days.join(" "))];
  }

  function flag(on, zh, enText) {
    return on ? el("span", { class: "flag" }, zh, el("span", { class: "en", lang: "en" }, enText)) : null;
  }

  function row(o) {
    const y = o.year, p = y.promises, k = KINDS[o.kind];
    const longest = o.now.longest_wait_s;
    return el("tr", { class: o.open_today ? "" : "closed", "data-outlet": o.id },
      el("td", {}, el("div", { class: "name" }, o.name), o.name_en ? en(o.name_en) : null,
        el("div", { class: "where" }, ...OW.bilingual(o.address || "—")), el("div", { class: "where" }, ...days(o))),
      el("td", {}, el("span", { class: "kind " + o.kind }, k[0], el("span", { lang: "en" }, " " + k[1])),
        o.open_today ? null : el("div", { class: "where" }, "今日不开放", en("closed today"))),
      el("td", { class: "num" }, String(o.now.waiting)),
      el("td", { class: "num" }, longest ? `${minutes(longest)} 分钟` : "—", longest ? en(`${minutes(longest)} min`) : null,
        o.now.longest ? el("div", { class: "where" }, o.now.longest.number) : null),
      el("td", { class: "num" }, `${o.now.open_windows} / ${o.now.windows}`),
      el("td", { class: "num" }, String(o.today.served), en(`of ${o.today.issued} issued`)),
      el("td", { class: "num" }, pct(y.bad_rate.rate), en(`${y.bad_rate.bad} of ${y.bad_rate.total}`),
        flag(y.interview, "约谈", "interview")),
      el("td", { class: "num" }, pct(y.utilisation.share), flag(y.merge, "撤并", "merge")),
      el("td", { class: "num" }, pct(p.kept_share), en(`${p.kept} kept, ${p.missed} missed`),
        p.open_overdue ? el("div", { class: "where" }, `${p.open_overdue} 件超期`, en("open overdue")) : null));
  }

  function fillYears(current) {
    const sel = $("year");
    if (sel.options.length) return;
    for (let y = current; y >= current - 4; y--) sel.append(el("option", { value: String(y) }, String(y)));
  }

  async function load() {
    const msg = $("msg");
    const year = $("year").value;
    try {
      const out = await OW.api("GET", "/api/v1/bureau/overview" + (year ? "?year=" + year : ""));
      fillYears(new Date(out.at).getFullYear());
      const t = out.totals, today = out.at.slice(0, 10);
      serverDay = serverDay || today;
      $("at").replaceChildren("更新于 " + out.at.slice(11, 16), en("updated " + out.at.slice(11, 16)));
      $("tiles").replaceChildren(
        tile("网点", "outlets", t.outlets, `综合 ${t.by_kind.comprehensive} · 专项 ${t.by_kind.special} · 流动 ${t.by_kind.mobile}`),
        tile("正在等候", "waiting now", t.waiting),
        tile("开放窗口", "windows open", t.open_windows),
        tile("今日办结", "served today", t.served_today),
        tile("利用率低于30%", "below 30% utilisation", t.merge.length, null, t.merge.length > 0),
        tile("差评率超过5%", "bad ratings above 5%", t.interview.length, null, t.interview.length > 0));
      $("rows").replaceChildren(...out.outlets.map((o) => row({ ...o, today_date: today })));
      $("definitions").replaceChildren(`年度指标：${out.year} 年（${out.year === new Date(out.at).getFullYear() ? "截至今日" : "全年"}），` +
        "利用率 = 各窗口办理时间 / (开放时间 × 窗口数)；流动网点只计出车日。",
        en(`The year's figures: ${out.year}, per outlet. Utilisation = serving time of all windows / (open time × windows); a mobile outlet counts its visit days only.`));
      msg.classList.add("hidden");
    } catch (err) {
      msg.replaceChildren(...OW.errorNodes("读取失败", "Could not read the overview", err));
      msg.classList.remove("hidden");
    }
  }

  function csvHref() {
    const f = new FormData($("report-form"));
    $("csv").href = "/api/v1/bureau/reports.csv?" + new URLSearchParams({ from: f.get("from"), to: f.get("to") });
  }

  async function exportXlsx(e) {
    e.preventDefault();
    const box = $("export"), f = new FormData($("report-form"));
    box.classList.remove("hidden");
    box.replaceChildren("导出中… ", en("Exporting…"));
    try {
      let state = await OW.api("POST", "/api/v1/bureau/exports", { from: f.get("from"), to: f.get("to"), format: "xlsx" });
      while (state.status === "running") {
        box.replaceChildren(`导出中 ${Math.round(state.progress * 100)}%`, en(`Exporting ${Math.round(state.progress * 100)}%`));
        await new Promise((r) => setTimeout(r, 500));
        state = await OW.api("GET", state.status_url);
      }
      if (state.status !== "done") throw Object.assign(new Error(state.error || "failed"), { status: 500 });
      box.replaceChildren("导出完成", en("Export done"),
        el("a", { class: "button secondary", href: state.download, download: state.filename }, "下载 Excel ", el("span", { lang: "en" }, "Download Excel")));
    } catch (err) {
      box.replaceChildren(...OW.errorNodes("导出失败", "Export failed", err));
    }
  }

  async function show() {
    $("login").classList.add("hidden");
    $("view").classList.remove("hidden");
    await load();
    const today = serverDay || new Date().toISOString().slice(0, 10);
    const form = $("report-form");
    form.elements.from.value = today.slice(0, 8) + "01";
    form.elements.to.value = today;
    csvHref();
    clearInterval(timer);
    timer = setInterval(load, REFRESH_MS);
  }

  const allowed = (me) => me.role === "bureau_manager" || me.role === "admin";
  const box = $("login-error");
  OW.signInForm($("login-form"), box, async () => {
    if (allowed(await OW.api("GET", "/api/v1/auth/me"))) return show();
    box.replaceChildren("需要市局或管理员账号", en("A bureau manager or administrator account is needed"));
    box.classList.remove("hidden");
    $("login").classList.remove("hidden");
  });
  $("year").addEventListener("change", load);
  $("report-form").addEventListener("input", csvHref);
  $("report-form").addEventListener("submit", exportXlsx);
  OW.api("GET", "/api/v1/auth/me").then((me) => { if (allowed(me)) show(); }).catch(() => {});
})();
