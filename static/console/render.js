/* Drawing the desk from S.data: alerts, the current visitor, action buttons, queue, day, keys. */

import { enabled, run } from "./actions.js";
import { ACTIONS, REASONS, STATUS, minutes } from "./labels.js";
import { $, S, catOf, nameOf, serverNow, winOf } from "./state.js";

const { el } = OW;

export function render() {
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
    if (n.see_instead_name) { zh.push(`请找 ${n.see_instead_name}`); en.push(`see ${n.see_instead_name}`); }
    else if (n.see_instead) { const w = winOf(n.see_instead); zh.push(`请到 ${w.name}`); en.push(`see ${w.name_en}`); }
    if (d.covered_by) { zh.push(`${nameOf(d.covered_by)} 代岗中`); en.push(`${nameOf(d.covered_by)} covers your window`); }
    out.push(el("div", { class: "banner away", id: "away-banner" },
      el("div", {}, zh.join(" · "), el("span", { class: "en", lang: "en" }, en.join(" · "))),
      el("button", { type: "button", onclick: () => run("back") }, el("kbd", { lang: "en" }, "B"), " 回岗 ", el("span", { class: "en", lang: "en" }, "Back"))));
  }
  if (d.profile && d.profile.covers.length) {
    // B covers an absent A; an A signed in elsewhere serves their own window when nobody else does
    const as = d.profile.covers_as || {};
    const wins = d.profile.covers.map((id) => [winOf(id), as[id] || "B"]);
    const takeover = d.acting_window !== S.window;
    out.push(el("div", { class: "banner covering", id: "covering-banner" },
      el("div", {},
        `您正在代岗：${wins.map(([w, p]) => `${w.name}（${p} 岗）`).join("、")}` + (takeover ? "，叫号到该窗口" : "，叫号已合并其业务"),
        el("span", { class: "en", lang: "en" }, `You cover ${wins.map(([w, p]) => `${w.name_en} (${p} post)`).join(", ")}` +
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
        el("span", { class: "en", lang: "en" }, "Nobody is serving " + cats.map(([c, n]) => `${c.name_en} (${n} waiting)`).join(", ") +
          (cov.mine.length ? ". You could cover: come back or sign in." : "")))));
  }
  $("alerts").replaceChildren(...out);
}

