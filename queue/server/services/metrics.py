"""`/metrics` in the Prometheus text format.

Each scrape reads the figures first (database reads off the loop, the hub's
in-memory views) and then renders them through a registry of its own, so
several apps in one process (tests, workers) never share metric state.
Counters come from the append-only ticket events, so they only grow and
survive restarts; everything else is a gauge of the moment.
"""
from __future__ import annotations

import asyncio
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from onewindow.ratings import metrics as m
from onewindow.server.services import reporting
from onewindow.server.store import ratings as rstore
from onewindow.server.store import reports as qstore

__all__ = ["CONTENT_TYPE_LATEST", "scrape"]

WINDOW_STATUSES = ("serving", "idle", "away", "closed")
EVENT_COUNTERS = {
    "issued": ("onewindow_tickets_issued", "Tickets issued"),
    "call": ("onewindow_calls", "Tickets called (first calls)"),
    "recall": ("onewindow_recalls", "Tickets called again"),
    "complete": ("onewindow_tickets_completed", "Tickets completed"),
    "no_show": ("onewindow_no_shows", "Tickets that became no-shows"),
    "transfer": ("onewindow_transfers", "Tickets transferred (首问负责)"),
}


class _Fixed:
    """A collector that yields metric families gathered before the scrape."""

    def __init__(self, families: list):
        self.families = families

    def collect(self):
        return iter(self.families)


PRINTER_STATES = ("ok", "paper_near_end", "paper_out", "offline", "unknown")


def _printer_families(rt) -> list:
    """One 0/1 gauge per printer and state (alert on paper_out or offline == 1), and slips by outcome."""
    state = GaugeMetricFamily("onewindow_printer_state", "Printer state now (1 = in this state)",
                              labels=["hall", "printer", "state"])
    jobs = CounterMetricFamily("onewindow_print_jobs", "Slips printed or failed since start",
                               labels=["hall", "printer", "result"])
    for hid in rt.halls:
        for p in rt.printing.printers(hid):
            for s in PRINTER_STATES:
                state.add_metric([hid, p["printer"], s], 1 if p["state"] == s else 0)
            jobs.add_metric([hid, p["printer"], "printed"], p["printed"])
            jobs.add_metric([hid, p["printer"], "failed"], p["failed"])
    return [state, jobs]


def _broker_families(rt) -> list:
    """The hub's resyncs; with several processes (Redis), the broker's health too."""
    resyncs = CounterMetricFamily("onewindow_hub_resyncs", "Times a hall's subscribers had to take a fresh snapshot",
                                  labels=["hall"])
    for hall in sorted(set(rt.halls) | set(rt.hub.resyncs_by)):
        resyncs.add_metric([hall], rt.hub.resyncs_by.get(hall, 0))
    stats = rt.hub.broker.stats()
    if stats is None:
        return [resyncs]
    up = GaugeMetricFamily("onewindow_broker_up", "Redis answers (1) or live events are waiting for it (0)")
    up.add_metric([], 1 if stats["up"] else 0)
    leader = GaugeMetricFamily("onewindow_broker_leader", "This process raises the alerts for all (1)")
    leader.add_metric([], 1 if stats["leader"] else 0)
    outbox = GaugeMetricFamily("onewindow_broker_outbox_events", "Live events waiting to go through Redis")
    outbox.add_metric([], stats["outbox"])
    dropped = CounterMetricFamily("onewindow_broker_dropped_events",
                                  "Live events dropped from a full outbox since start (screens missed them)",
                                  labels=["hall"])
    for hall in sorted(set(rt.halls) | set(stats["dropped"])):
        dropped.add_metric([hall], stats["dropped"].get(hall, 0))
    return [resyncs, up, leader, outbox, dropped]


