"""English on a Chinese page must say so (issue 12, point 18): a screen reader reads text in the
language of its nearest `lang` ancestor, and our pages are `lang="zh-CN"`, so English without
`lang="en"` is read with a Chinese voice.

`unmarked_english(page)` lists the text nodes of the page (shown or not: a hidden section is
shown in another state) holding a Latin-letter word with a lowercase letter (English words:
"Sign in", "min"; not ticket numbers such as A001 nor acronyms such as QR or EIA, read letter by
letter in either voice) whose nearest `lang` ancestor is not English, and the elements whose
aria-label, placeholder, alt or title is English alone and not so marked. Text inside <svg>, <script>,
<style> and <template> is not read out and is skipped. An <option> holds plain text only (no
<span lang="en"> inside), so one that mixes Chinese and English ("窗口人员 Clerk") is let pass; an
<option> of English alone must still say lang="en"."""
from __future__ import annotations

_FIND = r"""() => {
  const WORD = /[A-Za-z]*[a-z][A-Za-z]*/g;
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const words = (n.nodeValue.match(WORD) || []).filter(w => w.length >= 2);
    if (!words.length) continue;
    const el = n.parentElement;
    if (!el || el.closest("script, style, template, svg, noscript")) continue;
    if (el.tagName === "OPTION" && /[\u3400-\u9fff]/.test(n.nodeValue)) continue;
    const marked = el.closest("[lang]");
    const lang = marked ? marked.getAttribute("lang").toLowerCase() : "";
    if (lang === "en" || lang.startsWith("en-")) continue;
    const path = [];
    for (let e = el; e && e !== document.body && path.length < 4; e = e.parentElement)
      path.unshift(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
                   (e.classList.length ? "." + [...e.classList].join(".") : ""));
    bad.push({ text: n.nodeValue.trim().slice(0, 80), where: path.join(" > "), lang });
  }
  // Attributes read out (a name, a placeholder, an alt text) in English alone: the element says so
  const HAN = /[\u3400-\u9fff]/;
  for (const el of document.body.querySelectorAll("[aria-label], [placeholder], [alt], [title]")) {
    for (const attr of ["aria-label", "placeholder", "alt", "title"]) {
      const v = el.getAttribute(attr);
      if (!v || HAN.test(v) || !(v.match(WORD) || []).some(w => w.length >= 2)) continue;
      const marked = el.closest("[lang]");
      const lang = marked ? marked.getAttribute("lang").toLowerCase() : "";
      if (lang === "en" || lang.startsWith("en-")) continue;
      const where = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
      bad.push({ text: `${attr}=${v.slice(0, 70)}`, where, lang });
    }
  }
  return bad;
}"""


def unmarked_english(page) -> list[dict]:
    """Text nodes with English words and no English `lang` ancestor: [{text, where, lang}]."""
    return page.evaluate(_FIND)


def summary(found: list[dict], limit: int = 25) -> str:
    lines = [f"    {f['where']}: {f['text']!r}" for f in found[:limit]]
    if len(found) > limit:
        lines.append(f"    ... and {len(found) - limit} more")
    return "\n".join(lines)
