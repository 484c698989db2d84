/* Dialogs about a visitor: complete (with its outcome and paper), transfer, park, call a number, late visitor. */

import { choiceButtons, openDialog } from "./dialog.js";
import { printPaper, problem, toast } from "./feedback.js";
import { OUTCOMES, PAPERS } from "./labels.js";
import { $, S, base, itemsOf, post } from "./state.js";

const { api, el } = OW;

export function openComplete() {
  const t = S.data.current;
  const items = itemsOf(t.category);
  const st = { outcome: "done", item: items.length ? items[0].code : null, print: true, notify: false };
  const extra = el("div", { class: "extra" });
  const drawExtra = () => {
    const parts = [];
    if (st.outcome === "accepted" || st.outcome === "notified") {
      if (!items.length) {
        parts.push(el("p", { class: "error" }, "该业务没有可受理的事项", el("span", { class: "en", lang: "en" }, "No business item for this category")));
      } else {
        const sel = el("select", { id: "item", onchange: (e) => { st.item = e.target.value; drawExtra(); } },
          ...items.map((i) => el("option", { value: i.code, selected: i.code === st.item }, i.name)));
        parts.push(el("label", {}, "事项 ", el("span", { class: "en", lang: "en" }, "Business item"), sel));
      }
    }
    if (st.outcome === "accepted") {
      // Drawn again when the outcome or item changes: what was typed stays (issue 14: the opt-in with it).
      const kept = (id) => ($(id) ? $(id).value : "");
      parts.push(el("label", {}, "申请人 ", el("span", { class: "en", lang: "en" }, "Applicant (optional)"), el("input", { id: "applicant", maxlength: 100, value: kept("applicant") })),
        el("label", {}, "联系电话 ", el("span", { class: "en", lang: "en" }, "Phone (optional)"),
          el("input", { id: "phone", maxlength: 40, inputmode: "tel", autocomplete: "off", value: kept("phone"),
            "aria-describedby": "phone-error", oninput: (e) => { e.target.removeAttribute("aria-invalid"); $("phone-error").replaceChildren(); } })),
        el("p", { id: "phone-error", class: "field-error" }),
        el("label", { class: "check" }, el("input", { type: "checkbox", id: "notify", checked: st.notify,
          onchange: (e) => { st.notify = e.target.checked; } }), " 短信告知办理进度", el("span", { class: "en", lang: "en" }, "Text me about my case")),
        el("p", { class: "hint" }, "申请人同意后勾选：受理、暂停、办结时短信告知，附查询链接；须填写手机号码",
          el("span", { class: "en", lang: "en" }, "Tick only with the applicant's consent: texts on acceptance, suspension and completion, with the tracking link; needs a mobile number")),
        el("label", {}, "项目名称 ", el("span", { class: "en", lang: "en" }, "Project (optional)"), el("input", { id: "project", maxlength: 200, value: kept("project") })));
    }
    if (st.outcome === "notified" && st.item) {
      const item = items.find((i) => i.code === st.item);
      parts.push(el("fieldset", { class: "materials" },
        el("legend", {}, "勾选缺少的材料（一次性告知）", el("span", { class: "en", lang: "en" }, "Tick every missing material (one-time notice)")),
        ...(item.materials.length ? item.materials.map((m, i) => el("label", { class: "check" },
          el("input", { type: "checkbox", name: "missing", value: m, "data-index": i }), " ", m))
          : [el("p", {}, "该事项无材料清单", el("span", { class: "en", lang: "en" }, "No checklist for this item"))])));
    }
    if ((st.outcome === "accepted" || st.outcome === "notified") && st.item) {
      const [pz, pe] = PAPERS[st.outcome === "accepted" ? "receipt" : "notice"];
      parts.push(el("label", { class: "check" }, el("input", { type: "checkbox", id: "print-paper", checked: st.print,
        onchange: (e) => { st.print = e.target.checked; } }), ` 办结后打印${pz}`, el("span", { class: "en", lang: "en" }, `Print the ${pe.toLowerCase()}`)));
    }
    extra.replaceChildren(...parts);
  };
  const choices = choiceButtons("outcome", OUTCOMES, st.outcome, (v) => { st.outcome = v; drawExtra(); });
  drawExtra();
  openDialog({
    title: [`办结 ${t.number}`, `Complete ${t.number}`],
    body: [el("p", {}, "办理结果", el("span", { class: "en", lang: "en" }, "Outcome (keys 1–4)")), choices, extra],
    confirm: ["确认办结", "Complete"],
    keys: (i) => choices.pick(i),
    onConfirm: async () => {
      const body = { outcome: st.outcome };
      if (st.outcome === "accepted" || st.outcome === "notified") {
        if (!st.item) throw problem("请选择事项", "Pick a business item");
        body.case = { item: st.item };
        if (st.outcome === "accepted") {
          body.case.applicant_name = $("applicant").value.trim();
          body.case.applicant_phone = $("phone").value.trim();
          body.case.project = $("project").value.trim();
          body.case.notify = st.notify;
        } else {
          body.missing = [...extra.querySelectorAll("input[name=missing]:checked")].map((x) => x.value);
          if (!body.missing.length) throw problem("请勾选缺少的材料", "Tick the missing materials");
        }
      }
      let got;
      try {
        got = await post(`/api/v1/tickets/${t.id}/complete`, body);
      } catch (err) {
        throw phoneProblem(err) || err;
      }
      // Only the masked number once accepted (staff see applicants' phones masked everywhere).
      const texts = got && got.case && body.case && body.case.notify ? maskPhone(body.case.applicant_phone) : null;
      if (texts) {
        toast(`已受理，办件号 ${got.case.number}，将短信告知 ${texts}`, `Case opened: ${got.case.number}; texts go to ${texts}`);
      } else if (got && got.case) toast(`已受理，办件号 ${got.case.number || got.case.id}`, `Case opened: ${got.case.number || got.case.id}`);
      else toast(`${t.number} 已办结`, `${t.number} done`);
      if (got && st.print && got.case && st.outcome === "accepted") {
        printPaper("receipt", `/api/v1/cases/${got.case.id}/receipt/print`, {},
          texts ? [`已受理，办件号 ${got.case.number}，将短信告知 ${texts}`, `Case opened: ${got.case.number}; texts go to ${texts}`]
            : [`已受理，办件号 ${got.case.number}`, `Case opened: ${got.case.number}`]);
      } else if (got && st.print && st.outcome === "notified") {
        printPaper("notice", `/api/v1/tickets/${t.id}/notice/print`, { item: st.item, missing: body.missing },
          [`${t.number} 已一次性告知`, `${t.number}: missing materials notified`]);
      }
    },
  });
}

