"""library/conv.corelet: the trinary convolution of seed 003 (Eedn) against a numpy convolution.

Every run goes through ``run_compiled`` (compiled chip == logical network, spike for spike). The
expected outputs are a convolution written here in numpy, independently of the corelets: for every
feature f, location (r, q) and tick t, y = [sum over c, dr, dq of K[f, c, dr, dq] *
xpad[g(f) * Cg + c, r * stride + dr, q * stride + dq] + L[f] >= 1]. Each tick is an independent
random binary image, so comparing the rasters row by row also checks that an input row t gives its
output in tick t and that nothing is remembered from one tick to the next.
"""

from __future__ import annotations

import numpy as np
import pytest

from corelet import compiler
from corelet.chip import ToolchainError

from .lib_helpers import cores_used, elaborate, run_compiled, spike_ticks

TICKS = 50  # 50 independent images, one per tick

# A wrapper around ConvLayer: the output shape is written out from the parameters.
LAYER = """use "conv"
corelet Top(K: int[F, Cg, kh, kw], L: int[F], H: int, W: int, groups: int = 1, stride: int = 1,
            pad: int = 0) {{
    input x[groups * Cg, H, W]
    output y[F, (H + 2 * pad - kh) // stride + 1, (W + 2 * pad - kw) // stride + 1]
    c = ConvLayer(K = K, L = L, H = H, W = W, groups = groups, stride = stride, pad = pad{extra})
    x -> c.x
    y = c.y
}}
"""

GROUP = """use "conv"
corelet Top(K: int[F, C, kh, kw], L: int[F], rows: int, cols: int, stride: int = 1) {
    input x[C, (rows - 1) * stride + kh, (cols - 1) * stride + kw]
    output y[F, rows, cols]
    g = ConvGroup(K = K, L = L, rows = rows, cols = cols, stride = stride)
    x -> g.x
    y = g.y
}
"""


def reference(x, K, L, groups=1, stride=1, pad=0):
    """Numpy convolution of binary images x[t, C, H, W] with trinary K[F, Cg, kh, kw], biases L[F]:
    binary outputs [s + L >= 1] of shape (t, F, Ho, Wo); feature group g reads channels
    g * Cg .. (g + 1) * Cg - 1."""
    T, C, H, W = x.shape
    F, Cg, kh, kw = K.shape
    assert C == groups * Cg
    Fg = F // groups
    xp = np.zeros((T, C, H + 2 * pad, W + 2 * pad), np.int64)
    xp[:, :, pad:pad + H, pad:pad + W] = x
    Ho = (H + 2 * pad - kh) // stride + 1
    Wo = (W + 2 * pad - kw) // stride + 1
    s = np.zeros((T, F, Ho, Wo), np.int64)
    for f in range(F):
        g = f // Fg
        for dr in range(kh):
            for dq in range(kw):
                patch = xp[:, g * Cg:(g + 1) * Cg, dr:dr + stride * (Ho - 1) + 1:stride,
                           dq:dq + stride * (Wo - 1) + 1:stride]          # (T, Cg, Ho, Wo)
                s[:, f] += np.einsum("tcrq,c->trq", patch, K[f, :, dr, dq])
    return s + L[None, :, None, None] >= 1


def tiles(n, size):
    """Tile extents along one axis: [(start, stop)] of at most `size` locations."""
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def distinct_axons(K, H, W, groups, stride, pad, rows, cols):
    """Axons the compiled layer must use, counted independently: per tile (one core each), one
    axon per input pixel and sign (+1 type 0, -1 type 1) that some filter of the tile's group
    applies to that pixel."""
    F, Cg, kh, kw = K.shape
    Fg = F // groups
    Ho = (H + 2 * pad - kh) // stride + 1
    Wo = (W + 2 * pad - kw) // stride + 1
    total = 0
    for g in range(groups):
        Kg = K[g * Fg:(g + 1) * Fg]
        for r0, r1 in tiles(Ho, rows):
            for c0, c1 in tiles(Wo, cols):
                used = set()
                f, c, dr, dq = np.nonzero(Kg)
                for r in range(r0, r1):
                    for q in range(c0, c1):
                        pr, pq = r * stride + dr - pad, q * stride + dq - pad
                        ok = (pr >= 0) & (pr < H) & (pq >= 0) & (pq < W)
                        used.update(zip(c[ok], pr[ok], pq[ok], Kg[f, c, dr, dq][ok]))
                total += len(used)
    return total


