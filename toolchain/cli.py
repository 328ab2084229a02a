"""The ``corelet`` command line: check, compile, run, report, show, library, import-tn,
export-tn, import-nir, export-nir, fmt (``format_command.py``), verify (``verify.py``),
decode and plot (``decode_command.py``, ``plot_command.py``).

Every user error is a ``ToolchainError``: its message goes to stderr and the exit status is 1
(usage errors 2), with no traceback unless ``--debug``. Output files are written atomically, so a
failed command leaves none behind. A closed standard output (``corelet library | head``) ends the
command quietly with status 141, as SIGPIPE ends a Unix tool.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from pathlib import Path

from corelet.chip import ToolchainError
from corelet.chip.limits import Limits, using_limits
from corelet.chip.files import load_array, loads_json, npz_writer, write_all
from corelet.progress import ProgressBar, step

class UsageError(ToolchainError):
    """A command line that asks for something the program cannot do (exit status 2)."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        try:
            limits = Limits.parse(getattr(args, "limit", None) or [])
        except ValueError as err:
            raise UsageError(str(err)) from None
        with using_limits(limits):
            status = args.handler(args) or 0
        sys.stdout.flush()  # a closed pipe shows here when the last output was still buffered
        return status
    except BrokenPipeError:  # `corelet ... | head`: the reader has gone, which is no error
        return closed_pipe()
    except UsageError as err:
        print(render_error(args.command, err), file=sys.stderr)
        return 2
    except ToolchainError as err:
        if args.debug:
            traceback.print_exc()
        print(render_error(args.command, err), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug, not a user error: say so plainly
        if args.debug:
            raise
        print(f"internal error: {type(err).__name__}: {err}\n"
              f"(this is a bug in corelet; run again with --debug for the traceback)", file=sys.stderr)
        return 1


# the exit status of a program that a closed pipe ends (128 + SIGPIPE), as a shell reports for a
# Unix tool killed by the signal; files written before it stay as written
CLOSED_PIPE_STATUS = 141


def closed_pipe() -> int:
    """End quietly after the reader of standard output went away: what is still buffered for it
    goes nowhere (so the interpreter's last flush cannot fail again)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return CLOSED_PIPE_STATUS


def render_error(command: str, err: ToolchainError) -> str:
    """The error through the one renderer: ``file:line:col: error: ...`` with the source line and a
    caret when it blames a place in a source file, else ``corelet COMMAND: error: ...``."""
    return err.render(prefix=f"corelet {command}")


# -- argument parsing ---------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    from corelet.chip.version import __version__
    from corelet.compiler import DEFAULT_INPUT_FANOUT, DEFAULT_PLACER, INPUT_FANOUTS, PLACERS

    # --debug is accepted before or after the command; SUPPRESS keeps the subcommand's default
    # from overwriting a --debug given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show Python tracebacks on errors")
    common.add_argument("--limit", action="append", default=[], metavar="NAME=N",
                        help="raise (or lower) a resource limit, e.g. --limit neurons=100000000 "
                             "(the limits and their defaults: docs/reliability.md)")
    parser = argparse.ArgumentParser(
        prog="corelet",
        description="Author, compile and run spiking networks for TrueNorth-style crossbar chips.")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"corelet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    source = argparse.ArgumentParser(add_help=False)
    source.add_argument("file", metavar="FILE", help=".corelet source file")
    source.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                        help="top corelet parameter: a literal, FILE.npy, FILE.npz:KEY, FILE.json, "
                             "or a neuron template's name")
    source.add_argument("--top", metavar="CORELET", help="the corelet to elaborate (default: the "
                        "last one defined in FILE)")
    source.add_argument("-I", "--include", action="append", default=[], metavar="DIR",
                        help="add DIR to the import search path (library/ is always on it)")

    # what a run is given: shared by `corelet run` and `corelet verify`
    run_inputs = argparse.ArgumentParser(add_help=False)
    run_inputs.add_argument("--ticks", type=int, required=True, metavar="N")
    run_inputs.add_argument("--input", action="append", default=[], metavar="[NAME=]FILE",
                            help="input spikes: FILE.npz (one array per connector), or "
                                 "NAME=FILE.npz[:KEY], NAME=FILE.npy or NAME=FILE.json")
    run_inputs.add_argument("--rate", action="append", default=[], metavar="NAME=SPEC",
                            help="rate-encode an input connector (see docs/runtime.md)")
    run_inputs.add_argument("--burst", action="append", default=[], metavar="NAME=SPEC",
                            help="burst-encode an input connector (see docs/runtime.md)")
    run_inputs.add_argument("--reset-every", type=int, metavar="T",
                            help="reset potentials and pending spikes every T ticks")
    run_inputs.add_argument("--seed", type=int,
                            help="seed of sample 0 (default: the model's seed)")
    run_inputs.add_argument("--batch", type=int, metavar="B", help="number of samples")

    p = sub.add_parser("check", parents=[common, source], help="parse and elaborate a .corelet file")
    p.set_defaults(handler=_cmd_check)

    p = sub.add_parser("compile", parents=[common, source], help="place a corelet onto cores")
    p.add_argument("-o", "--output", metavar="MODEL.json", help="chip model to write")
    p.add_argument("--report", metavar="REPORT.html", help="write the HTML placement report")
    p.add_argument("--report-text", metavar="REPORT.txt", help="write the text placement report")
    p.add_argument("--placer", default=DEFAULT_PLACER, metavar="NAME",
                   help=f"placement strategy: {', '.join(PLACERS)} (default {DEFAULT_PLACER})")
    p.add_argument("--input-fanout", choices=INPUT_FANOUTS, default=DEFAULT_INPUT_FANOUT,
                   help="replicate input spikes on the host (default) or with splitter cores")
    p.add_argument("--estimate", action="store_true",
                   help="only estimate cores, chips and utilisation; write no model")
    p.add_argument("--seed", type=int, default=0, help="seed recorded in the model (default 0)")
    p.set_defaults(handler=_cmd_compile)

    p = sub.add_parser("run", parents=[common, run_inputs], help="simulate a compiled chip model")
    p.add_argument("model", metavar="MODEL.json")
    p.add_argument("--probe", action="append", default=[], metavar="PATTERN",
                   help="record neurons by hierarchical name or pattern, e.g. 'hid.h[*]'")
    p.add_argument("--trace", action="store_true", help="record membrane potentials of probes")
    p.add_argument("-o", "--output", required=True, metavar="OUT.npz")
    p.add_argument("--raster", metavar="OUT.svg", help="write a picture of the spikes of one sample: "
                   "inputs, probes and outputs, with resets and input windows marked")
    p.add_argument("--sample", type=int, metavar="K", help="the sample --raster draws (default 0)")
    p.add_argument("--stats", metavar="STATS.json", help="write activity statistics per core")
    p.add_argument("--progress", action="store_true", help="always show the progress bar")
    p.add_argument("--spikes", metavar="FILE.sfti", help="input spikes in the original toolchain's "
                   "sfti format (see docs/interop.md)")
    p.add_argument("--workers", type=int, metavar="N", help="split the batch over a local Dask "
                   "cluster of N processes (the 'distributed' extra; docs/scaling.md)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="split the batch over the Dask cluster "
                   "at ADDRESS (tcp://host:8786)")
    p.add_argument("--spikes-out", metavar="OUT.sfto", help="also write the output spikes of "
                   "sample 0 in the original toolchain's text layout")
    p.set_defaults(handler=_cmd_run)

    p = sub.add_parser("report", parents=[common], help="write the report of a chip model")
    p.add_argument("model", metavar="MODEL.json")
    p.add_argument("-o", "--output", required=True, metavar="REPORT.html",
                   help="report to write (.html, or .txt for text)")
    p.add_argument("--stats", metavar="STATS.json", help="activity measured by 'corelet run --stats'")
    p.set_defaults(handler=_cmd_report)

    p = sub.add_parser("show", parents=[common], help="show what sits where in a chip model")
    p.add_argument("model", metavar="MODEL.json")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--core", type=int, metavar="N")
    which.add_argument("--neuron", metavar="NAME")
    p.set_defaults(handler=_cmd_show)

    p = sub.add_parser("library", parents=[common],
                       help="list the standard library's corelets, or show one")
    p.add_argument("name", nargs="?", metavar="CORELET", help="a corelet to show in full")
    p.set_defaults(handler=_cmd_library)

    p = sub.add_parser("import-tn", parents=[common],
                       help="read a model of the chip's original toolchain (makeModel JSON)")
    p.add_argument("model", metavar="MODEL.json")
    p.add_argument("-o", "--output", required=True, metavar="OURS.json", help="chip model to write")
    p.set_defaults(handler=_cmd_import_tn)

    p = sub.add_parser("export-tn", parents=[common],
                       help="write a chip model in the original toolchain's makeModel JSON")
    p.add_argument("model", metavar="OURS.json")
    p.add_argument("-o", "--output", required=True, metavar="MODEL.json", help="file to write")
    p.set_defaults(handler=_cmd_export_tn)

    p = sub.add_parser("import-nir", parents=[common],
                       help="quantise a NIR graph and compile it into a chip model")
    p.add_argument("graph", metavar="GRAPH.nir")
    p.add_argument("-o", "--output", required=True, metavar="MODEL.json", help="chip model to write")
    p.add_argument("--dt", type=float, metavar="SECONDS",
                   help="seconds per tick (default: the graph's metadata 'dt', else 0.001)")
    p.add_argument("--placer", default=DEFAULT_PLACER, metavar="NAME",
                   help=f"placement strategy: {', '.join(PLACERS)} (default {DEFAULT_PLACER})")
    p.add_argument("--input-fanout", choices=INPUT_FANOUTS, default=DEFAULT_INPUT_FANOUT,
                   help="replicate input spikes on the host (default) or with splitter cores")
    p.add_argument("--seed", type=int, default=0, help="seed recorded in the model (default 0)")
    p.add_argument("--weights", choices=("levels", "binary"), default="levels",
                   help="four k-means weight levels per neuron, one axon type per synapse "
                   "(default), or 4-bit weights spelled with up to four axon types per source")
    p.set_defaults(handler=_cmd_import_nir)

    p = sub.add_parser("export-nir", parents=[common, source],
                       help="write the logical network of a .corelet file as a NIR graph")
    p.add_argument("-o", "--output", required=True, metavar="GRAPH.nir", help="file to write")
    p.add_argument("--dt", type=float, default=1e-3, metavar="SECONDS",
                   help="seconds per tick, stored in the graph's metadata (default 0.001)")
    p.add_argument("--drop-floor", action="store_true",
                   help="export neurons with a negative floor as if they had none (NIR has none)")
    p.set_defaults(handler=_cmd_export_nir)

    from corelet import decode_command, format_command, plot_command, verify
    decode_command.add_parser(sub, [common])
    plot_command.add_parser(sub, [common])
    format_command.add_parser(sub, [common])
    verify.add_parser(sub, [common, run_inputs], handler=_cmd_verify)
    return parser


# -- commands -----------------------------------------------------------------------------------
def _elaborate(args):
    from corelet import language
    params = dict(language.parse_param(arg, base_dir=".") for arg in args.param)
    warnings: list = []
    with step("elaborating"):
        net = language.elaborate_file(args.file, params=params, top=args.top,
                                      search_path=args.include, warnings=warnings)
    for warning in warnings:  # language diagnostics: rendered like errors, with their caret
        print(warning.render() if hasattr(warning, "render") else warning, file=sys.stderr)
    return net, params


def _cmd_check(args) -> int:
    net, _ = _elaborate(args)
    print(describe_network(net))
    return 0


def describe_network(net) -> str:
    ins = ", ".join(f"{c.name}[{c.width}]" for c in net.inputs) or "none"
    outs = ", ".join(f"{c.name}[{c.width}]" for c in net.outputs) or "none"
    return "\n".join([
        f"corelet      {net.name}",
        f"neurons      {net.n_neurons} in {len(net.populations)} population(s)",
        f"connections  {len(net.connections)}",
        f"inputs       {ins}",
        f"outputs      {outs}",
    ])


def _cmd_compile(args) -> int:
    from corelet import compiler, reports
    from corelet.api import source_provenance

    if args.placer not in compiler.PLACERS:
        raise UsageError(f"unknown placer {args.placer!r}; choose one of "
                         f"{', '.join(sorted(compiler.PLACERS))}")
    if not args.estimate and not args.output:
        raise UsageError("-o MODEL.json is required (or use --estimate)")
    net, params = _elaborate(args)
    if args.estimate:
        print(describe_estimate(compiler.estimate(net, placer=args.placer,
                                                  input_fanout=args.input_fanout)))
        return 0
    provenance = source_provenance(Path(args.file), params, Path(args.output).parent)
    try:
        result = compiler.compile_network(net, placer=args.placer, input_fanout=args.input_fanout,
                                          seed=args.seed, provenance=provenance,
                                          progress=ProgressBar("placing"))
    except compiler.PlacementError as err:
        partial = getattr(err, "partial", None)  # a Compilation of what did fit
        if partial is not None:
            _write_files(_reports(args, partial.model))
        raise
    with step("writing the model"):
        _write_files({args.output: result.model.to_json(), **_reports(args, result.model)})
    print(reports.summary(result.model))
    print(f"wrote {args.output}")
    return 0


def describe_estimate(est: dict) -> str:
    n = est["neurons"]
    use = est["utilisation"]
    return "\n".join([
        f"cores      {est['cores']} on {est['chips']} chip(s)" + ("" if est["fits"] else
                                                                  " (more chips than the profile has)"),
        f"neurons    {n['original']} + {n['copy']} copies + {n['relay']} relays "
        f"({use['neurons']:.1%} of the used cores)",
        f"axons      {est['axons']} ({use['axons']:.1%} of the used cores)",
        f"synapses   {est['synapses']}",
        f"latency    {est['added_latency']} connection(s) delayed by legalisation",
        f"estimated in {sum(est['seconds'].values()):.2f} s (no model written)",
    ])


def _reports(args, model) -> dict[str, str]:
    """The reports asked for, rendered: path -> text."""
    from corelet import reports
    files = {}
    if args.report:
        files[args.report] = reports.render_report(model, fmt="html")
    if args.report_text:
        files[args.report_text] = reports.render_report(model, fmt="text")
    return files


def _cmd_run(args) -> int:
    from corelet import distributed, memory, runtime

    _check_run_options(args)
    _check_raster_options(args)
    model = _load_model(args.model)
    runtime.check_ticks(args.ticks)  # a limit the user can raise, before the memory estimate
    size = memory.RunSize.of_model(model, probed=0)
    memory.check_run(size, args.ticks, args.batch or 1, workers=args.workers)
    with step("preparing the model"):
        fabric = runtime.fabric_from_model(model)
    seed = model.seed if args.seed is None else args.seed
    inputs = _read_inputs(args, fabric, seed)
    if args.spikes:
        from corelet import interop
        spiked = interop.sfti_inputs(model, interop.read_sfti(args.spikes))
        twice = sorted(set(spiked) & set(inputs))
        if twice:
            raise UsageError(f"input connector {twice[0]!r} is given by --spikes and by "
                             "--input, --rate or --burst")
        inputs.update(spiked)
    reset_at = range(args.reset_every, args.ticks, args.reset_every) if args.reset_every else ()
    batch = distributed.batch_of(inputs, args.batch, fabric)
    if args.sample is not None and args.sample >= batch:  # before the run, not after it
        raise UsageError(f"--sample {args.sample}: the run has {batch} sample(s), 0..{batch - 1}")
    # a remote cluster's workers are not this machine's: here only the driver's share (one chunk)
    memory.check_run(size, args.ticks, batch, workers=args.workers or (1 if args.scheduler else None))
    options = dict(seed=seed, batch=args.batch, reset_at=reset_at, probes=args.probe,
                   trace=args.trace)
    with contextlib.ExitStack() as scope:
        if args.workers or args.scheduler:  # outputs spooled to disk as chunks finish
            client = scope.enter_context(distributed.dask_client(args.workers, args.scheduler))
            spool = scope.enter_context(distributed.SpoolFolder(args.output))
            bar = ProgressBar("samples", enabled=True if args.progress else None)
            result = distributed.simulate_distributed(client, fabric, args.ticks, inputs,
                                                      progress=bar, allocate=spool.allocate,
                                                      **options)
        else:
            bar = ProgressBar("running", enabled=True if args.progress else None)
            result = runtime.simulate(fabric, args.ticks, inputs, progress=bar, **options)
        files = {args.output: npz_writer(result.arrays())}
        if args.raster:
            files[args.raster] = _raster(args, result, inputs)
        if args.stats:
            files[args.stats] = json.dumps(runtime.run_stats(model, fabric, result), indent=1) + "\n"
        if args.spikes_out:
            from corelet import interop
            files[args.spikes_out] = interop.output_spikes_text(model, result.outputs)
        with step("writing the outputs"):
            _write_files(files)
        print(describe_outputs(result))
    print(f"wrote {args.output}")
    return 0


def _cmd_verify(args) -> int:
    from corelet import verify
    return verify.run(args, load_model=_load_model, read_inputs=_read_inputs,
                      check_options=_check_run_options, usage_error=UsageError)


def _check_run_options(args) -> None:
    """Options that would be silently ignored or meaningless are usage errors."""
    if args.ticks < 1:
        raise UsageError(f"--ticks must be at least 1, got {args.ticks}")
    if args.batch is not None and args.batch < 1:
        raise UsageError(f"--batch must be at least 1, got {args.batch}")
    if args.reset_every is not None and args.reset_every < 1:
        raise UsageError(f"--reset-every must be at least 1, got {args.reset_every}")
    if args.seed is not None and not 0 <= args.seed < 2**63:
        raise UsageError(f"--seed must be in 0..2^63-1, got {args.seed}")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    if args.workers and args.scheduler:
        raise UsageError("--workers starts a local cluster and --scheduler uses an existing one: "
                         "give one of them")
    if args.workers or args.scheduler:
        from corelet.distributed import need_dask
        need_dask("--workers and --scheduler")
    if args.trace and not args.probe:
        raise UsageError("--trace records the membrane potentials of probed neurons: "
                         "add --probe PATTERN")
    named = [spec.partition("=")[0] for spec in (*args.rate, *args.burst)]
    named += [spec.partition("=")[0] for spec in args.input if "=" in spec]
    twice = sorted({name for name in named if named.count(name) > 1})
    if twice:
        raise UsageError(f"input connector {twice[0]!r} is given more than once "
                         "(--input, --rate, --burst)")


def _check_raster_options(args) -> None:
    """`corelet run`'s picture options (`corelet verify` shares the other checks, not these)."""
    if args.sample is not None and not args.raster:
        raise UsageError("--sample chooses the sample --raster draws: add --raster OUT.svg")
    if args.sample is not None and args.sample < 0:
        raise UsageError(f"--sample must be at least 0, got {args.sample}")


def _raster(args, result, inputs) -> str:
    """The --raster picture: the chosen sample's inputs, probes and outputs, resets and windows."""
    from corelet import runtime
    sample = args.sample or 0  # checked against the batch before the run
    windows = sorted(runtime.burst_window(spec, args.ticks) for spec in args.burst)
    window, steps = windows[0] if windows else (None, None)  # the shortest, if several differ
    return runtime.raster_svg(result, sample=sample, inputs=inputs, reset_every=args.reset_every,
                              window=window, windows=steps,
                              title=f"{Path(args.model).name}: {args.ticks} ticks")


def _read_inputs(args, fabric, seed) -> dict:
    from corelet import runtime
    inputs: dict = {}
    for spec in args.input:
        name, sep, path = spec.partition("=")
        if not sep:
            inputs.update(runtime.read_input_file(spec))
            continue
        file, _, key = path.partition(":")
        # the only array, or the one named KEY; an .npy is read as chunks need it when distributed
        inputs[name] = load_array(file, key or None, mmap=bool(args.workers or args.scheduler))
    for kind, specs in (("rate", args.rate), ("burst", args.burst)):
        for spec in specs:
            name, array = runtime.parse_encoder_spec(kind, spec, fabric, args.ticks, args.batch, seed)
            inputs[name] = array
    return inputs


def describe_outputs(result, max_cells: int = 2000) -> str:
    """Output spike counts per connector, and the rasters themselves when they are small."""
    lines = []
    for name, raster in result.outputs.items():
        batch, ticks, width = raster.shape
        counts = raster.sum(axis=(0, 1))
        lines.append(f"output {name}[{width}]: {int(counts.sum())} spikes over {ticks} ticks"
                     + (f" x {batch} samples" if batch > 1 else "")
                     + f"; per pin: {counts.tolist() if width <= 32 else '...'}")
        if batch * ticks * width <= max_cells:
            for b in range(batch):
                tag = f" sample {b}" if batch > 1 else ""
                for pin in range(width):
                    row = "".join("|" if s else "." for s in raster[b, :, pin])
                    lines.append(f"  {name}[{pin}]{tag} {row}")
    return "\n".join(lines) if lines else "no output connectors"


def _load_model(path: str):
    """A chip model file in our format, or in the original toolchain's makeModel JSON."""
    from corelet import interop
    from corelet.chip import ChipModel
    with step("loading the model"):
        if interop.is_tn_model_file(path):  # sniffed from its head: each reader checks the size
            return interop.read_tn_model(path)
        return ChipModel.load(path)


def _cmd_library(args) -> int:
    from corelet.language.catalog import catalog, find
    entries = catalog()
    if args.name:
        print(describe_corelet(find(entries, args.name)))
        return 0
    for file in dict.fromkeys(e.file for e in entries):
        print(f'use "{file.stem}"')
        for e in (e for e in entries if e.file == file):
            print(f"  {e.signature}\n      {e.summary()}")
    print('\n`corelet library NAME` shows one in full (docs/library.md has the pictures)')
    return 0


def describe_corelet(entry) -> str:
    """A library corelet in full: how to import it, its signature, connectors and doc string."""
    lines = [f'use {entry.name} from "{entry.file.stem}"    # {entry.file}:{entry.line}', "",
             f"corelet {entry.signature}",
             f"    input  {', '.join(entry.inputs) or '(none)'}",
             f"    output {', '.join(entry.outputs) or '(none)'}", ""]
    lines += ["    " + line if line else "" for line in entry.doc.splitlines()]
    return "\n".join(lines)


def _cmd_import_tn(args) -> int:
    from corelet import interop
    with step("loading the model"):
        model = interop.read_tn_model(args.model)
    _write_files({args.output: model.to_json()})
    used = int((model.cores.neuron_path >= 0).sum())
    print(f"imported {args.model}: {model.n_cores} cores, {used} neurons; inputs "
          f"{', '.join(f'{c.name}[{c.width}]' for c in model.inputs) or 'none'}; outputs "
          f"{', '.join(f'{c.name}[{c.width}]' for c in model.outputs) or 'none'}")
    print(f"wrote {args.output}")
    return 0


def _cmd_export_tn(args) -> int:
    from corelet import interop
    from corelet.chip import ChipModel
    with step("loading the model"):
        model = ChipModel.load(args.model)
    _write_files({args.output: interop.tn_model_text(model, args.output)})
    print(f"wrote {args.output}")
    return 0


def _cmd_import_nir(args) -> int:
    from corelet import compiler, interop, reports
    if args.placer not in compiler.PLACERS:
        raise UsageError(f"unknown placer {args.placer!r}; choose one of "
                         f"{', '.join(sorted(compiler.PLACERS))}")
    imported = interop.read_nir(args.graph, dt=args.dt, weights=args.weights)
    print(imported.summary())
    result = compiler.compile_network(imported.network, placer=args.placer,
                                      input_fanout=args.input_fanout, seed=args.seed,
                                      progress=ProgressBar("placing"))
    _write_files({args.output: result.model.to_json()})
    print(reports.summary(result.model))
    print(f"wrote {args.output}")
    return 0


def _cmd_export_nir(args) -> int:
    from corelet import interop
    net, _ = _elaborate(args)
    _write_files({args.output: interop.nir_bytes(net, dt=args.dt, drop_floor=args.drop_floor)})
    print(f"wrote {args.output}")
    return 0


def _cmd_report(args) -> int:
    from corelet import reports
    from corelet.chip import ChipModel
    with step("loading the model"):
        model = ChipModel.load(args.model)
    stats = _read_json(args.stats) if args.stats else None
    fmt = "text" if Path(args.output).suffix.lower() in (".txt", ".text") else "html"
    _write_files({args.output: reports.render_report(model, fmt=fmt, stats=stats)})
    print(f"wrote {args.output}")
    return 0


def _cmd_show(args) -> int:
    from corelet import reports
    from corelet.chip import ChipModel
    with step("loading the model"):
        model = ChipModel.load(args.model)
    print(reports.show(model, core=args.core, neuron=args.neuron))
    return 0


# -- files --------------------------------------------------------------------------------------
def _read_json(path: str) -> dict:
    try:
        return loads_json(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ToolchainError(f"{path}: no such file") from None
    except (OSError, ValueError) as err:
        raise ToolchainError(f"{path}: not a JSON file: {err}") from None


def _write_files(files: dict[str, str | bytes]) -> None:
    """Write every output or none (``chip.files.write_all``), with OS errors as user errors."""
    try:
        for path in files:
            if Path(path).is_dir():
                raise ToolchainError(f"{path}: is a folder, not a file name")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_all(files)
    except OSError as err:
        raise ToolchainError(f"cannot write {err.filename or ''}: {err.strerror or err}") from None
