"""Column finding: the helpers it relies on agree with the plain definitions."""

from __future__ import annotations

import statistics

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract.columns import _median


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=20))
def test_median_is_the_statistics_median(values):
    assert _median(np.array(values, dtype=np.float64)) == statistics.median(values)
