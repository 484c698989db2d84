/* The touch kiosk: pick a category (and a priority if one applies), get a
   number with its QR code. Chinese leads, English follows; the toggle swaps
   them for one visitor. After a ticket or a message it returns to the
   categories on its own. Reads GET /api/v1/halls/{hall}/kiosk every few
   seconds so that closed categories and an empty printer show at once.
   A paired device (static/device.js): until paired it shows the pairing screen;
   revoked, it pairs again. */
"use strict";

(() => {
  const { api, el } = OW;
  const $ = (id) => document.getElementById(id);
  const KIOSK = OW.param("kiosk");
  const REFRESH_MS = 8000;
  const MESSAGE_S = 12;
  const IDLE_MS = 60000;
  const SCREENS = ["pick", "busy", "ticket", "message", "checkin", "phone"];
  const PHONE_S = 60;  // the phone step untouched this long: back to the categories, the digits forgotten
  const PHOTO = ["请拍照或扫码保存您的号码", "Please photograph or scan to keep your number"];

  const S = {
    hall: OW.param("hall"), view: null, lang: "zh", priority: null, screen: "loading",
    ticket: null, message: null, busy: false, timer: null, left: 0, full: 0, device: null, pairing: null,
    phoneFor: null, phone: "", phoneError: false,
  };

  // Simple line icons (viewBox 64): no emoji font or network needed.
  const ICONS = {
    document: '<rect x="14" y="10" width="36" height="46" rx="4"/><rect x="24" y="6" width="16" height="8" rx="2"/><path d="M22 26h20M22 35h20M22 44h12"/>',
    factory: '<path d="M6 56V30l14 8v-8l14 8v-8l14 8V10h8v46z"/><path d="M14 48h6M28 48h6M42 48h6"/>',
    check: '<circle cx="32" cy="32" r="24"/><path d="M20 33l8 8 16-17"/>',
    hazard: '<path d="M32 8L58 54H6z"/><path d="M32 24v14M32 46v1"/>',
    megaphone: '<path d="M8 26v12h10l22 12V14L18 26z"/><path d="M18 38l4 14h8l-4-12"/><path d="M48 24c4 3 4 13 0 16"/>',
    chat: '<path d="M8 14h48v30H28l-12 10V44H8z"/><path d="M22 29h1M32 29h1M42 29h1" stroke-width="6"/>',
    helper: '<circle cx="22" cy="18" r="7"/><circle cx="44" cy="22" r="6"/><path d="M8 54c0-12 6-20 14-20s14 8 14 20"/><path d="M34 54c0-10 4-16 10-16s10 6 10 16"/>',
    ticket: '<path d="M8 18h48v10a4 4 0 0 0 0 8v10H8V36a4 4 0 0 0 0-8z"/><path d="M24 20v24" stroke-dasharray="4 5"/>',
    normal: '<circle cx="32" cy="16" r="8"/><path d="M14 56c0-12 8-22 18-22s18 10 18 22"/>',
    elderly: '<circle cx="28" cy="10" r="6"/><path d="M28 18c-4 6-6 14-6 20M22 38l-6 18M24 36l8 20M27 22l12 8M40 30v26"/>',
    disabled: '<circle cx="26" cy="10" r="5"/><path d="M26 17v17h14l7 13"/><path d="M26 25h11"/><path d="M18 30a14 14 0 1 0 20 16"/>',
    green_channel: '<path d="M12 52C12 24 30 12 54 10c0 26-14 42-42 42z"/><path d="M12 52L36 28"/>',
  };
  // The hall file names icons by emoji; each maps onto a drawn one.
  const ICON_OF = { "📋": "document", "🏭": "factory", "✅": "check", "☣️": "hazard", "☣": "hazard", "📢": "megaphone",
    "💬": "chat", "🤝": "helper" };

  function icon(name) {
    const s = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    s.setAttribute("viewBox", "0 0 64 64");
    s.setAttribute("aria-hidden", "true");
    s.innerHTML = `<g fill="none" stroke="currentColor" stroke-width="4" stroke-linecap="round" stroke-linejoin="round">${ICONS[name] || ICONS.ticket}</g>`;
    return s;
  }

  /** The leading language large, the other below it. */
  function bi(zh, en) {
    const [a, b] = S.lang === "zh" ? [zh, en] : [en, zh];
    return el("span", { class: "bi" }, el("span", { class: "l1", lang: S.lang === "zh" ? "zh-CN" : "en" }, a),
      b ? el("span", { class: "l2", lang: S.lang === "zh" ? "en" : "zh-CN" }, b) : null);
  }

  /** "中文 / English" from the server: both halves. */
  function halves(msg) {
    const text = String(msg || "");
    const i = text.indexOf(" / ");
    return i < 0 ? [text, text] : [text.slice(0, i), text.slice(i + 3)];
  }

  function show(id) {
    S.screen = id;
    document.body.dataset.screen = id;
    for (const s of SCREENS) $(s).classList.toggle("hidden", s !== id);
  }

  function windowsText(list) {
    if (!list || !list.length) return ["—", "—"];
    if (list.every((w) => w.number)) {
      const nums = list.map((w) => w.number);
      return [`${nums.join("、")} 号窗口`, `Window${nums.length > 1 ? "s" : ""} ${nums.join(", ")}`];
    }
    return [list.map((w) => w.name).join("、"), list.map((w) => w.name_en || w.name).join(", ")];
  }

  // ----- the header and the banner ---------------------------------------------------

  function renderHeader() {
    const h = S.view ? S.view.hall : { name: "政务服务大厅", name_en: "Service hall" };
    $("hall-name").textContent = S.lang === "zh" ? h.name : (h.name_en || h.name);
    $("hall-name-en").textContent = S.lang === "zh" ? (h.name_en || "") : h.name;
    $("lang").textContent = S.lang === "zh" ? "English" : "中文";
    // Each name in its own language, for screen readers (issue 12, point 18)
    $("hall-name").lang = S.lang === "zh" ? "zh-CN" : "en";
    $("hall-name-en").lang = $("lang").lang = S.lang === "zh" ? "en" : "zh-CN";
    document.documentElement.lang = S.lang === "zh" ? "zh-CN" : "en";
  }

  function tick() {
    // The hall's time, whatever zone the kiosk's computer is set to.
    const tz = (S.view && S.view.hall.timezone) || undefined;
    try {
      $("clock").textContent = new Intl.DateTimeFormat("zh-CN", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date());
    } catch (e) {
      $("clock").textContent = "";
    }
  }

  /** Refused by an empty printer (nothing can be issued), or merely not printing. */
  function printerTrouble() {
    const p = S.view && S.view.printer;
    if (!p || p.can_print) return null;
    return p.when_unavailable === "refuse" ? "refuse" : "issue";
  }

  function renderBanner() {
    const b = $("banner");
    const v = S.view;
    let parts = null, bad = false;
    if (v && !v.open) {
      const [zh, en] = halves(v.closed_reason);
      parts = bi(`现在不能取号：${zh}`, `No tickets right now: ${en}`);
      bad = true;
    } else if (printerTrouble() === "refuse") {
      const p = v.printer;
      parts = bi(`取号机打印机${p.state_name}，暂停取号，请联系工作人员`, `The ticket printer is ${p.state_name_en}: please ask the staff`);
      bad = true;
    } else if (printerTrouble() === "issue") {
      const p = v.printer;
      parts = bi(`打印机${p.state_name}：号码将显示在屏幕上，${PHOTO[0]}`, `Printer ${p.state_name_en}: your number will be on screen. ${PHOTO[1]}`);
    }
    b.classList.toggle("hidden", !parts);
    b.classList.toggle("bad", bad);
    b.replaceChildren(...(parts ? [parts] : []));
  }

  // ----- choosing a category -----------------------------------------------------------

  function offersPriority() {
    return S.view.priority_kinds.length && S.view.categories.some((c) => c.priority_classes.includes("priority"));
  }

  function renderPriority() {
    const box = $("priority");
    if (!offersPriority()) { box.classList.add("hidden"); return; }
    const kinds = [{ code: null, name: "普通", name_en: "Standard" }, ...S.view.priority_kinds];
    box.setAttribute("aria-label", "优先服务 Priority service");
    box.replaceChildren(el("span", { class: "plabel" }, bi("需要优先办理？", "Need priority service?")),
      ...kinds.map((k) => el("button", {
        type: "button", "data-priority": k.code || "normal", "aria-pressed": String(S.priority === k.code),
        onclick: () => { S.priority = k.code; renderPriority(); },
      }, icon(k.code || "normal"), bi(k.name, k.name_en))));
    box.classList.remove("hidden");
  }

  /** A ticket's or a tile's wait, in the server's words (one rounding: caller/estimate.py). */
  function waitWords(x) {
    const w = x.wait_text || { zh: "", en: "" };
    return [w.zh, w.en];
  }

  /** The tile's state before the tap: "open", "closed" (hours) or "full" (the day's cap). */
  function stateOf(c) {
    return c.state || (c.open ? "open" : "closed");
  }

  function renderCats() {
    const refused = printerTrouble() === "refuse";
    $("cats").replaceChildren(...S.view.categories.map((c) => {
      const state = stateOf(c);
      const [wz, we] = waitWords(c);
      let meta;
      if (state === "full") {
        meta = el("span", { class: "closed" }, bi("今日号已取完", "Full for today"));
      } else if (state !== "open") {
        const [zh, en] = halves(c.closed_reason);
        meta = el("span", { class: "closed" }, bi(`暂停取号 · ${zh}`, `Closed · ${en}`));
      } else if (refused) {
        meta = el("span", { class: "closed" }, bi("暂停取号", "Paused"));
      } else if (!c.serving_now) {
        // Nobody serves it now: no made-up wait, but when service resumes.
        meta = el("span", { class: "noserve" }, bi(`前面 ${c.ahead} 人 · ${wz}`, `${c.ahead} ahead · ${we}`));
      } else {
        meta = bi(`前面 ${c.ahead} 人 · ${wz}`, `${c.ahead} ahead · ${we}`);
      }
      // A full or closed tile stays focusable and says why when tapped; nothing is asked of the server.
      return el("button", {
        type: "button", class: "cat", "data-category": c.code, "data-state": state, disabled: refused,
        "aria-disabled": String(state !== "open"),
        onclick: () => (state === "open" ? take(c) : explain(c, state)),
      }, el("span", { class: "icon" }, icon(ICON_OF[c.icon] || c.icon), el("span", { class: "prefix" }, c.prefix)),
      el("span", { class: "text" },
        el("div", { class: "name" }, bi(c.name, c.name_en || c.name)),
        el("div", { class: "meta" }, meta)));
    }));
  }

  function renderPick() {
    $("pick-title").replaceChildren(bi("请选择您要办理的业务", "Please choose your service"));
    $("checkin-open").replaceChildren(bi("预约签到", "Check in for an appointment"));
    renderPriority();
    renderCats();
  }

  async function load() {
    if (!S.hall) S.hall = (await api("GET", "/api/v1/halls"))[0].id;
    const q = KIOSK ? `?kiosk=${encodeURIComponent(KIOSK)}` : "";
    S.view = await api("GET", `/api/v1/halls/${encodeURIComponent(S.hall)}/kiosk${q}`);
  }

  /** The server no longer knows this kiosk: forget its token and show the pairing screen. */
  function repair() {
    if (!S.pairing) {
      S.pairing = OW.device.repair("kiosk").then((d) => { S.device = d; S.pairing = null; toPick(); });
    }
    return S.pairing;
  }

  async function refresh() {
    if (S.pairing) return;
    try {
      await load();
    } catch (err) {
      if (OW.device.isRevoked(err)) { repair(); return; }
      if (S.screen === "loading" || S.screen === "pick") {
        message(["暂时无法取号", "Tickets are not available right now"],
          ["正在重新连接，请稍候或咨询工作人员", "Reconnecting; please wait or ask the staff"], false);
      }
      return;
    }
    renderHeader();
    renderBanner();
    tick();
    if (S.screen === "loading" || (S.screen === "message" && !S.message.back)) toPick();
    else if (S.screen === "pick") renderPick();
  }

  // ----- taking a ticket -------------------------------------------------------------

  /** A tap on an open tile: the optional phone step where the hall sends queue messages, else the ticket. */
  function take(c) {
    if (S.view.sms) askPhone(c); else issue(c, null);
  }

  async function issue(c, phone) {
    if (S.busy) return;
    S.busy = true;
    $("busy-text").replaceChildren(bi("正在取号，请稍候…", "Taking your number…"));
    show("busy");
    const priority = S.priority && c.priority_classes.includes("priority") ? "priority" : "normal";
    const body = { category: c.code, priority, lang: S.lang };
    if (priority === "priority" && S.priority) body.priority_kind = S.priority;
    const kioskId = KIOSK || (S.device && S.device.kiosk) || S.view.kiosk;  // else the hall's first kiosk
    if (kioskId) body.kiosk = kioskId;
    // The number with the visitor's consent (the step's "agree" button): the server records the opt-in.
    if (phone) { body.phone = phone; body.notify = true; }
    try {
      const t = await api("POST", `/api/v1/halls/${encodeURIComponent(S.hall)}/tickets`, body);
      const kind = priority === "priority" ? S.view.priority_kinds.find((k) => k.code === S.priority) : null;
      S.ticket = { ...t, cat: c, kind, masked: t.notify ? maskPhone(phone) : null };
      S.phone = "";  // not kept on the kiosk once sent
      showTicket();
    } catch (err) {
      if (OW.device.isRevoked(err)) repair();
      else if (phone && err.status === 422 && err.data && err.data.field === "phone") phoneRefused();
      else refused(err);
    } finally {
      S.busy = false;
    }
  }

  function showTicket() {
    renderTicket();
    show("ticket");
    countdown(S.view.return_after_s, renderDone, toPick);
  }

  function renderTicket() {
    const t = S.ticket;
    const [waitZh, waitEn] = waitWords(t);
    const [wz, we] = windowsText(t.windows);
    $("t-label").replaceChildren(bi("您的号码", "Your number"));
    $("t-number").textContent = t.number;
    const badge = t.priority === "priority" ? [el("span", { class: "badge" },
      S.lang === "zh" ? `优先 ${t.kind ? t.kind.name : ""}` : `Priority ${t.kind ? t.kind.name_en : ""}`)]
      : t.priority === "appointment" ? [el("span", { class: "badge" }, S.lang === "zh" ? "预约" : "Appointment")] : [];
    $("t-category").replaceChildren(bi(t.cat.name, t.cat.name_en || t.cat.name), ...badge);
    const facts = [
      [["前面还有", "People ahead"], [`${t.ahead} 人`, String(t.ahead)]],
      t.serving_now === false ? [["窗口服务", "Service"], [waitZh, waitEn]] : [["预计等候", "Estimated wait"], [waitZh, waitEn]],
      [["办理窗口", "Served at"], [wz, we]],
    ];

    $("t-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, bi(...k)),
      el("dd", { "data-fact": k[1].toLowerCase().replace(/ /g, "-") }, bi(...v))]));
    const qr = $("t-qr");
    const src = `/api/v1/tickets/${t.id}/qr.svg?token=${encodeURIComponent(t.track_token)}`;
    if (qr.getAttribute("src") !== src) qr.setAttribute("src", src);
    // The SMS reminder: only the masked number, on a screen others can see.
    $("t-sms").classList.toggle("hidden", !t.masked);
    $("t-sms").replaceChildren(...(t.masked ? [bi(`叫号前将短信提醒 ${t.masked}`, `We will text ${t.masked} before your turn`)] : []));
    $("t-qr-caption").replaceChildren(bi("用手机扫码，随时查看排队进度", "Scan with your phone to follow your place in the queue"));
    const p = (t.print && t.print.status) || "none";
    const texts = {
      printed: ["请取走下方的号票", "Please take your ticket below"],
      queued: [`正在打印号票。如未出票，${PHOTO[0]}`, `Printing your ticket. If none comes out: ${PHOTO[1]}`],
      failed: [`号票未能打印。${PHOTO[0]}`, `The ticket could not be printed. ${PHOTO[1]}`],
      none: [PHOTO[0], PHOTO[1]],
    }[p] || [PHOTO[0], PHOTO[1]];
    const box = $("t-print");
    box.className = "tprint " + p;
    box.dataset.status = p;
    box.replaceChildren(bi(...texts));
    renderDone();
  }

  function renderDone() {
    $("t-done").replaceChildren(bi(`完成（${S.left} 秒后自动返回）`, `Done (back in ${S.left} s)`));
  }

  const NONE = ["未出号", "No number was issued"];
  const TITLES = {
    hall_closed: ["现在不能取号", "No tickets right now"],
    category_closed: ["该业务现在不能取号", "This service takes no tickets right now"],
    daily_cap: ["今日号源已满", "Today's tickets for this service are all taken"],
    printer_unavailable: ["取号机暂停服务", "This kiosk cannot issue tickets now"],
  };
  const TEXTS = {
    daily_cap: ["请改日再来，或咨询工作人员", "Please come back on another working day, or ask the staff"],
  };

  /** A tap on a full or closed tile: why, as the server would have refused it. */
  function explain(c, state) {
    const code = state === "full" ? "daily_cap" : (S.view.open ? "category_closed" : "hall_closed");
    const [zh, en] = TEXTS[code] || halves(c.closed_reason);
    message(TITLES[code], [`${NONE[0]}。${zh}`, `${NONE[1]}. ${en}`], true, code);
  }

  /** No ticket: a clear reason, then back to the categories. */
  function refused(err) {
    const code = err.data && err.data.code;
    const [zh, en] = halves(err.message);
    if (err.status === undefined || !err.data) {
      message(["取号失败", "Could not take a ticket"], [`${NONE[0]}。请稍后再试，或咨询工作人员`, `${NONE[1]}. Please try again or ask the staff`]);
    } else {
      const [tz, te] = TITLES[code] || ["取号失败", "Could not take a ticket"];
      const [xz, xe] = TEXTS[code] || [zh, en];
      message([tz, te], [`${NONE[0]}。${xz}`, `${NONE[1]}. ${xe}`], true, code || "error");
    }
    load().then(() => { renderBanner(); }).catch(() => {});
  }

  function message(title, text, back = true, code = "error") {
    S.message = { title, text, back, code };
    renderMessage();
    show("message");
    if (back) countdown(MESSAGE_S, renderMessageButton, toPick);
    else clearInterval(S.timer);
  }

  function renderMessage() {
    const m = S.message;
    $("message").dataset.code = m.code;
    $("m-title").replaceChildren(bi(...m.title));
    $("m-text").replaceChildren(bi(...m.text));
    $("m-back").classList.toggle("hidden", !m.back);
    renderMessageButton();
  }

  function renderMessageButton() {
    $("m-back").replaceChildren(bi(`返回（${S.left} 秒）`, `Back (${S.left} s)`));
  }

  function countdown(seconds, draw, then) {
    clearInterval(S.timer);
    S.left = seconds;
    S.full = seconds;
    draw();
    S.timer = setInterval(() => {
      S.left -= 1;
      if (S.left <= 0) { clearInterval(S.timer); then(); return; }
      draw();
    }, 1000);
  }

  function toPick() {
    clearInterval(S.timer);
    // The next visitor starts afresh: Chinese first, no priority.
    S.lang = "zh"; S.priority = null; S.ticket = null; S.message = null;
    S.phoneFor = null; S.phone = ""; S.phoneError = false;
    renderHeader();
    renderBanner();
    renderPick();
    show("pick");
    main().scrollTop = 0;
    refresh();
  }

  function main() { return document.querySelector("main"); }

  // ----- the optional phone number for queue messages (issue 14, point 4) -------------------

  /** "13812345678" -> "138****5678", as staff see it (store/crypto.mask_phone). */
  function maskPhone(text) {
    let d = String(text || "").replace(/\D/g, "");
    if (d.length === 13 && d.startsWith("86")) d = d.slice(2);
    return d.length >= 7 ? `${d.slice(0, 3)}****${d.slice(-4)}` : "****";
  }

  /** 11 digits as they are read aloud: 138 1234 5678. */
  function grouped(digits) {
    return [digits.slice(0, 3), digits.slice(3, 7), digits.slice(7)].filter(Boolean).join(" ");
  }

  function askPhone(c) {
    S.phoneFor = c;
    S.phone = "";
    S.phoneError = false;
    renderPhone();
    show("phone");
    main().scrollTop = 0;
    countdown(PHONE_S, renderPhoneBack, toPick);
  }

  function renderPhone() {
    const c = S.phoneFor;
    $("ph-title").replaceChildren(bi("留下手机号，叫号前短信提醒", "Get an SMS before your turn"));
    $("ph-cat").replaceChildren(bi(`${c.name} · 可不填`, `${c.name_en || c.name} · optional`));
    $("ph-skip").replaceChildren(bi("不需要，直接取号", "No thanks, just give me a number"));
    $("ph-label").replaceChildren(bi("手机号码（11 位）", "Mobile number (11 digits)"));
    $("ph-consent").replaceChildren(bi("按“同意并取号”，即同意本大厅用此号码在叫号前给您发短信；号码加密保存，工作人员只能看到部分号码。",
      "By pressing Agree you let the hall text this number before your turn. It is stored encrypted; staff see only part of it."));
    $("ph-ok").replaceChildren(bi("同意并取号", "Agree and get my number"));
    $("ph-keys").setAttribute("aria-label", "数字键盘 Keypad");
    $("ph-keys").replaceChildren(...["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"].map((k) => {
      const label = k === "clear" ? ["清除", "Clear"] : k === "back" ? ["退格", "Delete"] : null;
      return el("button", { type: "button", class: "ph-key" + (label ? " fn" : ""), "data-key": k,
        "aria-label": label ? `${label[0]} ${label[1]}` : k, onclick: () => press(k) },
      label ? bi(...label) : k);
    }));
    renderPhoneValue();
    renderPhoneBack();
  }

  function renderPhoneValue() {
    const input = $("ph-input");
    input.value = grouped(S.phone);
    input.setAttribute("aria-invalid", String(S.phoneError));
    $("ph-ok").disabled = !S.phone;
    const box = $("ph-error");
    if (S.phoneError) {
      const t = OW.errorText("bad_phone");
      box.replaceChildren(bi(`${t.zh}，请输入以 1 开头的 11 位手机号码`, `${t.en}: enter the 11-digit mobile number starting with 1`));
    } else box.replaceChildren();
  }

  function renderPhoneBack() {
    $("ph-back").replaceChildren(bi(`返回（${S.left} 秒）`, `Back (${S.left} s)`));
  }

  function press(k) {
    if (k === "clear") S.phone = "";
    else if (k === "back") S.phone = S.phone.slice(0, -1);
    else if (S.phone.length < 11) S.phone += k;
    S.phoneError = false;
    renderPhoneValue();
  }

  /** The server found the number malformed (422 on "phone"): nothing was issued; fix it or skip. */
  function phoneRefused() {
    S.phoneError = true;
    renderPhone();
    show("phone");
    countdown(PHONE_S, renderPhoneBack, toPick);
  }

  $("ph-skip").addEventListener("click", () => issue(S.phoneFor, null));
  $("ph-ok").addEventListener("click", () => { if (S.phone) issue(S.phoneFor, S.phone); });
  $("ph-back").addEventListener("click", toPick);
  // Typed on a keyboard (an attendant's, or a screen reader user's): digits only, as the keypad.
  $("ph-input").addEventListener("input", (e) => {
    S.phone = e.target.value.replace(/\D/g, "").slice(0, 11);
    S.phoneError = false;
    renderPhoneValue();
  });
  $("ph-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && S.phone) issue(S.phoneFor, S.phone);
  });
  // Still choosing: the full time again.
  $("phone").addEventListener("pointerdown", () => { S.left = S.full; renderPhoneBack(); });

  // ----- checking in for an appointment (issue 16) ------------------------------------------

  function openCheckin() {
    $("ci-title").replaceChildren(bi("预约签到", "Check in for your appointment"));
    $("ci-label").replaceChildren(bi("请输入预约码，或扫描预约二维码、刷身份证", "Type the code, scan its QR code or read your ID card"));
    $("ci-submit").replaceChildren(bi("签到", "Check in"));
    $("ci-back").replaceChildren(bi("返回", "Back"));
    $("ci-code").value = "";
    clearInterval(S.timer);
    show("checkin");
    $("ci-code").focus();
  }

  async function checkIn(ev) {
    ev.preventDefault();
    const value = $("ci-code").value.replace(/\s+/g, "").toUpperCase();
    if (!value || S.busy) return;
    S.busy = true;
    $("busy-text").replaceChildren(bi("正在签到，请稍候…", "Checking you in…"));
    show("busy");
    // 18 characters: an ID number (the card reader types it, keyboard-wedge); else the booking's code.
    const body = value.length === 18 ? { id_number: value, lang: S.lang } : { code: value, lang: S.lang };
    try {
      const t = await api("POST", `/api/v1/halls/${encodeURIComponent(S.hall)}/check-in`, body);
      const cat = S.view.categories.find((c) => c.code === t.category) || { name: t.category, name_en: t.category };
      S.ticket = { ...t, cat, kind: null };
      showTicket();
    } catch (err) {
      if (OW.device.isRevoked(err)) { repair(); return; }
      const early = err.data && err.data.code === "too_early";
      message(early ? ["还未到签到时间", "Too early to check in"] : ["签到失败", "Could not check in"],
        err.data ? halves(err.message) : ["请稍后再试，或咨询工作人员", "Please try again or ask the staff"],
        true, (err.data && err.data.code) || "error");
    } finally {
      S.busy = false;
    }
  }

  $("checkin-open").addEventListener("click", openCheckin);
  $("ci-back").addEventListener("click", toPick);
  $("ci-form").addEventListener("submit", checkIn);

  // ----- wiring ---------------------------------------------------------------------------

  $("lang").addEventListener("click", () => {
    S.lang = S.lang === "zh" ? "en" : "zh";
    renderHeader();
    renderBanner();
    if (S.screen === "pick") renderPick();
    else if (S.screen === "ticket") renderTicket();
    else if (S.screen === "message" && S.message) renderMessage();
    else if (S.screen === "phone") renderPhone();
  });
  $("t-done").addEventListener("click", toPick);
  $("m-back").addEventListener("click", toPick);
  // A visitor still photographing the screen: give them the full time again.
  $("ticket").addEventListener("pointerdown", (e) => {
    if (e.target.closest("#t-done")) return;
    S.left = S.full;
    renderDone();
  });

  // A visitor who chose a language or priority and walked away: the next one starts afresh.
  let idle = null;
  document.addEventListener("pointerdown", () => {
    clearTimeout(idle);
    idle = setTimeout(() => { if (S.screen === "pick" && (S.lang !== "zh" || S.priority)) toPick(); }, IDLE_MS);
  });

  tick();
  setInterval(tick, 10000);
  renderHeader();
  // A kiosk issues as a paired device: its token, or the pairing screen first.
  S.pairing = OW.device.ensure("kiosk").then((d) => {
    S.device = d;
    S.pairing = null;
    if (!S.hall) S.hall = d.hall;
    refresh();
    setInterval(() => { if (S.screen === "pick" || S.screen === "loading" || S.screen === "message") refresh(); }, REFRESH_MS);
  });
})();
