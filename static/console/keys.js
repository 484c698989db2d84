/* The keyboard: every action has a key; in a dialog Esc, Enter and digits; in the picker digits. */

import { run } from "./actions.js";
import { closeDialog, confirmDialog, trapTab } from "./dialog.js";
import { KEYMAP } from "./labels.js";
import { pickWindow } from "./session.js";
import { $, S } from "./state.js";

/** The document's keydown listener. */
export function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const typing = e.target instanceof HTMLElement && e.target.matches("input, select, textarea");
  if (S.dialog) {
    if (e.key === "Tab") { trapTab(e); return; }
    if (e.key === "Escape") { e.preventDefault(); closeDialog(); return; }
    // Enter confirms, except in a text area and on the dialog's other buttons (Cancel).
    const otherButton = e.target instanceof HTMLButtonElement && e.target !== S.dialog.okButton &&
      !e.target.classList.contains("choice");
    if (e.key === "Enter" && !(e.target instanceof HTMLTextAreaElement) && !otherButton) {
      e.preventDefault();
      confirmDialog();
      return;
    }
    if (!typing && /^[1-9]$/.test(e.key) && S.dialog.keys) { e.preventDefault(); S.dialog.keys(Number(e.key) - 1); }
    return;
  }
  if (typing) return;
  if (!$("picker").classList.contains("hidden") && /^[1-9]$/.test(e.key)) {
    const p = S.me && S.me.posts[Number(e.key) - 1];
    if (p) { e.preventDefault(); pickWindow(p.window); }
    return;
  }
  if ($("desk").classList.contains("hidden")) return;
  const action = KEYMAP[e.key.toLowerCase()];
  if (action) { e.preventDefault(); run(action); }
}
