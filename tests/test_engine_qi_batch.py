"""compute_quality_indicators gives, for every indicator of a register, exactly what compute gives."""

import pandas as pd
import pytest

from indicators import open_data
from indicators.engine import compute_quality_indicators


@pytest.fixture(scope="module")
def ds(small_data_dir):
    return open_data(small_data_dir)


@pytest.mark.parametrize("by", [[], ["region"], ["year"]])
def test_batch_equals_single_calls(ds, by):
    registers = sorted({i.register_code for i in ds.catalogue() if i.is_quality_indicator})
    assert registers
    for reg in registers:
        batch = compute_quality_indicators(ds, reg, by=by, start="2023-01-01", end="2024-12-31",
                                           where={"healthcare_region": ["Södra", "Norra"]})
        for ind_id, got in batch.items():
            want = ds.compute(ind_id, by=by, start="2023-01-01", end="2024-12-31",
                              where={"healthcare_region": ["Södra", "Norra"]})
            pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True))
