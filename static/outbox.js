// The dashboard's "messages to applicants" card: the notifications outbox of the hall
// (GET /api/v1/halls/{hall}/outbox, manager): counts by state, retrying, latest failures
// with the recipient masked. Refreshed every 30 s while the board is shown.
"use strict";
(function () {
  const { el, en } = OW;
  const STATES = [
    ["queued", "待发送", "Queued"], ["sending", "发送中", "Sending"], ["sent", "已发送", "Sent"],
    ["delivered", "已送达", "Delivered"], ["failed", "失败", "Failed"],
  ];
  const KINDS = {
    ticket_near: ["即将叫号", "Near the turn"], ticket_called: ["叫号", "Called"],
    case_accepted: ["受理", "Accepted"], case_suspended: ["暂停补正", "On hold"],
    case_resumed: ["恢复办理", "Resumed"], case_completed: ["办结", "Completed"],
    case_rate_invite: ["邀请评价", "Rating invitation"], rectification_result: ["整改结果", "Rectification"],
  };

  // What went wrong, in words (the server's last_error starts with one of these).
  const ERRORS = [
    ["daily_limit", "已达每人每日上限，未发送", "Daily limit for this person reached: not sent"],
    ["in_doubt", "发送结果不明，未重发", "Outcome unknown: not sent again"],
    ["gave up", "多次重试失败", "Failed after many tries"],
    ["SMSC unreachable", "短信中心连接不上，稍后重试", "SMS centre unreachable: retrying later"],
    ["gateway", "短信网关拒绝或无应答", "The SMS gateway refused or did not answer"],
    ["receipt", "运营商回执：未送达", "Operator receipt: not delivered"],
  ];
  function errorText(raw) {
    const hit = ERRORS.find(([k]) => (raw || "").includes(k));
    return hit ? [hit[1], " ", en(hit[2]), el("div", { class: "muted-code" }, raw)] : [raw || ""];
  }

  function render(card, data) {
    card.classList.toggle("hidden", data.channel === "off");
    const counts = el("table", { class: "outbox-counts" },
      el("thead", {}, el("tr", {}, el("th", {}, "通道 ", en("Channel")),
        ...STATES.map(([, zh, e]) => el("th", {}, zh, " ", en(e))), el("th", {}, "重试中 ", en("Retrying")))),
      el("tbody", {}, el("tr", {}, el("td", { "data-role": "channel" }, data.channel),
        ...STATES.map(([s]) => el("td", { "data-state": s }, String(data.states[s] || 0))),
        el("td", { "data-state": "retrying" }, String(data.retrying)))));
    const rows = data.failures.map(f => {
      const kind = KINDS[f.kind] || [f.kind, ""];
      return el("tr", { "data-message": f.id },
        el("td", {}, f.updated_at.slice(5, 16).replace("T", " ")),
        el("td", {}, kind[0], " ", en(kind[1])),
        el("td", {}, f.recipient),
        el("td", {}, String(f.tries)),
        el("td", {}, ...errorText(f.last_error)));
    });
    const failures = el("table", { class: "outbox-failures" },
      el("caption", {}, "最近失败或重试 ", en("Latest failed or retrying")),
      el("thead", {}, el("tr", {}, el("th", {}, "时间 ", en("When")), el("th", {}, "类型 ", en("Kind")),
        el("th", {}, "收件人 ", en("To")), el("th", {}, "次数 ", en("Tries")), el("th", {}, "原因 ", en("Error")))),
      el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: 5 }, "暂无 ", en("None")))));
    document.getElementById("outbox").replaceChildren(counts, failures);
    card.dataset.loaded = "1";
  }

  OW.dashboardCard("outbox-card", async (card, id) => {
    render(card, await OW.api("GET", `/api/v1/halls/${encodeURIComponent(id)}/outbox`));
  });
})();
