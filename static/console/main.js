/* The clerk's console: sign in, pick a window, call and serve visitors.
   Chinese first, English second; every action has a key. The console
   re-reads its state (GET .../windows/{w}/console) whenever the hall's
   console socket reports a change, so two consoles of one clerk agree.

   The modules call one another in a circle (refresh → render → run → refresh)
   but only from inside functions: none runs code when loaded except this one. */

import { setupCases } from "./cases.js";
import { setupComplaints } from "./complaints.js";
import { why } from "./feedback.js";
import { onKey } from "./keys.js";
import { renderVisitor } from "./render.js";
import { afterLogin, init, showLogin } from "./session.js";
import { $, S } from "./state.js";

const { api, el } = OW;

OW.signInForm($("login-form"), $("login-error"), async () => {
  $("login-form").reset();
  await afterLogin();
}, (err) => { const [zh, en] = why(err); return ["登录失败：" + zh, el("span", { class: "en", lang: "en" }, "Sign-in failed: " + en)]; });

$("logout").addEventListener("click", async () => {
  await api("POST", "/api/v1/auth/logout").catch(() => {});
  if (S.sock) { S.sock.close(); S.sock = null; }
  S.window = null; S.data = null;
  showLogin();
});

document.addEventListener("keydown", onKey);
setupComplaints();
setupCases();  // after complaints: its capture listener on the complaints button closes the cases view

// The visitor's waited and service times tick on between refreshes.
setInterval(() => { if (S.data && S.data.current && !S.dialog) renderVisitor(); }, 1000);

init().catch((err) => {
  const [zh, en] = why(err);
  document.body.prepend(el("div", { class: "error" }, "无法加载：" + zh, el("span", { class: "en", lang: "en" }, "Cannot load the console: " + en)));
});
