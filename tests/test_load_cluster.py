"""The acceptance test of `make serve`: two replicas behind haproxy over one snapshot store, driven by
the load generator (bench/load) through the proxy.

One run of four simulated users: a new extract is ingested while they work (every replica shows
the new snapshot from the next run on, nobody sees an error), then one replica's process is killed
(haproxy takes it out of rotation; its users reconnect to the other replica and a fresh load of
their URL gives back their page and filters; the lost connections are reported as such, nothing
else is). Correctness only: no assertion on time.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from bench.load.cluster import serve
from bench.load.runner import LoadConfig, run_load
from indicators.store import current_snapshot, ingest

SESSIONS = 4


def _wait(cond, timeout: float, what: str, cluster=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s" + (f"\n{cluster.log()}" if cluster else ""))


@pytest.fixture(scope="module")
def second_extract(tmp_path_factory):
    """Another small extract set (seed 2): a different snapshot for the ingest in the middle."""
    from indicators.generate import generate

    out = tmp_path_factory.mktemp("second") / "extract"
    generate(out, scale=0.02, seed=2)
    return out


def test_two_replicas_take_an_ingest_and_a_dead_replica_without_losing_a_view(
        small_data_dir, second_extract, tmp_path, monkeypatch):
    cache = tmp_path / "load-cache"
    monkeypatch.setenv("INDIKATORPANELEN_CACHE_DIR", str(cache))  # the ingest below warms the replicas' cache
    monkeypatch.setenv("INDIKATORPANELEN_CACHE", "on")
    store = tmp_path / "store"
    first = ingest(small_data_dir, store)
    assert first.exit_code == 0, first.message
    old = current_snapshot(store).name
    env = {"INDIKATORPANELEN_CACHE_DIR": str(cache), "INDIKATORPANELEN_CACHE": "on"}
    with serve(2, store, tmp_path / "run", env=env) as cluster:
        assert cluster.server_status() == {"r1": "UP", "r2": "UP"}
        records: list[dict] = []
        stop = threading.Event()
        result: dict = {}
        cfg = LoadConfig(url=cluster.url, sessions=SESSIONS, duration_s=240, ramp_s=2, think_s=(0.3, 1.5),
                         timeout_s=90, seed=7, start_pages=("", "svf_ledtider", "svf_inklusion", "tackningsgrad"),
                         markers=(old,), verify_view=True)

        def load():
            try:
                result.update(asyncio.run(run_load(cfg, records=records, stop=stop)))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertions below
                result["error"] = exc

        thread = threading.Thread(target=load, daemon=True)
        thread.start()
        try:
            _wait(lambda: sum(r["kind"] == "open" for r in records) == SESSIONS or "error" in result, 180,
                  "every session opening", cluster)
            assert "error" not in result, result.get("error")
            opened = {r["session"]: r["replica"] for r in records if r["kind"] == "open"}
            assert sorted(set(opened.values())) == ["r1", "r2"], opened  # leastconn spreads new sessions

            # -- a new extract while they work ----------------------------------------------------
            before_ingest = time.time()
            second = ingest(second_extract, store)
            switched = time.time()
            assert second.exit_code == 0, second.message
            new = current_snapshot(store).name
            assert new != old
            cfg.markers = (old, new)  # records from here on say which snapshot they showed

            def new_on(replica):
                return any(r["at"] > switched and r["replica"] == replica and r["ok"] and new in r["markers"]
                           for r in list(records))

            _wait(lambda: new_on("r1") and new_on("r2"), 120, "both replicas showing the new snapshot", cluster)

            # -- one replica dies -----------------------------------------------------------------
            on_r2 = {s for s, rep in opened.items() if rep == "r2"}
            killed_at = time.time()
            cluster.kill_replica("r2")
            assert cluster.wait_status("r2", "DOWN", 30), cluster.server_status()

            def recovered():
                done = {r["session"] for r in list(records) if r["kind"] == "reconnect" and r["at"] >= killed_at}
                return on_r2 <= done

            _wait(recovered, 120, "the sessions of the dead replica reconnecting", cluster)
            _wait(lambda: all(any(r["kind"] in ("filter", "page") and r["ok"] and r["at"] > killed_at
                                  and r["session"] == s for r in list(records)) for s in range(SESSIONS)),
                  120, "every session interacting after the kill", cluster)
        finally:
            stop.set()
            thread.join(240)
        assert not thread.is_alive()
        assert "error" not in result, result.get("error")
        recs = result["records"]
        summary = result["summary"]

    # nobody saw an exception, an error box or a missing page, and no interaction timed out
    shown = [r for r in recs if r["exceptions"] or r["error_alerts"] or r["page_not_found"]]
    assert shown == [], shown[:3]
    assert not any((r["error"] or "").startswith("RunTimeout") for r in recs)

    # the ingest: no error of any kind before the kill; old snapshot before it, new one after
    before_kill = [r for r in recs if r["at"] + (r["ms"] or 0) / 1000 < killed_at and r["kind"] != "reload"]
    assert [r for r in before_kill if not r["ok"]] == []
    assert all(old in r["markers"] and new not in r["markers"] for r in before_kill if r["at"] + (r["ms"] or 0) / 1000 < before_ingest)
    after = [r for r in recs if r["at"] > switched and r["ok"] and r["kind"] != "reload"]
    assert after and all(new in r["markers"] and old not in r["markers"] for r in after)

    # the kill: only the dead replica's sessions lost their connection, each reconnected to r1
    lost = [r for r in recs if not r["ok"]]
    assert lost and all((r["error"] or "").startswith("ConnectionLost") for r in lost)
    assert all(r["at"] + (r["ms"] or 0) / 1000 >= killed_at - 1 for r in lost)  # lost by the kill, not before
    assert {r["session"] for r in lost} <= on_r2 and on_r2
    reconnects = [r for r in recs if r["kind"] == "reconnect"]
    assert reconnects and all(r["ok"] and r["replica"] == "r1" for r in reconnects)
    assert summary["errors"] == {"connection lost": len(lost)}

    # no session's view was lost: a fresh load of its URL (after the reconnect and at the end)
    # shows the same page and filters
    reloads = [r for r in recs if r["kind"] == "reload"]
    assert {r["session"] for r in reloads} == set(range(SESSIONS))
    assert all(r["ok"] for r in reloads), [r["error"] for r in reloads if not r["ok"]]
    assert summary["views_checked"] == summary["views_kept"] >= SESSIONS + len(on_r2)


def test_serve_refuses_a_store_without_a_snapshot(tmp_path):
    import subprocess
    import sys

    from bench.load.cluster import SERVE, free_port_block

    port = free_port_block(2)
    r = subprocess.run([sys.executable, str(SERVE), "--replicas", "1", "--port", str(port), "--store",
                        str(tmp_path / "empty"), "--data", "", "--run-dir", str(tmp_path / "run")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "har inget aktuellt snapshot" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not Path(tmp_path / "run" / "state.json").exists()


def test_serve_restarts_a_replica_that_dies_and_a_waiting_user_gets_back_in(small_data_dir, tmp_path, monkeypatch):
    """`make serve` without --no-restart: with its only replica killed, haproxy has none in rotation;
    the replica is started again, haproxy takes it back, and the user's tab (reconnecting all the while)
    gets its page and filters back."""
    from bench.load.protocol import Session
    from bench.load.runner import view_differences
    from bench.load.target import loopback_target

    monkeypatch.setenv("INDIKATORPANELEN_CACHE_DIR", str(tmp_path / "load-cache"))
    monkeypatch.setenv("INDIKATORPANELEN_CACHE", "on")
    store = tmp_path / "store"
    assert ingest(small_data_dir, store).exit_code == 0
    with serve(1, store, tmp_path / "run", restart=True) as cluster:
        async def scenario():
            s = Session(loopback_target(cluster.url), timeout=90)
            try:
                await s.open("svf_inklusion", "")
                await s.set_filter("niva", "Sjukvårdsregion")
                await s.set_filter("egen_region", "Uppsala")
                first_pid = cluster.kill_replica("r1")
                assert not await s.idle(30)  # the tab sees its connection close
                again = await s.reconnect(deadline_s=180)
                view = await s.reload()
                return first_pid, again, view, view_differences(s, view, ["niva", "egen_region"]), s.page_path
            finally:
                await s.close()

        first_pid, again, view, diff, page = asyncio.run(scenario())
        assert again.ok and view.ok and diff == [] and page == "svf_inklusion"
        state = cluster.refresh()
        assert state["replicas"][0]["starts"] == 2 and state["replicas"][0]["pid"] != first_pid
        assert cluster.wait_status("r1", "UP", 30)
