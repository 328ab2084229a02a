"""Random draws as pure functions of their keys, so results do not depend on placement or batching.

A draw is the 64-bit hash

    h = mix64(mix64(seed) ^ neuron_id)                      per sample and neuron
    h = mix64(h ^ (tick << 2 | kind))                       per tick and kind of draw
    h = mix64(h ^ mix64(source_id + axon_type))             synapse draws only

where ``mix64`` is the splitmix64 finaliser (``chip.ids.mix64``) and all arithmetic wraps at 2^64.
A draw of k bits is ``h & (2^k - 1)``: 8 bits for synapses and leak, 17 bits for the threshold.
Copies of a neuron share its logical id and so draw the same numbers.
"""

from __future__ import annotations

import numpy as np

from corelet.chip.ids import mix64

SYNAPSE, LEAK, THRESHOLD = 1, 2, 3


def neuron_keys(seed: np.ndarray | int, neuron_ids: np.ndarray) -> np.ndarray:
    """The per-(sample, neuron) part of every draw; broadcasts ``seed`` against ``neuron_ids``."""
    seed = np.asarray(seed, dtype=np.uint64)
    return mix64(mix64(seed) ^ np.asarray(neuron_ids, dtype=np.uint64))


def tick_keys(keys: np.ndarray, tick: int, kind: int) -> np.ndarray:
    """Advance per-neuron keys to one tick and one kind of draw."""
    return mix64(keys ^ np.uint64((tick << 2) | kind))


def synapse_keys(keys: np.ndarray, source_ids: np.ndarray, axon_types: np.ndarray) -> np.ndarray:
    """Advance tick keys of synapse draws to one (source, axon type)."""
    with np.errstate(over="ignore"):
        src = np.asarray(source_ids, dtype=np.uint64) + np.asarray(axon_types, dtype=np.uint64)
    return mix64(keys ^ mix64(src))


def bits(h: np.ndarray, k: int) -> np.ndarray:
    """The low ``k`` bits of hashes ``h``, as int64."""
    return (h & np.uint64((1 << k) - 1)).astype(np.int64)


def draw(seed: int, neuron_id: int, tick: int, kind: int, source_id: int = 0,
         axon_type: int = 0) -> int:
    """One 64-bit draw, computed the slow, obvious way (for references and tests)."""
    h = tick_keys(neuron_keys(seed, np.uint64(neuron_id)), tick, kind)
    if kind == SYNAPSE:
        h = synapse_keys(h, np.uint64(source_id), np.uint64(axon_type))
    return int(h)
