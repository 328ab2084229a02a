"""Print the performance tables of docs/compiler.md as markdown, so they are never typed by hand.

    python benchmarks/tables.py placement      # core counts per network and placer (deterministic)
    python benchmarks/tables.py compile        # compile timings at 256, 1024 and 4096 cores
    python benchmarks/tables.py compile --cores 256 1024

``placement`` is the table "Placement quality" of docs/compiler.md: the networks of
tests/compiler/test_compiler_placement.py (built by tests/compiler/compiler_nets.py), compiled with
each placer. It depends on nothing but the code, so tests/test_docs_tables.py checks that the docs
hold exactly what this prints. ``compile`` runs benchmarks/compile.py once per size, each in its
own process (so peak memory is per size), and depends on the machine: say which one when pasting it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLACERS = ("alg1", "alg2", "packer")


def placement_networks() -> list[tuple[str, object, dict]]:
    """(row name, network builder, compile options) in the order of the docs table."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.compiler.compiler_nets import conv_groups, dense_layers, elman, ic_blocks, seed000

    return [
        ("seed 000, host fan-out", seed000, {"input_fanout": "host"}),
        ("seed 000, splitter fan-out", seed000, {"input_fanout": "splitter"}),
        ("seed 001 Elman layer", elman, {}),
        ("dense 4x256, binary synapses",
         lambda: dense_layers([256] * 4, 0.2, 1, inputs=256, types=1), {}),
        ("dense 64-64-64-32, 4-bit", lambda: dense_layers([64, 64, 64, 32], 0.6, 2), {}),
        ("dense 3x128, 2-bit", lambda: dense_layers([128] * 3, 0.5, 3, inputs=128, types=2), {}),
        ("IC 300 inputs x 20 units", lambda: ic_blocks(300, 20, 1), {}),
        ("IC 150 inputs x 32 units", lambda: ic_blocks(150, 32, 2), {}),
        ("conv 8x8x32, groups of 8 features", lambda: conv_groups(8, 32, 1), {}),
        ("conv 6x6x16, no groups", lambda: conv_groups(6, 16, 2, with_groups=False), {}),
    ]


def placement_rows() -> list[tuple]:
    """(name, neurons, connections, cores per placer...) for every network of the table."""
    from corelet.compiler import compile_network

    rows = []
    for name, build, options in placement_networks():
        net = build()
        cores = [compile_network(net, placer=p, **options).model.n_cores for p in PLACERS]
        rows.append((name, net.n_neurons, len(net.connections), *cores))
    return rows


def placement_table() -> str:
    lines = ["| network | neurons | connections | " + " | ".join(PLACERS) + " |",
             "|---|---|---|" + "---|" * len(PLACERS)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in placement_rows()]
    return "\n".join(lines) + "\n"


def compile_table(cores: list[int]) -> str:
    """One row per size, from one run of benchmarks/compile.py each (a fresh process)."""
    lines = ["| cores | neurons | synapses | index s | place s | legalise s | emit s | json s "
             "| total s | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for n in cores:
        proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "compile.py"), "--cores",
                               str(n)], capture_output=True, text=True, check=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        s = r["seconds"]
        lines.append(f"| {r['cores']} | {r['neurons']:,} | {r['synapses']:,} | {s['index']} "
                     f"| {s['place']} | {s['legalise']} | {s['emit']} | {s['json']} "
                     f"| {r['total_seconds']} | {round(r['peak_rss_mb'])} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("table", choices=("placement", "compile"))
    ap.add_argument("--cores", type=int, nargs="+", default=[256, 1024, 4096],
                    help="sizes for the compile table")
    args = ap.parse_args(argv)
    sys.stdout.write(placement_table() if args.table == "placement" else compile_table(args.cores))


if __name__ == "__main__":
    main()
