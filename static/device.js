/* A paired device (kiosk, rating pad): its token in localStorage, and the pairing
   screen shown while it has none. A manager makes a one-time 8-digit code on the
   devices page (/devices); the device exchanges it for its token here, keeps it, and
   sends it with every API call (OW.useDevice). When the server says the device was
   revoked (401 device_revoked), the page forgets the token and pairs again. */
"use strict";

OW.device = (() => {
  const { api, el } = OW;
  const DIGITS = 8;
  const key = (kind) => `onewindow.device.${kind}`;

  function load(kind) {
    try {
      const d = JSON.parse(localStorage.getItem(key(kind)) || "null");
      return d && d.token ? d : null;
    } catch (e) {
      return null;
    }
  }

  function forget(kind) {
    localStorage.removeItem(key(kind));
    OW.useDevice(null);
  }

  /** The server answered that this device is not (or no longer) paired. */
  function isRevoked(err) {
    return !!(err && err.status === 401 && err.data && ["device_revoked", "device_required"].includes(err.data.code));
  }

  const TITLES = {
    kiosk: ["取号机配对", "Pair this ticket kiosk"],
    pad: ["评价器配对", "Pair this rating pad"],
    screen: ["叫号屏配对", "Pair this call screen"],
  };

  /**
   * Show the pairing screen over the page until a code is accepted; resolves with the
   * device ({token, id, hall, kind, name, kiosk}), already stored and in use.
   */
  function pair(kind, why) {
    return new Promise((resolve) => {
      let code = "";
      const boxes = el("div", { class: "pair-code", "aria-hidden": "true" });
      const live = el("div", { class: "pair-sr", role: "status", "aria-live": "polite" });
      const msg = el("p", { class: "pair-msg", role: "alert" });
      const submit = el("button", { type: "button", class: "pair-go", id: "pair-go", disabled: true },
        "配对", el("span", { lang: "en" }, "Pair"));

      function draw() {
        boxes.replaceChildren(...Array.from({ length: DIGITS }, (_, i) =>
          el("span", { class: "pair-digit" + (i === code.length ? " next" : "") }, code[i] || "")));
        live.replaceChildren(`已输入 ${code.length} 位 / `, el("span", { lang: "en" }, `${code.length} of ${DIGITS} digits`));
        submit.disabled = code.length !== DIGITS;
      }

      function press(k) {
        msg.replaceChildren();
        if (k === "clear") code = "";
        else if (k === "back") code = code.slice(0, -1);
        else if (code.length < DIGITS) code += k;
        draw();
      }

      const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"].map((k) => {
        const label = k === "clear" ? ["清除", "Clear"] : k === "back" ? ["退格", "Back"] : [k, null];
        return el("button", { type: "button", class: "pair-key" + (label[1] ? " fn" : ""), "data-key": k,
          "aria-label": label[1] ? `${label[0]} ${label[1]}` : k, onclick: () => press(k) },
        label[0], label[1] ? el("span", { lang: "en" }, label[1]) : null);
      });

      submit.addEventListener("click", async () => {
        submit.disabled = true;
        try {
          OW.useDevice(null);  // the old token, if any, must not go with the pairing
          const r = await api("POST", "/api/v1/devices/pair", { code });
          const d = { token: r.device_token, ...r.device };
          localStorage.setItem(key(kind), JSON.stringify(d));
          OW.useDevice(d.token);
          overlay.remove();
          document.removeEventListener("keydown", onKey);
          resolve(d);
        } catch (err) {
          code = "";
          draw();
          const wait = err.data && err.data.retry_after;
          msg.replaceChildren(el("span", {}, wait ? `尝试次数过多，请 ${wait} 秒后再试` : "配对码不正确或已过期，请向大厅管理员索取新的配对码"),
            el("span", { lang: "en" }, wait ? `Too many attempts: try again in ${wait} s` : "The code is wrong or has expired: ask the hall manager for a new one"));
        }
      });

      function onKey(e) {
        if (/^[0-9]$/.test(e.key)) press(e.key);
        else if (e.key === "Backspace") press("back");
        else if (e.key === "Enter" && !submit.disabled) submit.click();
      }
      document.addEventListener("keydown", onKey);

      const [tz, te] = TITLES[kind] || TITLES.kiosk;
      const overlay = el("section", { class: "pairing", id: "pairing", "data-kind": kind, role: "dialog",
        "aria-modal": "true", "aria-labelledby": "pair-title" },
      el("div", { class: "pair-card" },
        el("h2", { id: "pair-title" }, tz, el("span", { lang: "en" }, te)),
        why === "revoked" ? el("p", { class: "pair-msg" }, "此设备已被撤销或未配对，请重新配对",
          el("span", { lang: "en" }, "This device was revoked or is not paired: pair it again")) : null,
        el("p", { class: "pair-help" }, "请输入大厅管理员提供的 8 位配对码",
          el("span", { lang: "en" }, "Enter the 8-digit pairing code from the hall manager")),
        boxes, live, msg,
        el("div", { class: "pair-keys", role: "group", "aria-label": "数字键盘 Keypad" }, ...keys),
        submit));
      draw();
      document.body.append(overlay);
    });
  }

  /** The stored device of this kind, in use; or the pairing screen until there is one. */
  async function ensure(kind) {
    const d = load(kind);
    if (d) { OW.useDevice(d.token); return d; }
    return pair(kind);
  }

  /** After a revoked answer: forget the token and pair again. */
  function repair(kind) {
    forget(kind);
    return pair(kind, "revoked");
  }

  return { load, forget, isRevoked, pair, ensure, repair };
})();
