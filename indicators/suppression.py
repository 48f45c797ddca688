"""Complementary (secondary) suppression.

Primary suppression (a group under the minimum n shows no counts and no values) is applied in
`engine._finish`. When a table shows parts and their total — regions and riket, say — a single
suppressed part could be recovered by subtraction. So within every set of parts that sum to a
shown total (all rows that agree on every dimension but one), if exactly one part is suppressed,
the next smallest part (by denominator) is suppressed too; repeated until nothing changes.

Regions also add up to their healthcare region, which the app shows at its own level; so when
`region` is grouped, the same rule holds within each healthcare region: a lone suppressed region
gets a second suppressed region beside it in the same healthcare region, and the healthcare
region's total no longer gives it away by subtraction. Hospitals are compared within their own
region (the `hospitals` table's region_code), so when `hospital` is grouped the rule also holds
within each hospital's region; hospitals missing from the table form one group of their own.
"""

from __future__ import annotations

import pandas as pd


def apply_secondary_suppression(out: pd.DataFrame, by: list[str], denominator: pd.Series,
                                region_parent: dict[str, str] | None = None,
                                hospital_parent: dict[str, str] | None = None) -> pd.Series:
    """The `suppressed` column after complementary suppression over each dimension in `by`
    (and, with `region_parent` mapping region codes to healthcare regions, within each of those;
    with `hospital_parent` mapping hospital codes to region codes, within each hospital's region)."""
    suppressed = out["suppressed"].astype(bool).copy()
    size = denominator.astype("Float64").fillna(0)
    frame = out[by].copy()
    sets = [(dim, [d for d in by if d != dim]) for dim in by]
    for dim, parent in (("hospital", hospital_parent), ("region", region_parent)):
        if parent and dim in by:
            frame[f"_parent_{dim}"] = frame[dim].map(parent)
            # first, so that the partner of a lone suppressed part is chosen beside it
            sets.insert(0, (dim, [d for d in by if d != dim] + [f"_parent_{dim}"]))
    changed = True
    while changed:
        changed = False
        for _dim, others in sets:
            partitions = (frame.groupby(others, dropna=False, sort=False).indices.values() if others
                          else [range(len(out))])
            for positions in partitions:
                index = out.index[list(positions)]
                hidden = suppressed.loc[index]
                if len(index) > 1 and int(hidden.sum()) == 1:
                    shown = size.loc[index][~hidden]
                    suppressed.loc[shown.idxmin()] = True
                    changed = True
    return suppressed
