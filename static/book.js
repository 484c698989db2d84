/* The booking page (/book?hall=...): pick a service, a day and a time, give a mobile number (and the
   ID number where the service asks it), get a confirmation code and its QR code. With ?id=&token=:
   the booking's own page, to cancel it or move it to another time. */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { el, en, api, bilingual, param } = OW;
  const hall = param("hall") || "";
  const ZH_DAYS = "日一二三四五六";
  const EN_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  let info = null;

  function say(zh, enText) { $("status").replaceChildren(zh, enText ? en(enText) : ""); }

  function problem(err) {
    // The server's messages are "中文 / English": shown as they are, the English marked lang="en".
    const box = $("problem");
    const msg = (err && err.message) || "";
    box.replaceChildren(...(err && err.status !== undefined ? bilingual(msg)
      : ["无法连接服务器，请检查网络", en("Cannot reach the server: check the network")]));
    const near = err && err.data && err.data.nearest;
    if (near && near.length) {
      box.append(el("p", {}, "附近可约时段：", en("Free times nearby:"),
        el("ul", {}, near.map((s) => el("li", {}, dayText(s.start.slice(0, 10)).zh + " " + hm(s.start) + "–" + hm(s.end))))));
    }
    box.classList.remove("hidden");
    box.focus && box.setAttribute("tabindex", "-1");
  }
  function clearProblem() { $("problem").classList.add("hidden"); $("problem").replaceChildren(); }

  function hm(iso) { return iso.slice(11, 16); }
  function dayText(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    return { zh: `${m}月${d}日 周${ZH_DAYS[wd]}`, en: `${EN_DAYS[wd]} ${d} ${EN_MONTHS[m - 1]}` };
  }
  function addDays(iso, n) {
    const [y, m, d] = iso.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
  }
  function fillDays(select, ahead) {
    const keep = select.value;
    select.replaceChildren();
    for (let i = 0; i <= ahead; i++) {
      const day = addDays(info.today, i), t = dayText(day);
      select.append(el("option", { value: day }, `${t.zh}  ${t.en}`));
    }
    if (keep && [...select.options].some((o) => o.value === keep)) select.value = keep;
  }

  function choice(name, value, checked, disabled, ...label) {
    const id = `${name}-${value}`.replace(/[^A-Za-z0-9_-]/g, "_");
    return el("div", { class: "choice" },
      el("input", { type: "radio", name, id, value, checked, disabled }),
      el("label", { for: id }, ...label));
  }

  async function loadSlots(category, day, box, none, name) {
    box.replaceChildren();
    none.classList.add("hidden");
    const slots = await api("GET", `/api/v1/halls/${encodeURIComponent(hall)}/slots?category=${encodeURIComponent(category)}&date=${day}`);
    for (const s of slots) {
      const full = s.left <= 0;
      box.append(choice(name, s.start, false, full, `${hm(s.start)}–${hm(s.end)}`,
        el("span", { class: "left" }, full ? "已约满 " : `余 ${s.left} `, en(full ? "full" : `${s.left} left`))));
    }
    if (!slots.length) none.classList.remove("hidden");
    return slots;
  }

  function category() { return info.categories.find((c) => c.code === (document.querySelector("input[name=cat]:checked") || {}).value); }

  async function refreshSlots() {
    const cat = category();
    if (!cat) return;
    $("id-box").classList.toggle("hidden", !cat.require_id);
    $("id-number").required = cat.require_id;
    $("kp-box").classList.toggle("hidden", !cat.key_project);
    fillDays($("day"), cat.ahead_days);
    try { await loadSlots(cat.code, $("day").value, $("slots"), $("no-slots"), "slot"); clearProblem(); }
    catch (err) { problem(err); }
  }

  function facts(dl, a) {
    const t = dayText(a.start.slice(0, 10));
    const states = { booked: ["已预约", "booked"], cancelled: ["已取消", "cancelled"], checked_in: ["已签到", "checked in"],
                     late: ["迟到签到", "checked in late"], no_show: ["未到", "missed"] };
    const [zh, enState] = states[a.state] || [a.state, a.state];
    dl.replaceChildren(
      el("dt", {}, "事项", en("Service")), el("dd", {}, a.category_name, a.category_name_en ? en(a.category_name_en) : ""),
      el("dt", {}, "时间", en("Time")), el("dd", {}, `${t.zh} ${hm(a.start)}–${hm(a.end)}`, en(`${t.en} ${hm(a.start)}–${hm(a.end)}`)),
      el("dt", {}, "预约码", en("Code")), el("dd", {}, a.code),
      el("dt", {}, "状态", en("State")), el("dd", { class: `state-${a.state}` }, zh, en(enState)));
  }

  function manageUrl(a, token) {
    return `/book?hall=${encodeURIComponent(hall)}&id=${a.id}&token=${encodeURIComponent(token)}`;
  }

  function showDone(a, token) {
    $("book").classList.add("hidden");
    $("code").textContent = a.code;
    facts($("facts"), a);
    if (a.key_project) {  // whom it reached (issue 16 point 6)
      $("facts").append(el("dt", {}, "绿色通道", en("Green channel")),
        el("dd", { id: "kp-done" }, `${a.key_project.project || a.key_project.case_number} · 联络人 ${a.key_project.liaison_name}`,
          en(`liaison ${a.key_project.liaison_name}`)));
    }
    $("qr").setAttribute("src", `/api/v1/appointments/${a.id}/qr.svg?token=${encodeURIComponent(token)}`);
    $("window-hint").replaceChildren(
      `请在预约时间前 ${info.check_in_before_min} 分钟至开始后 ${info.check_in_after_min} 分钟内签到；迟到将按普通号排队。`,
      en(`Check in from ${info.check_in_before_min} min before to ${info.check_in_after_min} min after the start; later, you queue as a walk-in.`));
    $("manage-link").setAttribute("href", manageUrl(a, token));
    $("done").classList.remove("hidden");
    $("done-title").focus();
  }

  async function submit(ev) {
    ev.preventDefault();
    clearProblem();
    const cat = category();
    const slot = document.querySelector("input[name=slot]:checked");
    if (!cat || !slot) { problem({ status: 0, message: "请选择事项和时段 / Pick a service and a time" }); return; }
    const body = { category: cat.code, start: slot.value, phone: $("phone").value.trim(),
                   lang: document.documentElement.lang === "en" ? "en" : "zh" };
    if (cat.require_id) body.id_number = $("id-number").value.trim();
    if (cat.key_project && $("kp-on").checked) {  // green channel: the case number or the project's name
      body.key_project = { case_number: $("kp-case").value.trim(), project: $("kp-project").value.trim() };
    }
    $("submit").disabled = true;
    say("正在预约…", "Booking…");
    try {
      const a = await api("POST", `/api/v1/halls/${encodeURIComponent(hall)}/appointments`, body);
      say("", "");
      showDone(a, a.token);
    } catch (err) {
      say("", "");
      problem(err);
      if (err.data && err.data.code === "slot_full") refreshSlots();
    } finally { $("submit").disabled = false; }
  }

  async function manage(id, token) {
    let a;
    try { a = await api("GET", `/api/v1/appointments/${id}?token=${encodeURIComponent(token)}`); }
    catch (err) { problem(err); return; }
    facts($("m-facts"), a);
    $("manage").classList.remove("hidden");
    const open = a.state === "booked";
    $("m-actions").classList.toggle("hidden", !open);
    const cat = info.categories.find((c) => c.code === a.category);
    if (open && cat) {
      fillDays($("m-day"), cat.ahead_days);
      $("m-day").value = a.start.slice(0, 10);
      const reload = () => loadSlots(cat.code, $("m-day").value, $("m-slots"), $("m-no-slots"), "mslot").catch(problem);
      $("m-day").onchange = reload;
      await reload();
      $("m-move").onclick = async () => {
        clearProblem();
        const s = document.querySelector("input[name=mslot]:checked");
        if (!s) { problem({ status: 0, message: "请选择新的时段 / Pick a new time" }); return; }
        try {
          a = await api("POST", `/api/v1/appointments/${id}/reschedule?token=${encodeURIComponent(token)}`, { start: s.value });
          facts($("m-facts"), a);
          await reload();
          say("已改约到新时段。", "Moved to the new time.");
        } catch (err) { problem(err); }
      };
      $("m-cancel").onclick = async () => {
        clearProblem();
        try {
          a = await api("DELETE", `/api/v1/appointments/${id}?token=${encodeURIComponent(token)}`);
          facts($("m-facts"), a);
          $("m-actions").classList.add("hidden");
          say("预约已取消。", "The booking is cancelled.");
        } catch (err) { problem(err); }
      };
    }
    $("manage-title").focus();
  }

  async function start() {
    try { info = await api("GET", `/api/v1/halls/${encodeURIComponent(hall)}/booking`); }
    catch (err) { problem(err); return; }
    $("hall-name").textContent = `${info.hall.name} · 预约`;
    $("hall-name-en").textContent = `${info.hall.name_en || ""} · Appointments`;
    const id = param("id"), token = param("token");
    if (id && token) { await manage(id, token); return; }
    $("cats").replaceChildren(...info.categories.map((c, i) =>
      choice("cat", c.code, i === 0, false, c.name, c.name_en ? en(c.name_en) : "")));
    $("cats").addEventListener("change", refreshSlots);
    $("day").addEventListener("change", refreshSlots);
    $("book").addEventListener("submit", submit);
    $("kp-on").addEventListener("change", () => {
      $("kp-fields").classList.toggle("hidden", !$("kp-on").checked);
    });
    $("book").classList.remove("hidden");
    await refreshSlots();
  }

  start();
})();
