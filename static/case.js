/* The applicant's case page (issue 14), opened from the receipt's QR code or short link, or
   from a message: /case?id=<case>&token=<the case's token>. The item, the deadlines, every
   step with its time, what is missing while suspended, the result and how it is delivered,
   the rating of the result and what came of a bad one. Live over /ws/cases/{id}?token=,
   which sends the case on connect and whenever it changed; it reconnects with back-off and
   jitter, and at once when the phone wakes. Only the masked name is ever shown. */
"use strict";

(() => {
  const { api, el, en } = OW;
  const $ = (id) => document.getElementById(id);
  const CASE = OW.param("id") || "";
  const TOKEN = OW.param("token") || "";
  const FINAL = new Set(["withdrawn"]);  // a completed case still changes: its rating, its rectification
  const STATUS = {
    accepted: ["办理中", "Being processed"],
    suspended: ["暂停办理：请补正材料", "On hold: documents needed"],
    completed: ["已办结", "Completed"],
    withdrawn: ["已撤回 / 不予受理", "Withdrawn or refused"],
  };
  const SUSPEND_HINT = {
    correction: ["请带齐以下材料到窗口补正，补正后继续计时。", "Please bring the following to a window; the clock restarts then."],
  };
  const STEP = {
    accepted: ["窗口受理", "Accepted at the window"],
    suspended: ["暂停计时", "Clock stopped"],
    resumed: ["恢复办理", "Processing resumed"],
    deadline_recomputed: ["办结期限调整", "Deadline recalculated"],
    completed: ["办结", "Completed"],
    result_ready: ["结果可取", "Result ready"],
    withdrawn: ["撤回 / 不予受理", "Withdrawn or refused"],
    rated: ["您已评价", "You rated it"],
    review_approved: ["审核签发（一审一核）", "Reviewed and signed off"],
    review_returned: ["审核退回，窗口继续办理", "Returned by the reviewer for more work"],
  };
  const DELIVERY = {
    collect: ["请到窗口领取", "Collect it at the window"],
    post: ["结果已邮寄", "Sent to you by post"],
    online: ["结果可在网上查看", "Available online"],
  };
  const UNIT = { working_days: ["个工作日", "working days"], calendar_days: ["天", "days"], hours: ["小时", "hours"] };
  const S = { state: null, scheme: null, chosen: null, sending: false };

  function bi(zh, enText) { return [zh, en(enText)]; }
  const day = (iso) => (iso ? iso.slice(0, 10) : "—");
  const minute = (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : "—");

  function fail(title, text) {
    $("board").classList.add("hidden");
    $("message-title").replaceChildren(...bi(...title));
    $("message-text").replaceChildren(...bi(...text));
    $("message").classList.remove("hidden");
  }

  function notFound() {
    fail(["找不到这个办件", "Case not found"],
      ["请重新扫描受理回执上的二维码，或打开短信中的链接。", "Please scan the QR code on your receipt again, or open the link in your message."]);
  }

  // ----- rendering ---------------------------------------------------------------------

  function statusBox(s) {
    const [zh, enText] = STATUS[s.status] || [s.status, s.status];
    const parts = [el("div", { class: "state" }, ...bi(zh, enText))];
    if (s.status === "suspended") {
      const last = [...s.steps].reverse().find((x) => x.kind === "suspended") || {};
      const hint = SUSPEND_HINT[last.reason] || [`${last.reason_name || "暂停"}期间不计入办理时限。`, `${last.reason_name_en || "On hold"}: the time does not count.`];
      parts.push(el("div", { class: "hint" }, ...bi(...hint)));
      if (s.missing.length) {
        parts.push(el("div", { class: "label" }, ...bi("需补正的材料", "Missing documents")),
          el("ul", { class: "missing", id: "missing" }, s.missing.map((m) => el("li", {}, m))));
      }
    }
    if (s.status === "completed" && s.result) {
      const [dz, de] = DELIVERY[s.result.delivery] || [s.result.delivery, s.result.delivery];
      const where = s.result.delivery === "collect" && s.result.window_name ? `：${s.result.window_name}` : "";
      parts.push(el("div", { class: "hint", id: "delivery" }, ...bi(dz + where, de + (where ? ` (${s.result.window_name})` : ""))));
    }
    const box = $("status");
    box.dataset.status = s.status;
    box.replaceChildren(...parts);
  }

  function facts(s) {
    const limit = (l) => (l ? `${l.amount} ${(UNIT[l.unit] || [l.unit])[0]}` : "");
    const tag = s.provisional ? el("span", { class: "tag", id: "provisional" }, "暂定 ", en("provisional")) : null;
    const rows = [
      [["受理时间", "Accepted"], [minute(s.accepted_at)], "accepted"],
      [["承诺办结", "Promised by"], [day(s.deadline), tag, en(limit(s.promised) ? `${s.promised.amount} ${(UNIT[s.promised.unit] || ["", s.promised.unit])[1]}` : "")], "deadline"],
    ];
    if (s.statutory_deadline) {
      const lawTag = s.statutory_provisional ? el("span", { class: "tag" }, "暂定 ", en("provisional")) : null;
      rows.push([["法定时限", "Statutory limit"], [day(s.statutory_deadline), lawTag, en(`${s.statutory.amount} ${(UNIT[s.statutory.unit] || ["", s.statutory.unit])[1]}`)], "statutory"]);
    }
    if (s.window) rows.push([["受理窗口", "Window"], [s.window.name, en(s.window.name_en || "")], "window"]);
    if (s.completed_at) rows.push([["办结时间", "Completed"], [minute(s.completed_at)], "completed"]);
    $("facts").replaceChildren(...rows.map(([k, v, key]) => el("div", {},
      el("dt", {}, ...bi(...k)), el("dd", { "data-fact": key }, ...v))));
  }

  function steps(s) {
    $("steps").replaceChildren(...s.steps.map((st) => {
      const [zh, enText] = STEP[st.kind] || [st.kind, st.kind];
      const detail = [];
      if (st.kind === "suspended") {
        detail.push(`${st.reason_name || ""}${st.missing && st.missing.length ? "：" + st.missing.join("、") : ""}`);
      } else if ((st.kind === "resumed" || st.kind === "deadline_recomputed") && st.deadline) {
        detail.push(`新的办结期限 ${day(st.deadline)}`);
      } else if (st.kind === "result_ready") {
        const [dz] = DELIVERY[st.delivery] || [st.delivery];
        detail.push(dz + (st.delivery === "collect" && st.window_name ? `：${st.window_name}` : ""));
      } else if (st.kind === "rated" && S.scheme) {
        const lv = S.scheme.levels.find((l) => l.level === st.level);
        if (lv) detail.push(lv.name);
      }
      return el("li", { "data-kind": st.kind },
        el("div", { class: "what" }, ...bi(zh, enText)),
        el("time", { datetime: st.at }, minute(st.at)),
        detail.length ? el("div", { class: "detail" }, detail.join(" ")) : null);
    }));
  }

  function ratingBox(s) {
    const box = $("rating");
    const body = $("rating-body");
    if (s.rating) {
      const r = s.rating;
      const parts = [el("p", { class: "rated", id: "rated" }, ...bi(`您的评价：${r.level_name}`, `Your rating: ${r.level_name_en}`))];
      const rect = r.rectification;
      if (rect && rect.outcome !== undefined) {
        parts.push(el("div", { class: "outcome", id: "outcome" },
          el("div", { class: "label" }, ...bi("整改结果", "What was done")),
          el("p", {}, rect.outcome || "已整改"),
          el("time", { datetime: rect.closed_at }, minute(rect.closed_at))));
      } else if (rect) {
        parts.push(el("p", { id: "rectifying" }, ...bi(`我们正在核实整改，将于 ${minute(rect.due_at)} 前答复您。`,
          `We are looking into it and will answer by ${minute(rect.due_at)}.`)));
      }
      body.replaceChildren(...parts);
      box.classList.remove("hidden");
      return;
    }
    if (!s.rateable || !S.scheme) { box.classList.add("hidden"); return; }
    if (body.dataset.form === "1") { box.classList.remove("hidden"); return; }  // keep what is being chosen
    body.dataset.form = "1";
    const levels = el("div", { class: "levels", role: "group", "aria-label": "评价等级 Rating" },
      S.scheme.levels.map((lv) => el("button", {
        type: "button", "data-level": lv.level, "aria-pressed": "false",
        onclick: () => choose(lv),
      }, ...bi(lv.name, lv.name_en))));
    const reasons = el("fieldset", { class: "reasons hidden", id: "reasons" },
      el("legend", {}, ...bi("不满意的原因（可多选）", "What went wrong (any)")),
      S.scheme.reasons.map((r) => el("label", {}, el("input", { type: "checkbox", value: r.code }), ...bi(r.name, r.name_en))));
    const comment = el("textarea", { id: "comment", maxlength: "500", "aria-label": "意见 Comment", placeholder: "意见建议（选填） Comment (optional)" });
    const send = el("button", { type: "button", class: "submit", id: "send", disabled: true, onclick: submit }, ...bi("提交评价", "Send"));
    const err = el("div", { class: "error hidden", id: "rate-error", role: "alert" });
    body.replaceChildren(el("p", {}, ...bi("请为本办件的办理结果评价。", "Please rate how this case was handled.")), levels, reasons, comment, send, err);
    box.classList.remove("hidden");
  }

  function choose(lv) {
    S.chosen = lv;
    document.querySelectorAll(".levels button").forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.level) === lv.level)));
    $("reasons").classList.toggle("hidden", !lv.bad);
    $("send").disabled = false;
  }

  async function submit() {
    if (!S.chosen || S.sending) return;
    S.sending = true;
    $("send").disabled = true;
    const reasons = S.chosen.bad ? [...document.querySelectorAll("#reasons input:checked")].map((i) => i.value) : [];
    try {
      await api("POST", `/api/v1/cases/${encodeURIComponent(CASE)}/rating?token=${encodeURIComponent(TOKEN)}`,
        { level: S.chosen.level, reasons, comment: S.chosen.bad ? $("comment").value : "" });
      update(await api("GET", `/api/v1/cases/${encodeURIComponent(CASE)}/progress?token=${encodeURIComponent(TOKEN)}`));
    } catch (e) {
      const box = $("rate-error");
      box.replaceChildren(...OW.errorNodes("评价未能提交", "The rating was not sent", e));
      box.classList.remove("hidden");
      $("send").disabled = false;
    } finally {
      S.sending = false;
    }
  }

  function render() {
    const s = S.state;
    // A long case number (HP-DONGSHAN-20261203-0001) breaks after a hyphen only, never inside a part.
    const parts = s.number.split("-");
    $("number").replaceChildren(...parts.flatMap((p, i) => (i < parts.length - 1 ? [`${p}-`, el("wbr")] : [p])));
    $("item").replaceChildren(...bi(s.item, s.item_en || ""));
    $("applicant").replaceChildren(...bi(`申请人：${s.applicant || "—"}`, `Applicant: ${s.applicant || "—"}`));
    if (s.hall) $("hall-name").replaceChildren(...bi(`${s.hall.name} · 办件进度`, `${s.hall.name_en || ""} · Case progress`));
    statusBox(s);
    facts(s);
    steps(s);
    ratingBox(s);
    document.title = `${s.number} ${(STATUS[s.status] || [s.status])[0]}`;
    document.body.dataset.status = s.status;
  }

  function update(s) {
    S.state = s;
    $("message").classList.add("hidden");
    $("board").classList.remove("hidden");
    render();
    if (FINAL.has(s.status)) live.close();
  }

  // ----- the live socket ----------------------------------------------------------------

  const live = OW.follow(`/ws/cases/${encodeURIComponent(CASE)}?token=${encodeURIComponent(TOKEN)}`, {
    type: "case", onMessage: update, onNotFound: notFound,
    isFinal: () => S.state && FINAL.has(S.state.status), liveBox: $("live"),
  });

  async function start() {
    if (!/^\d+$/.test(CASE) || !TOKEN) { notFound(); return; }
    try { S.scheme = await api("GET", "/api/v1/rating-scheme"); } catch (e) { /* rating offered once it loads */ }
    try {
      update(await api("GET", `/api/v1/cases/${encodeURIComponent(CASE)}/progress?token=${encodeURIComponent(TOKEN)}`));
    } catch (e) {
      if (e.status === 404) { notFound(); return; }
      fail(["暂时无法连接", "Cannot reach the hall right now"], ["请稍后刷新本页。", "Please reload this page in a moment."]);
      return;
    }
    if (!FINAL.has(S.state.status)) live.connect();
    else live.setLive("ended");
  }

  start();
})();
