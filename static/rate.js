/* The rating pad at a window (asks after each visit it sees completed there) or,
   with ?ticket=&token=, the visitor's phone rating one visit. The pad is a paired
   device (static/device.js): until paired it shows the pairing screen; revoked, it
   pairs again. The phone needs no device: the ticket's token is its proof. */
"use strict";
const HALL = OW.param("hall") || "eco";
const WINDOW = OW.param("window");
const QR_TICKET = OW.param("ticket");
const QR_TOKEN = OW.param("token");
const IDLE_AFTER_MS = 60000;   // no touch on the rating screen: back to the welcome screen
const THANKS_MS = 6000;
const SCREENS = ["idle", "ask", "reasons-step", "thanks", "message"];

let scheme = null, current = null, chosen = null, idleTimer = null;
const skipped = new Set();   // tickets this pad stopped asking for (timed out)

function show(id) {
  for (const s of SCREENS) document.getElementById(s).classList.toggle("hidden", s !== id);
  document.body.dataset.screen = id;
}

function face(level) {
  // A drawn face (no emoji font needed): the mouth bends with the level.
  const curve = { 5: 22, 4: 11, 3: 0, 2: -11, 1: -20 }[level];
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 100 100");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML =
    '<circle cx="50" cy="50" r="45" fill="#fff" fill-opacity="0.95" stroke="#0006" stroke-width="3"/>' +
    '<circle cx="35" cy="40" r="6" fill="#222"/><circle cx="65" cy="40" r="6" fill="#222"/>' +
    (level === 1 ? '<path d="M24 28 L42 33 M76 28 L58 33" stroke="#222" stroke-width="4" stroke-linecap="round"/>' : "") +
    `<path d="M28 ${68 - curve / 3} Q50 ${68 + curve} 72 ${68 - curve / 3}" fill="none" stroke="#222" stroke-width="5" stroke-linecap="round"/>`;
  return svg;
}

function armIdle() {
  clearTimeout(idleTimer);
  if (QR_TICKET) return;  // a visitor's own phone: no hurry
  idleTimer = setTimeout(() => {
    if (current) skipped.add(current.id);
    current = null;
    if (!QR_TICKET) toIdle();
  }, IDLE_AFTER_MS);
}

function toIdle() {
  clearTimeout(idleTimer);
  current = null; chosen = null;
  show("idle");
  check();
}

function ask(ticket) {
  current = ticket;
  chosen = null;
  document.getElementById("ask-number").textContent = ticket.number;
  show("ask");
  armIdle();
}

