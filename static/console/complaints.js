/* Complaints (投诉举报) at the window: a form to register one (what, where, from which source, who)
   and the list of the latest with each clock (entered, contacted, forwarded, handled, verified) and
   the next step of the flow (issue 15). The view takes the desk's place while open; the desk's
   keys do not act meanwhile (keys.js ignores them while the desk is hidden). */

import { why } from "./feedback.js";
import { $, S } from "./state.js";

const { api, el } = OW;
const C = { types: null, open: false, before: null, busy: false };
const en = (text) => el("span", { class: "en", lang: "en" }, text);
const STATES = {
  green: ["进行中", "running"], yellow: ["将到期", "due soon"], red: ["已超时", "overdue"],
  kept: ["按时", "in time"], missed: ["超时完成", "late"],
};
const GRADES = { general: ["一般", "general"], major: ["较大", "major"], serious: ["重大", "serious"] };
const STATUS = {
  received: ["已登记", "registered"], filed: ["已立案", "filed"], dispatched: ["已派遣", "dispatched"],
  fed_back: ["已反馈", "result back"], closed: ["已核实结项", "verified, closed"], evaluated: ["已评价", "evaluated"],
};

function time(iso) {
  return iso ? iso.slice(5, 16).replace("T", " ") : "";
}

/** The header's button opens the view; the view's button (or Esc) goes back. */
export function setupComplaints() {
  $("complaints-open").addEventListener("click", () => (C.open ? closeView() : openView()));
  $("complaints-back").addEventListener("click", closeView);
  $("complaint-form").addEventListener("submit", submit);
  $("c-anonymous").addEventListener("change", () => {
    for (const id of ["c-name", "c-phone"]) $(id).disabled = $("c-anonymous").checked;
  });
  document.addEventListener("keydown", (e) => {
    if (C.open && e.key === "Escape" && !S.dialog) { e.preventDefault(); closeView(); }
  });
}

async function openView() {
  C.before = ["login", "picker", "desk"].find((id) => !$(id).classList.contains("hidden")) || null;
  for (const id of ["login", "picker", "desk"]) $(id).classList.add("hidden");
  $("complaints").classList.remove("hidden");
  $("complaints-open").setAttribute("aria-expanded", "true");
  C.open = true;
  try {
    if (!C.types) { C.types = await api("GET", `/api/v1/halls/${S.hall}/complaint-types`); fillForm(); }
    await loadList();
  } catch (err) { say(err); }
  $("c-type").focus();
}

function closeView() {
  $("complaints").classList.add("hidden");
  $("complaints-open").setAttribute("aria-expanded", "false");
  C.open = false;
  if (C.before) $(C.before).classList.remove("hidden");
  $("complaints-open").focus();
}

function fillForm() {
  const groups = C.types.types.map((t) => el("optgroup", { label: `${t.name} ${t.name_en}` },
    ...t.kinds.map((k) => el("option", { value: k.code }, `${k.name}（${k.name_en}）`)),
    el("option", { value: t.code }, t.kinds.length ? `${t.name}·其他（${t.name_en}: other）` : `${t.name}（${t.name_en}）`)));
  $("c-type").replaceChildren(el("option", { value: "" }, "请选择类型（Choose a type）"), ...groups);
  $("c-source").replaceChildren(...C.types.sources.map((s) => el("option", { value: s.code }, `${s.name}（${s.name_en}）`)));
}

function say(err, ok) {
  const box = $("c-msg");
  if (ok) {
    box.className = "cmsg ok";
    box.replaceChildren(...ok);
    return;
  }
  // A field the server named in a plain 422 ("invalid"): say which; any other code has its own text.
  const field = err.data && err.data.code === "invalid" && FIELDS[err.data.field];
  const [zh, e] = field ? [`请检查「${field[1]}」`, `check ${field[2]}`] : why(err);
  box.className = "cmsg bad";
  box.replaceChildren("失败：" + zh, en("Failed: " + e));
}

// A field the server names in a 422: its input and how the form calls it.
const FIELDS = {
  type: ["c-type", "类型", "Type"], place: ["c-place", "地点", "Place"], content: ["c-content", "内容", "What is wrong"],
  phone: ["c-phone", "电话", "Phone"], name: ["c-name", "姓名", "Name"], source: ["c-source", "来源", "Source"],
  received_at: ["c-received", "收到时间", "Received at"], department: [null, "派遣部门", "Department"],
  result: [null, "查处结果", "Result"],
};

async function submit(e) {
  e.preventDefault();
  if (C.busy) return;
  const body = {
    source: $("c-source").value, type: $("c-type").value, place: $("c-place").value.trim(),
    content: $("c-content").value.trim(), anonymous: $("c-anonymous").checked, urgent: $("c-urgent").checked,
  };
  if (!body.anonymous) { body.name = $("c-name").value.trim(); body.phone = $("c-phone").value.trim(); }
  if ($("c-received").value) body.received_at = new Date($("c-received").value).toISOString();
  if (S.window) body.window = S.window;
  C.busy = true;
  try {
    const c = await api("POST", `/api/v1/halls/${S.hall}/complaints`, body);
    $("complaint-form").reset();
    for (const id of ["c-name", "c-phone"]) $(id).disabled = false;
    await loadList();  // the list first: the message says it is done
    say(null, [`已登记 ${c.number}（${c.type_name}）`, en(`Registered ${c.number} (${c.type_name_en})`)]);
    $("c-type").focus();
  } catch (err) {
    say(err);
    const input = err.data && FIELDS[err.data.field] && FIELDS[err.data.field][0];
    if (input) $(input).focus();
  } finally { C.busy = false; }
}

