"""BENCHMARKS.md, section "Many users at once": the figures of bench/load_bench.py (part "load")."""

from __future__ import annotations


def _ms(v) -> str:
    return "–" if v is None else (f"{v / 1000:.1f} s" if v >= 10000 else f"{v:.0f} ms")


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def section(results: dict) -> list[str]:
    """The section's lines ([] when the part was not run)."""
    load = results.get("load")
    if not load:
        return []
    lines = ["", "## Many users at once (make serve: replicas behind haproxy)", ""]
    if load.get("failed"):
        return lines + [f"Not measured: `{str(load['failed']).splitlines()[0]}`"]
    cfg = load.get("config") or {}
    think = cfg.get("think_s") or [0, 0]
    lines += [f"`python -m bench.load` sessions through haproxy (`scripts/serve.py`) to 1 and 2 Streamlit replicas "
              f"over one snapshot store (the scale-1 set ingested), on this 2-core machine, the load generator "
              f"included. Each step: that many users for {cfg.get('step_s', 0):.0f} s (opening over "
              f"{cfg.get('ramp_s', 0):.0f} s), each changing a filter or switching page after a think time of "
              f"{think[0]:g}–{think[1]:g} s (uniform); the number of users grows until the 95th percentile passes "
              f"{cfg.get('p95_limit_ms', 1000):.0f} ms or an error is seen. *Interaction* = request sent to "
              "`script_finished` (filter changes and page switches); *first* = a new session's page load + "
              "WebSocket + first run; *CPU/run* = the replicas' CPU seconds per script run; *memory per session* "
              "= (peak RSS of the replicas during the step − their RSS before it) / users.", ""]
    for note in load.get("notes") or []:
        lines.append(f"- {note}")
    lines += [_row(["replicas", "users", "interactions", "p50", "p95", "max", "first p50", "first p95", "errors",
                    "CPU/run", "replicas' CPU use", "generator CPU", "RSS before → peak", "memory per session",
                    "load avg"]),
              _row(["---"] * 15)]
    for e in load.get("replicas") or []:
        for s in e["steps"]:
            lines.append(_row([e["replicas"], s["sessions"], s["interactions"], _ms(s["p50_ms"]), _ms(s["p95_ms"]),
                               _ms(s["max_ms"]), _ms(s["first"]["p50_ms"]), _ms(s["first"]["p95_ms"]),
                               s["error_total"] or 0,
                               f"{s['cpu_s_per_run']:.3f} s" if s["cpu_s_per_run"] else "–",
                               f"{s['cpu_util']:.2f} cores" if s["cpu_util"] is not None else "–",
                               f"{s['generator_cpu_s']:.1f} s", f"{s['rss_idle_mb']:.0f} → {s['rss_peak_mb']:.0f} MB",
                               f"{s['rss_per_session_mb']:.1f} MB" if s["rss_per_session_mb"] is not None else "–",
                               s.get("loadavg")]))
    lines.append("")
    for e in load.get("replicas") or []:
        idle = ", ".join(f"{x:.0f} MB" for x in e.get("rss_idle_mb") or [] if x is not None)
        errs = {k: v for s in e["steps"] for k, v in (s.get("error_examples") or {}).items()}
        mem = e.get("open_sessions") or {}
        mem_text = (f"; {mem['sessions']} sessions opened and held without interacting add "
                    f"{mem['per_session_mb']:.1f} MB each ({mem['rss_before_mb']:.0f} → {mem['rss_peak_mb']:.0f} MB)"
                    if mem.get("per_session_mb") is not None else "")
        lines.append(f"- **{e['replicas']} replica(s): {e['held_sessions']} users held at p95 ≤ 1 s with 0 errors** "
                     f"(memory per replica after warming every page: {idle}{mem_text})."
                     + (" Errors seen: " + "; ".join(f"{k}: {v}" for k, v in errs.items()) if errs else ""))
    cap = load.get("capacity")
    if cap:
        lines += ["", "### Capacity for a national rollout", "",
                  f"Measured CPU cost: median **{cap['cpu_s_per_run']:.3f} CPU-s per script run** ("
                  + ("every step: none stayed under the p95 limit on this machine, so the cost includes the "
                     "contention of an overloaded machine and is pessimistic" if cap.get("from_saturated_steps")
                     else "steps under the p95 limit")
                  + f"); response time taken as {cap['response_s'] * 1000:.0f} ms. For U users who each interact "
                  "every (think + response) s: rate = U / (think + response); busy cores = rate × CPU/run; cores = "
                  "⌈busy / 0.6⌉ (60 % utilisation keeps the queue, and so the p95, short); one replica per core "
                  "(a Streamlit process is one Python interpreter) plus one spare. bench/load_capacity.py.", "",
                  _row(["users", "think", "interactions/s", "busy cores", "cores at 60 %", "replicas (+1 spare)"]),
                  _row(["---"] * 6)]
        for c in cap["cases"]:
            t = c["users"] / c["interactions_per_s"] - cap["response_s"] if c["interactions_per_s"] else 0
            lines.append(_row([c["users"], f"{t:.1f} s", f"{c['interactions_per_s']:.1f}", f"{c['busy_cores']:.1f}",
                               c["cores"], c["replicas"]]))
    rows = next((e.get("browser") for e in load.get("replicas") or [] if e.get("browser")), None)
    err = next((e.get("browser_error") for e in load.get("replicas") or [] if e.get("browser_error")), None)
    if rows:
        lines += ["", "### The generator against a real browser", "",
                  "The same interactions on one replica, caches warm (one generator pass first): Chromium "
                  "(Playwright; click → the page's script state back to *notRunning*, and → the next frame drawn; its "
                  "own WebSocket frames, rerun sent → `script_finished`) and a simulated session (request → "
                  "`script_finished`). Chromium runs on the same two cores as the server here.", "",
                  _row(["interaction", "browser: click → run done", "browser: → drawn", "browser WebSocket",
                        "generator", "generator / browser"]), _row(["---"] * 6)]
        for r in rows:
            ratio = (r["generator_ms"] / r["browser_script_ms"]) if r.get("browser_script_ms") else None
            lines.append(_row([r["action"], _ms(r["browser_script_ms"]), _ms(r["browser_painted_ms"]),
                               _ms(r["browser_ws_ms"]), _ms(r["generator_ms"]),
                               f"{ratio:.2f}" if ratio is not None else "–"]))
    elif err:
        lines.append(f"\nBrowser check not measured: `{err}`")
    lines += ["", "What this tests and what it does not: the processes and the proxy of `make serve` (and the "
              "failover, in tests/test_load_cluster.py); not a container runtime (none runs here; see deploy/README.md)."]
    return lines
