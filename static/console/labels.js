/* The console's words, Chinese first and English second, and its action table. */

export const REASONS = {
  meeting: ["开会", "Meeting"],
  lunch: ["午间轮岗", "Lunch rotation"],
  back_office: ["后台办理", "Back office"],
  leave: ["请假", "On leave"],
  other: ["暂时离开", "Away"],
};
export const STATUS = {
  called: ["已呼叫，等候到窗", "Called, on the way"],
  serving: ["正在办理", "Serving"],
  waiting: ["等候中", "Waiting"],
};
export const OUTCOMES = [
  ["done", "办结", "Done"],
  ["accepted", "受理立案", "Accepted as a case"],
  ["notified", "一次性告知", "Missing materials notice"],
  ["consulted", "咨询答复", "Consulted"],
];
// key, action, Chinese, English, style
export const ACTIONS = [
  ["N", "next", "叫下一位", "Next", "primary"],
  ["R", "recall", "重呼", "Recall", ""],
  ["S", "start", "开始办理", "Start", ""],
  ["C", "complete", "办结", "Complete", "primary"],
  ["X", "noshow", "未到", "No-show", "warn"],
  ["T", "transfer", "转办", "Transfer", ""],
  ["P", "park", "暂挂", "Park", ""],
  ["G", "call", "指定叫号", "Call number", ""],
  ["L", "late", "过号恢复", "Late visitor", ""],
  ["A", "away", "暂离", "Away", "warn"],
  ["B", "back", "回岗", "Back", "primary"],
  ["Q", "signout", "签退", "Sign out", "secondary"],
];
export const KEYMAP = Object.fromEntries(ACTIONS.map(([k, a]) => [k.toLowerCase(), a]));

// The papers: the case receipt 《接收单》 and the one-time notice 《一次性告知单》.

export const PAPERS = { receipt: ["《接收单》", "Receipt"], notice: ["《一次性告知单》", "One-time notice"] };
export const PRINT_REASONS = { paper_out: ["缺纸", "out of paper"], offline: ["打印机离线", "printer offline"],
  busy: ["打印机忙", "printer busy"], error: ["打印出错", "print error"] };

/** A duration as ["3 分 5 秒", "3 min 5 s"]. */
export function minutes(s) {
  if (s === null || s === undefined) return ["—", "—"];
  const m = Math.floor(s / 60), sec = Math.floor(s % 60);
  return [m ? `${m} 分 ${sec} 秒` : `${sec} 秒`, m ? `${m} min ${sec} s` : `${sec} s`];
}
