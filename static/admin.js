/* Accounts (admin): create, role, deactivate/reactivate, reset code, sessions, lockouts.
   Any signed-in user: change their own password. Anyone: set a password with a reset code. */
"use strict";
const { api, el } = OW;
const $ = (id) => document.getElementById(id);
const ROLES = [["clerk", "窗口人员", "Clerk"], ["manager", "大厅管理", "Manager"], ["reviewer", "首席代表（审核）", "Reviewer"], ["bureau_manager", "市局（网点总览）", "Bureau manager"], ["admin", "管理员", "Admin"]];
let me = null;
let sessionsOf = null;

function bi(zh, en) { return [zh + " ", el("span", { lang: "en" }, en)]; }
function say(box, zh, en, err) {
  if (!err) { box.replaceChildren(...bi(zh, en)); return; }
  const why = OW.errorText(err);  // the code's own Chinese and English, not the server's English message
  box.replaceChildren(...bi(`${zh}：${why.zh}`, `${en}: ${why.en}`));
}
function time(iso) { return iso ? iso.slice(0, 16).replace("T", " ") : "—"; }

async function act(zh, en, fn) {
  const box = $("user-msg");
  try { await fn(); say(box, zh, en); } catch (err) { say(box, "失败", "Failed", err); }
  await refresh();
}

function userRow(u) {
  const role = el("select", { "aria-label": "角色 Role: " + u.username, onchange: (e) =>
    act("角色已修改", "Role changed", () => api("POST", `/api/v1/users/${u.username}/role`, { role: e.target.value })) },
    ROLES.map(([v, zh, en]) => el("option", { value: v, selected: v === u.role }, `${zh} ${en}`)));
  const toggle = u.username === me.username ? null : u.active
    ? el("button", { type: "button", class: "danger", "data-act": "deactivate", onclick: () =>
        act("已停用", "Deactivated", () => api("POST", `/api/v1/users/${u.username}/deactivate`)) }, bi("停用", "Deactivate"))
    : el("button", { type: "button", "data-act": "reactivate", onclick: () =>
        act("已启用", "Reactivated", () => api("POST", `/api/v1/users/${u.username}/reactivate`)) }, bi("启用", "Reactivate"));
  return el("tr", { class: u.active ? "" : "inactive", "data-user": u.username },
    el("td", {}, u.username), el("td", {}, ...OW.bilingual(u.display_name)), el("td", {}, role),
    el("td", {}, u.active ? bi("正常", "Active") : bi("已停用", "Deactivated")),
    el("td", { class: "actions" }, toggle,
      el("button", { type: "button", class: "secondary", "data-act": "reset", onclick: () => resetCode(u.username) },
        bi("重置码", "Reset code")),
      el("button", { type: "button", class: "secondary", "data-act": "sessions", onclick: () => showSessions(u.username) },
        bi("会话", "Sessions"))));
}

async function resetCode(username) {
  try {
    const r = await api("POST", `/api/v1/users/${username}/reset-code`);
    $("code-user").textContent = r.username;
    $("code-value").textContent = r.code;
    $("code-box").classList.remove("hidden");
    $("code-box").scrollIntoView({ block: "center" });
  } catch (err) { say($("user-msg"), "失败", "Failed", err); }
}

async function showSessions(username) {
  sessionsOf = username;
  $("sessions-user").textContent = username;
  $("sessions").classList.remove("hidden");
  const list = await api("GET", `/api/v1/users/${username}/sessions`);
  $("session-list").replaceChildren(...list.map(s => el("tr", {},
    el("td", {}, time(s.created_at), s.current ? el("span", {}, " ", ...bi("（本机）", "(this one)")) : ""),
    el("td", {}, s.address || "—"),
    el("td", {}, el("button", { type: "button", class: "secondary", onclick: () =>
      act("已撤销", "Revoked", () => api("DELETE", `/api/v1/users/${username}/sessions/${s.id}`)) }, bi("撤销", "Revoke"))))));
  if (!list.length) $("session-list").replaceChildren(el("tr", {}, el("td", { colspan: 3 }, bi("没有会话", "No sessions"))));
}

async function refreshLockouts() {
  const rows = await api("GET", "/api/v1/auth/lockouts");
  $("lockouts").classList.remove("hidden");
  $("no-lockouts").classList.toggle("hidden", rows.length > 0);
  $("lockout-list").replaceChildren(...rows.map(r => el("tr", {},
    el("td", {}, r.kind === "account" ? bi("账号", "account") : bi("地址", "address"), " ", r.subject),
    el("td", {}, `${r.failures} / ${r.lockouts}`),
    el("td", {}, r.locked ? time(r.locked_until) : "—"),
    el("td", {}, r.kind === "account" ? el("button", { type: "button", "data-act": "unlock", onclick: () =>
      act("已解锁", "Unlocked", () => api("POST", `/api/v1/users/${r.subject}/unlock`)) }, bi("解锁", "Unlock")) : ""))));
}

async function refresh() {
  if (!me || me.role !== "admin") return;
  const users = await api("GET", "/api/v1/users");
  $("user-list").replaceChildren(...users.map(userRow));
  await refreshLockouts();
  if (sessionsOf) await showSessions(sessionsOf);
}

async function signedIn() {
  me = await api("GET", "/api/v1/auth/me");
  $("login").classList.add("hidden");
  $("mine").classList.remove("hidden");
  if (me.role === "admin") {
    $("users").classList.remove("hidden");
    await refresh();
  }
}

OW.signInForm($("login-form"), $("login-error"), signedIn);

$("user-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = Object.fromEntries(new FormData(e.target));
  try {
    await api("POST", "/api/v1/users", f);
    say($("user-msg"), "已创建：" + f.username, "Created");
    e.target.reset();
    await refresh();
  } catch (err) { say($("user-msg"), "失败", "Failed", err); }
});

$("revoke-all").addEventListener("click", () => {
  if (sessionsOf) act("已全部撤销", "All revoked", () => api("DELETE", `/api/v1/users/${sessionsOf}/sessions`));
});

$("password-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = Object.fromEntries(new FormData(e.target));
  try {
    await api("POST", "/api/v1/auth/password", f);
    say($("password-msg"), "密码已修改，其他会话已退出", "Password changed; your other sessions were signed out");
    e.target.reset();
  } catch (err) { say($("password-msg"), "失败", "Failed", err); }
});

$("reset-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = Object.fromEntries(new FormData(e.target));
  try {
    await api("POST", "/api/v1/auth/reset", f);
    say($("reset-msg"), "密码已设置，请登录", "Password set; sign in");
    e.target.reset();
  } catch (err) { say($("reset-msg"), "失败", "Failed", err); }
});

api("GET", "/api/v1/auth/me").then(signedIn).catch(() => {});
