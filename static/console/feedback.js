/* What the clerk is told after an action: the toast line, and papers printed with a "Print again". */

import { PAPERS, PRINT_REASONS } from "./labels.js";
import { $ } from "./state.js";

const { api, el } = OW;

export function toast(zh, en, bad, ...extra) {
  const t = $("toast");
  t.className = "toast" + (bad ? " bad" : " ok");
  t.replaceChildren(zh, el("span", { class: "en", lang: "en" }, en), ...extra);
}

/** Print a paper (no busy lock: it must not hold up the next visitor), then say how it went. */
export async function printPaper(kind, path, body, [baseZh, baseEn]) {
  const [pz, pe] = PAPERS[kind];
  let zh, en, bad = false;
  try {
    const r = (await api("POST", path, body)).print;
    const [rz, re] = PRINT_REASONS[r.reason] || [r.reason || "", r.reason || ""];
    ({ zh, en, bad } = {
      printed: { zh: `${pz}已打印`, en: `${pe} printed` },
      queued: { zh: `${pz}正在打印`, en: `${pe} is printing` },
      failed: { zh: `${pz}打印失败：${rz}`, en: `${pe} not printed: ${re}`, bad: true },
      none: { zh: "本窗口没有配置打印机", en: "No printer is configured for this window", bad: true },
    }[r.status] || { zh: r.status, en: r.status });
  } catch (err) {
    const [wz, we] = why(err);
    zh = `${pz}打印失败：${wz}`; en = `${pe} not printed: ${we}`; bad = true;
  }
  const again = el("button", { type: "button", class: "secondary print-again", "data-paper": kind,
    onclick: () => printPaper(kind, path, body, [baseZh, baseEn]) }, "再次打印", el("span", { class: "en", lang: "en" }, "Print again"));
  toast(`${baseZh} · ${zh}`, `${baseEn} · ${en}`, bad, again);
}

/** [zh, en] saying why something failed: the console's own words (problem()), else the
 * server's error code in both languages (OW.errorText), never its English message alone. */
export function why(err) {
  if (err && err.zh) return [err.zh, err.en];
  if (!OW.errorText) return [err.message, err.message];  // common.js without error texts (older copy)
  const t = OW.errorText(err);
  return [t.zh, t.en];
}

/** An error the console raises itself, in both languages. */
export function problem(zh, en) {
  const err = new Error(en);
  err.zh = zh; err.en = en;
  return err;
}

export function fail(err) {
  const [zh, en] = why(err);
  toast("操作失败：" + zh, "Failed: " + en, true);
}
