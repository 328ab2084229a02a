"""Writes the stored expectation of the saved stochastic chip model; run from the repository root:

    python -m tests.data.make_saved              # stochastic_v1_expected.npz from the saved model
    python -m tests.data.make_saved --models     # also recompile the saved models (see below)

The expectation is computed by the reference simulator (tests/reference/refsim.py) from the saved
model file, and written only when the runtime and the reference simulator of the logical network
(no placement) agree with it. Rewrite it only for an intended change of the neuron model or of its
random draws, and say so in docs/neuron-model.md.

History of the expectation: regenerated once, when stochastic synapses and leak changed from
``rho < |s|`` (probability |s|/256) to the chip's ``|s| >= rho`` (probability (|s| + 1)/256; issue 11,
docs/neuron-model.md step 1). The probabilities quoted in stochastic_v1.corelet's comments
(100/256, 77/256) are those of the old rule: the source is left as it was compiled (its hash is in
the saved model's provenance); under the current rule they are 101/256 and 78/256.

The saved models themselves (``*_v1.json``) are the point of tests/test_saved_models.py: files
written by an earlier compiler that must keep loading and running. Recompile them (``--models``)
only when their sources change, never to make a failing test pass.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
STOCHASTIC = HERE / "stochastic_v1.json"
EXPECTED = HERE / "stochastic_v1_expected.npz"
# the run the expectation is for: seed 2024, batch 2 (samples use seeds 2024 and 2025)
SEED, BATCH, TICKS = 2024, 2, 48


def stochastic_input() -> np.ndarray:
    """The input raster (ticks, 2), fixed once; it is stored in the .npz with the spikes."""
    rng = np.random.default_rng(20240808)
    x = rng.random((40, 2)) < [0.7, 0.35]
    return x


def reference_outputs(model, inputs: dict, seed: int, batch: int, ticks: int) -> dict:
    from corelet.runtime.lower import fabric_from_model
    from tests.reference import refsim

    res = refsim.simulate(fabric_from_model(model), ticks, inputs, seed=seed, batch=batch)
    return {name: np.asarray(v, bool) for name, v in res.outputs.items()}


def main(argv: list[str]) -> None:
    import corelet
    from corelet.runtime import ChipModel, fabric_from_network
    from tests.reference import refsim

    if "--models" in argv:
        for name in ("deterministic_v1", "stochastic_v1"):
            # as a user writes them: the command line (source path relative to the model's folder)
            subprocess.run([sys.executable, "-m", "corelet", "compile", HERE / f"{name}.corelet",
                            "-o", HERE / f"{name}.json"], check=True)
    model = ChipModel.load(STOCHASTIC)
    x = stochastic_input()
    ref = reference_outputs(model, {"x": x}, SEED, BATCH, TICKS)["y"]
    ran = corelet.run(model, TICKS, {"x": x}, seed=SEED, batch=BATCH).outputs["y"]
    assert np.array_equal(ran, ref), "the runtime disagrees with the reference simulator"
    logical = refsim.simulate(fabric_from_network(corelet.load(HERE / "stochastic_v1.corelet")),
                              TICKS, {"x": x}, seed=SEED, batch=BATCH).outputs["y"]
    assert np.array_equal(logical, ref), "the logical network disagrees with the saved model"
    np.savez_compressed(EXPECTED, x=x, y=ref, seed=SEED, batch=BATCH, ticks=TICKS)
    print(f"wrote {EXPECTED}: {int(ref.sum())} spikes, per pin and sample:\n{ref.sum(axis=1)}")


if __name__ == "__main__":
    main(sys.argv[1:])
