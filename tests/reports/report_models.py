"""Hand-built chip models for the report tests, with their numbers worked out by hand.

``small_model()`` has four cores (core 3 empty) on two chips:

core 0 (chip 0, row 0, col 0)   axons 0-3: input in[0..3] type 0; axon 4: layer1.sub.k[1] type 3
  neurons 0-4 layer1.h[0..4] -> core 1 axons 0-4; neuron 5 copy of layer1.h[0] -> core 2 axon 0
  synapses: axon 0 -> n0..n5 (6), axon 1 -> n0, n5 (2), axon 2 -> n4 (1), axon 4 -> n1 (1) = 10
core 1 (chip 0, row 2, col 3)   axons 0-4: layer1.h[0..4] type 1; axon 5: bias[0] type 2
  neurons 0-1 layer2.o[0..1] -> output out[0..1]; neuron 2 bias[0] -> core 1 axon 5
  synapses: axons 0-4 -> n0, n1 (10), axon 5 -> n0 (1) = 11
core 2 (chip 1, row 0, col 1)   axon 0: layer1.h[0] type 0
  neuron 0 layer1.sub.k[0] -> core 1 axon 5 (delay 2); neuron 1 relay layer1.sub.k[1] -> core 0 axon 4
  (delay 3); neuron 2 layer1.sub.k[2] -> no target
  synapses: axon 0 -> n0, n1 (2)
core 3 (chip 0, row 5, col 5)   empty
"""

from __future__ import annotations

import numpy as np

from corelet.chip import TRUENORTH
from corelet.chip.model import NO_TARGET, OUTPUT, ChipInput, ChipModel, ChipOutput, Cores

PATHS = ("in", "layer1.h", "layer2.o", "bias", "layer1.sub.k")
IN, H, O, BIAS, K = range(5)
ORIGINAL, COPY, RELAY = 0, 1, 2
N = TRUENORTH.neurons_per_core

# What the compiler writes into provenance["compile"] (compiler/compile.py); the report shows the
# scalar notes and the latency records, and counts everything else itself.
COMPILE_RECORD = {
    "placer": "packer",
    "input_fanout": "host",
    "cores": 3, "chips": 2, "neurons": {"original": 10, "copy": 1, "relay": 1},
    "copies": 1, "relays": 1, "hubs": 0, "splitters": 0, "axons": 12, "synapses": 20,
    "added_latency": [
        {"source": "layer1.sub.k[1]", "axon_type": 3, "delay": 3, "latency": 2, "connections": 1,
         "targets": ["layer1.h[1]"]},
        {"source": "in[2]", "axon_type": 0, "delay": 1, "latency": 1, "connections": 2,
         "targets": ["layer1.h[4]", "layer1.h[0]"]},
    ],
    "hops": {"routes": 9, "total": 219, "mean": 24.3333, "max": 65},
    "populations": [{"path": "layer1.h", "corelet": "Layer", "neurons": 5, "copies": 1,
                     "relays": 0, "cores": [0]}],
}


def place(cores: Cores, core: int, slot: int, path: int, index: int, role: int = ORIGINAL,
          target: int = NO_TARGET, axon: int = 0, delay: int = 1) -> None:
    cores.neuron_path[core, slot] = path
    cores.neuron_index[core, slot] = index
    cores.neuron_role[core, slot] = role
    cores.target_core[core, slot] = target
    cores.target_axon[core, slot] = axon
    cores.delay[core, slot] = delay


def axon(cores: Cores, core: int, index: int, kind: int, path: int, source: int,
         neurons: list[int]) -> None:
    cores.axon_type[core, index] = kind
    cores.axon_path[core, index] = path
    cores.axon_index[core, index] = source
    row = np.zeros(N, bool)
    row[neurons] = True
    cores.crossbar[core, index] = np.packbits(row)


def small_model(compile_record: dict | None = COMPILE_RECORD) -> ChipModel:
    cores = Cores.empty(4, TRUENORTH)
    cores.coords[:] = [(0, 0, 0), (0, 2, 3), (1, 0, 1), (0, 5, 5)]
    for i in range(4):
        axon(cores, 0, i, 0, IN, i, [[0, 1, 2, 3, 4, 5], [0, 5], [4], []][i])
    axon(cores, 0, 4, 3, K, 1, [1])
    for i in range(5):
        place(cores, 0, i, H, i, target=1, axon=i)
        axon(cores, 1, i, 1, H, i, [0, 1])
    place(cores, 0, 5, H, 0, role=COPY, target=2, axon=0)
    place(cores, 1, 0, O, 0, target=OUTPUT)
    place(cores, 1, 1, O, 1, target=OUTPUT)
    place(cores, 1, 2, BIAS, 0, target=1, axon=5)
    axon(cores, 1, 5, 2, BIAS, 0, [0])
    axon(cores, 2, 0, 0, H, 0, [0, 1])
    place(cores, 2, 0, K, 0, target=1, axon=5, delay=2)
    place(cores, 2, 1, K, 1, role=RELAY, target=0, axon=4, delay=3)
    place(cores, 2, 2, K, 2)
    h_rows = [0, 1, 2, 3, 4, 5]  # layer1.h neurons on core 0, copy included
    cores.params.threshold[h_rows] = 3
    cores.params.weights[h_rows] = [1, -2, 0, 0]
    inputs = (ChipInput("in", 4, np.arange(4), np.zeros(4, np.int64), np.arange(4), np.ones(4, np.int64)),)
    outputs = (ChipOutput("out", np.array([1, 1]), np.array([0, 1])),)
    provenance = {"source": "small.corelet", "corelet": "Demo"}
    if compile_record is not None:
        provenance["compile"] = compile_record
    return ChipModel(TRUENORTH, cores, PATHS, inputs, outputs, 0, provenance)


def full_model(n_cores: int = 4096, seed: int = 0) -> ChipModel:
    """Every core full: 256 neurons of one population per core, random crossbars and targets."""
    rng = np.random.default_rng(seed)
    cores = Cores.empty(n_cores, TRUENORTH)
    rows, cols = TRUENORTH.grid
    ids = np.arange(n_cores)
    cores.coords[:] = np.stack([ids // (rows * cols), ids % (rows * cols) // cols, ids % cols], axis=1)
    pop = ids // 16  # 16 cores per corelet instance
    cores.neuron_path[:] = pop[:, None]
    cores.neuron_index[:] = np.arange(N)[None, :] + (ids % 16)[:, None] * N
    cores.target_core[:] = rng.integers(0, n_cores, (n_cores, N))
    cores.target_axon[:] = rng.integers(0, 256, (n_cores, N))
    cores.axon_path[:] = 0
    cores.crossbar[:] = rng.integers(0, 256, cores.crossbar.shape, dtype=np.uint8)
    paths = tuple(f"net.block{k}.layer" for k in range(int(pop.max()) + 1))
    return ChipModel(TRUENORTH, cores, paths)
