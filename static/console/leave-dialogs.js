/* Leaving the window, away or signed out, warned first when nobody would serve a category. */

import { choiceButtons, closeDialog, openDialog } from "./dialog.js";
import { toast } from "./feedback.js";
import { REASONS } from "./labels.js";
import { showPicker } from "./session.js";
import { S, base, nameOf, post, winOf } from "./state.js";

const { api, el } = OW;

function warningBox(found) {
  if (!found.length) return null;
  return el("div", { class: "warning", id: "coverage-warning", role: "alert" },
    el("b", {}, "注意：以下业务将无人受理", el("span", { class: "en", lang: "en" }, "Warning: nobody would serve")),
    el("ul", {}, ...found.map((v) => el("li", { "data-category": v.category },
      `${v.name}（${v.waiting} 人等候）`, el("span", { class: "en", lang: "en" }, `${v.name_en} (${v.waiting} waiting)`),
      v.could_cover.length ? el("span", { class: "cover" }, `可补位：${v.could_cover.map(nameOf).join("、")}`,
        el("span", { class: "en", lang: "en" }, `could cover: ${v.could_cover.map(nameOf).join(", ")}`)) : null))));
}

/** What an away or a sign-out would leave unserved (nothing, if the check itself fails). */
async function check(action) {
  try {
    return (await api("POST", `${base()}/windows/${S.window}/check`, { action })).violations;
  } catch (err) {
    return [];
  }
}

export async function openAway() {
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
  // "See instead": another window, or a colleague by name (where they sit now, if signed in)
  const people = (d.colleagues || []).map((c) => {
    const at = c.signed_in_at ? winOf(c.signed_in_at).name + (c.away ? "，暂离" : "") : "未签到";
    return el("option", { value: c.username }, `${c.name}（${at}）`);
  });
  const see = el("select", { id: "see-instead" }, el("option", { value: "" }, "—"),
    el("optgroup", { label: "窗口 Windows" }, ...others.map((w) => el("option", { value: w.id }, w.name))),
    people.length ? el("optgroup", { label: "同事 Colleagues" }, ...people) : null);
  // Default: the window of this window's B post, who will cover.
  const bWindow = others.find((w) => w.signed_in === b);
  if (bWindow) see.value = bWindow.id;
  const note = el("input", { id: "away-note", maxlength: 200 });
  openDialog({
    title: ["暂离（去向留言）", "Step away (whereabouts notice)"],
    body: [warningBox(found),
      el("p", {}, "原因", el("span", { class: "en", lang: "en" }, "Reason (keys 1–4)")), choices,
      el("div", { class: "row" },
        el("label", {}, "预计返回 ", el("span", { class: "en", lang: "en" }, "Back at"), backAt),
        el("label", {}, "请找（窗口或同事） ", el("span", { class: "en", lang: "en" }, "See instead: a window or a colleague"), see)),
      el("label", {}, "留言 ", el("span", { class: "en", lang: "en" }, "Note"), note)].filter(Boolean),
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

export async function openSignOut() {
  const found = await check("sign-out");
  openDialog({
    title: ["签退", "Sign out of this window"],
    body: [warningBox(found) || el("p", {}, "确认离开本窗口？", el("span", { class: "en", lang: "en" }, "Leave this window?"))],
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
