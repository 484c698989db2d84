/* Cases (办件) at the window (issue 15): the open cases, soonest deadline first; a case's detail
   with the one-time notice (一次性告知: suspend for correction, ticking the item's checklist and
   writing any other defect, one per line), resume, a visit recorded (最多跑一次 counts them), and
   its key-project card (keyproject.js). The view takes the desk's place while open, as the
   complaints view does; the desk's keys do not act meanwhile (keys.js ignores them). */

import { why } from "./feedback.js";
import { renderKeyProject } from "./keyproject.js";
import { loadGreenChannel } from "./greenchannel.js";
import { $, S } from "./state.js";

const { api, el } = OW;
const V = { open: false, before: null, list: [], current: null, busy: false };
const en = (text) => el("span", { class: "en", lang: "en" }, text);
const STATUS = {
  accepted: ["办理中", "in progress"], suspended: ["暂停计时", "clock stopped"],
  completed: ["已办结", "completed"], withdrawn: ["已撤回", "withdrawn"],
};
const REASONS = [["correction", "补正材料", "Documents to complete"], ["expert_review", "专家评审", "Expert review"],
  ["hearing", "听证", "Hearing"], ["public_notice", "公示", "Public notice"]];
const day = (iso) => (iso ? iso.slice(0, 10) : "—");

export function setupCases() {
  $("cases-open").addEventListener("click", () => (V.open ? closeView() : openView()));
  $("cases-back").addEventListener("click", () => closeView());
  $("cases-filter").addEventListener("input", drawList);
  // The complaints view takes the same place: this one closes first (capture: before complaints.js runs).
  $("complaints-open").addEventListener("click", () => { if (V.open) closeView(false); }, { capture: true });
  document.addEventListener("keydown", (e) => {
    if (V.open && e.key === "Escape" && !S.dialog) { e.preventDefault(); closeView(); }
  });
}

async function openView() {
  if (!$("complaints").classList.contains("hidden")) $("complaints-back").click();
  V.before = ["login", "picker", "desk"].find((id) => !$(id).classList.contains("hidden")) || null;
  for (const id of ["login", "picker", "desk"]) $(id).classList.add("hidden");
  $("cases").classList.remove("hidden");
  $("cases-open").setAttribute("aria-expanded", "true");
  V.open = true;
  try { await loadList(); } catch (err) { say(err); }
  loadGreenChannel().catch((err) => say(err));  // the liaison's key-project bookings
  $("cases-filter").focus();
}

function closeView(focus = true) {
  $("cases").classList.add("hidden");
  $("cases-open").setAttribute("aria-expanded", "false");
  V.open = false;
  if (V.before) $(V.before).classList.remove("hidden");
  if (focus) $("cases-open").focus();
}

export function say(err, ok) {
  const box = $("cs-msg");
  if (ok) { box.className = "cmsg ok"; box.replaceChildren(...ok); return; }
  const [zh, e] = why(err);
  box.className = "cmsg bad";
  box.replaceChildren("失败：" + zh, en("Failed: " + e));
}

async function loadList() {
  V.list = await api("GET", `/api/v1/halls/${S.hall}/cases?status=accepted,suspended&limit=200`);
  drawList();
}

function drawList() {
  const q = $("cases-filter").value.trim().toUpperCase();
  const shown = V.list.filter((c) => !q || c.number.toUpperCase().includes(q) || (c.project || "").includes(q));
  $("cs-count").textContent = String(shown.length);
  $("cs-list").replaceChildren(shown.length ? el("ul", { class: "cslist" }, ...shown.slice(0, 50).map((c) => {
    const [sz, se] = STATUS[c.status] || [c.status, c.status];
    return el("li", {}, el("button", {
      type: "button", class: "csrow" + (V.current && V.current.id === c.id ? " on" : ""), "data-case": String(c.id),
      "aria-pressed": String(Boolean(V.current && V.current.id === c.id)), onclick: () => openCase(c.id) },
    el("b", {}, c.number), el("span", {}, c.item_name), el("span", { class: `st ${c.status} ${c.card}` }, sz, en(se)),
    el("span", { class: "due" }, `限 ${day(c.deadline)}`, en(`due ${day(c.deadline)}`))));
  })) : el("p", { class: "empty" }, "没有未办结的办件。", en("No open cases.")));
}

async function openCase(id) {
  try {
    V.current = await api("GET", `/api/v1/cases/${id}`);
  } catch (err) { say(err); return; }
  drawList();
  drawCase();
  $("case-title").focus();
}

async function reload(okText) {
  V.current = await api("GET", `/api/v1/cases/${V.current.id}`);
  await loadList();
  drawCase();
  if (okText) say(null, okText);
}

