"""examples/eedn (seed 003): the committed network meets the issue's bars, the numpy model's
pieces agree with independent references, and the whole pipeline (train, fold, build, compile, run)
works on a small setting.

The bars checked on the committed weights: the runtime's class votes equal the numpy forward pass
on every test image, one image per tick; test accuracy >= 95%; every group's filter fits a core.
"""

from __future__ import annotations

import numpy as np
import pytest

from examples.eedn import model, report, train
from examples.eedn.model import CHIP_LAYERS, TRANSDUCTION, Layer
from examples.eedn.network import build, corelet_source, latency, run_images
from tests.library.test_conv import reference


@pytest.fixture(scope="module")
def digits():
    return model.load_digits()


@pytest.fixture(scope="module")
def params():
    return model.load_params()


def test_committed_data_is_the_digit_set(digits):
    images, labels, tr, te = digits
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8 and images.max() == 16
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == 1797


def test_committed_weights_fit_the_chip(params):
    channels = TRANSDUCTION.features
    for i, layer in enumerate(CHIP_LAYERS):
        K, L = params[f"K{i}"], params[f"L{i}"]
        assert set(np.unique(K)) <= {-1, 0, 1}
        assert K.shape == (layer.features, channels // layer.groups, layer.kernel, layer.kernel)
        assert 2 * K[0].size <= 256                   # a group's filter: 2 axons a pixel
        assert np.all(np.abs(L) <= 255)
        channels = layer.features


def test_chip_forward_is_a_trinary_convolution(params, digits):
    """The numpy model's chip layers against the library tests' independent convolution."""
    images = digits[0][:30]
    x = model.transduce(images, params).astype(np.int64)
    outs = model.chip_forward(x, params)
    for i, layer in enumerate(CHIP_LAYERS):
        want = reference(x, params[f"K{i}"].astype(np.int64), params[f"L{i}"], groups=layer.groups,
                         stride=layer.stride, pad=layer.pad)
        assert np.array_equal(outs[i].astype(bool), want)
        x = outs[i]


def test_transduction_is_a_thresholded_batch_normalised_convolution(params, digits):
    images = digits[0][:5].astype(np.float64) / 16
    xp = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    w = params["T_w"]
    s = np.zeros((5, w.shape[0], 8, 8))
    for f in range(w.shape[0]):
        for dr in range(3):
            for dq in range(3):
                s[:, f] += w[f, 0, dr, dq] * xp[:, dr:dr + 8, dq:dq + 8]
    r = ((s - params["T_mu"][:, None, None]) / (params["T_sigma"][:, None, None] + 1e-4)
         + params["T_b"][:, None, None])
    assert np.array_equal(model.transduce(digits[0][:5], params), (r >= 0).astype(np.uint8))


def test_votes_and_ties():
    y = np.zeros((2, 20, 1, 1))
    y[0, [3, 13, 4]] = 1           # two votes for class 3, one for 4
    y[1, [5, 6]] = 1               # a tie: the lowest class wins
    votes = model.votes_of(y)
    assert votes[0].tolist() == [0, 0, 0, 2, 1, 0, 0, 0, 0, 0]
    assert model.classify(votes).tolist() == [3, 5]


def test_the_committed_network_meets_the_bars(params, digits):
    """Every test image, one a tick through the compiled chip: votes equal, accuracy >= 95%."""
    images, labels, _, test = digits
    res = report.evaluate(params, images[test], labels[test].astype(np.int64))
    assert res["votes_equal"] == res["images"] == len(test)
    assert res["chip_accuracy"] >= 0.95
    assert not res["added_latency"]
    assert res["cores_per_layer"] == [16, 16, 8, 4]   # 2 x 2 tiles; 1 location a core; groups
    assert res["power"].total_w > res["power"].leakage_w > 0


def test_outputs_come_latency_ticks_after_their_image(params, digits):
    """A lone image in tick 5 gives its votes in tick 5 + latency and nothing else changes."""
    images = digits[0][:1]
    x = model.transduce(images, params)
    net = build(CHIP_LAYERS, params, TRANSDUCTION.features, 8)
    from corelet import compiler, runtime
    comp = compiler.compile_network(net)
    raster = np.zeros((40, x[0].size), np.uint8)
    raster[5] = x[0].ravel()
    res = runtime.simulate(runtime.fabric_from_model(comp.model), 40, {"x": raster})
    y = np.asarray(res.outputs["y"])[0]
    blank = model.chip_forward(np.zeros_like(x), params)[-1].ravel()
    want = model.chip_forward(x, params)[-1].ravel()
    lat = latency(CHIP_LAYERS)
    assert lat == 6
    assert np.array_equal(y[5 + lat], want)
    assert all(np.array_equal(y[t], blank) for t in range(12, 40) if t != 5 + lat)


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    layer = Layer(features=4, groups=2, kernel=2, stride=2, pad=1)
    x = rng.normal(size=(3, 6, 5, 5))
    w = rng.normal(size=(4, 3, 2, 2))
    g = rng.normal(size=(3, 4, 3, 3))

    def loss(x, w):
        s, _ = model.conv(x, w, layer)
        xhat, mu, sg = train.bn_forward(s)
        return (xhat * g).sum(), s, mu, sg

    _, s, mu, sg = loss(x, w)
    ds = train.bn_backward(g, s, mu, sg)
    _, P = model.conv(x, w, layer)
    dw, dx = model.conv_backward(ds, P, w, layer, x.shape)
    eps = 1e-6
    for arr, grad in ((x, dx), (w, dw)):
        for idx in [tuple(rng.integers(0, n) for n in arr.shape) for _ in range(12)]:
            old = arr[idx]
            arr[idx] = old + eps
            up = loss(x, w)[0]
            arr[idx] = old - eps
            down = loss(x, w)[0]
            arr[idx] = old
            assert abs((up - down) / (2 * eps) - grad[idx]) < 1e-4 * max(1, abs(grad[idx]))


def test_pipeline_on_a_small_setting(digits):
    """Train briefly, fold, build, compile, run: the runtime agrees with the numpy model."""
    images, labels, _, test = digits
    params = train.train(epochs=3, seed=1, log=lambda *_: None)
    res = report.evaluate(params, images[test[:60]], labels[test[:60]].astype(np.int64))
    assert res["votes_equal"] == 60
    assert res["chip_accuracy"] > 0.3          # three epochs already learn (chance: 0.1)


def test_corelet_source_connects_the_layers_with_the_layer_delay():
    src = corelet_source(CHIP_LAYERS[:2], 8, 8, delay=3)
    assert "x -> l0.x\n" in src and "l0.y -> l1.x delay 2\n" in src
    assert "output y[64, 4, 4]" in src


def test_table1_columns_parse_into_layers():
    from examples.eedn.table1 import parse
    layers, notes = parse("P4-252(2) N-256(2) D P-256(8) S-512(32)", 12)
    assert layers == [Layer(252, 2, 4, 2, 1), Layer(256, 2, 1, 1, 0), Layer(256, 8, 2, 2, 0),
                      Layer(512, 32, 3, 1, 1)]
    assert notes == []
    layers, notes = parse("P-512(16) S-1020(4)", 256)      # 3 x 3 x 128 does not fit a core
    assert layers[1] == Layer(1020, 4, 1, 1, 0)
    assert notes == ["S-1020(4): 3 x 3 x 128 = 1152 pixels a filter; compiled as N-1020(4)"]


def test_table1_structure_count_of_the_1_chip_network():
    """Counted by hand, layer by layer (groups x tiles): P4-252(2) 2 x 256, N-256(2) 2 x 256,
    P-256(8) 8 x 64, S-512(32) 32 x 16 (2 x 2 tiles), N-512(4) 3 x 4 x 64, P-512(16) 16 x 16,
    S-1024(64) 64 x 4, N-1024(8) 8 x 16, P-1024(32) 32 x 4, N-2040(8) 8 x 4."""
    from examples.eedn.table1 import NETWORKS, parse, structure_counts
    _, channels, text, paper = NETWORKS["1chip"]
    counts = structure_counts(parse(text, channels)[0], channels)
    assert counts["cores"] == 512 * 4 + 768 + 256 * 2 + 128 * 2 + 32 == 3616
    assert paper == 3978


def test_a_table1_stack_compiles_and_runs_as_the_numpy_model():
    """A small stack in Table 1's notation (the code path of examples/eedn/table1.py on an 8 x 8
    input), compiled: one ConvGroup per group and tile, as the structure count says, and the
    runtime gives the numpy model's outputs image for image."""
    from corelet import compiler
    from examples.eedn.table1 import parse, random_params, structure_counts
    layers, _ = parse("P4-32(4) S-64(8) P-64(4)", 12)
    params = random_params(layers, 12, np.random.default_rng(5))
    comp = compiler.compile_network(build(layers, params, 12, 8))
    assert not comp.latency.any()
    groups = {p["path"].split(".t[")[0] + str(p["path"].split(".t[")[1].split("]")[0])
              for p in comp.record["populations"]}
    assert len(groups) == structure_counts(layers, 12, size=8)["cores"] == 16 + 16 + 8
    x = (np.random.default_rng(6).random((30, 12, 8, 8)) < 0.3).astype(np.uint8)
    out = run_images(comp.model, x, layers)
    want = model.chip_forward(x, params, layers)[-1].reshape(30, -1)
    assert np.array_equal(out, want) and 0.05 < want.mean() < 0.95
