"""A bounded schemathesis run against a live server, driven by /openapi.json: every operation,
as an anonymous visitor, a clerk (holding w1's A post, signed in there) and a manager (bearer
tokens), with data that fits the schema and data that does not. Any 5xx fails the test.

Bounded: EXAMPLES per operation, role and kind of data (about 2,500 requests in all, under
two minutes on 2 cores). Deterministic: Hypothesis is derandomized (a fixed seed per
operation) with no example database, the server's clock is the fake one, requests go one at
a time. The number of requests and their statuses are printed (pytest -s shows them)."""
from __future__ import annotations

import time
from collections import Counter

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support.halls import HALL

pytestmark = pytest.mark.slow

EXAMPLES = 32  # per operation: roles, positive and negative data, with and without a real hall and window
AT_LEAST = 2000  # requests in all
# What would end the run's own sessions (the fuzzer would sign itself out): anonymous only.
ANONYMOUS_ONLY = {("POST", "/api/v1/auth/logout")}
# Path parameters that reach deeper than a 404 when real: the demo hall, window w1, today's A001
# (and, under /tickets/, its id).
REAL = {"hall": HALL, "window": "w1", "number": "A001"}


@pytest.fixture
def fuzz_target(live_server, http, database_url):
    server = live_server(database_url=database_url)
    admin = http(server.url)
    clerk = admin.make("zhangwei")  # w1's A post
    assert admin.c.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=clerk).status_code == 200
    manager = admin.make("fuzzboss", "manager")
    # Something to act on: tickets waiting, one called at w1.
    issued = [admin.c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": cat}) for cat in ("eia", "permit", "eia")]
    assert [r.status_code for r in issued] == [201] * 3
    assert admin.c.post(f"/api/v1/halls/{HALL}/windows/w1/next", headers=clerk).json()["number"] == "A001"
    admin.c.cookies.clear()
    return server.url, issued[0].json()["id"], {"anonymous": {}, "clerk": clerk, "manager": manager}


def test_fuzz_no_server_errors(fuzz_target):
    import schemathesis
    from schemathesis.generation import GenerationMode

    url, a001, roles = fuzz_target
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    session = requests.Session()
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) >= 65

    def run(op, strategy, allowed: list[str]) -> None:
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy, role=st.sampled_from(allowed))
        def call(case, role):
            resp = case.call(base_url=url, session=session, headers=dict(roles[role]), timeout=30)
            statuses[resp.status_code] += 1
            if resp.status_code >= 500:
                body = case.body if isinstance(case.body, dict | list | str | int | float) else None
                errors.append(f"{resp.status_code} as {role}: {case.method} {case.formatted_path} "
                              f"query={case.query!r} body={body!r}: {resp.text[:300]}")

        call()

    started = time.monotonic()
    for op in ops:
        names = {p.name for p in op.path_parameters}
        real = {k: v for k, v in {**REAL, "id": a001}.items()
                if k in names and (k != "id" or op.path.startswith("/api/v1/tickets/"))}
        modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        strategies = [op.as_strategy(m) for m in modes]
        if real:  # the same with the demo hall and window w1: past the 404, to validation and the rules
            strategies += [op.as_strategy(m, path_parameters=real) for m in modes]
        allowed = [r for r in roles if r == "anonymous" or (op.method.upper(), op.path) not in ANONYMOUS_ONLY]
        run(op, st.one_of(strategies), allowed)
    took = time.monotonic() - started
    total = sum(statuses.values())
    print(f"\nfuzz: {total} requests in {took:.0f} s over {len(ops)} operations; statuses {sorted(statuses.items())}")
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(errors[:40])
    assert total >= AT_LEAST, (total, sorted(statuses.items()))
    # the run went past the front door: validation, permissions, lookups and successes all seen
    assert {200, 401, 403, 404, 422} <= set(statuses), sorted(statuses.items())