function buildLevels() {
  const box = document.getElementById("levels");
  box.replaceChildren(...scheme.levels.map(lv => {
    // Named by its words (Chinese, then English marked lang="en"); the drawn face is decoration.
    const b = OW.el("button", { type: "button", class: "level", "data-level": lv.level, onclick: () => choose(lv.level) },
      face(lv.level), OW.el("span", {}, OW.el("span", {}, lv.name), OW.en(lv.name_en)));
    return b;
  }));
  const reasons = document.getElementById("reasons");
  reasons.replaceChildren(...scheme.reasons.map(r => OW.el("button", {
    type: "button", class: "reason", "data-reason": r.code, "aria-pressed": "false",
    onclick: (e) => { const b = e.currentTarget; b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true"); armIdle(); },
  }, r.name, OW.en(r.name_en))));
  document.getElementById("idle-face").replaceChildren(face(5));
}

function choose(level) {
  if (!current) return;
  chosen = level;
  const lv = scheme.levels.find(l => l.level === level);
  if (lv.bad) {
    for (const b of document.querySelectorAll(".reason")) b.setAttribute("aria-pressed", "false");
    document.getElementById("comment").value = "";
    show("reasons-step");
    armIdle();
  } else {
    submit();
  }
}

async function submit() {
  if (!current || !chosen) return;
  clearTimeout(idleTimer);
  const body = { level: chosen, channel: QR_TICKET ? "qr" : "pad" };
  if (QR_TICKET) body.token = QR_TOKEN;
  const lv = scheme.levels.find(l => l.level === chosen);
  if (lv.bad) {
    body.reasons = [...document.querySelectorAll('.reason[aria-pressed="true"]')].map(b => b.dataset.reason);
    body.comment = document.getElementById("comment").value.trim();
  }
  const ticket = current;
  try {
    const r = await OW.api("POST", `/api/v1/tickets/${ticket.id}/rating`, body);
    const follow = document.getElementById("follow-up");
    if (r.task) {
      // The hall's own time, as the server wrote it: 2026-11-25T10:32:20+08:00
      const iso = r.task.due_at;
      const when = `${+iso.slice(5, 7)}月${+iso.slice(8, 10)}日 ${iso.slice(11, 16)}`;
      follow.replaceChildren(`我们将于 ${when} 前核实整改并回复您`,
        OW.en(`We will look into it and reply by ${iso.slice(5, 10)} ${iso.slice(11, 16)}`));
      follow.classList.remove("hidden");
    } else {
      follow.classList.add("hidden");
    }
    thanks();
  } catch (e) {
    if (!QR_TICKET && OW.device.isRevoked(e)) {
      await OW.device.repair("pad");
      toIdle();
    } else if (e.status === 409 && e.data && e.data.code === "already_rated") {
      message("这个号已经评价过了", "This ticket has already been rated");
    } else {
      const why = OW.errorText(e);
      message(`评价未能提交：${why.zh}`, `The rating could not be sent: ${why.en}`);
    }
  }
}

function thanks() {
  current = null; chosen = null;
  show("thanks");
  if (!QR_TICKET) setTimeout(toIdle, THANKS_MS);
}

function message(zh, en) {
  current = null; chosen = null;
  const h = document.getElementById("message-text");
  h.replaceChildren(zh, OW.en(en));
  show("message");
  if (!QR_TICKET) setTimeout(toIdle, THANKS_MS);
}

async function check() {
  if (QR_TICKET || document.body.dataset.screen !== "idle") return;
  try {
    const r = await OW.api("GET", `/api/v1/halls/${encodeURIComponent(HALL)}/windows/${encodeURIComponent(WINDOW)}/last-completed`);
    const t = r.ticket;
    if (document.body.dataset.screen === "idle" && t && !t.rated && !skipped.has(t.id)) ask(t);
  } catch (e) { /* next poll */ }
}

document.getElementById("back").addEventListener("click", () => { if (current) { show("ask"); armIdle(); } });
document.getElementById("submit").addEventListener("click", submit);
document.getElementById("comment").addEventListener("input", armIdle);

async function startPad() {
  if (!WINDOW) { message("请在地址中指定窗口", "Add ?window=<window id> to the address"); return; }
  await OW.device.ensure("pad");  // its token, or the pairing screen first
  const r = await OW.api("GET", `/api/v1/halls/${encodeURIComponent(HALL)}/windows/${encodeURIComponent(WINDOW)}/last-completed`);
  document.getElementById("window-name").replaceChildren(r.window_name, OW.en(r.window_name_en));
  toIdle();
  setInterval(check, 5000);
  // The call screens' socket: a "done" at this window means someone may rate now.
  OW.liveSocket(`/ws/halls/${encodeURIComponent(HALL)}/display`, {
    onEvent: (ev) => { if (ev.type === "done" && ev.window === WINDOW) check(); },
    onSnapshot: () => check(),
    onState: (s) => document.getElementById("lost").classList.toggle("hidden", s !== "lost"),
  });
}

async function startQr() {
  // From the ticket's QR page: /rate?ticket=<id>&token=<track token>
  try {
    const t = await OW.api("GET", `/api/v1/tickets/${encodeURIComponent(QR_TICKET)}?token=${encodeURIComponent(QR_TOKEN || "")}`);
    if (t.status !== "done") { message("办结后即可评价", "You can rate once your matter is done"); return; }
    ask({ id: QR_TICKET, number: t.number });
  } catch (e) {
    message("找不到这个号", "Ticket not found");
  }
}

(async () => {
  scheme = await OW.api("GET", "/api/v1/rating-scheme");
  buildLevels();
  if (QR_TICKET) await startQr(); else await startPad();
})();
