/* The key-project tracking card (重点项目服务跟踪卡, issue 15 point 6) in the console's case view:
   the liaison, each service step's limit, actual start and end, fee against its cap and the
   satisfaction; printable (the print style shows the card alone). A manager marks a case key
   project; the liaison, the case's clerk or a manager records the steps. */

import { S } from "./state.js";

const { api, el } = OW;
const en = (text) => el("span", { class: "en", lang: "en" }, text);
const LEVELS = [[5, "非常满意", "Very satisfied"], [4, "满意", "Satisfied"], [3, "基本满意", "Basically satisfied"],
  [2, "不满意", "Dissatisfied"], [1, "非常不满意", "Very dissatisfied"]];
const when = (iso) => (iso ? iso.slice(5, 16).replace("T", " ") : "—");
const yuan = (x) => (x === null || x === undefined ? "—" : `${x.toLocaleString("zh-CN")} 元`);

function took(s) {
  if (s === null || s === undefined) return "—";
  const d = s / 86400;
  return d >= 1 ? `${d.toFixed(1)} 天` : `${(s / 3600).toFixed(1)} 小时`;
}

/** Fill `box` with the card of case `c` (or, for a manager, the form that marks it); `say` reports. */
export async function renderKeyProject(box, c, say) {
  let card;
  try {
    card = await api("GET", `/api/v1/cases/${c.id}/key-project`);
  } catch (err) {
    if (!(err.data && err.data.code === "not_key_project")) throw err;
    box.replaceChildren(...notKey(box, c, say));
    return;
  }
  box.replaceChildren(...drawCard(box, c, card, say));
}

function notKey(box, c, say) {
  const out = [el("h3", { id: "kp-title" }, "重点项目服务跟踪卡", en("Key-project tracking card")),
    el("p", { class: "kpnote" }, "本办件不是重点项目。", en("This case is not a key project."))];
  if (!S.me || !["manager", "admin"].includes(S.me.role)) return out;  // a manager marks it (the item needs key_steps)
  const liaison = el("input", { id: "kp-liaison", maxlength: "64", autocomplete: "off" });
  const phone = el("input", { id: "kp-phone", maxlength: "32", inputmode: "tel", autocomplete: "off" });
  out.push(el("form", { class: "kpmark", novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api("POST", `/api/v1/cases/${c.id}/key-project`, { liaison: liaison.value.trim(), phone: phone.value.trim() });
      say(null, ["已列为重点项目", en("Marked key project")]);
      await renderKeyProject(box, c, say);
    } catch (err) { say(err); }
  } },
  el("div", {}, el("label", { for: "kp-liaison" }, "挂钩服务人员（账号）", en("Liaison (staff login)")), liaison),
  el("div", {}, el("label", { for: "kp-phone" }, "联系电话", en("Phone")), phone),
  el("button", { type: "submit" }, "列为重点项目", en("Mark key project"))));
  return out;
}

function drawCard(box, c, card, say) {
  const head = el("tr", {}, ...[["服务环节", "Step"], ["时限", "Limit"], ["开始", "Started"], ["结束", "Ended"],
    ["实际用时", "Took"], ["收费 / 上限", "Fee / cap"], ["满意度", "Satisfaction"]]
    .map(([zh, e]) => el("th", { scope: "col" }, zh, en(e))));
  const rows = card.steps.map((s) => el("tr", { class: s.overrun ? "over" : "", "data-step": s.step },
    el("th", { scope: "row" }, s.name, en(s.name_en)),
    el("td", {}, `${s.days} 个工作日`, en(`${s.days} working days`), s.due ? el("div", { class: "kpdue" }, `至 ${when(s.due)}`, en(`by ${when(s.due)}`)) : ""),
    el("td", {}, when(s.started_at)),
    el("td", {}, when(s.ended_at)),
    el("td", {}, took(s.took_s), s.overrun ? el("b", { class: "kpflag" }, " 超时", en("overrun")) : ""),
    el("td", {}, yuan(s.fee), " / ", s.fee_cap === null ? ["不收费", en("free")] : yuan(s.fee_cap),
      s.over_cap ? el("b", { class: "kpflag" }, " 超上限", en("over cap")) : ""),
    el("td", {}, s.satisfaction_name ? [s.satisfaction_name, en(s.satisfaction_name_en)] : "—")));
  const l = card.liaison;
  const step = el("select", { id: "kp-step" }, ...card.steps.map((s) => el("option", { value: s.step }, `${s.name}（${s.name_en}）`)));
  const fee = el("input", { id: "kp-fee", type: "number", min: "0", step: "1", inputmode: "decimal" });
  const level = el("select", { id: "kp-level" }, ...LEVELS.map(([v, zh, e]) => el("option", { value: String(v) }, `${zh}（${e}）`)));
  const send = async (body, okText) => {
    try {
      const after = await api("POST", `/api/v1/cases/${c.id}/key-project/steps`, { step: step.value, ...body });
      const keep = step.value;
      box.replaceChildren(...drawCard(box, c, after, say));
      box.querySelector("#kp-step").value = keep;
      say(null, okText);
    } catch (err) { say(err); }
  };
  return [
    el("div", { class: "kphead" },
      el("h3", { id: "kp-title" }, "重点项目服务跟踪卡", en("Key-project tracking card")),
      el("button", { type: "button", class: "secondary", id: "kp-print", onclick: () => window.print() }, "打印", en("Print"))),
    el("p", { class: "kpwho" }, `${card.number} · ${card.item_name} · ${card.project || ""}`, el("br"),
      "挂钩服务人员：", el("b", {}, l.name), l.phone ? ` · ${l.phone}` : "", en(`Liaison: ${l.name}`)),
    el("table", { class: "kptable" }, el("thead", {}, head), el("tbody", {}, ...rows)),
    el("div", { class: "kprecord" },
      el("div", {}, el("label", { for: "kp-step" }, "环节", en("Step")), step),
      el("button", { type: "button", id: "kp-start", onclick: () => send({ event: "start" }, ["已记录开始", en("Start recorded")]) },
        "开始", en("Start")),
      el("button", { type: "button", id: "kp-end", onclick: () => send({ event: "end" }, ["已记录结束", en("End recorded")]) },
        "结束", en("End")),
      el("div", {}, el("label", { for: "kp-fee" }, "收费（元）", en("Fee, yuan")), fee),
      el("button", { type: "button", id: "kp-fee-send", class: "secondary",
        onclick: () => send({ event: "fee", amount: Number(fee.value) }, ["已记录收费", en("Fee recorded")]) }, "记录收费", en("Record fee")),
      el("div", {}, el("label", { for: "kp-level" }, "满意度", en("Satisfaction")), level),
      el("button", { type: "button", id: "kp-level-send", class: "secondary",
        onclick: () => send({ event: "satisfaction", level: Number(level.value) }, ["已记录满意度", en("Satisfaction recorded")]) },
      "记录满意度", en("Record satisfaction"))),
  ];
}
