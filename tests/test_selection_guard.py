"""A total over several chosen regions never gives a suppressed region's counts back.

Before issue 9 a rule in the Streamlit cache module hid such a total; now disclosure control over
the selection's whole universe (views/protect.py) does it for every page, pack and file: of the
total over the chosen regions and the other chosen regions' own counts, not all are shown.

Hand-built extract (breast cancer, 2024, limit 28 days):
  Stockholm (01)       12 episodes, all within (9–20 days)
  Uppsala (03)          2 episodes, both within          → too few (2 < 5)
  Västra Götaland (14)  7 episodes, all over (50 days)
  Skåne (12)            6 episodes, 3 within (10 days), 3 over (50 days)
So Stockholm + Uppsala = 14 of 14, Stockholm + Västra Götaland = 12 of 19, riket 17 of 27 (riket
minus Stockholm + Västra Götaland is Uppsala and Skåne together, 5 of 8: no small group). Skåne,
the smallest region shown, is Uppsala's partner in the comparison of all regions.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from disclosure_audit import disclosed
from export import pack as xpack
from extract_builder import episode, write_set
from indicators import open_data
from views import PAGES, PRESETS, Selection, context, from_where, page_views, preset_views, view

PERIOD = (date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    eps = [episode(f"A{i}", "brost", "2024-03-01", f"2024-03-{10 + i:02d}", "50", region="01") for i in range(12)]
    eps += [episode(f"B{i}", "brost", "2024-03-01", "2024-03-20", "50", region="03") for i in range(2)]
    eps += [episode(f"C{i}", "brost", "2024-03-01", "2024-04-20", "50", region="14") for i in range(7)]
    eps += [episode(f"D{i}", "brost", "2024-03-01", "2024-03-11" if i < 3 else "2024-04-20", "50", region="12")
            for i in range(6)]
    return open_data(write_set(tmp_path_factory.mktemp("sel") / "set", svf_episodes=eps))


def domains(ds) -> dict:
    ctx = context(ds)
    return {d: ctx.domain(d) for d in ("region", "svf_code", "treatment_type", "sex", "register")}


def every_output(ds, sel) -> list[str]:
    ids = [v for page in PAGES for v in page_views(ds, sel, page)]
    ids += [v for name in PRESETS for v in preset_views(name)]
    return list(dict.fromkeys(ids))


def shown_counts(ds, sel, regions: frozenset) -> set[tuple]:
    """(family, other dimensions, numerator, denominator) of every shown row over exactly `regions`
    that has cases ("inga fall" rows are known zeros, not counts)."""
    out = set()
    for vid in every_output(ds, sel):
        t = view(ds, sel, vid).table
        if t is None or t.empty or "cell" not in t.columns:
            continue
        for cell, supp, zero, num, den in zip(t["cell"], t["suppressed"], t["no_cases"], t["numerator"],
                                              t["denominator"]):
            if cell is not None and not supp and not zero and cell.get("region") == regions:
                out.add((cell.family, cell.without("region"), num, den))
    return out


def test_the_engine_alone_would_show_the_total_and_stockholm(ds):
    total = ds.compute("svf_within_target", start=PERIOD[0], end=PERIOD[1], where={"region": ["01", "03"]}).iloc[0]
    assert (total["numerator"], total["denominator"], bool(total["suppressed"])) == (14, 14, False)
    by_region = ds.compute("svf_within_target", by=["region"], start=PERIOD[0], end=PERIOD[1]).set_index("region")
    assert (by_region.loc["01", "numerator"], by_region.loc["01", "denominator"]) == (12, 12)
    assert bool(by_region.loc["03", "suppressed"])  # 14 − 12 would give Uppsala's 2 of 2


def test_total_over_regions_with_a_suppressed_one_never_gives_it_back(ds):
    sel = Selection(*PERIOD, regions=("01", "03"))
    both = shown_counts(ds, sel, frozenset({"01", "03"}))
    stockholm = shown_counts(ds, sel, frozenset({"01"}))
    uppsala = shown_counts(ds, sel, frozenset({"03"}))
    assert not uppsala  # Uppsala's own rows show nothing anywhere
    # the totals over the two regions stay (14 of 14 within the limit): so Stockholm's own counts go
    # (a median's row has no numerator: NA, compared as "not 14")
    assert any(not pd.isna(num) and not pd.isna(den) and (num, den) == (14, 14) for _f, _d, num, den in both)
    same = {(f, d) for f, d, _n, _m in both} & {(f, d) for f, d, _n, _m in stockholm}
    assert not same, same
    comparison = view(ds, sel, "jamforelse:svf_within_target").table.set_index("unit_code")
    assert (comparison.loc["01", "hidden"], comparison.loc["03", "hidden"]) == ("secondary", "primary")
    # and over all pages and packs of the selection together, nothing hidden can be computed
    assert disclosed([view(ds, sel, v) for v in every_output(ds, sel)], domains(ds)) == []


def test_total_over_regions_all_shown_is_kept(ds):
    sel = Selection(*PERIOD, regions=("01", "14"))
    for vid in ("forlopp:svf_within_target", "behandling:svf_within_target", "nyckeltal:ledtider"):
        t = view(ds, sel, vid).table
        total = t[(t["role"] == "selected") | (t["role"] == "riket")].iloc[0]
        assert not total["suppressed"], vid
        assert (total["numerator"], total["denominator"]) == (12, 19), vid
        assert total["label"].startswith("Stockholm och Västra Götaland"), vid
    comparison = view(ds, sel, "jamforelse:svf_within_target").table.set_index("unit_code")
    assert (comparison.loc["01", "numerator"], comparison.loc["01", "denominator"]) == (12, 12)
    assert (comparison.loc["14", "numerator"], comparison.loc["14", "denominator"]) == (0, 7)
    assert comparison["hidden"].isna().all()


def test_own_region_among_the_chosen_is_protected_the_same_way(ds):
    sel = Selection(*PERIOD, regions=("01", "03"), own_region="03")
    assert not shown_counts(ds, sel, frozenset({"03"}))
    both = shown_counts(ds, sel, frozenset({"01", "03"}))
    stockholm = shown_counts(ds, sel, frozenset({"01"}))
    assert not ({(f, d) for f, d, _n, _m in both} & {(f, d) for f, d, _n, _m in stockholm})
    assert disclosed([view(ds, sel, v) for v in every_output(ds, sel)], domains(ds)) == []


def test_a_pack_from_command_line_arguments_never_gives_uppsala_back(ds):
    """`report --where region=01 --where region=03`: the selection from CLI-style arguments, the svf
    preset's titles, selection lines, notes and alternative texts."""
    sel = from_where(ds, "2024-01-01", "2024-12-31", {"region": ["01", "03"]})
    assert sel.regions == ("01", "03")
    pack = xpack.build_pack(ds, None, sel, preset="svf", render=False)
    text = "\n".join([xpack.title_notes(pack), pack.selection]
                     + [f"{i.title}\n{i.selection}\n" + "\n".join(i.notes) for i in pack.items]
                     + pack.alt_texts).replace("\u00a0", " ")
    assert " 2 av 2" not in text and "(2 av 2" not in text
    assert "14 av 14" in text  # the total over the two regions is shown …
    assert "12 av 12" not in text  # … so Stockholm's own count is not
    assert "Uppsala" in text and "otillräckligt underlag" in text
