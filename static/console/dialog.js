/* The one modal dialog: Enter confirms, Esc cancels, digits pick a choice. */

import { refresh } from "./live.js";
import { $, S } from "./state.js";

const { el } = OW;

/**
 * spec: {title: [zh, en], body: [nodes], confirm: [zh, en], danger, keys: (index) => void for digits 1-9,
 * onConfirm: async () => false to keep the console as it is (else the dialog closes and the desk re-reads)}
 */
export function openDialog(spec) {
  S.dialog = spec;
  const err = el("div", { class: "error hidden", role: "alert", id: "dialog-error" });
  const ok = el("button", { type: "button", id: "dialog-ok", class: spec.danger ? "danger" : "",
    onclick: () => confirmDialog() }, el("kbd", {}, "Enter"), " ", spec.confirm[0], el("span", { class: "en" }, spec.confirm[1]));
  spec.okButton = ok;
  spec.errorBox = err;
  $("dialog-box").replaceChildren(
    el("h2", {}, spec.title[0], el("span", { class: "en" }, spec.title[1])),
    ...spec.body, err,
    el("div", { class: "dbuttons" },
      el("button", { type: "button", class: "secondary", onclick: closeDialog }, el("kbd", {}, "Esc"), " 取消 ",
        el("span", { class: "en" }, "Cancel")), ok));
  $("dialog").classList.remove("hidden");
  // With choices (keys 1-9) focus the chosen one, so digits pick; else the first field.
  const first = spec.keys ? $("dialog-box").querySelector("button.choice.on")
    : $("dialog-box").querySelector("input, select, textarea");
  (first || ok).focus();
}

export function closeDialog() {
  S.dialog = null;
  $("dialog").classList.add("hidden");
  $("dialog-box").replaceChildren();
}

export async function confirmDialog() {
  const spec = S.dialog;
  if (!spec || spec.running) return;
  spec.running = true;
  try {
    const done = await spec.onConfirm();
    if (done !== false) { closeDialog(); await refresh(); }
  } catch (err) {
    spec.errorBox.replaceChildren("失败：" + err.message, el("span", { class: "en" }, "Failed"));
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
      el("kbd", {}, String(i + 1)), " ", zh, el("span", { class: "en" }, en))));
    if (had) wrap.querySelector(".on").focus();
  };
  draw(current);
  wrap.pick = (i) => { if (options[i]) { draw(options[i][0]); onPick(options[i][0]); } };
  return wrap;
}
