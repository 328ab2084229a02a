"""Compiles seed 003's Table 1 network structures (0.5, 1, 4 and 8 chips) for 32 x 32 x 3 input with
random trinary weights and writes examples/eedn/data/table1.json, which ``examples.eedn.report``
puts in docs/results.md beside the paper's Table 3 core counts.

    python -m examples.eedn.table1 [--memory-gb 6] [--only 1chip]

Each network is compiled in a child process of its own, under an address-space limit
(``--memory-gb``), so its peak memory (the child's maximum resident set) is measured alone and a
network too large for the machine fails cleanly (``--structure-only`` skips the attempt). Each is tried as a full compile first, then as
``corelet.compiler.estimate`` (elaboration, placement and legalisation without the model); where
even that does not fit, the cores are counted from the structure (feature groups x tiles, no
copies or relays), and the table says which.

Reading Table 1. The seed's text of the table has its continuation rows shifted one column left;
read back with the half-chip column empty below its end, every layer of the 1-, 4- and 8-chip
networks fits a core's 128 pixels except the last 3 x 3 layers of the half-chip network
(S-1020(4)) and the 8-chip network (S-4080(16)): 3 x 3 x 128 = 1152 pixels. No grouping fixes
those (the groups must divide both feature counts), so we compile them as 1 x 1 layers (N-1020(4),
N-4080(16)), and say so. The transduction layer (S-12 or S-16) runs on the host, as in the example;
"S" layers are padded to keep their size, "P4" layers pad 1 (32 -> 16), "P" layers do not. Dropout
("D") is for training only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from corelet.chip.files import atomic_write

from .model import Layer
from .network import build

OUT = Path(__file__).parent / "data" / "table1.json"
SIZE = 32

# (name, transduction channels, layers as in Table 1 after the transduction layer, paper's cores)
NETWORKS = {
    "0.5chip": ("1/2 chip", 12, "P4-128(4) D S-256(16) N-256(2) P-512(16) S-1020(4)", None),
    "1chip": ("1 chip", 12, "P4-252(2) N-256(2) P-256(8) D S-512(32) N-512(4) N-512(4) N-512(4) "
                            "P-512(16) D S-1024(64) N-1024(8) P-1024(32) N-2040(8)", 3978),
    "4chip": ("4 chips", 16, "S-256(2) N-256(2) N-128(2) P-128(4) S-512(16) N-512(4) N-256(4) D "
                             "P-256(8) S-1024(32) N-1024(8) N-512(8) P-512(16) S-2048(64) "
                             "N-2048(64) N-2048(16) N-1024(32) D S-2048(128) N-2048(16) "
                             "N-2048(16) N-4080(16)", None),
    "8chip": ("8 chips", 16, "S-512(4) N-512(4) N-256(4) D P-256(8) S-256(32) S-1024(32) "
                             "N-1024(8) N-512(8) D P-512(16) S-512(64) S-2048(64) N-2048(16) "
                             "N-512(16) D S-2048(64) N-2048(16) D S-4080(16)", 31872),
}
KINDS = {"S": (3, 1, 1), "N": (1, 1, 0), "P": (2, 2, 0), "P4": (4, 2, 1)}   # kernel, stride, pad
MAX_PIXELS = 128


def parse(text: str, channels: int) -> tuple[list[Layer], list[str]]:
    """Layers of a Table 1 column and the notes on layers we had to change."""
    layers, notes = [], []
    for item in text.split():
        if item == "D":
            continue
        kind, rest = item.split("-")
        features, groups = rest.rstrip(")").split("(")
        kernel, stride, pad = KINDS[kind]
        layer = Layer(features=int(features), groups=int(groups), kernel=kernel, stride=stride,
                      pad=pad)
        if kernel ** 2 * channels // layer.groups > MAX_PIXELS:
            notes.append(f"{item}: {kernel} x {kernel} x {channels // layer.groups} = "
                         f"{kernel ** 2 * channels // layer.groups} pixels a filter; compiled as "
                         f"N-{features}({groups})")
            layer = Layer(features=layer.features, groups=layer.groups, kernel=1)
        layers.append(layer)
        channels = layer.features
    return layers, notes


def structure_counts(layers, channels: int, size: int = SIZE) -> dict:
    """Neurons, connections (at weight density 2/3) and cores counted from the structure: one core
    per feature group and tile, the tile as large as ConvLayer's default (region of 2 axons a pixel
    and neurons within a core), no copies or relays."""
    neurons, synapses, cores = 0, 0, 0
    for layer in layers:
        out = layer.out_size(size)
        cg, fg = channels // layer.groups, layer.features // layer.groups
        rows = max(n for n in range(1, out + 1) if fits(layer, cg, fg, n, n) or n == 1)
        cols = max(m for m in range(rows, out + 1) if fits(layer, cg, fg, rows, m) or m == rows)
        tiles = -(-out // rows) * -(-out // cols)
        cores += layer.groups * tiles
        neurons += layer.features * out * out
        synapses += layer.features * out * out * cg * layer.kernel ** 2
        size, channels = out, layer.features
    return {"neurons": neurons, "connections": int(round(synapses * 2 / 3)), "cores": cores}


def fits(layer, cg: int, fg: int, rows: int, cols: int) -> bool:
    """Whether a tile of rows x cols locations fits one core (ConvLayer's default tile rule)."""
    region = ((rows - 1) * layer.stride + layer.kernel) * ((cols - 1) * layer.stride + layer.kernel)
    return 2 * cg * region <= 256 and fg * rows * cols <= 256


def random_params(layers, channels: int, rng) -> dict:
    params = {}
    for i, layer in enumerate(layers):
        params[f"K{i}"] = rng.integers(-1, 2, (layer.features, channels // layer.groups,
                                               layer.kernel, layer.kernel), dtype=np.int8)
        params[f"L{i}"] = rng.integers(-3, 4, layer.features)
        channels = layer.features
    return params


def child(key: str, method: str) -> None:
    """In the child process: build and compile (or estimate) one network, print a JSON line."""
    from corelet import compiler

    _, channels, text, _ = NETWORKS[key]
    layers, _ = parse(text, channels)
    t0 = time.perf_counter()
    net = build(layers, random_params(layers, channels, np.random.default_rng(0)), channels, SIZE)
    t_build = time.perf_counter() - t0
    if method == "compile":
        comp = compiler.compile_network(net)
        rec = comp.record
        row = {"cores": rec["cores"], "chips": rec["chips"], "copies": rec["copies"],
               "relays": rec["relays"], "added_latency": bool(comp.latency.any())}
    else:
        est = compiler.estimate(net)
        row = {k: est[k] for k in ("cores", "chips", "copies", "relays") if k in est}
    row.update(neurons=int(net.n_neurons), connections=int(len(net.connections)),
               build_s=round(t_build, 1), total_s=round(time.perf_counter() - t0, 1))
    print(json.dumps(row))


def measure(key: str, method: str, memory_gb: float, timeout: float) -> dict | None:
    """Run ``child`` in a fresh process under the memory limit; its row with the peak memory."""
    limit = int(memory_gb * 2**30)

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    try:
        proc = subprocess.run([sys.executable, "-m", "examples.eedn.table1", "--child", key, method],
                              capture_output=True, text=True, timeout=timeout, preexec_fn=cap,
                              cwd=Path(__file__).resolve().parents[2])
    except subprocess.TimeoutExpired:
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        print(f"  {key} {method}: failed ({proc.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
        return None
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    row["peak_mb"] = int(usage.ru_maxrss / 1024)   # the largest child so far: run one per process
    return row


def _machine_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--memory-gb", type=float, default=6.0)
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per compile")
    ap.add_argument("--only", choices=sorted(NETWORKS), action="append")
    ap.add_argument("--structure-only", action="store_true",
                    help="count cores from the structure without trying to compile (for networks "
                         "known not to fit the memory limit)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return
    previous = json.loads(OUT.read_text())["networks"] if OUT.exists() else []
    rows = {r["key"]: r for r in previous}
    notes = []
    for key, (name, channels, text, paper) in NETWORKS.items():
        layers, changed = parse(text, channels)
        notes += [f"* {name}: {n}" for n in changed]
        if args.only and key not in args.only:
            continue
        counted = structure_counts(layers, channels)
        row = None
        methods = () if args.structure_only else (("compile", "full compile"),
                                                   ("estimate", "`estimate`"))
        for method, label in methods:
            # each method in a process of its own: ru_maxrss of RUSAGE_CHILDREN is the largest
            # child so far, so a second run in this process would report the first one's peak
            got = subprocess.run([sys.executable, "-m", "examples.eedn.table1", "--measure", key,
                                  method, str(args.memory_gb), str(args.timeout)],
                                 capture_output=True, text=True,
                                 cwd=Path(__file__).resolve().parents[2])
            line = got.stdout.strip().splitlines()[-1:] if got.returncode == 0 else []
            if line and line[0] != "null":
                row = json.loads(line[0]) | {"method": label}
                break
            print(f"{name}: {method} did not fit {args.memory_gb} GB / {args.timeout} s",
                  file=sys.stderr)
        if row is None:
            why = (f"not compiled, --structure-only: expected peak about "
                   f"{counted['connections'] * 100 / 1e9:.0f} GB at the 100 bytes a connection the "
                   f"compiled networks measure, not attempted on this {_machine_gb():.0f} GB machine"
                   if args.structure_only
                   else f"compile and estimate > {args.memory_gb:g} GB")
            row = counted | {"method": f"structure, no copies ({why})", "copies": 0, "relays": 0,
                             "peak_mb": 0}
        row.update(key=key, name=name, layers=len(layers), paper_cores=paper,
                   structure_cores=counted["cores"], memory_gb=args.memory_gb)
        rows[key] = row
        print(json.dumps(row))
    atomic_write(OUT, json.dumps({"networks": [rows[k] for k in NETWORKS if k in rows],
                                  "notes": sorted(set(notes))}, indent=1) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        key, method, gb, timeout = sys.argv[2:6]
        print(json.dumps(measure(key, method, float(gb), float(timeout))))
    else:
        main()
