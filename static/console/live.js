/* Live state: the hall's console socket says something changed; the console re-reads its own state. */

import { fail } from "./feedback.js";
import { render } from "./render.js";
import { openWindow, showLogin, showPicker } from "./session.js";
import { $, S } from "./state.js";

const { api } = OW;

export function connect() {
  if (S.sock) S.sock.close();
  S.sock = OW.liveSocket(`/ws/halls/${S.hall}/console`, {
    onState: (st) => {
      $("lost").classList.toggle("hidden", st !== "lost");
      if (st === "signed-out") { S.sock = null; S.window = null; showLogin(); }  // the session was revoked
    },
    onSnapshot: () => scheduleRefresh(),
    onEvent: (ev) => {
      if (["announce", "screen", "screen_link", "alert_ack", "completion"].includes(ev.type)) return;  // not the desk's news
      scheduleRefresh();
    },
  });
}

function scheduleRefresh() {
  clearTimeout(S.refreshTimer);
  S.refreshTimer = setTimeout(refresh, 80);
}

export async function refresh() {
  if (!S.window) return;
  try {
    S.data = await api("GET", `/api/v1/halls/${S.hall}/windows/${S.window}/console`);
    S.fetchedAt = Date.now();
  } catch (err) {
    if (err.status === 401) { showLogin(); return; }
    fail(err);
    return;
  }
  if (S.data.window.signed_in !== S.me.username && S.me.role === "clerk") {
    // Signed out here (on another console, or moved to another window).
    S.me = await api("GET", `/api/v1/halls/${S.hall}/me`);
    if (S.me.signed_in_at && S.me.signed_in_at !== S.window) { await openWindow(S.me.signed_in_at); return; }
    if (!S.me.signed_in_at) { if (S.sock) { S.sock.close(); S.sock = null; } S.window = null; showPicker(); return; }
  }
  render();
}
