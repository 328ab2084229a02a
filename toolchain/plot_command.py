"""``corelet plot rates RUN.npz`` and ``corelet plot transfer MODEL.json``: SVG pictures of a run's
rates over time and of a model's measured transfer curve (``corelet.plots``)."""

from __future__ import annotations


import numpy as np

from corelet.chip import ToolchainError
from corelet.chip.files import atomic_write


def add_parser(sub, parents) -> None:
    """The ``plot`` subcommand and its two kinds."""
    p = sub.add_parser("plot", help="draw a run's rates or a model's transfer curve "
                       "as SVG")
    kinds = p.add_subparsers(dest="plot", metavar="KIND", required=True)

    r = kinds.add_parser("rates", parents=parents, help="output rates over time, per window")
    r.add_argument("run", metavar="RUN.npz", help="the output file of corelet run")
    r.add_argument("--window", type=int, required=True, metavar="W", help="ticks per window")
    r.add_argument("--connector", action="append", default=[], metavar="NAME",
                   help="an output connector or probe pattern (default: every output connector)")
    r.add_argument("--sample", type=int, default=0, metavar="K", help="the sample drawn (default 0)")
    r.add_argument("--start", type=int, default=0, metavar="T", help="from tick T on (default 0)")
    r.add_argument("-o", "--output", required=True, metavar="OUT.svg", help="the picture to write")
    r.set_defaults(handler=plot_rates)

    t = kinds.add_parser("transfer", parents=parents,
                         help="measure a model's output rate over a range of input rates")
    t.add_argument("model", metavar="MODEL.json", help="a compiled chip model")
    t.add_argument("--input", required=True, metavar="NAME", help="the input connector driven")
    t.add_argument("--output", required=True, metavar="NAME", help="the output connector measured")
    t.add_argument("--levels", default="0:1:11", metavar="LOW:HIGH:N",
                   help="N input rates from LOW to HIGH spikes per tick (default 0:1:11); in "
                        "burst mode N whole spike counts, negative ones on --negative")
    t.add_argument("--ticks", type=int, required=True, metavar="T", help="ticks per level")
    t.add_argument("--warmup", type=int, default=0, metavar="T",
                   help="count output spikes from tick T on (default 0)")
    t.add_argument("--mode", choices=("even", "bernoulli", "burst"), default="even",
                   help="evenly spaced input spikes (default), independent draws, or bursts: "
                        "level v is |v| spikes in consecutive ticks in every period")
    t.add_argument("--negative", metavar="NAME",
                   help="burst mode: the input connector of negative levels (a -1 channel)")
    t.add_argument("--period", type=int, metavar="P", help="burst mode: ticks per period")
    t.add_argument("--at", type=int, default=0, metavar="T",
                   help="burst mode: the tick of each period the burst starts in (default 0)")
    t.add_argument("--measure", metavar="FIRST:LENGTH",
                   help="count only ticks FIRST .. FIRST+LENGTH-1 of each period (e.g. a release "
                        "phase)")
    t.add_argument("--seed", type=int, default=0, help="the seed of the run and the draws")
    t.add_argument("--ideal", metavar="SLOPE[:OFFSET]",
                   help="draw the ideal curve clip(OFFSET + SLOPE * x, 0, 1) dashed")
    t.add_argument("-o", "--out", required=True, metavar="OUT.svg", help="the picture to write")
    t.set_defaults(handler=plot_transfer)


def plot_rates(args) -> int:
    from corelet import plots
    if args.window < 1:
        raise ToolchainError(f"--window must be at least 1 tick, got {args.window}")
    try:
        svg = plots.rates_plot(args.run, args.window, sample=args.sample, start=args.start,
                               connectors=args.connector)
    except ValueError as err:
        raise ToolchainError(f"{args.run}: {err}") from None
    _write(args.output, svg)
    return 0


def plot_transfer(args) -> int:
    from corelet import plots
    from corelet.chip import ChipModel
    levels = _levels(args.levels, burst=args.mode == "burst")
    measure = None
    if args.measure:
        first, length = _numbers("--measure", args.measure)
        if not (first == int(first) and length == int(length) and length >= 1 and args.period):
            raise ToolchainError(f"--measure {args.measure}: expected FIRST:LENGTH, whole ticks, "
                                 "with --period")
        measure = (int(first), int(length))
    if args.ticks < 1 or not 0 <= args.warmup < args.ticks:
        raise ToolchainError(f"--ticks must be at least 1 and --warmup below it, got "
                             f"{args.ticks} and {args.warmup}")
    ideal = None
    if args.ideal:
        slope, offset = _numbers("--ideal", args.ideal)
        ideal = {f"ideal clip({offset:g} + {slope:g} x, 0, 1)": np.clip(offset + slope * levels, 0, 1)}
    model = ChipModel.load(args.model)
    try:
        svg = plots.transfer_plot(model, args.input, args.output, levels, args.ticks, ideal=ideal,
                                  mode=args.mode, seed=args.seed, warmup=args.warmup,
                                  negative=args.negative, period=args.period, at=args.at,
                                  measure=measure)
    except ValueError as err:
        raise ToolchainError(f"{args.model}: {err}") from None
    _write(args.out, svg)
    return 0


def _levels(text: str, burst: bool = False) -> np.ndarray:
    parts = text.split(":")
    try:
        low, high, n = float(parts[0]), float(parts[1]), int(parts[2])
        assert len(parts) == 3
    except (ValueError, IndexError, AssertionError):
        raise ToolchainError(f"--levels {text}: expected LOW:HIGH:N, e.g. 0:1:11") from None
    if not (low <= high and 1 <= n <= 1000):
        raise ToolchainError(f"--levels {text}: LOW <= HIGH, and N is 1..1000")
    levels = np.linspace(low, high, n)
    if burst and not np.array_equal(levels, np.rint(levels)):
        raise ToolchainError(f"--levels {text}: burst levels are spike counts; choose LOW, HIGH "
                             "and N so that every level is a whole number")
    if not burst and not 0 <= low <= high <= 1:
        raise ToolchainError(f"--levels {text}: rates lie in 0..1 spikes per tick")
    return levels


def _numbers(option: str, text: str) -> tuple[float, float]:
    first, _, second = text.partition(":")
    try:
        return float(first), float(second or 0.0)
    except ValueError:
        raise ToolchainError(f"{option} {text}: expected SLOPE or SLOPE:OFFSET, two numbers") from None


def _write(path: str, svg: str) -> None:
    try:
        atomic_write(path, svg)
    except OSError as err:
        raise ToolchainError(f"cannot write {path}: {err.strerror or err}") from None
    print(f"wrote {path}")
