/* The one modal dialog: Enter confirms, Esc cancels, digits pick a choice. Tab stays inside it
   (the desk behind is inert) and closing it gives focus back to the control that opened it. */

import { why } from "./feedback.js";
import { refresh } from "./live.js";
import { $, S } from "./state.js";

const { el } = OW;
const BEHIND = ["header.bar", "#lost", "#login", "#picker", "#desk"];
const FOCUSABLE = "button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1'])";

/**
 * spec: {title: [zh, en], body: [nodes], confirm: [zh, en], danger, keys: (index) => void for digits 1-9,
 * onConfirm: async () => false to keep the console as it is (else the dialog closes and the desk re-reads),
 * action: the action whose button opened it (focus goes back there), else whatever had focus}
 */
export function openDialog(spec) {
  S.dialog = spec;
  spec.returnTo = spec.action || S.opening || (document.activeElement !== document.body ? document.activeElement : null);
  const err = el("div", { class: "error hidden", role: "alert", id: "dialog-error" });
  const ok = el("button", { type: "button", id: "dialog-ok", class: spec.danger ? "danger" : "",
    onclick: () => confirmDialog() }, el("kbd", { lang: "en" }, "Enter"), " ", spec.confirm[0], el("span", { class: "en", lang: "en" }, spec.confirm[1]));
  spec.okButton = ok;
  spec.errorBox = err;
  $("dialog-box").replaceChildren(
    el("h2", { id: "dialog-title" }, spec.title[0], el("span", { class: "en", lang: "en" }, spec.title[1])),
    ...spec.body, err,
    el("div", { class: "dbuttons" },
      el("button", { type: "button", class: "secondary", onclick: closeDialog }, el("kbd", { lang: "en" }, "Esc"), " 取消 ",
        el("span", { class: "en", lang: "en" }, "Cancel")), ok));
  for (const sel of BEHIND) document.querySelector(sel)?.setAttribute("inert", "");
  $("dialog").classList.remove("hidden");
  // With choices (keys 1-9) focus the chosen one, so digits pick; else the first field.
  const first = spec.keys ? $("dialog-box").querySelector("button.choice.on")
    : $("dialog-box").querySelector("input, select, textarea");
  (first || ok).focus();
}

export function closeDialog() {
  const spec = S.dialog;
  S.dialog = null;
  for (const sel of BEHIND) document.querySelector(sel)?.removeAttribute("inert");
  $("dialog").classList.add("hidden");
  $("dialog-box").replaceChildren();
  const back = spec && spec.returnTo;
  const target = typeof back === "string" ? document.querySelector(`#actions button[data-action="${back}"]`) : back;
  if (target && target.isConnected && target.offsetParent !== null) target.focus();
}

/** Tab and Shift+Tab go round the dialog's own controls, never behind it. */
export function trapTab(e) {
  const items = [...$("dialog-box").querySelectorAll(FOCUSABLE)]
    .filter((x) => !x.disabled && x.offsetParent !== null);
  if (!items.length) { e.preventDefault(); return; }
  const first = items[0], last = items[items.length - 1];
  const inside = $("dialog-box").contains(document.activeElement);
  if (!inside || (e.shiftKey && document.activeElement === first) || (!e.shiftKey && document.activeElement === last)) {
    e.preventDefault();
    (e.shiftKey ? last : first).focus();
  }
}

export async function confirmDialog() {
  const spec = S.dialog;
  if (!spec || spec.running) return;
  spec.running = true;
  try {
    const done = await spec.onConfirm();
    if (done !== false) { closeDialog(); await refresh(); }
  } catch (err) {
    const [zh, en] = why(err);
    spec.errorBox.replaceChildren("失败：" + zh, el("span", { class: "en", lang: "en" }, "Failed: " + en));
    spec.errorBox.classList.remove("hidden");
  } finally {
    spec.running = false;
  }
}

export function choiceButtons(name, options, current, onPick) {
  // options: [[value, zh, en]]; digit keys 1..9 pick
  const wrap = el("div", { class: "choices", role: "radiogroup", "data-name": name });
  const draw = (value) => {
    const had = wrap.contains(document.activeElement);
    wrap.replaceChildren(...options.map(([v, zh, en], i) => el("button", {
      type: "button", role: "radio", "aria-checked": String(v === value), class: "choice" + (v === value ? " on" : ""),
      "data-value": v, onclick: () => { draw(v); onPick(v); } },
      el("kbd", {}, String(i + 1)), " ", zh, el("span", { class: "en", lang: "en" }, en))));
    if (had) wrap.querySelector(".on").focus();
  };
  draw(current);
  wrap.pick = (i) => { if (options[i]) { draw(options[i][0]); onPick(options[i][0]); } };
  return wrap;
}
