"""``compiler._bits.popcount`` against Python's own bit count, with and without np.bitwise_count."""

import numpy as np
import pytest

from corelet.chip import arrays as _bits


@pytest.mark.parametrize("native", [True, False])
@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.int64, np.uint64])
def test_popcount_counts_set_bits(native, dtype, monkeypatch):
    if not native:  # numpy < 2.0 has no bitwise_count: the byte table must give the same
        monkeypatch.delattr(np, "bitwise_count", raising=False)
    high = np.iinfo(dtype).max
    values = np.random.default_rng(1).integers(0, high, (3, 50), dtype=dtype, endpoint=True)
    values[0, :3] = [0, 1, high]
    got = _bits.popcount(values)
    assert got.shape == values.shape
    assert got.tolist() == [[bin(int(v)).count("1") for v in row] for row in values]
