"""Helpers for the interop tests: an independent reading of makeModel fixtures and an independent
deterministic simulation of one-core models, written from docs/interop.md and docs/neuron-model.md
without the importer or the runtime."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

FIXTURES = Path("/work/shared/fixtures/cpe")
if not FIXTURES.exists():  # the fixtures sit beside the repository
    FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "cpe"


def raw_model(path) -> dict:
    """The fixture's JSON (comments removed; the fixtures hold one core, so plain json works)."""
    text = re.sub(r"/\*.*?\*/", "", Path(path).read_text(), flags=re.S)
    return json.loads(text)


def expand(items) -> list[int]:
    out = []
    for item in items:
        if isinstance(item, int):
            out.append(item)
        elif "x" in item:
            v, n = item.split("x")
            out += [int(v)] * int(n)
        else:
            parts = [int(p) for p in item.split(":")]
            first, last = parts[0], parts[-1]
            step = parts[1] if len(parts) == 3 else 1
            out += list(range(first, last + 1, step))
    return out


def one_core(path):
    """(axon types, weights matrix (A, N) of each synapse's signed weight, per-neuron dict of
    columns, per-neuron parameter dicts keyed by the type's number in its name)."""
    data = raw_model(path)
    rows = data["crossbarTypes"][0]["crossbar"]["rows"]
    axon_type = np.array([int(r["type"][1:]) for r in rows])
    bits = np.array([[int(b) for byte in r["synapses"].split() for b in f"{int(byte, 16):08b}"]
                     for r in rows], bool)
    lib = {int(t["name"][1:]): t for t in data["neuronTypes"]}
    cols = {k: np.array(expand(v)) for k, v in data["core"]["neurons"].items()}
    return axon_type, bits, cols, lib


def sfti_spikes(path) -> list[tuple[int, int, int]]:
    out = []
    for line in Path(path).read_text().splitlines():
        item = json.loads(line)
        if "spike" in item:
            s = item["spike"]
            out.append((s["srcTime"], s["destCore"], s["destAxon"]))
    return out


def simulate_one_core(path, spikes, ticks):
    """Spikes (ticks, 256) of every neuron of a deterministic one-core fixture, by the published
    equations: a spike sent at t (delay 1) is integrated in tick t + 1; a neuron spike fired in t
    with delay d reaches its axon in t + d; linear reset subtracts alpha; kappa floors at -beta."""
    axon_type, bits, cols, lib = one_core(path)
    n = 256
    fired = np.zeros((ticks, n), bool)
    active = np.zeros((ticks + 16, 256), bool)
    for t, core, axon in spikes:
        active[t + 1, axon] = True
    used = cols["types"] != 0
    p = {name: np.array([lib[t][name] if t else 0 for t in cols["types"]])
         for name in ("alpha", "beta", "gamma", "kappa", "sigma_VR", "VR", "V", "lambda",
                      "sigma_lambda")}
    w = {g: np.array([lib[t][f"sigma{g}"] * lib[t][f"s{g}"] if t else 0 for t in cols["types"]])
         for g in range(4)}
    weight = np.stack([w[g] for g in range(4)])[axon_type]  # (A, N): weight of axon i at neuron j
    syn = bits[:, cols["dendrites"]] * weight
    v = p["V"].astype(np.int64)
    reset = p["sigma_VR"] * (2 ** p["VR"] - 1)
    for tick in range(ticks):
        v = v + active[tick] @ syn + p["sigma_lambda"] * p["lambda"]
        spike = used & (v >= p["alpha"])
        v = np.where(spike & (p["gamma"] == 0), reset, v)
        v = np.where(spike & (p["gamma"] == 1), v - p["alpha"], v)
        low = ~spike & (v < -p["beta"])
        v = np.where(low & (p["kappa"] == 1), -p["beta"], v)
        v = np.where(low & (p["kappa"] == 0) & (p["gamma"] == 0), -reset, v)
        v = np.where(low & (p["kappa"] == 0) & (p["gamma"] == 1), v + p["beta"], v)
        fired[tick] = spike
        for j in np.flatnonzero(spike & (cols["destCores"] >= 0)):
            active[tick + cols["destDelays"][j], cols["destAxons"][j]] = True
    return fired, cols
