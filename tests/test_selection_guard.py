"""A total over several chosen regions is hidden when one of them is suppressed on its own:
otherwise total minus the other regions' bars would give the suppressed counts back."""

from datetime import date

from extract_builder import episode, write_set

import ui.data as data
from indicators import open_data

PERIOD = (date(2024, 1, 1), date(2024, 12, 31))


def _set(tmp_path):
    eps = [episode(f"A{i}", "brost", "2024-03-01", f"2024-03-{10 + i:02d}", "50", region="01") for i in range(12)]
    eps += [episode(f"B{i}", "brost", "2024-03-01", "2024-03-20", "50", region="03") for i in range(2)]
    eps += [episode(f"C{i}", "brost", "2024-03-01", "2024-04-20", "50", region="14") for i in range(7)]
    return write_set(tmp_path / "sel", svf_episodes=eps)


def test_total_over_regions_with_a_suppressed_one_is_hidden(tmp_path):
    d = _set(tmp_path)
    ds = open_data(d)
    where = {"region": ["01", "03"]}
    raw = ds.compute("svf_within_target", start=PERIOD[0], end=PERIOD[1], where=where)
    assert not raw["suppressed"].iloc[0]  # 14 episodes: the engine alone would show 14/14
    wkey = data._where_key(where)
    guarded = data._guard_selection_total(raw, str(d), "s", "svf_within_target", (), PERIOD[0], PERIOD[1], wkey,
                                          None)
    row = guarded.iloc[0]
    assert row["suppressed"]
    assert row[["numerator", "denominator", "value", "ci_low", "ci_high"]].isna().all()
    assert data._selection_has_suppressed_region(str(d), "s", PERIOD[0], PERIOD[1], wkey, None)


def test_total_over_regions_all_shown_is_kept(tmp_path):
    d = _set(tmp_path)
    ds = open_data(d)
    where = {"region": ["01", "14"]}
    raw = ds.compute("svf_within_target", start=PERIOD[0], end=PERIOD[1], where=where)
    wkey = data._where_key(where)
    guarded = data._guard_selection_total(raw, str(d), "s2", "svf_within_target", (), PERIOD[0], PERIOD[1], wkey,
                                          None)
    assert not guarded["suppressed"].iloc[0]
    assert guarded["numerator"].iloc[0] == 12 and guarded["denominator"].iloc[0] == 19