async def scrape(rt) -> bytes:
    now = rt.clock()
    g = {
        "waiting": GaugeMetricFamily("onewindow_queue_waiting", "Tickets waiting now", labels=["hall", "category"]),
        "longest": GaugeMetricFamily("onewindow_queue_longest_wait_seconds", "Longest current wait",
                                     labels=["hall", "category"]),
        "wait_mean": GaugeMetricFamily("onewindow_wait_mean_seconds", "Mean wait (issue to first call) today",
                                       labels=["hall", "category"]),
        "wait_p90": GaugeMetricFamily("onewindow_wait_p90_seconds", "90th percentile wait today",
                                      labels=["hall", "category"]),
        "service_mean": GaugeMetricFamily("onewindow_service_mean_seconds", "Mean service time today",
                                          labels=["hall", "category"]),
        "level": GaugeMetricFamily("onewindow_service_level_ratio",
                                   "Share of tickets called within the category's target wait today", labels=["hall"]),
        "today": GaugeMetricFamily("onewindow_tickets_today", "Tickets issued today by status",
                                   labels=["hall", "status"]),
        "windows": GaugeMetricFamily("onewindow_windows", "Windows by status", labels=["hall", "status"]),
        "subs": GaugeMetricFamily("onewindow_websocket_subscribers", "Open websocket subscriptions",
                                  labels=["hall"]),
        "muted": GaugeMetricFamily("onewindow_call_screens_muted", "Call screens reporting no sound",
                                   labels=["hall"]),
        "tasks_open": GaugeMetricFamily("onewindow_rectification_tasks_open", "Open rectification tasks",
                                        labels=["hall"]),
        "tasks_overdue": GaugeMetricFamily("onewindow_rectification_tasks_overdue",
                                           "Open rectification tasks past their due time", labels=["hall"]),
    }
    c = {k: CounterMetricFamily(name, doc, labels=["hall"]) for k, (name, doc) in EVENT_COUNTERS.items()}
    ratings = CounterMetricFamily("onewindow_ratings", "Ratings received by level", labels=["hall", "level"])
    delivered = CounterMetricFamily("onewindow_hub_events_delivered", "Events delivered by the hub",
                                    labels=["hall"])
    for hall in sorted(set(rt.halls) | set(rt.hub.delivered_by)):
        delivered.add_metric([hall], rt.hub.delivered_by.get(hall, 0))
    # The outlet itself (issue 17): kind and windows, to group or join any figure above by kind.
    outlet = GaugeMetricFamily("onewindow_outlet_info", "The outlet: its kind (1 per outlet)",
                               labels=["hall", "kind"])
    windows_n = GaugeMetricFamily("onewindow_outlet_windows", "Windows the outlet has", labels=["hall"])

    for hid, svc in rt.halls.items():
        tz = svc.tz
        today = datetime.fromtimestamp(now, tz).date().isoformat()
        waiting = await rt.db.read(qstore.waiting_now, hid)
        rows = await rt.db.read(qstore.tickets_of_days, hid, today, today)
        events = await rt.db.read(qstore.event_totals, hid)
        levels = await rt.db.read(rstore.level_totals, hid)
        tasks = await rt.db.read(rstore.task_counts, hid, now)
        targets = reporting.targets_s(svc.hall)
        by_cat = await asyncio.to_thread(m.figures_by, rows, "category", targets, now)
        level = m.service_level(rows, targets, now)
        for cat in svc.hall.categories:
            mine = [w for w in waiting if w["category"] == cat.code]
            g["waiting"].add_metric([hid, cat.code], len(mine))
            g["longest"].add_metric([hid, cat.code], max((now - w["issued_at"] for w in mine), default=0))
            fig = by_cat.get(cat.code)
            if fig and fig["wait"]["n"]:
                g["wait_mean"].add_metric([hid, cat.code], fig["wait"]["mean"])
                g["wait_p90"].add_metric([hid, cat.code], fig["wait"]["p90"])
            if fig and fig["service"]["n"]:
                g["service_mean"].add_metric([hid, cat.code], fig["service"]["mean"])
        if level.share is not None:
            g["level"].add_metric([hid], level.share)
        counts = m.counts(rows)
        for status in ("issued", "served", "no_show", "cancelled", "waiting", "in_service"):
            g["today"].add_metric([hid, status], counts[status])
        statuses = {s: 0 for s in WINDOW_STATUSES}
        for w in svc.view.windows.values():
            statuses[w["status"]] = statuses.get(w["status"], 0) + 1
        for s, n in statuses.items():
            g["windows"].add_metric([hid, s], n)
        g["subs"].add_metric([hid], rt.hub.subscriber_count(hid))
        outlet.add_metric([hid, svc.hall.kind], 1)
        windows_n.add_metric([hid], len(svc.hall.windows))
        g["muted"].add_metric([hid], sum(1 for v in svc.view.muted_screens.values() if v))
        g["tasks_open"].add_metric([hid], tasks["open"])
        g["tasks_overdue"].add_metric([hid], tasks["overdue"])
        for k, fam in c.items():
            fam.add_metric([hid], events.get(k, 0))
        for lv in range(1, 6):
            ratings.add_metric([hid, str(lv)], levels.get(lv, 0))

    notify = await rt.notifier.metric_families() if rt.notifier is not None else []  # the outbox
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Fixed([*g.values(), *c.values(), ratings, delivered, outlet, windows_n, *_printer_families(rt),
                               *_broker_families(rt), *notify]))
    return generate_latest(registry)
