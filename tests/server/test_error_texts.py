"""Issue 12, point 18: every error code the server can answer with has a Chinese and an English
text in static/common.js (OW.ERROR_TEXTS, shown through OW.errorText), so no page shows the
server's English message after a Chinese prefix.

The codes are read from the source, as a reviewer would grep them: the `code = "..."` of every
DomainError class, the code given when one is raised (`Conflict("...", "window_taken")`, or
`code=`), the codes of `error(status, message, code)` answers, and the domain packages' errors
mapped in app.py's RULE_ERRORS. common.js runs in Node (a bare VM, as a page would run it)."""
from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASES = {"DomainError", "BadRequest", "Invalid", "Unauthorized", "Forbidden", "NotFound", "Conflict", "TooLarge",
         "TooManyRequests", "Unavailable"}


def _strings(node: ast.AST | None) -> set[str]:
    """The strings an expression can be: a constant, either branch of `"a" if x else "b"`, `c or "d"`."""
    if isinstance(node, ast.Constant):
        return {node.value} if isinstance(node.value, str) else set()
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    if isinstance(node, ast.BoolOp):
        return set().union(*(_strings(v) for v in node.values))
    if isinstance(node, ast.Tuple):  # RULE_ERRORS values: (status, code)
        return set().union(*(_strings(v) for v in node.elts))
    return set()


def server_codes() -> dict[str, str]:
    """Every error code in queue/ → where it is first seen."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in (ROOT / "queue").rglob("*.py")}
    errors = set(BASES)
    grew = True
    while grew:  # subclasses of subclasses (AlreadyRated(Conflict), ...)
        grew = False
        for tree in trees.values():
            for n in ast.walk(tree):
                if isinstance(n, ast.ClassDef) and n.name not in errors and any(
                        isinstance(b, ast.Name) and b.id in errors for b in n.bases):
                    errors.add(n.name)
                    grew = True
    codes: dict[str, str] = {}

    def add(found: set[str], path: Path, line: int) -> None:
        for c in found:
            codes.setdefault(c, f"{path.relative_to(ROOT)}:{line}")

    for path, tree in trees.items():
        for n in ast.walk(tree):
            if isinstance(n, ast.ClassDef) and n.name in errors:
                for s in n.body:
                    if isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code" for t in s.targets):
                        add(_strings(s.value), path, s.lineno)
            elif isinstance(n, ast.Call):
                f = n.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                position = 1 if name in errors else 2 if name == "error" else None
                if position is None:
                    continue
                if len(n.args) > position:
                    add(_strings(n.args[position]), path, n.lineno)
                for k in n.keywords:
                    if k.arg == "code":
                        add(_strings(k.value), path, n.lineno)
            elif isinstance(n, ast.AnnAssign | ast.Assign):
                targets = [n.target] if isinstance(n, ast.AnnAssign) else n.targets
                if any(isinstance(t, ast.Name) and t.id == "RULE_ERRORS" for t in targets) and n.value is not None:
                    for v in n.value.values:  # type: ignore[attr-defined]
                        add(_strings(v), path, n.lineno)
    return codes


def page_texts() -> dict[str, dict]:
    """OW.errorText(code) for every code in OW.ERROR_TEXTS, and for a code it lacks, run in Node."""
    common = json.dumps(str(ROOT / "static" / "common.js"))
    script = (
        "const vm = require('vm'); const fs = require('fs'); const ctx = {}; vm.createContext(ctx);"
        f"vm.runInContext(fs.readFileSync({common}, 'utf8') + ';this.OW = OW;', ctx);"
        "const OW = ctx.OW; const out = {};"
        "for (const code of Object.keys(OW.ERROR_TEXTS)) out[code] = OW.errorText(code);"
        "out['~missing'] = OW.errorText('no_such_code_at_all');"
        "out['~err'] = OW.errorText({status: 401,"
        "  data: {error: 'wrong username or password', code: 'bad_credentials'}});"
        "process.stdout.write(JSON.stringify(out));")
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def test_the_source_scan_finds_the_codes():
    codes = server_codes()
    # a class default, a raise with a code, error(...), RULE_ERRORS, a conditional code
    for code in ("daily_cap", "window_taken", "database", "bad_step", "account_locked", "address_locked", "csrf"):
        assert code in codes, code


def test_every_server_error_code_has_chinese_and_english_text():
    texts = page_texts()
    missing = {c: where for c, where in server_codes().items() if c not in texts}
    assert not missing, "codes without a text in static/common.js ERROR_TEXTS:\n" + "\n".join(
        f"  {c} (raised at {where})" for c, where in sorted(missing.items()))
    for code, t in texts.items():
        if code.startswith("~"):
            continue
        assert t["zh"] and t["en"], code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in t["zh"]), (code, t)  # Chinese
        assert t["en"].isascii() and t["en"] != t["zh"], (code, t)  # English, not the server's message
    # an Error from OW.api: its code's text, not the server's English message
    assert texts["~err"]["zh"] == "用户名或密码错误" and "wrong username" not in texts["~err"]["zh"]
    assert texts["~missing"]["zh"] and texts["~missing"]["en"]
