"""axe-core in a Playwright page: WCAG 2.0/2.1/2.2 A and AA checks of what the page shows now.

axe-core is the npm package pinned by tests/package.json (scripts/setup.sh runs `npm ci` there).
Usage, in any context (no `bypass_csp` needed):

    from support.axe import assert_no_violations, check
    assert_no_violations(page, "console signed in")      # fails with a readable summary
    found = check(page)                                    # the violations, as axe returns them

Injection: the pages' CSP (`script-src 'self'`) blocks `page.add_script_tag(content=...)` (an inline
script) unless the context was made with `bypass_csp=True`; `page.evaluate` of the file's text runs
through the DevTools protocol, which CSP does not govern, so the harness works in every context.
Each navigation forgets axe; `check` injects it again when `window.axe` is missing."""
from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
# Every WCAG A and AA rule set axe knows (2.0, 2.1, 2.2); "best-practice" rules are not asked for.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@cache
def source() -> str:
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run scripts/setup.sh (npm ci in tests/)")
    return AXE_JS.read_text(encoding="utf-8")


def inject(page) -> None:
    """Define window.axe in the page (again after a navigation)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source() + "\n;undefined")


def check(page, *, include: str | None = None, disable: tuple[str, ...] = ()) -> list[dict]:
    """Run axe on the page as it is now (or only on `include`, a CSS selector); its violations.
    `disable`: rule ids not to run (keep it empty: every exception needs a reason in the caller)."""
    inject(page)
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in disable}}
    return page.evaluate("async ([ctx, options]) => (await window.axe.run(ctx || document, options)).violations",
                         [include, options])


def summary(violations: list[dict], limit: int = 6) -> str:
    """One paragraph per violated rule: id, impact, help, and up to `limit` offending nodes with
    axe's own explanation (contrast ratios, the missing name...)."""
    lines: list[str] = []
    for v in violations:
        lines.append(f"[{v.get('impact')}] {v['id']}: {v['help']} ({len(v['nodes'])} node(s))")
        for node in v["nodes"][:limit]:
            target = " ".join(str(t) for t in node.get("target", []))
            why = (node.get("failureSummary") or "").replace("\n", " ").strip()
            lines.append(f"    {target}: {why[:300]}")
            html = node.get("html", "")
            if html:
                lines.append(f"      {html[:160]}")
        if len(v["nodes"]) > limit:
            lines.append(f"    ... and {len(v['nodes']) - limit} more")
    return "\n".join(lines)


def assert_no_violations(page, state: str = "", **kwargs) -> None:
    """Fail with a readable summary when axe finds any WCAG A/AA violation on the page now."""
    found = check(page, **kwargs)
    assert not found, f"axe: {len(found)} WCAG A/AA rule(s) violated on {state or page.url}:\n{summary(found)}"


class Collector:
    """Gather the violations of many pages and states, then fail once with all of them, so one
    run shows every page's problems (rather than stopping at the first)."""

    def __init__(self) -> None:
        self.found: dict[str, list[dict]] = {}

    def check(self, page, state: str, **kwargs) -> list[dict]:
        violations = check(page, **kwargs)
        if violations:
            self.found[state] = violations
        return violations

    def report(self) -> str:
        return "\n\n".join(f"== {state}\n{summary(v)}" for state, v in self.found.items())

    def assert_clean(self) -> None:
        assert not self.found, f"axe: violations in {len(self.found)} page state(s):\n{self.report()}"