async function loadList() {
  const list = await api("GET", `/api/v1/halls/${S.hall}/complaints?limit=30`);
  const rows = list.map(row);
  $("c-list").replaceChildren(rows.length ? el("ul", { class: "clist" }, ...rows)
    : el("p", { class: "empty" }, "还没有投诉登记。", en("No complaints registered yet.")));
  $("c-count").textContent = String(list.length);
}

function clockChip(k) {
  const [zh, e] = STATES[k.state] || [k.state, k.state];
  return el("li", { class: `chip ${k.state}`, title: `${k.name} ${k.name_en}: ${time(k.due)}` },
    el("b", {}, k.name), ` ${zh} `, en(`${k.name_en}: ${e}`), el("span", { class: "due" }, `限 ${time(k.due)}`));
}

function row(c) {
  const [sz, se] = STATUS[c.status] || [c.status, c.status];
  const [gz, ge] = GRADES[c.grade] || [c.grade, c.grade];
  const latest = {};
  for (const k of c.clocks) latest[k.milestone] = k;  // the last round of each
  return el("li", { class: "citem" },
    el("div", { class: "chead" },
      el("b", { class: "cnum" }, c.number),
      el("span", {}, c.type_name, en(c.type_name_en)),
      el("span", { class: `grade ${c.grade}` }, gz, en(ge)),
      el("span", { class: "status" }, sz, en(se))),
    el("div", { class: "cwhere" }, `${c.place} · ${c.source_name}`, c.name ? ` · ${c.name} ${c.phone}` : ""),
    el("ul", { class: "chips", "aria-label": `${c.number} 时限 clocks` }, ...Object.values(latest).map(clockChip)),
    el("div", { class: "cnext" }, ...nextSteps(c, latest)));
}

function stepButton(c, label, body, cls) {
  return el("button", { type: "button", class: "small" + (cls ? " " + cls : ""), onclick: () => act(c, body) },
    label[0], en(label[1]));
}

function nextSteps(c, latest) {
  const out = [];
  const contactOpen = latest.contact && ["green", "yellow", "red"].includes(latest.contact.state);
  if (contactOpen) out.push(stepButton(c, ["已联系确认", "Contacted"], { step: "contact", outcome: "reached" }, "secondary"));
  if (c.status === "received") out.push(stepButton(c, ["立案", "File"], { step: "file" }));
  if (c.status === "filed") {
    const deps = C.types.departments.filter((d) => d.duties.some((x) => x === c.type || x === c.type.split(".")[0]));
    const pick = el("select", { "aria-label": `${c.number} 派遣部门 department` },
      ...deps.map((d) => el("option", { value: d.code }, `${d.name}（${d.name_en}）`)));
    out.push(pick, el("button", { type: "button", class: "small",
      onclick: () => act(c, { step: "dispatch", department: pick.value }) }, "派遣", en("Dispatch")));
  }
  if (c.status === "dispatched") {
    const result = el("input", { "aria-label": `${c.number} 部门查处结果 department's result`, placeholder: "查处结果 Result" });
    out.push(result, el("button", { type: "button", class: "small",
      onclick: () => act(c, { step: "feedback", result: result.value }) }, "结果反馈", en("Result back")));
  }
  if (c.status === "fed_back") {
    out.push(stepButton(c, ["核实已整改", "Verified"], { step: "verify", outcome: "rectified" }),
      stepButton(c, ["未整改", "Not rectified"], { step: "verify", outcome: "not_rectified" }, "secondary"));
  }
  if (c.status === "closed" || c.status === "evaluated") {
    if (c.real_name && c.has_phone) {
      for (const [o, zh, e] of [["satisfied", "回访：满意", "Callback: satisfied"], ["unsatisfied", "回访：不满意", "Callback: unsatisfied"],
        ["unreachable", "回访：未接通", "Callback: unreachable"]]) {
        out.push(el("button", { type: "button", class: "small secondary", onclick: () => callback(c, o) }, zh, en(e)));
      }
    }
  }
  return out;
}

async function act(c, body) {
  if (C.busy) return;
  C.busy = true;
  try {
    const after = await api("POST", `/api/v1/complaints/${c.id}/steps`, body);
    const [sz, se] = STATUS[after.status] || [after.status, after.status];
    await loadList();
    say(null, [`${c.number}：${sz}`, en(`${c.number}: ${se}`)]);
  } catch (err) { say(err); } finally { C.busy = false; }
}

async function callback(c, outcome) {
  if (C.busy) return;
  C.busy = true;
  try {
    await api("POST", `/api/v1/complaints/${c.id}/callbacks`, { outcome });
    await loadList();
    say(null, [`${c.number}：回访已记录`, en(`${c.number}: callback recorded`)]);
  } catch (err) { say(err); } finally { C.busy = false; }
}
