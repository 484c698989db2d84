// The dashboard's appointments card (issue 16): today's bookings per category, checked in on time,
// late, no-shows, cancelled, still to come, the appointments' share of the tickets, and the bookings
// whose slot disappeared (GET /api/v1/halls/{hall}/appointments/summary, manager). Every 30 s.
"use strict";
(function () {
  const { el, en } = OW;
  const COLS = [["booked", "预约", "Booked"], ["checked_in", "按时签到", "On time"], ["late", "迟到", "Late"],
                ["no_show", "未到", "No-show"], ["cancelled", "取消", "Cancelled"], ["waiting", "待到", "To come"]];

  function render(card, data, halls) {
    const names = Object.fromEntries((halls.categories || []).map((c) => [c.code, c]));
    const rows = Object.entries(data.categories).map(([code, f]) => {
      const c = names[code] || { name: code, name_en: "" };
      return el("tr", { "data-category": code }, el("th", { scope: "row" }, c.name, " ", en(c.name_en || "")),
        ...COLS.map(([k]) => el("td", { "data-figure": k }, String(f[k]))),
        el("td", { "data-figure": "share" }, f.share == null ? "—" : `${Math.round(f.share * 100)}%`));
    });
    const table = el("table", { class: "appointments" },
      el("caption", {}, "今日预约 ", en("Today's appointments")),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "事项 ", en("Service")),
        ...COLS.map(([, zh, e]) => el("th", { scope: "col" }, zh, " ", en(e))),
        el("th", { scope: "col" }, "占取号 ", en("Share of tickets")))),
      el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: COLS.length + 2 }, "暂无 ", en("None")))));
    const flagged = data.flagged.length ? el("div", { class: "flagged", role: "status" },
      el("p", {}, `${data.flagged.length} 个预约的时段已取消（日历或时间调整），已短信通知申请人，请改约或取消：`,
        en(`${data.flagged.length} bookings lost their slot (calendar or hours changed); the applicants were told. Move or cancel them:`)),
      el("ul", {}, data.flagged.map((a) => el("li", {}, `${a.code} · ${a.category_name} · ${a.start.slice(5, 16).replace("T", " ")}`)))) : "";
    document.getElementById("appointments").replaceChildren(table, flagged);
    card.classList.remove("hidden");
  }

  OW.dashboardCard("appointments-card", async (card, id) => {
    const [data, info] = await Promise.all([
      OW.api("GET", `/api/v1/halls/${encodeURIComponent(id)}/appointments/summary`),
      OW.api("GET", `/api/v1/halls/${encodeURIComponent(id)}`)]);
    render(card, data, info);
  });
})();