/** "+86 138-1234-5678" -> "138****5678" (store/crypto.mask_phone on the digits). */
function maskPhone(text) {
  let d = String(text || "").replace(/\D/g, "");
  if (d.length === 13 && d.startsWith("86")) d = d.slice(2);
  return d.length >= 7 ? `${d.slice(0, 3)}****${d.slice(-4)}` : "****";
}

/** The server refused the applicant's phone (422 on case.applicant_phone, issue 14): the field marked
 * and said in both languages beside it; the dialog's error line says it too. Else null. */
function phoneProblem(err) {
  if (!(err && err.status === 422 && err.data && err.data.field === "case.applicant_phone")) return null;
  const t = OW.errorText("bad_phone");
  const [zh, en] = [`${t.zh}：短信告知须填写 11 位手机号码`, `${t.en}: texts need an 11-digit mobile number`];
  $("phone").setAttribute("aria-invalid", "true");
  $("phone-error").replaceChildren(zh, el("span", { class: "en", lang: "en" }, en));
  $("phone").focus();
  return problem(zh, en);
}

export function openTransfer() {
  const t = S.data.current;
  const st = { to: "category", category: t.category, window: null };
  const others = S.info.windows.filter((w) => w.id !== S.data.acting_window);
  st.window = others.length ? others[0].id : null;
  const target = el("div", { class: "extra" });
  const draw = () => {
    target.replaceChildren(st.to === "category"
      ? el("label", {}, "转至业务 ", el("span", { class: "en", lang: "en" }, "To category"),
        el("select", { id: "to-category", onchange: (e) => { st.category = e.target.value; } },
          ...S.info.categories.map((c) => el("option", { value: c.code, selected: c.code === st.category }, c.name))))
      : el("label", {}, "转至窗口 ", el("span", { class: "en", lang: "en" }, "To window"),
        el("select", { id: "to-window", onchange: (e) => { st.window = e.target.value; } },
          ...others.map((w) => el("option", { value: w.id, selected: w.id === st.window }, w.name)))));
  };
  const choices = choiceButtons("to", [["category", "转至业务", "To a category"], ["window", "转至窗口", "To a window"]], st.to,
    (v) => { st.to = v; draw(); });
  draw();
  const note = el("input", { id: "note", maxlength: 500, placeholder: "告知下一窗口的说明 / a note for the next clerk" });
  openDialog({
    title: [`转办 ${t.number}（保留排队位置）`, `Transfer ${t.number} (keeps their place)`],
    body: [choices, target, el("label", {}, "备注 ", el("span", { class: "en", lang: "en" }, "Note"), note)],
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

export function openPark() {
  const t = S.data.current;
  const note = el("input", { id: "note", maxlength: 500, placeholder: "如：回车取材料 / e.g. fetching a document" });
  openDialog({
    title: [`暂挂 ${t.number}`, `Park ${t.number}`],
    body: [el("p", {}, "访客暂离窗口（取材料等），可用“过号恢复”按号码恢复排队。",
      el("span", { class: "en", lang: "en" }, "The visitor steps aside; bring them back with Late visitor (L) by number.")),
      el("label", {}, "原因 ", el("span", { class: "en", lang: "en" }, "Reason"), note)],
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

export function openCall() {
  const input = numberInput();
  openDialog({
    title: ["指定叫号", "Call a number"],
    body: [el("label", {}, "号码 ", el("span", { class: "en", lang: "en" }, "Ticket number"), input)],
    confirm: ["呼叫", "Call"],
    onConfirm: async () => {
      const got = await post(`${base()}/windows/${S.data.acting_window}/call`, { number: input.value.trim() });
      if (got) toast(`已呼叫 ${got.number}`, `Called ${got.number}`);
    },
  });
}

export function openLate() {
  const input = numberInput();
  openDialog({
    title: ["过号 / 暂挂恢复", "Late or parked visitor"],
    body: [el("p", {}, "未到或暂挂的访客回来后，按号码恢复排队。",
      el("span", { class: "en", lang: "en" }, "A no-show or parked visitor who is back goes into the queue again.")),
      el("label", {}, "号码 ", el("span", { class: "en", lang: "en" }, "Ticket number"), input)],
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