function drawCase() {
  const c = V.current;
  const [sz, se] = STATUS[c.status] || [c.status, c.status];
  const open = c.status === "accepted" || c.status === "suspended";
  const item = S.items.find((i) => i.code === c.item);
  const facts = [["申请人", "Applicant", c.applicant_name], ["项目", "Project", c.project || "—"],
    ["状态", "Status", [sz, en(se)]], ["承诺期限", "Due", day(c.deadline)],
    ["来访次数", "Visits", String(c.visits)]];
  const parts = [
    el("h3", { id: "case-title", tabindex: "-1" }, `${c.number} · ${c.item_name}`, en(c.item_name_en || "")),
    el("dl", { class: "csfacts" }, ...facts.flatMap(([zh, e, v]) => [el("dt", {}, zh, en(e)), el("dd", {}, ...[v].flat())])),
  ];
  if (c.missing.length) {
    parts.push(el("div", { class: "csmissing" }, el("h4", {}, "待补正（一次性告知）", en("Still to bring (one-time notice)")),
      el("ul", {}, ...c.missing.map((m) => el("li", {}, m)))));
  }
  const buttons = [];
  if (c.status === "accepted") {
    buttons.push(el("button", { type: "button", id: "cs-suspend", "aria-expanded": "false", "aria-controls": "cs-suspend-form",
      onclick: toggleSuspend }, "暂停计时 / 一次性告知", en("Suspend: one-time notice")));
  }
  if (c.status === "suspended") {
    buttons.push(el("button", { type: "button", id: "cs-resume", onclick: () => act("resume", {},
      ["已恢复计时", en("Clock restarted")]) }, "补正齐全，恢复计时", en("Resume the clock")));
  }
  if (open) {
    const note = el("input", { id: "cs-visit-note", maxlength: "200", autocomplete: "off", "aria-label": "来访事由 What they came for" });
    buttons.push(el("div", { class: "csvisit" }, el("label", { for: "cs-visit-note" }, "来访事由", en("What they came for")), note,
      el("button", { type: "button", id: "cs-visit", class: "secondary", onclick: () => act("visit", { note: note.value.trim() },
        ["已登记来访", en("Visit recorded")]) }, "登记来访", en("Record a visit"))));
  }
  parts.push(el("div", { class: "csactions" }, ...buttons));
  if (c.status === "accepted") parts.push(suspendForm(item));
  const kp = el("section", { id: "kp", class: "kp", "aria-labelledby": "kp-title" });
  parts.push(kp);
  $("case-detail").replaceChildren(...parts);
  renderKeyProject(kp, c, say).catch((err) => say(err));
}

function suspendForm(item) {
  const materials = (item && item.materials) || [];
  const checks = materials.map((m, i) => el("label", { class: "check" },
    el("input", { type: "checkbox", name: "missing", value: m, id: `cs-m${i}` }), m));
  const reason = el("select", { id: "cs-reason" }, ...REASONS.map(([v, zh, e]) => el("option", { value: v }, `${zh}（${e}）`)));
  return el("form", { id: "cs-suspend-form", class: "cssuspend hidden", novalidate: true, onsubmit: submitSuspend },
    el("div", { class: "two" },
      el("div", {}, el("label", { for: "cs-reason" }, "暂停原因", en("Reason")), reason),
      el("div", {}, el("label", { for: "cs-notice" }, "告知内容", en("Notice to the applicant")),
        el("input", { id: "cs-notice", maxlength: "2000", value: "请一次性补正以下材料", autocomplete: "off" }))),
    el("fieldset", {}, el("legend", {}, "材料清单：勾选缺少或有误的", en("Checklist: tick what is missing or wrong")),
      ...(checks.length ? checks : [el("p", { class: "empty" }, "本事项没有材料清单。", en("This item has no checklist."))])),
    el("label", { for: "cs-defects" }, "其他问题（每行一项）", en("Other defects, one per line")),
    el("textarea", { id: "cs-defects", rows: "3", maxlength: "4000" }),
    el("button", { type: "submit", id: "cs-send" }, "发出告知并暂停计时", en("Send the notice and stop the clock")));
}

function toggleSuspend() {
  const form = $("cs-suspend-form");
  const show = form.classList.contains("hidden");
  form.classList.toggle("hidden", !show);
  $("cs-suspend").setAttribute("aria-expanded", String(show));
  if (show) $("cs-reason").focus();
}

async function submitSuspend(e) {
  e.preventDefault();
  const ticked = [...$("cs-suspend-form").querySelectorAll("input[name=missing]:checked")].map((x) => x.value);
  const written = $("cs-defects").value.split("\n").map((x) => x.trim()).filter(Boolean);
  await act("suspend", { reason: $("cs-reason").value, notice: $("cs-notice").value.trim(), missing: [...ticked, ...written] },
    ["已暂停计时，一次性告知已记录", en("Clock stopped; the one-time notice is recorded")]);
}

async function act(action, body, okText) {
  if (V.busy) return;
  V.busy = true;
  try {
    await api("POST", `/api/v1/cases/${V.current.id}/${action}`, body);
    await reload(okText);
  } catch (err) { say(err); } finally { V.busy = false; }
}
