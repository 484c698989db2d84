"""A revoked device stops working in every server process at once (issue 13,
point 1): two processes (each a hub on the Redis broker, a device cache of its
own) on one database; one revokes, the other drops the device from memory when
the control message arrives, without reading the database."""
from __future__ import annotations

import asyncio
import shutil

import pytest
from support.clock import FakeClock
from support.wait import wait_until_async

from onewindow.server.errors import Unauthorized
from onewindow.server.services.devices import Devices
from onewindow.server.store.database import open_database


async def test_revocation_reaches_the_other_process(redis_url, prefix, hubs, tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "one.db")
    db = open_database(f"sqlite:///{tmp_path / 'one.db'}", audit_key=b"k" * 32)
    clock = FakeClock()
    here, there = Devices(db, await hubs(redis_url, prefix), clock), Devices(db, await hubs(redis_url, prefix), clock)
    await here.start()
    await there.start()
    try:
        code = await here.create_code("h", "kiosk", "门口取号机", None, "boss")
        paired = await here.pair(code["code"], "10.0.0.5")
        token, dev_id = paired["device_token"], paired["device"]["id"]
        assert (await there.identify(token)).kind == "kiosk"  # paired elsewhere: read once, then in memory
        await here.revoke(dev_id, "boss")
        with pytest.raises(Unauthorized):
            await here.identify(token)
        # the control message, not the 30 s reload
        await wait_until_async(lambda: dev_id not in there._digest_of, what="the device dropped by the other process")
        with pytest.raises(Unauthorized):
            await there.identify(token)
    finally:
        await here.stop()
        await there.stop()
        await asyncio.to_thread(db.close)
