"""Notification tests' helpers: halls whose channel is SMPP or HTTP, and the outbox's rows."""
from __future__ import annotations

from onewindow.server.store import outbox
from support.halls import demo_config as _demo

SIGNATURE = 'signature = "【生态环境局】"\n'


def notify_toml(channel: str, table: str = "", **rules) -> dict[str, str]:
    """A `replace` for demo_config: the demo hall's [halls.notify] with another channel, rules and sub-table."""
    keys = "".join(f"{k} = {v!r}\n".replace("'", '"') if isinstance(v, str) else f"{k} = {v}\n"
                   for k, v in rules.items())
    return {'channel = "file"\n' + SIGNATURE: f'channel = "{channel}"\n' + SIGNATURE + keys + table}


def smpp_table(port: int, **extra) -> str:
    keys = "".join(f"{k} = {v}\n" for k, v in extra.items())
    return (f'\n[halls.notify.smpp]\nhost = "127.0.0.1"\nport = {port}\nsystem_id = "onewindow"\n'
            f'password = "secret"\nsource_addr = "10690001"\n{keys}')


def smpp_config(port: int, smpp: dict | None = None, **rules):
    return _demo(replace=notify_toml("smpp", smpp_table(port, **(smpp or {})), **rules))


def enqueue(client, **kw):
    rt = client.app.state.runtime
    args = {"hall": "eco", "kind": "ticket_called", "phone": "13812345678",
            "params": {"number": "A001", "window": "1号窗口"}, "event_key": "ticket:1:called"}
    args.update(kw)
    return client.portal.call(rt.db.write, lambda tx: rt.notifier.enqueue(tx, **args))


def message(client, mid: int) -> dict:
    rt = client.app.state.runtime
    return client.portal.call(rt.db.read, outbox.get, mid)


def states(client) -> dict[int, str]:
    rt = client.app.state.runtime
    return client.portal.call(rt.db.read, lambda tx: {r[0]: r[1] for r in tx.all(
        "SELECT id, state FROM notify_outbox")})
