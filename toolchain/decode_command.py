"""``corelet decode RUN.npz``: the output spikes a ``corelet run`` wrote, read as numbers.

Counts, rates, values, class votes or bursts per output connector (or probe), printed as text or
JSON (``--json``), with the helpers of ``corelet.training.decode`` (also ``corelet.decode``), the
ones the examples and API users call, so the command line and Python give the same numbers.
"""

from __future__ import annotations

import json

import numpy as np

from corelet.chip import ToolchainError
from corelet.chip.files import load_arrays
from corelet.training import decode

MODES = ("counts", "rates", "values", "votes", "bursts")


def add_parser(sub, parents) -> None:
    """The ``decode`` subcommand's options."""
    p = sub.add_parser("decode", parents=parents,
                       help="read the spikes of a run (corelet run -o OUT.npz) as numbers",
                       description="Decode the output spikes a run wrote: counts, rates, values, "
                                   "class votes or bursts per connector.")
    p.add_argument("run", metavar="RUN.npz", help="the output file of corelet run")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--counts", action="store_true", help="spikes per pin")
    how.add_argument("--rates", nargs="?", type=int, const=0, metavar="W",
                     help="spikes per tick per pin (per window of W ticks when given; 0 or none: the whole run)")
    how.add_argument("--values", metavar="SCALE[:OFFSET]",
                     help="rate-coded values: OFFSET + SCALE * spikes / ticks")
    how.add_argument("--votes", nargs="?", type=int, const=0, metavar="K",
                     help="the winning class of each sample: pin p votes for class p %% K (default: "
                          "each pin its own class); ties go to the lowest class")
    how.add_argument("--bursts", action="store_true",
                     help="every burst (spikes in consecutive ticks): its pin, first tick and length")
    p.add_argument("--connector", action="append", default=[], metavar="NAME",
                   help="an output connector or probe pattern (default: every output connector)")
    p.add_argument("--window", type=int, metavar="W", help="per window of W ticks")
    p.add_argument("--start", type=int, default=0, metavar="T", help="from tick T on (default 0)")
    p.add_argument("--sample", type=int, metavar="K", help="only sample K of the batch")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(handler=run_command)


def run_command(args) -> int:
    run = decode.read_run(load_arrays(args.run))
    if args.window is not None and args.rates and args.rates != args.window:
        raise ToolchainError(f"--rates {args.rates} and --window {args.window}: give the window once")
    window = args.window or (args.rates or None)
    if window is not None and window < 1:
        raise ToolchainError(f"--window must be at least 1 tick, got {window}")
    rasters = _rasters(run, args.connector, args.run)
    ticks = next(iter(rasters.values())).shape[1] if rasters else 0
    if not 0 <= args.start < max(ticks, 1):
        raise ToolchainError(f"--start {args.start} is not a tick of this {ticks}-tick run")
    decoded = {}
    for name, raster in rasters.items():
        if args.sample is not None:
            if not 0 <= args.sample < raster.shape[0]:
                raise ToolchainError(f"--sample {args.sample}: the run has {raster.shape[0]} "
                                     "samples (0 ..)")
            raster = raster[args.sample:args.sample + 1]
        decoded[name] = decode_one(raster, args, window)
    if args.json:
        print(json.dumps({"run": args.run, "start": args.start, "window": window,
                          "connectors": decoded}))
    else:
        print(describe(decoded, args, window, first=args.sample or 0))
    return 0


def decode_one(raster: np.ndarray, args, window: int | None) -> dict:
    """One connector decoded as the options ask, as JSON-ready lists (sample first)."""
    if args.bursts:
        found = decode.bursts(raster[:, args.start:])
        return {"bursts": [[int(b), int(p), int(s) + args.start, int(n)] for b, p, s, n in
                           zip(found.sample, found.pin, found.start, found.length)]}
    counts = decode.spike_counts(raster, window, args.start)
    span = window or raster.shape[1] - args.start
    if args.counts:
        return {"counts": counts.tolist()}
    if args.rates is not None:
        return {"rates": (counts / span).tolist()}
    if args.values is not None:
        scale, offset = _scale_offset(args.values)
        return {"values": decode.counts_to_values(counts, span, scale, offset).tolist()}
    classes = np.arange(counts.shape[-1]) % args.votes if args.votes else np.arange(counts.shape[-1])
    votes = decode.class_votes(counts, classes, int(classes.max()) + 1 if classes.size else 0)
    return {"votes": votes.tolist(), "class": decode.predict_class(votes).tolist()}


def describe(decoded: dict, args, window: int | None, first: int = 0) -> str:
    """Text: one line per connector and sample (and window), numbers separated by spaces."""
    lines = []
    for name, result in decoded.items():
        for key, table in result.items():
            if key == "bursts":
                lines.append(f"{name}: {len(table)} bursts (sample pin first_tick length)")
                lines += [f"  {b + first} {p} {s} {n}" for b, p, s, n in table]
                continue
            if key == "votes":
                continue
            for b, rows in enumerate(table):
                label = f"{name} sample {b + first}"
                if key == "class" and window is None:
                    lines.append(f"{label}: class {rows} (votes {_numbers(result['votes'][b])})")
                elif key == "class":
                    for k, (winner, votes) in enumerate(zip(rows, result["votes"][b])):
                        t0 = args.start + k * window
                        lines.append(f"{label} ticks {t0}..{t0 + window - 1}: class {winner} "
                                     f"(votes {_numbers(votes)})")
                elif window is None:
                    lines.append(f"{label} {key}: {_numbers(rows)}")
                else:
                    for k, row in enumerate(rows):
                        t0 = args.start + k * window
                        lines.append(f"{label} ticks {t0}..{t0 + window - 1} {key}: {_numbers(row)}")
    return "\n".join(lines) if lines else "no connectors to decode"


def _rasters(run: dict, names: list[str], path: str) -> dict[str, np.ndarray]:
    if not names:
        if not run["outputs"]:
            raise ToolchainError(f"{path}: holds no output spikes (not a corelet run output file?)")
        return run["outputs"]
    found = {}
    for name in names:
        raster = run["outputs"].get(name, run["probes"].get(name))
        if raster is None:
            have = ", ".join([*run["outputs"], *run["probes"]]) or "none"
            raise ToolchainError(f"{path}: has no output connector or probe {name!r} (it has: {have})")
        found[name] = raster
    return found


def _scale_offset(text: str) -> tuple[float, float]:
    scale, _, offset = text.partition(":")
    try:
        return float(scale), float(offset or 0.0)
    except ValueError:
        raise ToolchainError(f"--values {text}: expected SCALE or SCALE:OFFSET, two numbers") from None


def _numbers(row) -> str:
    return " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in row)
