"""The capacity arithmetic for a national rollout, from a measured CPU cost per interaction.

A user who interacts, reads for a think time and interacts again makes one interaction per
(think + response) seconds. U users then ask for U / (think + response) interactions per second,
which keep `busy_cores` = that rate × the CPU seconds of one interaction busy. A queue on a core
stays short (p95 within a second) only well below full use, so the cores to provision are
busy_cores / utilisation, rounded up. One Streamlit process runs its sessions' scripts in threads
of one Python interpreter: about one core of Python work, so one replica per core, plus one spare
so that losing a replica (or a node) does not overload the others.
"""

from __future__ import annotations

import math


def capacity(users: int, cpu_s_per_interaction: float, think_s: float, response_s: float,
             utilisation: float = 0.6, spare_replicas: int = 1) -> dict:
    """Cores and replicas for `users` concurrent users (see the module docstring)."""
    if users < 0 or cpu_s_per_interaction < 0 or think_s < 0 or response_s < 0 or not 0 < utilisation <= 1:
        raise ValueError("users, CPU cost and times must be >= 0 and utilisation in (0, 1]")
    rate = users / (think_s + response_s) if think_s + response_s > 0 else float("inf")
    busy = rate * cpu_s_per_interaction
    cores = math.ceil(round(busy / utilisation, 9))
    return {"users": users, "interactions_per_s": rate, "busy_cores": busy, "utilisation": utilisation,
            "cores": cores, "replicas": cores + spare_replicas}
