"""Small hand-built extract sets shared by the tests of views and their outputs, each with its
hand-computed numbers next to it."""

from __future__ import annotations

from pathlib import Path

from extract_builder import episode, write_set

EXTRACT_DATE = "2025-03-15"


def brost_episodes(region: str, within: int, over: int, prefix: str, month: str = "2024-03") -> list[dict]:
    """Breast-cancer episodes (limit 28 days) started on the 1st of `month`: `within` ended after 10
    days (in the same month), `over` after about 50 days (on the 20th of the next month)."""
    y, m = int(month[:4]), int(month[5:])
    ny, nm = (y, m + 1) if m < 12 else (y + 1, 1)
    rows = [episode(f"{prefix}i{i}", "brost", f"{month}-01", f"{month}-11", "50", region=region)
            for i in range(within)]
    rows += [episode(f"{prefix}o{i}", "brost", f"{month}-01", f"{ny:04d}-{nm:02d}-20", "50", region=region)
             for i in range(over)]
    return rows


def four_regions(directory: Path) -> Path:
    """Breast cancer in 2024 (10 days is within the 28-day limit, 50 days is not):

      Stockholm (01)       41 within of 50   → 82,0 %
      Uppsala (03)          2 within of 2    → too few (2 < 5): 'otillräckligt underlag'
      Västra Götaland (14) 17 within of 23   → 73,9 % (under the 80 % target)
      Norrbotten (25)       6 within of 6    → shown by the engine alone, but hidden beside riket: the
                                               smallest shown region, so that riket − the others is
                                               not Uppsala
      riket                66 within of 81   → 81,5 %

    plus Stockholm 10 of 10 in January 2025 (extract date 2025-03-15; SVF matures in 2 months, so a
    period ending in February 2025 is preliminary). The 2024 episodes within the limit end in March,
    those over it in April."""
    eps = (brost_episodes("01", 41, 9, "S") + brost_episodes("03", 2, 0, "U") + brost_episodes("14", 17, 6, "V")
           + brost_episodes("25", 6, 0, "N") + brost_episodes("01", 10, 0, "J", month="2025-01"))
    return write_set(directory, extract_date=EXTRACT_DATE, svf_episodes=eps)
