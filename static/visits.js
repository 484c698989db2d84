/* The mobile outlets' published visits (issue 18): GET /api/v1/visits (or one outlet's). */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const WEEK = ["日", "一", "二", "三", "四", "五", "六"];
  const WEEK_EN = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function en(text) {
    const s = el("span", "en", text);
    s.lang = "en";
    return s;
  }

  function card(v) {
    const li = el("li", "visit card");
    const day = new Date(v.day + "T00:00:00");
    li.appendChild(el("h2", null, v.town));
    const outlet = el("p", "outlet", v.outlet);
    if (v.outlet_en) outlet.appendChild(en(v.outlet_en));
    li.appendChild(outlet);
    const when = el("p", "when", `${v.day}（周${WEEK[day.getDay()]}） ${v.start}–${v.end}`);
    when.appendChild(en(`${WEEK_EN[day.getDay()]} ${v.day}, ${v.start}–${v.end}`));
    li.appendChild(when);
    const place = el("p", null, "地点：" + v.place);
    place.appendChild(en("Where: " + v.place));
    li.appendChild(place);
    const cats = el("ul", "cats");
    cats.setAttribute("aria-label", "可办事项 Services offered");
    for (const c of v.categories) {
      const item = el("li", null, c.name);
      if (c.name_en) item.appendChild(en(c.name_en));
      cats.appendChild(item);
    }
    li.appendChild(cats);
    return li;
  }

  async function load() {
    const hall = new URLSearchParams(location.search).get("hall");
    const path = hall ? `/api/v1/halls/${encodeURIComponent(hall)}/visits` : "/api/v1/visits";
    try {
      const visits = await OW.api("GET", path);
      $("status").textContent = "";
      const list = $("visits");
      list.replaceChildren(...visits.map(card));
      $("none").classList.toggle("hidden", visits.length > 0);
    } catch (e) {
      $("status").textContent = "";
      $("problem").replaceChildren(...OW.errorNodes("读取失败，请稍后再试", "Could not load the visits; try again later", e));
      $("problem").classList.remove("hidden");
    }
  }

  load();
})();
