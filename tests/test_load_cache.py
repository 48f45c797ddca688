"""The load cache: a second open of the same extract set attaches the cached database and gives
the same results and report; any change to the set's files makes a new load."""

import os
import time

from extract_builder import case, episode, write_set

from indicators import open_data
from indicators import load_cache


def _set(tmp_path):
    eps = [episode(f"E{i}", "brost", "2024-01-01", f"2024-01-{10 + i:02d}", "50") for i in range(12)]
    eps.append(episode("BAD", "brost", "2024-02-05", "2024-02-01", "50"))  # end before start
    cases = [case(f"C{i}", "C50.9", f"{2021 + i % 3}-05-01") for i in range(24)]
    return write_set(tmp_path / "x", cancer_cases=cases, svf_episodes=eps)


def test_second_open_uses_cache_with_same_results(tmp_path, monkeypatch):
    monkeypatch.setenv("INDIKATORPANELEN_CACHE_DIR", str(tmp_path / "cache"))
    directory = _set(tmp_path)
    first = open_data(directory, cache=True)
    files = list((tmp_path / "cache").glob("load-*.duckdb"))
    assert len(files) == 1
    second = open_data(directory, cache=True)
    for ds in (first, second):
        row = ds.compute("svf_within_target", start="2024-01-01", end="2024-12-31").iloc[0]
        assert (row["numerator"], row["denominator"]) == (12, 12)
        inc = ds.compute("svf_inclusion", start="2024-01-01", end="2024-12-31").iloc[0]
        assert (inc["numerator"], inc["denominator"]) == (12, 8)
    assert second.validation_report().to_dict("records") == first.validation_report().to_dict("records")
    assert second.validation_report()["rows"].sum() == 1
    assert [t.__dict__ for t in second.tables.values()] == [t.__dict__ for t in first.tables.values()]


def test_changed_file_is_loaded_again(tmp_path, monkeypatch):
    monkeypatch.setenv("INDIKATORPANELEN_CACHE_DIR", str(tmp_path / "cache"))
    directory = _set(tmp_path)
    open_data(directory, cache=True)
    key_before = load_cache.fingerprint(directory, load_cache._PACKAGE.parent / "data" / "reference")
    time.sleep(0.01)
    write_set(directory, cancer_cases=[case("C1", "C50.9", "2023-05-01")],
              svf_episodes=[episode("E1", "brost", "2024-01-01", "2024-01-20", "50")])
    key_after = load_cache.fingerprint(directory, load_cache._PACKAGE.parent / "data" / "reference")
    assert key_before != key_after
    ds = open_data(directory, cache=True)
    assert ds.compute("svf_within_target", start="2024-01-01", end="2024-12-31").iloc[0]["suppressed"]
    assert len(list((tmp_path / "cache").glob("load-*.duckdb"))) == 2


def test_cache_off_by_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INDIKATORPANELEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("INDIKATORPANELEN_CACHE", "off")
    open_data(_set(tmp_path))
    assert not list((tmp_path / "cache").glob("load-*.duckdb"))
    assert os.environ["INDIKATORPANELEN_CACHE"] == "off"
