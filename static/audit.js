/* The audit log (manager, admin): filters, the entries newest first, CSV export, the chain's state. */
"use strict";
(() => {
  const LABELS = {
    bootstrap_admin: ["创建初始管理员", "first admin created"],
    login: ["登录", "signed in"],
    login_failed: ["登录失败", "failed sign-in"],
    logout: ["退出登录", "signed out"],
    create_user: ["创建账号", "account created"],
    forbidden: ["越权请求被拒", "request refused (403)"],
    window_sign_in: ["窗口签到", "window sign-in"],
    window_sign_out: ["窗口签退", "window sign-out"],
    window_away: ["暂离", "away"],
    window_back: ["回到窗口", "back"],
    set_posts: ["调整 A/B 岗", "posts changed"],
    case_suspend: ["办件暂停计时", "case suspended"],
    case_resume: ["办件恢复计时", "case resumed"],
    case_complete: ["办结", "case completed"],
    case_withdraw: ["撤件/退件", "case withdrawn or refused"],
    case_refusal_without_reason: ["退件未说明理由", "refusal without a reason"],
    alert_resolve: ["处理预警", "alert resolved"],
    rectification_step: ["整改步骤", "rectification step"],
    calendar_year_loaded: ["载入年度日历", "calendar year loaded"],
    report_download: ["下载报表", "report downloaded"],
    report_export: ["导出报表", "report export"],
    report_export_download: ["下载导出文件", "export downloaded"],
    audit_export: ["导出审计日志", "audit log exported"],
    print_receipt: ["打印回执", "receipt printed"],
    print_notice: ["打印告知单", "notice printed"],
  };
  const SECURITY = new Set(["login_failed", "forbidden", "case_refusal_without_reason"]);
  const $ = (id) => document.getElementById(id);
  const form = $("filters");
  let oldest = null;

  function query(extra) {
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) q.set(k, v);
    for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
    return q;
  }

  function actionCell(action) {
    const l = LABELS[action];
    if (!l) return OW.el("td", {}, action);
    return OW.el("td", {}, l[0], OW.el("span", { class: "en", lang: "en" }, l[1]));
  }

  function dataCell(data) {
    if (data === null || typeof data !== "object") return OW.el("td", { class: "data" }, String(data ?? ""));
    const parts = Object.entries(data).map(([k, v]) =>
      OW.el("span", {}, OW.el("b", {}, k + ": "), typeof v === "object" && v !== null ? JSON.stringify(v) : String(v ?? "—")));
    return OW.el("td", { class: "data" }, parts);
  }

  function row(e) {
    return OW.el("tr", { class: SECURITY.has(e.action) ? "security" : "", "data-id": e.id },
      OW.el("td", { class: "num" }, "#" + e.id),
      OW.el("td", { class: "when" }, e.at.replace("T", " ").slice(0, 19)),
      OW.el("td", {}, e.actor || "—"),
      actionCell(e.action),
      dataCell(e.data));
  }

  function fillActions(actions) {
    const sel = $("action"), keep = sel.value;
    sel.replaceChildren(OW.el("option", { value: "" }, "全部 All"),
      ...actions.map(a => OW.el("option", { value: a }, LABELS[a] ? `${LABELS[a][0]} ${a}` : a)));
    sel.value = keep;
  }

  async function load(more) {
    const msg = $("msg");
    msg.classList.add("hidden");
    const q = query(more && oldest ? { before: oldest } : {});
    $("export").href = "/api/v1/audit/export.csv?" + query().toString();
    try {
      const out = await OW.api("GET", "/api/v1/audit?" + q.toString());
      if (!more) fillActions(out.actions);
      const rows = out.entries.map(row);
      if (more) $("rows").append(...rows); else $("rows").replaceChildren(...rows);
      if (out.entries.length) oldest = out.entries[out.entries.length - 1].id;
      $("empty").classList.toggle("hidden", $("rows").children.length > 0);
      $("more").classList.toggle("hidden", out.entries.length < 100);
    } catch (err) {
      msg.replaceChildren(...OW.errorNodes("读取失败", "Could not read the log", err));
      msg.classList.remove("hidden");
    }
  }

  async function verify() {
    const box = $("chain");
    box.classList.remove("hidden", "ok", "bad");
    box.replaceChildren("校验中… ", OW.el("span", { lang: "en" }, "Verifying…"));
    try {
      const v = await OW.api("GET", "/api/v1/audit/verify");
      if (v.ok) {
        box.classList.add("ok");
        box.replaceChildren(`审计链完整（${v.rows} 条）`, OW.el("span", { class: "en", lang: "en" }, `chain verified, ${v.rows} entries`));
      } else {
        box.classList.add("bad");
        box.replaceChildren(`审计链在 #${v.problem.id} 处断开`,
          OW.el("span", { class: "en", lang: "en" }, `chain broken at #${v.problem.id} (${v.problem.kind})`));
        box.title = v.problem.message;
      }
    } catch (err) {
      box.classList.add("bad");
      box.replaceChildren(...OW.errorNodes("无法校验", "Cannot verify", err));
    }
  }

  async function show() {
    $("login").classList.add("hidden");
    $("log").classList.remove("hidden");
    await Promise.all([load(false), verify()]);
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); oldest = null; load(false); });
  $("more").addEventListener("click", () => load(true));
  $("verify").addEventListener("click", verify);
  OW.managerPage(show);
})();
