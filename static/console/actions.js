/* Which actions apply now, and running one (a key or a button). */

import { fail, toast } from "./feedback.js";
import { openAway, openSignOut } from "./leave-dialogs.js";
import { refresh } from "./live.js";
import { S, base, post } from "./state.js";
import { openCall, openComplete, openLate, openPark, openTransfer } from "./ticket-dialogs.js";

export function enabled(action) {
  const d = S.data;
  if (!d) return false;
  const away = d.window.status === "away";
  const t = d.current;
  const st = t ? t.status : null;
  switch (action) {
    case "back": return away;
    case "signout": return true;
    case "away": return !away;
  }
  if (away || !d.may_act) return false;
  switch (action) {
    case "next": case "call": return !t;
    case "late": return true;
    case "recall": case "start": case "noshow": return st === "called";
    case "complete": case "transfer": case "park": return st === "called" || st === "serving";
  }
  return false;
}

export async function run(action) {
  if (!enabled(action) || S.dialog) return;
  const d = S.data;
  const t = d.current;
  const acting = d.acting_window;
  S.opening = action;  // a dialog opened now gives focus back to this action's button
  try {
    switch (action) {
      case "next": {
        const got = await post(`${base()}/windows/${acting}/next`);
        if (got) toast(`已呼叫 ${got.number}`, `Called ${got.number}`);
        else toast("暂无等候的访客", "Nobody is waiting for this window");
        break;
      }
      case "recall": {
        const got = await post(`/api/v1/tickets/${t.id}/recall`);
        if (got && got.status === "no_show") toast(`${got.number} 多次呼叫未到，已记为未到`, `${got.number}: no-show after repeated calls`);
        else if (got) toast(`已重呼 ${got.number}`, `Recalled ${got.number}`);
        break;
      }
      case "start":
        await post(`/api/v1/tickets/${t.id}/start`);
        toast(`开始办理 ${t.number}`, `Serving ${t.number}`);
        break;
      case "noshow":
        await post(`/api/v1/tickets/${t.id}/no-show`);
        toast(`${t.number} 记为未到`, `${t.number}: no-show`);
        break;
      case "back":
        await post(`${base()}/windows/${S.window}/back`);
        toast("已回岗", "Back at the window");
        break;
      case "complete": openComplete(); return;
      case "transfer": openTransfer(); return;
      case "park": openPark(); return;
      case "call": openCall(); return;
      case "late": openLate(); return;
      case "away": await openAway(); return;
      case "signout": await openSignOut(); return;
    }
  } catch (err) {
    fail(err);
  } finally {
    S.opening = null;
  }
  await refresh();
}