def run_layer(F, Cg, k, H, W, *, groups=1, stride=1, pad=0, rows=None, cols=None, seed=0,
              p=0.5, expect_tile=None, full_cores=False):
    """Random trinary K, biases L and binary images; run ConvLayer; compare with `reference`.
    Returns (net, compilation record) for further checks."""
    rng = np.random.default_rng(seed)
    kh, kw = k
    K = rng.integers(-1, 2, (F, Cg, kh, kw))
    # biases near the middle of the filter sums, so that the outputs are far from all-0 / all-1
    L = rng.integers(-2, 3, F)
    x = rng.random((TICKS, groups * Cg, H, W)) < p
    extra = "".join(f", {n} = {v}" for n, v in (("rows", rows), ("cols", cols)) if v is not None)
    net = elaborate(LAYER.format(extra=extra),
                    dict(K=K, L=L, H=H, W=W, groups=groups, stride=stride, pad=pad))
    out = run_compiled(net, TICKS, {"x": x.reshape(TICKS, -1).astype(np.uint8)})
    want = reference(x.astype(np.int64), K, L, groups, stride, pad)
    got = out["y"][0].reshape(want.shape)
    assert np.array_equal(got, want), f"{np.sum(got != want)} of {want.size} outputs differ"
    # a test that cannot fail is a defect: the outputs must not be all one value
    assert 0.1 < want.mean() < 0.9, want.mean()

    # Cores. Each tile is one placement group of at most one core; the packer may put several
    # small tiles on one core (groups are kept whole, not kept apart), never one tile on two.
    Ho, Wo = want.shape[2:]
    rows_used = rows if rows is not None else expect_tile[0]
    cols_used = cols if cols is not None else expect_tile[1]
    tile_list = [(r1 - r0) * (c1 - c0) for r0, r1 in tiles(Ho, rows_used)
                 for c0, c1 in tiles(Wo, cols_used)]
    n_tiles = groups * len(tile_list)
    # tile sizes: every placement group holds F / groups features x its tile's locations
    assert sorted(len(gr.neurons) for gr in net.groups) == \
        sorted(F // groups * n for _ in range(groups) for n in tile_list)
    cores = cores_used(net, "packer")
    record = compiler.compile_network(net, placer="packer").record
    print(f"F={F} Cg={Cg} k={k} {H}x{W} groups={groups} stride={stride} pad={pad}: "
          f"tile {rows_used}x{cols_used}, {n_tiles} tiles, {cores} cores, {record['axons']} axons")
    assert record["cores"] == cores
    assert record["copies"] == 0 and record["relays"] == 0
    axons = distinct_axons(K, H, W, groups, stride, pad, rows_used, cols_used)
    if full_cores:
        # every tile needs more than half a core's axons or neurons: one tile per core exactly,
        # and the trinary pair mapping gives one axon per (pixel, sign) in use on its core
        assert cores == n_tiles
        assert all(len(pop["cores"]) == 1 for pop in record["populations"])
        assert record["axons"] == axons
    else:
        assert -(-F * Ho * Wo // 256) <= cores <= n_tiles
        assert record["axons"] <= axons       # tiles sharing a core share their common axons
    return net, record


def test_single_group():
    # 3x3x3 filters on 5x5: the default tile covers all 3x3 locations (2 * 3 * 5 * 5 = 150 axons)
    run_layer(F=6, Cg=3, k=(3, 3), H=5, W=5, expect_tile=(3, 3), seed=1)


def test_several_groups_see_their_own_channels():
    # 3 groups of 4 features over 4 channels each; a wrong channel offset (every group reading
    # channels 0..3) would differ in about half the outputs of groups 1 and 2. Default tile: 3 x 3
    # locations (a 5 x 5 x 4 region, 200 axons; 4 x 4 would need 288), then as many columns as
    # fit with 3 rows: 4 (a 5 x 6 x 4 region, 240 axons), so 2 x 1 tiles per group
    run_layer(F=12, Cg=4, k=(3, 3), H=6, W=6, groups=3, expect_tile=(3, 4), seed=2)


def test_stride_2_pooling_layer():
    # seed 003's pooling layer: 2x2 filters, stride 2 (non-overlapping), 2 groups
    # default tile 2 x 2 locations: a 4 x 4 x 8 region, 256 axons, so one tile per core: 8 cores
    run_layer(F=8, Cg=8, k=(2, 2), H=8, W=8, groups=2, stride=2, expect_tile=(2, 2), seed=3,
              full_cores=True)


def test_stride_2_overlapping():
    # 3x3 filters with stride 2 on 9x7: the region of a tile overlaps its neighbours' by one row
    run_layer(F=4, Cg=2, k=(3, 3), H=9, W=7, stride=2, rows=2, cols=2, seed=4)


def test_edge_tiles():
    # 5x5 outputs in 2x2 tiles: 3 x 3 tiles, the last row and column of tiles 1 location wide
    run_layer(F=8, Cg=8, k=(3, 3), H=7, W=7, expect_tile=(2, 2), seed=5)


def test_network_in_network_1x1():
    # seed 003's "N" layer: 1x1x128 filters; 2 * 128 axons fill a core, so 1 location per core
    run_layer(F=16, Cg=128, k=(1, 1), H=2, W=3, expect_tile=(1, 1), seed=6, full_cores=True)
    # 1x1x8 with 2 groups: 16 locations (4 x 4) per core
    run_layer(F=8, Cg=8, k=(1, 1), H=5, W=4, groups=2, expect_tile=(4, 4), seed=7)


def test_seed_003_spatial_layer():
    """3x3x8 filters, 4 topographic locations per core from a 4x4x8 region (seed 003, Fig. 3):
    2 * 4 * 4 * 8 = 256 axons exactly, 64 features x 4 locations = 256 neurons exactly."""
    net, record = run_layer(F=128, Cg=8, k=(3, 3), H=6, W=6, groups=2, expect_tile=(2, 2),
                            seed=8, full_cores=True)
    assert record["cores"] == 2 * 2 * 2
    assert all(len(g.neurons) == 64 * 4 for g in net.groups)


def test_zero_padding():
    # 'same' convolution: pad 1 with 3x3 filters keeps 6x6; border tiles see fewer pixels
    run_layer(F=6, Cg=4, k=(3, 3), H=6, W=6, pad=1, rows=2, cols=3, seed=9)


def test_conv_group_and_timing():
    """ConvGroup alone, and the timing by hand: one filter [[+1, -1]] on a 1 x 3 region (2
    locations), leak 0, so y[r] = [x[r] - x[r + 1] >= 1] = x[r] and not x[r + 1] in the same tick."""
    K = np.array([[[[1, -1]]]])
    net = elaborate(GROUP, dict(K=K, L=np.array([0]), rows=1, cols=2))
    x = np.zeros((8, 3), np.uint8)
    x[2, 0] = 1               # location 0 fires in tick 2
    x[4] = [1, 1, 0]          # location 1 in tick 4 (location 0 inhibited by pixel 1)
    x[5] = [1, 0, 1]          # location 0 in tick 5, location 1 inhibited
    x[6] = [0, 1, 1]          # neither: pixel 1 excites 1 and inhibits 0, pixel 2 inhibits 1
    y = run_compiled(net, 8, {"x": x})["y"][0]
    assert spike_ticks(y) == [[2, 5], [4]]
    assert cores_used(net, "packer") == 1

    # leak: L = 1 makes a location fire when x[r] - x[r + 1] >= 0, i.e. unless only x[r + 1]
    # fires (L = 0 would give the trace above, L = 2 would fire in every tick)
    net = elaborate(GROUP, dict(K=K, L=np.array([1]), rows=1, cols=2))
    y = run_compiled(net, 8, {"x": x})["y"][0]
    want = np.ones((8, 2), bool)
    want[x[:, 1] > x[:, 0], 0] = False
    want[x[:, 2] > x[:, 1], 1] = False
    assert np.array_equal(y, want)


def test_conv_group_random_against_numpy():
    rng = np.random.default_rng(10)
    K = rng.integers(-1, 2, (5, 3, 2, 3))
    L = rng.integers(-1, 3, 5)
    rows, cols, stride = 2, 3, 2
    net = elaborate(GROUP, dict(K=K, L=L, rows=rows, cols=cols, stride=stride))
    x = rng.random((TICKS, 3, (rows - 1) * stride + 2, (cols - 1) * stride + 3)) < 0.5
    y = run_compiled(net, TICKS, {"x": x.reshape(TICKS, -1).astype(np.uint8)})["y"][0]
    want = reference(x.astype(np.int64), K, L, stride=stride)
    assert want.shape[2:] == (rows, cols)
    assert np.array_equal(y.reshape(want.shape), want)
    assert 0.1 < want.mean() < 0.9


@pytest.mark.parametrize("params, message", [
    (dict(K=np.full((1, 1, 1, 1), 2), L=np.array([0]), rows=1, cols=1), "must be trinary"),
    # 3x3x8 filters at 3x2 locations: a 5x4x8 region = 160 pixels, 320 axons
    (dict(K=np.ones((1, 8, 3, 3), int), L=np.array([0]), rows=3, cols=2), "AXONS_PER_CORE / 2"),
    # 65 features x 4 locations = 260 neurons
    (dict(K=np.ones((65, 1, 1, 1), int), L=np.zeros(65, int), rows=2, cols=2),
     "at most NEURONS_PER_CORE"),
    (dict(K=np.ones((1, 1, 1, 1), int), L=np.array([300]), rows=1, cols=1), "MIN_LEAK .. MAX_LEAK"),
])
def test_conv_group_rejects(params, message):
    with pytest.raises(ToolchainError, match=message.replace("(", r"\(")):
        elaborate(GROUP, params)


def test_layer_rejects_unequal_groups():
    with pytest.raises(ToolchainError, match="equally sized groups"):
        elaborate(LAYER.format(extra=""), dict(K=np.ones((5, 2, 3, 3), int), L=np.zeros(5, int),
                                               H=4, W=4, groups=2))


TWO_LAYERS = """use "conv"
corelet Top(K1: int[16, 4, 3, 3], L1: int[16], K2: int[16, 8, 3, 3], L2: int[16]) {{
    input x[4, 8, 8]
    output y[16, 4, 4]
    l1 = ConvLayer(K = K1, L = L1, H = 8, W = 8, {tiles})
    l2 = ConvLayer(K = K2, L = L2, H = 6, W = 6, groups = 2)
    x -> l1.x
    l1.y -> l2.x
    y = l2.y
}}"""


def two_layers(tiles: str):
    """A spatial layer (3 x 3 x 4 -> 16 features) feeding a grouped one (3 x 3 x 8, 2 groups),
    with layer 1's tiles as ``tiles`` says: its network, weights and a random input."""
    rng = np.random.default_rng(11)
    K1, L1 = rng.integers(-1, 2, (16, 4, 3, 3)), rng.integers(-2, 3, 16)
    K2, L2 = rng.integers(-1, 2, (16, 8, 3, 3)), rng.integers(-2, 3, 16)
    net = elaborate(TWO_LAYERS.format(tiles=tiles), dict(K1=K1, L1=L1, K2=K2, L2=L2))
    x = rng.random((TICKS, 4, 8, 8)) < 0.5
    return net, (K1, L1, K2, L2), x


def test_slots_leave_room_for_the_copies_of_a_stacked_layer():
    """With `slots = 6` the default tiles of layer 1 hold 16 x 1 x 2 outputs (16 * 2 * 6 <= 256):
    room for the copies layer 2 needs, so the chip adds no latency (run_compiled checks) and
    image t still leaves layer 2 in tick t + 1 (with slots = 1 the compiler relays copies late)."""
    net, (K1, L1, K2, L2), x = two_layers("slots = 6")
    tiles = [g for g in net.groups if g.name.startswith("l1.")]
    assert len(tiles) == 6 * 3  # 6 tile rows of one location, 3 tile columns of two (Wo = 6)
    assert all(len(g.neurons) == 16 * 2 for g in tiles)
    y = run_compiled(net, TICKS, {"x": x.reshape(TICKS, -1).astype(np.uint8)})["y"][0]
    want = reference(reference(x.astype(np.int64), K1, L1).astype(np.int64), K2, L2, groups=2)
    assert np.array_equal(y.reshape(TICKS, 16, 4, 4)[1:], want[:-1])


def test_two_layers_pipeline():
    """A spatial layer feeding a grouped layer (seed 003's stacking): layer 1's neurons drive
    both axon types of several layer-2 cores through copies made by the compiler. Layer 2 sees
    layer 1's output of the tick before, so image t leaves layer 2 in tick t + 1, one image per
    tick. (Layer 1 uses 1 x 1 tiles, 16 neurons a core, so that the copies fit beside them: with
    larger tiles the packer packs several tiles on one core and needs relays, adding latency.)"""
    net, (K1, L1, K2, L2), x = two_layers("rows = 1, cols = 1")
    y = run_compiled(net, TICKS, {"x": x.reshape(TICKS, -1).astype(np.uint8)})["y"][0]
    h = reference(x.astype(np.int64), K1, L1)                  # layer 1, tick t
    want = reference(h.astype(np.int64), K2, L2, groups=2)      # layer 2 of image t: tick t + 1
    got = y.reshape(TICKS, 16, 4, 4)
    # tick 0: layer 2 has no input yet, so exactly the features with L2 >= 1 fire (everywhere)
    assert np.array_equal(got[0], np.broadcast_to((L2 >= 1)[:, None, None], (16, 4, 4)))
    assert np.array_equal(got[1:], want[:-1])
    assert 0.1 < want.mean() < 0.9
