"""Print the performance tables of docs/compiler.md as markdown, so they are never typed by hand.

    python benchmarks/tables.py placement      # core counts per network and placer (deterministic)
    python benchmarks/tables.py library        # cores used by each library corelet (deterministic)
    python benchmarks/tables.py compile        # compile timings at 256, 1024 and 4096 cores
    python benchmarks/tables.py compile --cores 256 1024

``placement`` is the table "Placement quality" of docs/compiler.md: the networks of
tests/compiler/test_compiler_placement.py (built by tests/compiler/compiler_nets.py), compiled with
each placer. It depends on nothing but the code, so tests/test_docs_tables.py checks that the docs
hold exactly what this prints. ``library`` is the table "Cores used" of docs/library.md: one
representative instance of every library corelet (``corelet.library.instances``), compiled with
each placer. ``compile`` runs benchmarks/compile.py once per size, each in its
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


def markdown_table(headers: list[str], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def placement_table() -> str:
    return markdown_table(["network", "neurons", "connections", *PLACERS], placement_rows())


def library_rows() -> list[tuple]:
    """(corelet, instance, neurons, connections, cores per placer...) for every library instance
    (``corelet.library.instances``)."""
    from corelet.compiler import estimate
    from corelet.language import elaborate_source
    from corelet.library.instances import INSTANCES

    rows = []
    for instance in INSTANCES:
        net = elaborate_source(instance.source, instance.filename, params=instance.params)
        cores = [estimate(net, placer=p)["cores"] for p in PLACERS]
        rows.append((instance.corelet, instance.description, net.n_neurons, len(net.connections),
                     *cores))
    return rows


def library_table() -> str:
    return markdown_table(["corelet", "instance", "neurons", "connections", *PLACERS],
                          library_rows())


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
    ap.add_argument("table", choices=("placement", "library", "compile"))
    ap.add_argument("--cores", type=int, nargs="+", default=[256, 1024, 4096],
                    help="sizes for the compile table")
    args = ap.parse_args(argv)
    tables = {"placement": placement_table, "library": library_table,
              "compile": lambda: compile_table(args.cores)}
    sys.stdout.write(tables[args.table]())


if __name__ == "__main__":
    main()
