/* Start, sign in, pick a window (A/B posts) and open it. */

import { why } from "./feedback.js";
import { connect, refresh } from "./live.js";
import { $, S, show, winOf } from "./state.js";

const { api, el } = OW;

/** The hall (?hall=, or the first), its categories and items; then sign-in or the clerk's window. */
export async function init() {
  const halls = await api("GET", "/api/v1/halls");
  S.hall = OW.param("hall") || (halls[0] && halls[0].id);
  [S.info, S.items] = await Promise.all([
    api("GET", `/api/v1/halls/${S.hall}`),
    api("GET", `/api/v1/halls/${S.hall}/items`).then((r) => r.items),
  ]);
  try {
    await api("GET", "/api/v1/auth/me");
  } catch (err) {
    showLogin();
    return;
  }
  await afterLogin();
}

export function showLogin() {
  show("login");
  $("who").replaceChildren();
  $("where").replaceChildren();
  $("logout").classList.add("hidden");
  $("username").focus();
}

export async function afterLogin() {
  S.me = await api("GET", `/api/v1/halls/${S.hall}/me`);
  const roles = { clerk: ["窗口人员", "clerk"], manager: ["大厅管理", "manager"], admin: ["管理员", "admin"] };
  const [rz, re] = roles[S.me.role] || [S.me.role, S.me.role];
  // staff see names (张伟); the login id only when no name was given
  const name = S.me.display_name && S.me.display_name !== S.me.username ? el("b", {}, S.me.display_name)
    : el("b", { lang: "en" }, S.me.username);
  $("who").replaceChildren(name, el("span", { class: "en", lang: "en" }, `${rz} · ${re}`));
  $("logout").classList.remove("hidden");
  if (S.me.signed_in_at) await openWindow(S.me.signed_in_at);
  else showPicker();
}

export function showPicker() {
  show("picker");
  $("where").replaceChildren();
  const posts = S.me.posts;
  const list = $("posts");
  if (!posts.length) {
    list.replaceChildren(el("p", { class: "error" }, "您在本大厅没有岗位。",
      el("span", { class: "en", lang: "en" }, "You hold no post in this hall; ask the hall manager.")));
    return;
  }
  list.replaceChildren(...posts.map((p, i) => {
    const post = p.post ? [`${p.post} 岗`, `${p.post} post`] : ["管理", "manager"];
    const taken = p.signed_in && p.signed_in !== S.me.username;
    return el("button", { class: "post" + (p.post === "B" ? " secondary" : ""), type: "button",
      "data-window": p.window, onclick: () => pickWindow(p.window) },
      i < 9 ? el("kbd", {}, String(i + 1)) : null,
      el("span", { class: "pname" }, p.name, el("span", { class: "en", lang: "en" }, p.name_en)),
      el("span", { class: "ppost" }, post[0], el("span", { class: "en", lang: "en" }, post[1])),
      el("span", { class: "pwho" }, taken ? `在岗：${p.signed_in_name || p.signed_in}` : "空闲",
        el("span", { class: "en", lang: "en" }, taken ? `staffed by ${p.signed_in_name || p.signed_in}` : "free")));
  }));
}

export async function pickWindow(window) {
  const box = $("picker-error");
  try {
    await api("POST", `/api/v1/halls/${S.hall}/windows/${window}/sign-in`);
    box.classList.add("hidden");
    await openWindow(window);
  } catch (err) {
    const [zh, en] = why(err);
    box.replaceChildren("无法签到：" + zh, el("span", { class: "en", lang: "en" }, "Cannot sign in here: " + en));
    box.classList.remove("hidden");
  }
}

export async function openWindow(window) {
  S.window = window;
  S.data = null;
  const w = winOf(window);
  $("where").replaceChildren(el("b", {}, w.name), el("span", { class: "en", lang: "en" }, w.name_en));
  connect();
  await refresh();  // the desk shows once its state is in, so a key pressed at once acts
  if (S.window === window && S.data) show("desk");
}
