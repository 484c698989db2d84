/* Accounts: list them and create one (admin or manager). */
"use strict";
async function refresh() {
  const users = await OW.api("GET", "/api/v1/users");
  const tbody = document.getElementById("user-list");
  tbody.replaceChildren(...users.map(u => OW.el("tr", {}, OW.el("td", {}, u.username), OW.el("td", {}, u.display_name), OW.el("td", {}, u.role))));
}
async function showUsers() {
  document.getElementById("login").classList.add("hidden");
  document.getElementById("users").classList.remove("hidden");
  await refresh();
}
OW.signInForm(document.getElementById("login-form"), document.getElementById("login-error"), showUsers);
document.getElementById("user-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = Object.fromEntries(new FormData(e.target));
  const msg = document.getElementById("user-msg");
  try {
    await OW.api("POST", "/api/v1/users", f);
    msg.textContent = "已创建 Created: " + f.username;
    e.target.reset();
    await refresh();
  } catch (err) { msg.textContent = "失败 Failed: " + err.message; }
});
OW.api("GET", "/api/v1/auth/me").then(me => { if (me.role === "admin" || me.role === "manager") showUsers(); }).catch(() => {});
