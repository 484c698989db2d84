/* Green channel by appointment (重点项目绿色通道预约, issue 16 point 6): the key-project bookings
   that reached the signed-in liaison (a manager sees every one), today and the coming days, in
   the console's cases view: when, what, the project or case number, the applicant's phone
   (masked), the code, and whether they checked in (the ticket's number). */

import { $, S } from "./state.js";

const { api, el } = OW;
const en = (text) => el("span", { class: "en", lang: "en" }, text);
const STATES = {
  booked: ["待签到", "to come"], checked_in: ["已签到", "checked in"], late: ["迟到签到", "came late"],
  no_show: ["未到", "did not come"], cancelled: ["已取消", "cancelled"],
};
const when = (a) => `${a.start.slice(5, 10)} ${a.start.slice(11, 16)}–${a.end.slice(11, 16)}`;

/** Fill the cases view's green-channel list; hidden while there is none. */
export async function loadGreenChannel() {
  const box = $("cs-green");
  const rows = await api("GET", `/api/v1/halls/${S.hall}/appointments/green-channel`);
  $("cs-green-count").textContent = String(rows.length);
  box.classList.toggle("hidden", rows.length === 0);
  const all = S.me && ["manager", "admin", "bureau_manager"].includes(S.me.role);
  const head = [["时段", "Time"], ["事项", "Service"], ["重点项目", "Key project"], ["申请人电话", "Phone"],
    ["预约码", "Code"], ["状态", "State"], ...(all ? [["联络人", "Liaison"]] : [])];
  $("cs-green-list").replaceChildren(el("table", { class: "cstable" },
    el("thead", {}, el("tr", {}, ...head.map(([zh, e]) => el("th", { scope: "col" }, zh, en(e))))),
    el("tbody", {}, ...rows.map((a) => {
      const [sz, se] = STATES[a.state] || [a.state, a.state];
      const project = [a.project, a.case_number].filter(Boolean).join(" · ");
      return el("tr", { "data-appointment": String(a.id), "data-state": a.state },
        el("th", { scope: "row" }, when(a)),
        el("td", {}, a.category_name, en(a.category_name_en || "")),
        el("td", {}, project),
        el("td", {}, a.phone || "—"),
        el("td", {}, a.code),
        el("td", { class: `st ${a.state}` }, sz, en(se), a.ticket_number ? ` ${a.ticket_number}` : ""),
        ...(all ? [el("td", {}, a.liaison.name)] : []));
    }))));
}