export function renderVisitor() {
  const d = S.data;
  const t = d.current;
  const box = $("visitor");
  const acting = winOf(d.acting_window);
  const head = el("div", { class: "vhead" },
    el("span", {}, "当前办理", el("span", { class: "en", lang: "en" }, "Current visitor")),
    el("span", { class: "vwin" }, acting.name, el("span", { class: "en", lang: "en" }, acting.name_en)));
  if (!t) {
    box.replaceChildren(head, el("div", { class: "vnum none", id: "current-number" }, "空闲", el("span", { class: "en", lang: "en" }, "Idle")),
      el("p", { class: "vidle" }, "按 N 叫下一位", el("span", { class: "en", lang: "en" }, "Press N to call the next visitor")));
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
    ["首问人", "First clerk", nameOf(t.first_clerk), ""],
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
  if (t.appointment) {  // issue 16: booked for this time, and checked in on time or late
    const a = t.appointment, at = a.start.slice(11, 16);
    facts.push(["预约", "Appointment", `${at} · ${a.on_time ? "按时签到" : "迟到签到"}`,
      `${at} · ${a.on_time ? "checked in on time" : "checked in late"}`]);
  }
  box.dataset.status = t.status;
  // Why this visitor goes first (elderly, disabled, green channel), as their ticket was issued.
  const why = t.priority_reason;
  // A key project's appointment (issue 16 point 6) says green channel too.
  const prio = t.priority !== "priority" && !(t.priority === "appointment" && why) ? null : el("span", { class: "prio", id: "priority-reason" },
    why ? `优先 · ${why.name}` : "优先", el("span", { class: "en", lang: "en" }, why ? `Priority · ${why.name_en}` : "Priority"));
  box.replaceChildren(head,
    el("div", { class: "vnum", id: "current-number" }, t.number, prio),
    el("dl", { class: "facts" }, ...facts.flatMap(([kz, ke, vz, ve]) => [
      el("dt", {}, kz, el("span", { class: "en", lang: "en" }, ke)),
      el("dd", { "data-fact": ke.toLowerCase().replace(/ /g, "-") }, vz, ve && ve !== vz ? el("span", { class: "en", lang: "en" }, ve) : null),
    ])));
}

function renderActions() {
  // Made once and updated in place, so a refresh never takes the focus away from a button.
  // An action that does not apply now stays focusable but says so (aria-disabled) and looks it.
  const box = $("actions");
  if (!box.children.length) {
    box.replaceChildren(...ACTIONS.map(([key, action, zh, en, style]) =>
      el("button", { type: "button", class: `act ${style}`, "data-action": action,
        title: `${zh} ${en} (${key})`, onclick: () => run(action) },
        el("kbd", { lang: "en" }, key), el("span", { class: "label" }, zh, el("span", { class: "en", lang: "en" }, en)))));
  }
  for (const b of box.children) b.setAttribute("aria-disabled", String(!enabled(b.dataset.action)));
}

function renderQueue() {
  const d = S.data;
  const unc = new Set(d.coverage.uncovered);
  const total = d.waiting.reduce((a, w) => a + w.waiting, 0);
  const [lz, le] = minutes(d.longest_wait_s);
  $("queue").replaceChildren(
    el("h2", {}, "本窗口等候", el("span", { class: "en", lang: "en" }, "Waiting for this window")),
    el("div", { class: "big" }, el("b", { id: "waiting-total" }, String(total)), " 人 ",
      el("span", { class: "en", lang: "en" }, "waiting"), el("span", { class: "longest" }, `最长 ${lz}`, el("span", { class: "en", lang: "en" }, `longest ${le}`))),
    el("table", { class: "waiting" },
      el("tbody", {}, ...d.waiting.map((w) => el("tr", { class: (w.waiting ? "" : "zero") + (unc.has(w.code) ? " uncovered" : ""), "data-category": w.code },
        el("td", {}, el("span", { class: "prefix" }, w.prefix), w.name, el("span", { class: "en", lang: "en" }, w.name_en)),
        el("td", { class: "n" }, String(w.waiting)),
        el("td", { class: "t" }, w.waiting ? minutes(w.longest_wait_s)[0] : "")))))
  );
}

function renderStats() {
  const s = S.data.stats;
  const [az, ae] = minutes(s.average_service_s);
  $("stats").replaceChildren(
    el("h2", {}, "今日统计", el("span", { class: "en", lang: "en" }, "My day")),
    el("dl", { class: "facts" },
      el("dt", {}, "已办结", el("span", { class: "en", lang: "en" }, "Served")), el("dd", { id: "served" }, String(s.served)),
      el("dt", {}, "平均办理", el("span", { class: "en", lang: "en" }, "Avg. service")), el("dd", {}, az, el("span", { class: "en", lang: "en" }, ae)),
      el("dt", {}, "评价", el("span", { class: "en", lang: "en" }, "Ratings")),
      el("dd", {}, s.ratings ? `${s.ratings} 条，差评 ${s.bad_ratings}` : "暂无",
        el("span", { class: "en", lang: "en" }, s.ratings ? `${s.ratings}, ${s.bad_ratings} bad` : "none yet"))));
}

function renderKeys() {
  // Each button shows its key; the full list folds away so the desk fits one screen.
  const box = $("keys");
  if (box.children.length) return;
  box.replaceChildren(
    el("summary", {}, "快捷键", el("span", { class: "en", lang: "en" }, "Keys")),
    el("ul", {}, ...ACTIONS.map(([k, , zh, en]) => el("li", {}, el("kbd", { lang: "en" }, k), ` ${zh} `, el("span", { class: "en", lang: "en" }, en))),
      el("li", {}, el("kbd", { lang: "en" }, "Esc"), " 关闭 ", el("span", { class: "en", lang: "en" }, "close")),
      el("li", {}, el("kbd", { lang: "en" }, "Enter"), " 确认 ", el("span", { class: "en", lang: "en" }, "confirm"))));
}
