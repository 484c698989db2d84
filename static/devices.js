/* The hall's paired devices (manager, admin): a one-time pairing code shown large,
   the devices with their state and last use, revoke. The list reloads after each
   change and every 30 s. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const KINDS = { kiosk: ["取号机", "Ticket kiosk"], pad: ["评价器", "Rating pad"], screen: ["叫号屏", "Call screen"],
    system: ["外部系统（12369 等）", "Outside system (12369...)"] };
  let hall = OW.param("hall");

  const when = (iso) => (iso ? iso.replace("T", " ").slice(0, 16) : "—");

  function row(d) {
    const [kz, ke] = KINDS[d.kind] || [d.kind, d.kind];
    const state = d.active ? ["有效", "active"] : [`已撤销 ${when(d.revoked_at)}`, `revoked by ${d.revoked_by || "—"}`];
    return OW.el("tr", { class: d.active ? "" : "revoked", "data-device": d.id },
      OW.el("td", {}, kz, OW.el("span", { class: "en", lang: "en" }, ke)),
      OW.el("td", {}, d.name, d.kiosk ? OW.el("span", { class: "en", lang: "en" }, `kiosk=${d.kiosk}`) : null),
      OW.el("td", {}, when(d.paired_at), OW.el("span", { class: "en" }, d.paired_by || "")),
      OW.el("td", {}, when(d.last_seen)),
      OW.el("td", {}, state[0], OW.el("span", { class: "en", lang: "en" }, state[1])),
      OW.el("td", {}, d.active ? OW.el("button", { type: "button", class: "danger", "data-revoke": d.id,
        onclick: () => revoke(d) }, "撤销", OW.el("span", { lang: "en" }, "Revoke")) : null));
  }

  async function load() {
    const list = await OW.api("GET", `/api/v1/halls/${encodeURIComponent(hall)}/devices`);
    $("rows").replaceChildren(...list.map(row));
    $("empty").classList.toggle("hidden", list.length > 0);
  }

  async function revoke(d) {
    if (!window.confirm(`撤销“${d.name}”？它将立即停止工作，需重新配对。\nRevoke "${d.name}"? It stops working at once and must be paired again.`)) return;
    try {
      await OW.api("DELETE", `/api/v1/devices/${d.id}`, {});
    } catch (err) {
      say(OW.errorNodes("撤销失败", "Could not revoke", err));
    }
    await load();
  }

  function say(nodes) {  // "" clears; else the nodes of OW.errorNodes
    $("msg").replaceChildren(...(nodes ? [].concat(nodes) : []));
    $("msg").classList.toggle("hidden", !nodes);
  }

  function kioskField() {
    $("kiosk-field").classList.toggle("hidden", $("kind").value !== "kiosk");
  }

  $("kind").addEventListener("change", kioskField);
  $("new-code").addEventListener("submit", async (e) => {
    e.preventDefault();
    say("");
    const body = { kind: $("kind").value, name: $("name").value.trim() };
    if (body.kind === "kiosk" && $("kiosk").value) body.kiosk = $("kiosk").value;
    try {
      const c = await OW.api("POST", `/api/v1/halls/${encodeURIComponent(hall)}/devices/pairing-codes`, body);
      $("code").textContent = c.code;
      $("code-until").replaceChildren(`${Math.round(c.expires_in_s / 60)} 分钟内有效，只能使用一次`,
        OW.el("span", { lang: "en" }, ` Valid for ${Math.round(c.expires_in_s / 60)} minutes, once`));
      $("code-box").classList.remove("hidden");
    } catch (err) {
      say(OW.errorNodes("未能生成配对码", "Could not make a code", err));
    }
  });

  async function show() {
    if (!hall) hall = (await OW.api("GET", "/api/v1/halls"))[0].id;
    $("to-dashboard").href = `/dashboard?hall=${encodeURIComponent(hall)}`;
    const view = await OW.api("GET", `/api/v1/halls/${encodeURIComponent(hall)}/kiosk`);
    const kiosks = view.kiosks || [];
    $("kiosk").replaceChildren(OW.el("option", { value: "" }, "默认 Default"),
      ...kiosks.map((k) => OW.el("option", { value: k }, k)));
    kioskField();
    $("login").classList.add("hidden");
    $("devices").classList.remove("hidden");
    await load();
    setInterval(() => load().catch(() => {}), 30000);
  }

  OW.managerPage(show);
})();
