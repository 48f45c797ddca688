"""N simulated users at once: each opens a page, then interacts after a think time until the run's
time is up, reconnecting when its connection is lost. Bounded: at most MAX_SESSIONS sessions,
MAX_DURATION_S seconds of interaction and MAX_INTERACTIONS per session; the run stops by itself
(a hard deadline cancels whatever is still waiting) and only targets the loopback (target.py).

Every interaction becomes a record (dict) with its time, outcome and replica; `summarize` makes
the figures: percentiles of successful interactions, the first interaction of a new session,
errors by kind, reconnects and whether every lost session got its view back.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from . import widgets as W
from .protocol import ConnectionLost, Run, RunTimeout, Session
from .scenario import FILTER_KEYS, User
from .target import loopback_target

MAX_SESSIONS = 400
MAX_DURATION_S = 1800.0
MAX_INTERACTIONS = 2000


class LoadAbort(RuntimeError):
    """The app cannot be driven (e.g. a filter widget the scenario needs is not there)."""


@dataclass
class LoadConfig:
    url: str
    sessions: int = 4
    duration_s: float = 30.0  # interaction time after the ramp
    ramp_s: float = 5.0  # sessions open spread over this time
    think_s: tuple[float, float] = (3.0, 10.0)  # uniform think time between interactions
    max_interactions: int = 200  # per session
    timeout_s: float = 60.0  # one interaction
    seed: int = 1
    start_pages: tuple[str, ...] = ("",)  # url paths; session i opens start_pages[i % len]
    start_query: str = ""
    markers: tuple[str, ...] = ()  # texts whose presence each interaction records (e.g. snapshot names)
    keys: dict[str, str] = field(default_factory=lambda: dict(FILTER_KEYS))
    pages: tuple[str, ...] | None = None  # pages users switch between (None: every page of the menu)
    verify_view: bool = True  # after a reconnect and at the end: does the URL restore the view?
    hold_s: float = 0.0  # keep every session open this long after its last interaction (memory figures)

    def check(self) -> None:
        """Raise ValueError for a configuration outside the bounds (TargetRefused for a target off
        the loopback)."""
        loopback_target(self.url)
        if not 1 <= self.sessions <= MAX_SESSIONS:
            raise ValueError(f"sessions must be 1..{MAX_SESSIONS}")
        if not 0 <= self.duration_s <= MAX_DURATION_S or not 0 <= self.ramp_s <= MAX_DURATION_S:
            raise ValueError(f"duration and ramp must be 0..{MAX_DURATION_S:.0f} s")
        if not 0 <= self.hold_s <= 600:
            raise ValueError("hold must be 0..600 s")
        lo, hi = self.think_s
        if not 0 <= lo <= hi <= 600:
            raise ValueError("think time must be 0 <= min <= max <= 600 s")
        if not 1 <= self.max_interactions <= MAX_INTERACTIONS:
            raise ValueError(f"max interactions must be 1..{MAX_INTERACTIONS}")
        if not 1 <= self.timeout_s <= 600:
            raise ValueError("timeout must be 1..600 s")

    @property
    def deadline_s(self) -> float:
        """No run lasts longer than this (then every session is cancelled)."""
        return self.ramp_s + self.duration_s + self.hold_s + 2 * self.timeout_s + 30


def _record(session_no: int, run: Run, t0: float, markers, error: str | None = None) -> dict:
    return {"session": session_no, "kind": run.kind, "name": run.name, "t": round(run.started - t0, 3),
            "at": round(run.wall, 3),
            "ms": None if run.ms is None else round(run.ms, 1), "ok": error is None and run.ok,
            "error": error, "status": run.status, "exceptions": run.exceptions, "error_alerts": run.error_alerts,
            "warnings": run.warnings, "page_not_found": run.page_not_found, "page": run.page,
            "replica": run.replica, "elements": run.elements, "bytes": run.bytes,
            "markers": [m for m in markers if run.shows(m)]}


def view_differences(session: Session, reload_run: Run, names) -> list[str]:
    """How the view a fresh load of the session's URL shows differs from the session's own: the
    page, and every filter (value the server seeded from the URL, else the widget's default)."""
    out = []
    if reload_run.page != session.page_path:
        out.append(f"sida /{reload_run.page} i stället för /{session.page_path}")
    held = W.values_by_name(session.widgets, session.values, names)
    for name, value in held.items():
        w = next((x for x in reload_run.widgets.values() if name in (x.param, x.key)), None)
        if w is None:
            out.append(f"filtret {name} saknas efter omladdning")
            continue
        shown = w.server_value if w.server_value is not None else w.default
        if tuple(shown) != tuple(value):
            out.append(f"{name}: {list(shown)} i stället för {list(value)}")
    return out


async def _user(no: int, cfg: LoadConfig, t0: float, out: list[dict], stop_at: float, abort: asyncio.Event,
                stop=None) -> None:
    rng = random.Random(cfg.seed * 100003 + no)
    user = User(rng, cfg.keys, cfg.pages)
    session = Session(loopback_target(cfg.url), timeout=cfg.timeout_s)
    names = list(cfg.keys.values())
    if cfg.sessions > 1:
        await asyncio.sleep(cfg.ramp_s * no / cfg.sessions)
    try:
        page = cfg.start_pages[no % len(cfg.start_pages)] if cfg.start_pages else ""
        run = Run("open", f"/{page}", time.monotonic())
        try:
            run = await session.open(page, cfg.start_query)
            out.append(_record(no, run, t0, cfg.markers))
        except (ConnectionLost, RunTimeout) as exc:
            out.append(_record(no, run, t0, cfg.markers, error=str(exc)))
            return
        try:
            user.check(session)
        except W.WidgetNotFound as exc:
            abort.set()
            raise LoadAbort(str(exc)) from None
        done = 0
        while done < cfg.max_interactions and not abort.is_set() and not (stop is not None and stop.is_set()):
            think = rng.uniform(*cfg.think_s)
            if time.monotonic() + think >= stop_at:
                break
            if not await session.idle(think):
                # the tab saw its connection close while the user was reading: it reconnects now
                lost = Run("idle", f"/{session.page_path}", time.monotonic())
                lost.ms = 0.0
                lost.replica = session.replica
                out.append(_record(no, lost, t0, cfg.markers, error="ConnectionLost: anslutningen stängdes i vila"))
                await _recover(no, session, None, cfg, t0, out, names)
                continue
            action = user.next_action(session)
            if action is None:
                continue
            done += 1
            run = Run(action.kind, action.target, time.monotonic())
            try:
                run = await user.perform(session, action)
                out.append(_record(no, run, t0, cfg.markers))
            except (ConnectionLost, RunTimeout) as exc:
                run.ms = (time.monotonic() - run.started) * 1000.0
                run.replica = run.replica or session.replica
                out.append(_record(no, run, t0, cfg.markers, error=f"{type(exc).__name__}: {exc}"))
                await _recover(no, session, action, cfg, t0, out, names)
        if cfg.hold_s and not abort.is_set():
            await session.idle(max(0.0, min(cfg.hold_s, stop_at + cfg.hold_s - time.monotonic())))
        if cfg.verify_view and session.connected:
            await _verify(no, session, cfg, t0, out, names)
    finally:
        await session.close()


async def _recover(no, session: Session, action, cfg: LoadConfig, t0, out, names) -> None:
    """Reconnect after a lost connection (a page switch that never started is repeated), then check
    that the session's URL still gives its view."""
    run = Run("reconnect", f"/{session.page_path}", time.monotonic())
    try:
        run = await session.reconnect(deadline_s=max(cfg.timeout_s, 30.0))
        out.append(_record(no, run, t0, cfg.markers))
        if action is not None and action.kind == "page" and session.page_path != action.target.strip("/"):
            run = await session.goto(action.target)
            out.append(_record(no, run, t0, cfg.markers))
    except (ConnectionLost, RunTimeout) as exc:
        run.ms = (time.monotonic() - run.started) * 1000.0
        out.append(_record(no, run, t0, cfg.markers, error=f"{type(exc).__name__}: {exc}"))
        return
    if cfg.verify_view:
        await _verify(no, session, cfg, t0, out, names)


async def _verify(no, session: Session, cfg: LoadConfig, t0, out, names) -> None:
    run = Run("reload", f"/{session.page_path}", time.monotonic())
    try:
        run = await session.reload()
    except (ConnectionLost, RunTimeout) as exc:
        out.append(_record(no, run, t0, cfg.markers, error=f"{type(exc).__name__}: {exc}"))
        return
    diff = view_differences(session, run, names)
    out.append(_record(no, run, t0, cfg.markers, error=("vyn förlorad: " + "; ".join(diff)) if diff else None))


async def run_load(cfg: LoadConfig, *, records: list | None = None, stop=None) -> dict:
    """Run the load described by `cfg`; returns {'config', 'records', 'summary', 'wall_s'}.

    `records`, when given, receives each record as it happens (a caller in another thread can watch
    the run); `stop` (a threading.Event) ends the interactions early, before the time is up.
    Raises LoadAbort when the app lacks a widget the scenario needs, ValueError/TargetRefused for
    a configuration outside the bounds."""
    cfg.check()
    out: list[dict] = [] if records is None else records
    t0 = time.monotonic()
    stop_at = t0 + cfg.ramp_s + cfg.duration_s
    abort = asyncio.Event()
    tasks = [asyncio.create_task(_user(i, cfg, t0, out, stop_at, abort, stop)) for i in range(cfg.sessions)]
    done, pending = await asyncio.wait(tasks, timeout=cfg.deadline_s)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    failures = [t.exception() for t in done if not t.cancelled() and t.exception() is not None]
    aborts = [e for e in failures if isinstance(e, LoadAbort)]
    if aborts:
        raise aborts[0]
    if failures:
        raise failures[0]
    wall = time.monotonic() - t0
    ordered = sorted(out, key=lambda r: r["t"])
    return {"config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.__dict__.items()},
            "records": ordered, "summary": summarize(ordered, cancelled=len(pending)), "wall_s": round(wall, 1)}


# -- figures ---------------------------------------------------------------------------------

def percentile(values, p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it
    (p in 0..100). None for no values."""
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    rank = max(1, math.ceil(p / 100.0 * len(vals)))
    return vals[rank - 1]


def summarize(records: list[dict], cancelled: int = 0) -> dict:
    """Figures of a run: interactions (filter changes and page switches) by percentile, the first
    interaction of a new session ('open'), errors by kind, reconnects, replicas used."""
    inter = [r for r in records if r["kind"] in ("filter", "page")]
    ok = [r for r in inter if r["ok"]]
    opens = [r for r in records if r["kind"] == "open"]
    ms = [r["ms"] for r in ok]
    first = [r["ms"] for r in opens if r["ok"]]
    errors = Counter()
    examples: dict[str, str] = {}
    for r in records:
        kinds = []
        if r["error"]:
            kinds.append("view lost" if r["error"].startswith("vyn förlorad") else
                         "connection lost" if r["error"].startswith(("ConnectionLost", "anslutning")) else
                         "timeout" if r["error"].startswith("RunTimeout") else "connection lost")
        if r["exceptions"]:
            kinds.append("exception shown")
        if r["error_alerts"]:
            kinds.append("error shown")
        if r["page_not_found"]:
            kinds.append("page not found")
        if r["status"] not in (None, 0) and not r["error"]:
            kinds.append("script did not finish")
        for k in kinds:
            errors[k] += 1
            examples.setdefault(k, f"{r['kind']} {r['name']}: " + (r["error"] or "; ".join(
                r["exceptions"] + r["error_alerts"]) or str(r["page_not_found"] or r["status"]))[:300])
    reconnects = [r for r in records if r["kind"] == "reconnect"]
    reloads = [r for r in records if r["kind"] == "reload"]
    return {
        "sessions": len({r["session"] for r in records}),
        "interactions": len(inter),
        "interactions_ok": len(ok),
        "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else None,
        "by_kind": {k: {"n": len(v), "p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95)}
                    for k, v in (("filter", [r["ms"] for r in ok if r["kind"] == "filter"]),
                                 ("page", [r["ms"] for r in ok if r["kind"] == "page"]))},
        "first": {"n": len(opens), "ok": len(first), "p50_ms": percentile(first, 50), "p95_ms": percentile(first, 95)},
        "errors": dict(errors), "error_examples": examples, "error_total": sum(errors.values()),
        "reconnects": len(reconnects), "reconnects_ok": sum(1 for r in reconnects if r["ok"]),
        "reconnect_p95_ms": percentile([r["ms"] for r in reconnects if r["ok"]], 95),
        "views_checked": len(reloads), "views_kept": sum(1 for r in reloads if r["ok"]),
        "replicas": dict(Counter(r["replica"] or "-" for r in records if r["kind"] in ("filter", "page", "open"))),
        "warnings_shown": sum(r["warnings"] for r in records),
        "cancelled_sessions": cancelled,
    }
