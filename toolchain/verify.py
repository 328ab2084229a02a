"""``corelet verify MODEL.json --ticks N --input ...``: does a compiled model compute what the
logical network it came from says, on the user's own inputs?

The model knows its source: its provenance holds the source file (relative to the model's folder),
the top corelet, the SHA-256 of every source file, the parameter values (scalars as given, arrays
by shape and hash) and the compile record (placer, input fan-out, the connections legalisation
delayed). From those the network is elaborated again (``--source``, ``-p`` and ``--top`` override
or complete them: an array parameter must be given again, and is checked against its hash), and
recompiled with the recorded placer and fan-out to get the retimed network, whose added latency
must be the recorded one. Then the model and the retimed network run on the same inputs through
the same simulator (``runtime.run_equivalence``), and the first difference is reported: tick,
output pin, sample, the logical neuron and where it sits on the chip. Exit status 0 when they
agree, 1 when they differ (or on an error).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from corelet.chip import ToolchainError


def add_parser(sub, parents, handler) -> None:
    """The ``verify`` subcommand; ``parents`` carry the command line's common options and what
    a run is given (ticks, inputs, encoders, resets, seed, batch); ``handler`` is the command
    line's (it supplies the readers of models and inputs, so this module does not import the
    command line)."""
    p = sub.add_parser("verify", parents=parents,
                       help="run a compiled model and its logical network on the same inputs "
                            "and say whether they agree",
                       description="Run MODEL.json and the logical network it was compiled from "
                                   "(after the recorded retiming) on the same inputs; report "
                                   "whether their outputs agree, else where they first differ.")
    p.add_argument("model", metavar="MODEL.json")
    p.add_argument("--source", metavar="FILE.corelet",
                   help="the model's source (default: the one its provenance names)")
    p.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter of the top corelet (default: the recorded value; array "
                        "parameters are recorded only by hash and must be given)")
    p.add_argument("--top", metavar="CORELET", help="the top corelet (default: the recorded one)")
    p.add_argument("-I", "--include", action="append", default=[], metavar="DIR",
                   help="add DIR to the import search path")
    p.add_argument("--progress", action="store_true", help="always show the progress bars")
    p.set_defaults(handler=handler, workers=None, scheduler=None, probe=[], trace=False)


def run(args: argparse.Namespace, *, load_model, read_inputs, check_options, usage_error) -> int:
    """The command: ``load_model(path)``, ``read_inputs(args, fabric, seed)`` and
    ``check_options(args)`` are the command line's, ``usage_error`` its exception for exit 2."""
    from corelet import runtime
    from corelet.progress import ProgressBar, step

    check_options(args)
    model = load_model(args.model)
    forced = True if args.progress else None
    source, net, retimed, delayed = logical_network(
        model, args, usage_error, lambda label: ProgressBar(label, enabled=forced),
        lambda label: step(label, enabled=forced))
    with step("preparing the model", enabled=forced):
        fabric = runtime.fabric_from_model(model)
    seed = model.seed if args.seed is None else args.seed
    inputs = read_inputs(args, fabric, seed)
    reset_at = range(args.reset_every, args.ticks, args.reset_every) if args.reset_every else ()
    both = runtime.run_equivalence(model, retimed, args.ticks, inputs, seed=seed, batch=args.batch,
                                   reset_at=reset_at,
                                   progress=ProgressBar("running", enabled=forced))
    print(describe(args.model, source, net, model, both, delayed, args.ticks))
    return 0 if both.agree else 1


