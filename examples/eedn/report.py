"""Runs the trained Eedn digit network end to end and writes the `eedn` section of docs/results.md:
committed weights -> corelet (library ConvLayer) -> compile -> runtime, one test image per tick;
checks that the runtime's class votes equal the numpy model's on every test image; cores, latency
and power; and seed 003's Table 1 structures (from examples/eedn/data/table1.json, written by
``python -m examples.eedn.table1``).

    python -m examples.eedn.report [--no-write]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from corelet import compiler
from corelet.reports.power import measured_power

from .model import (CHIP_LAYERS, IMAGE, TRANSDUCTION, chip_forward, classify, load_digits,
                    load_params, transduce, votes_of)
from .network import LAYER_DELAY, build, latency, run_images
from examples.results import write_section

TABLE1 = Path(__file__).parent / "data" / "table1.json"
SECTION = "eedn"
BAR_ACCURACY = 0.95


def evaluate(params: dict, images: np.ndarray, labels: np.ndarray, layers=CHIP_LAYERS,
             delay: int = LAYER_DELAY) -> dict:
    """Compile the network of ``params``, run ``images`` on the runtime one per tick, and compare
    with the numpy forward pass. Returns the figures of the report."""
    spikes = transduce(images, params)
    t0 = time.perf_counter()
    net = build(layers, params, TRANSDUCTION.features, IMAGE, delay)
    comp = compiler.compile_network(net)
    t_compile = time.perf_counter() - t0
    t0 = time.perf_counter()
    out, stats = run_images(comp.model, spikes, layers, delay, stats=True)
    t_run = time.perf_counter() - t0
    chip_votes = votes_of(out)
    numpy_votes = votes_of(chip_forward(spikes, params, layers)[-1])
    power = measured_power(comp.model, stats, comp.record["cores"])
    per_layer = [sum(len(p["cores"]) for p in comp.record["populations"]
                     if p["path"].startswith(f"l{i}.")) for i in range(len(layers))]
    return {
        "images": len(labels),
        "votes_equal": int((chip_votes == numpy_votes).all(axis=1).sum()),
        "chip_accuracy": float((classify(chip_votes) == labels).mean()),
        "numpy_accuracy": float((classify(numpy_votes) == labels).mean()),
        "cores": comp.record["cores"], "chips": comp.record["chips"],
        "copies": comp.record["copies"], "relays": comp.record["relays"],
        "added_latency": bool(comp.latency.any()),
        "latency": latency(layers, delay), "cores_per_layer": per_layer,
        "power": power, "compile_s": t_compile, "run_s": t_run,
    }


def layer_rows(params: dict, cores_per_layer) -> list[str]:
    rows = ["| layer | where | output | groups | filter (pixels a group) | weights | cores |",
            "|---|---|---|---|---|---|---|"]
    t = TRANSDUCTION
    rows.append(f"| transduction | host | {IMAGE} x {IMAGE} x {t.features} | 1 | "
                f"{t.kernel} x {t.kernel} x 1, float | float | - |")
    size, channels = IMAGE, t.features
    for i, layer in enumerate(CHIP_LAYERS):
        size = layer.out_size(size)
        cg = channels // layer.groups
        K = params[f"K{i}"]
        share = [float((K == v).mean()) for v in (-1, 0, 1)]
        rows.append(f"| {i + 1} | chip | {size} x {size} x {layer.features} | {layer.groups} | "
                    f"{layer.kernel} x {layer.kernel} x {cg} ({layer.kernel ** 2 * cg}) | "
                    f"-1/0/+1: {share[0]:.0%}/{share[1]:.0%}/{share[2]:.0%} | {cores_per_layer[i]} |")
        channels = layer.features
    return rows


def table1_rows() -> list[str]:
    if not TABLE1.exists():
        return ["(not generated: `python -m examples.eedn.table1`)"]
    data = json.loads(TABLE1.read_text())
    rows = ["| network | layers on chip | neurons | connections | cores (ours) | counted by | "
            "copies | relays | peak memory MB | cores from the structure | cores (paper, Table 3) |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in data["networks"]:
        paper = f"{r['paper_cores']:,}" if r.get("paper_cores") else "-"
        peak = f"{r['peak_mb']:,}" if r.get("peak_mb") else "-"
        counted = r["method"].startswith("structure")   # no copies or relays were made
        copies, relays = ("-", "-") if counted else (f"{r['copies']:,}", f"{r['relays']:,}")
        limit = f" ({r.get('memory_gb', 6):g} GB limit)" if not counted else ""
        rows.append(f"| {r['name']} | {r['layers']} | {r['neurons']:,} | {r['connections']:,} | "
                    f"{r['cores']:,} | {r['method']}{limit} | {copies} | {relays} | "
                    f"{peak} | {r['structure_cores']:,} | {paper} |")
    return rows + ["", TABLE1_NOTE, ""] + data.get("notes", [])


TABLE1_NOTE = (
    "Written by `python -m examples.eedn.table1` (each network compiled in a process of its own "
    "under the address-space limit the table gives (`--memory-gb`); peak memory is that process's maximum resident set, "
    "building the network included). *Cores from the structure*: one core per feature group and "
    "tile (ConvLayer's default tile), before copies and relays; for a network counted that way the "
    "connections are the expected number at the random weights' density (2/3 nonzero). The transduction layer (S-12 / "
    "S-16) runs on the host and is not counted; dropout is for training only. The packer puts "
    "small tiles that share inputs on one core (fewer cores than the structure: the 1-chip "
    "network); where our compile uses more, the difference is the copies' relays: a tile that fills "
    "its core leaves no room for the two copies (+1 and -1 axon types) per target core its "
    "outputs need, so the compiler adds relay cores (docs/library.md, \"Stacking layers\"). "
    "The paper's counts include its copies and splitters too. Reading Table 1: the seed's text of "
    "the table has its continuation rows shifted one column left; read with the half-chip "
    "column empty below its end, every layer fits a core's 128 pixels except these, compiled as "
    "1 x 1 layers:")


def section_text(params: dict, res: dict) -> str:
    p = res["power"]
    fps = p.tick_hz   # one classification per tick
    epochs, seed = int(params["epochs"]), int(params["seed"])
    lines = [
        "## Eedn: a trinary convolutional network on handwritten digits (seed 003)",
        "",
        "Written by `python -m examples.eedn.report` (weights: `python -m examples.eedn.train`, "
        f"{epochs} epochs, seed {seed}; data: `python -m examples.eedn.make_data`).",
        "",
        "**Data.** scikit-learn's handwritten digits (8 x 8 pixels, values 0 .. 16, 1797 images), "
        "committed as `examples/eedn/data/digits.npz`; a fixed split of 1438 training and "
        f"{res['images']} test images. (The paper's datasets are 32 x 32 x 3 and larger; a small "
        "real digit set keeps training in numpy to a minute.)",
        "",
        "**Network.** As seed 003 constrains it: a transduction layer on the host turns pixels into "
        "binary channels; on the chip, binary neurons (threshold 1, reset to 0, floor 0) with "
        "trinary weights (two axons a pixel, types +1 and -1), every feature group's filter at most "
        "128 pixels (one core's 256 axons), batch norm folded into each neuron's integer leak "
        "(`corelet.training.trinary.fold_batch_norm`). Trained with the binary neuron's approximate "
        "derivative max(0, 1 - |r|) and trinary weights rounded with hysteresis h = 0.1 from clipped "
        "hidden weights. Built from the library's `ConvLayer` (one per layer), layers 2 ticks apart "
        "so that relays, where the compiler needs them, add no latency. The last layer's 200 "
        "features vote for the classes (20 each).",
        "",
        *layer_rows(params, res["cores_per_layer"]),
        "",
        "**Results** (test set, one image per tick, pipelined):",
        "",
        "| measure | ours | paper (Table 3, CIFAR10 1-chip network) |",
        "|---|---|---|",
        f"| runtime votes equal to the numpy forward pass | {res['votes_equal']} / {res['images']} "
        "images | - |",
        f"| test accuracy, runtime | {res['chip_accuracy']:.2%} | 82.50% (CIFAR10) |",
        f"| test accuracy, numpy deployed model | {res['numpy_accuracy']:.2%} | - |",
        f"| cores | {res['cores']} ({res['copies']} neuron copies, {res['relays']} relays) | 3978 |",
        f"| latency, input to votes | {res['latency']} ticks | - |",
        f"| throughput at {p.tick_hz:.0f} ticks/s | {fps:.0f} classifications/s | 1191 FPS |",
        f"| power (measured activity, published constants) | {p.total_w * 1e3:.3f} mW "
        f"(leakage {p.leakage_w * 1e3:.3f}, active {p.active_w * 1e3:.3f}) | 226.4 mW |",
        f"| classifications per joule (FPS/W) | {fps / p.total_w:,.0f} | 5261.9 |",
        "",
        f"Power: {p.events_per_tick:,.0f} synaptic events and {p.spikes_per_tick:,.0f} spikes a "
        "tick over the test run, 26 pJ an event and 65 mW / 4096 cores of leakage per used core "
        "(`corelet.reports.power`, Merolla et al. 2014). The compile added "
        f"{'latency (a failure of the design)' if res['added_latency'] else 'no latency'}.",
        "",
        "### Seed 003's Table 1 structures, 32 x 32 x 3 input, random trinary weights",
        "",
        *table1_rows(),
    ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true", help="print the section only")
    args = ap.parse_args(argv)
    images, labels, _, test = load_digits()
    params = load_params()
    res = evaluate(params, images[test], labels[test].astype(np.int64))
    text = section_text(params, res)
    print(text)
    print(f"(compile {res['compile_s']:.1f} s, run {res['run_s']:.1f} s)")
    ok = (res["votes_equal"] == res["images"] and res["chip_accuracy"] >= BAR_ACCURACY
          and not res["added_latency"])
    if not args.no_write:
        write_section(SECTION, text)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
