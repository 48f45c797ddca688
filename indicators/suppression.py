"""Complementary (secondary) suppression.

Primary suppression (a group under the minimum n shows no counts and no values) is applied in
`engine._finish`. When a table shows parts and their total — regions and riket, say — a single
suppressed part could be recovered by subtraction. So within every set of parts that sum to a
shown total (all rows that agree on every dimension but one), if exactly one part is suppressed,
the next smallest part (by denominator) is suppressed too; repeated until nothing changes.
"""

from __future__ import annotations

import pandas as pd


def apply_secondary_suppression(out: pd.DataFrame, by: list[str], denominator: pd.Series) -> pd.Series:
    """The `suppressed` column after complementary suppression over each dimension in `by`."""
    suppressed = out["suppressed"].astype(bool).copy()
    size = denominator.astype("Float64").fillna(0)
    changed = True
    while changed:
        changed = False
        for dim in by:
            others = [d for d in by if d != dim]
            partitions = (out.groupby(others, dropna=False, sort=False).indices.values() if others
                          else [range(len(out))])
            for positions in partitions:
                index = out.index[list(positions)]
                hidden = suppressed.loc[index]
                if len(index) > 1 and int(hidden.sum()) == 1:
                    shown = size.loc[index][~hidden]
                    suppressed.loc[shown.idxmin()] = True
                    changed = True
    return suppressed
