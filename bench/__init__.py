"""Indikatorpanelen's benchmark (`make bench`, i.e. `python -m bench.run`).

Modules:

* `run`          – the orchestrator: builds the sample sets, runs every measurement in its own
                   subprocess, compares, writes BENCHMARKS.md and data/bench/results.json.
* `datasets`     – sample sets at scale 1 and 10, cached under data/bench/ with a stamp.
* `engine`       – the engine: cold (fresh process) and warm (cached and uncached) calls, the
                   split of a call into SQL and Python, open_data's stages and memory.
* `floor`        – the floor: DuckDB scanning the same Parquet columns with no grouping logic.
* `peer_pandas`  – the peer: the indicators written in plain pandas (also used by the tests).
* `peer`         – times the peer and checks it against the engine.
* `pages`        – every page through AppTest: first visit and rerun after a filter change.
* `coldstart`    – `streamlit run app.py` until the first page is rendered in Chromium.
* `exports`      – the meeting pack and one chart image, once export/ has them.
* `report`       – BENCHMARKS.md.
* `worker`       – entry point of the measurement subprocesses.

Nothing here is imported by the app or the tests except `peer_pandas`; timing assertions live
only in the report, never in `make test`.
"""
