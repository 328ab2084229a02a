"""corelet.training.recurrent against hand-computed spike counts and spike times."""

import numpy as np

from corelet.training.recurrent import count_state, count_state_grad, even_code


def test_even_code_counts_and_spacing():
    r = even_code(np.array([[[0.0, 1 / 16, 0.5, 1.0, 3 / 16]], [[0.04, 0.97, 0.0, 0.0, 0.0]]]), 16)
    assert r.shape == (2, 16, 5)
    assert r[0].sum(axis=0).tolist() == [0, 1, 8, 16, 3]
    assert np.flatnonzero(r[0, :, 2]).tolist() == list(range(0, 16, 2))
    assert np.flatnonzero(r[0, :, 4]).tolist() == [0, 5, 10]          # floor(16 j / 3)
    assert r[1].sum(axis=0).tolist() == [1, 16, 0, 0, 0]              # round(0.64), round(15.52)
    two = even_code(np.array([[0.5], [0.25]]), 16)                    # two steps, one pin
    assert two[:16, 0].sum() == 8 and two[16:, 0].sum() == 4


def test_count_state_is_the_clipped_spike_count():
    a = np.array([-0.3, 0.0, 0.06, 0.0625, 0.5, 0.99, 1.0, 2.5])
    assert (count_state(a, 16) * 16).tolist() == [0, 0, 0, 1, 8, 15, 16, 16]
    assert count_state_grad(a, 16).tolist() == [0, 0, 1, 1, 1, 1, 0, 0]