def logical_network(model, args, usage_error, bar, step):
    """(source path, network, retimed network, connections delayed) of ``model``: elaborated from
    its recorded source and parameters (what ``args`` gives instead or in addition), checked
    against the recorded hashes, and retimed as the compiler did; ``bar(label)`` and
    ``step(label)`` make the progress shown."""
    from corelet import compiler, language
    from corelet.api import source_provenance
    from corelet.chip.provenance import Provenance

    provenance = Provenance.of(model)
    if args.source:
        source = Path(args.source)
    elif provenance.source:
        source = Path(os.path.normpath(Path(args.model).parent / provenance.source))
    else:
        raise usage_error(f"{args.model} does not say which source it was compiled from "
                          "(no provenance 'source'): give --source FILE.corelet")
    record = provenance.compile
    if record is None:
        raise usage_error(f"{args.model} has no compile record (provenance 'compile'), so its "
                          "retiming is unknown: only models compiled by corelet can be verified")
    given = dict(language.parse_param(arg, base_dir=".") for arg in args.param)
    params = {**recorded_params(provenance.parameters or {}, given, args.model), **given}
    warnings: list = []
    with step("elaborating"):
        net = language.elaborate_file(source, params=params, top=args.top or provenance.corelet,
                                      search_path=args.include, warnings=warnings)
    for warning in warnings:  # language diagnostics, as `corelet check` prints them
        print(warning.render() if hasattr(warning, "render") else warning, file=sys.stderr)
    changed = sorted(name for name, digest in (provenance.sources or {}).items()
                     if net.provenance.get("sources", {}).get(name) != digest)
    if changed:
        raise ToolchainError(f"{args.model}: error: the source changed since the model was "
                             f"compiled ({', '.join(changed)}: another SHA-256); verify against "
                             "the source it was compiled from")
    described = source_provenance(source, params)["parameters"]
    for name, value in (provenance.parameters or {}).items():
        if described.get(name) != value:
            raise ToolchainError(f"{args.model}: error: parameter {name} is not the one the model "
                                 f"was compiled with (recorded {value!r}, given "
                                 f"{described.get(name)!r})")
    comp = compiler.compile_network(net, placer=record.placer, input_fanout=record.input_fanout,
                                    profile=model.profile, seed=model.seed,
                                    progress=bar("retiming"))
    if comp.provenance.compile.added_latency != record.added_latency:
        raise ToolchainError(f"{args.model}: error: compiling the source again delays other "
                             "connections than the model records (compiled by corelet "
                             f"{provenance.compiler}): its retiming cannot be reproduced")
    return source, net, comp.retimed, int((comp.latency > 0).sum())


def recorded_params(recorded: dict, given: dict, model: str) -> dict:
    """The recorded parameter values that can be used as they are: scalars, and templates by name;
    an array (recorded by shape and hash) must be given again."""
    out = {}
    for name, value in recorded.items():
        if name in given:
            continue
        if isinstance(value, dict):
            raise ToolchainError(
                f"{model}: error: parameter {name} was an array (shape {value.get('array')}, "
                f"sha256 {str(value.get('sha256'))[:12]}...), recorded only by its hash: give it "
                f"again with -p {name}=FILE.npy (or FILE.npz:KEY, FILE.json)")
        if isinstance(value, str) and value.startswith("neuron template "):
            value = value[len("neuron template "):]  # a template object, used by its name
        out[name] = value
    return out


def describe(model_path, source, net, model, both, delayed: int, ticks: int) -> str:
    """What was compared and the outcome, for people."""
    chip = both.chip
    lines = [f"model    {model_path}",
             f"network  {net.name} from {source}, retimed as compiled "
             f"({delayed} connection(s) delayed by legalisation)",
             f"ran      {ticks} ticks x {chip.batch} sample(s), seed {chip.seed}"]
    for name, raster in chip.outputs.items():
        lines.append(f"output   {name}[{raster.shape[2]}]: {int(raster.sum())} spikes on the chip, "
                     f"{int(both.logical.outputs[name].sum()) if name in both.logical.outputs else '-'}"
                     " in the network")
    d = both.difference
    if d is None:
        lines.append("agree    the compiled model computes what its network says on these inputs")
        return "\n".join(lines)
    lines.append(f"DIFFER   first at {d.describe('the chip', 'the network')}")
    if d.pin >= 0:
        logical = next(c for c in net.outputs if c.name == d.output)
        placed = next(c for c in model.outputs if c.name == d.output)
        lines.append(f"         neuron {net.neuron_name(int(logical.neurons[d.pin]))}: core "
                     f"{int(placed.core[d.pin])}, neuron {int(placed.neuron[d.pin])} on the chip")
    return "\n".join(lines)
