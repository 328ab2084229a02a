"""``corelet show``: what sits where in a chip model, as text.

``show(model)`` lists the used cores; ``show(model, core=N)`` one core's axons and neurons;
``show(model, neuron="hid.h[3]")`` every instance of a neuron (original, copies) and its parameters,
and ``neuron="hid.h"`` every neuron of that population. Names that are not in the model raise
``ReportError`` with the closest names as a hint.
"""

from __future__ import annotations

import difflib
import re

import numpy as np

from corelet.chip import logical_ids
from corelet.chip.params import RESET_LINEAR, RESET_NONE, RESET_VALUE, NEG_SATURATE
from corelet.reports.report import (ReportError, core_rows, core_usage, corelet_labels, corelet_usage,
                             plural)
from corelet.chip.model import NO_TARGET, OUTPUT, ROLES, ChipModel

MAX_INSTANCE_LINES = 2000
_NAME = re.compile(r"^(?P<path>.+?)\[(?P<index>\d+)\]$")


def show(model: ChipModel, core: int | None = None, neuron: str | None = None) -> str:
    """Text describing the whole model (no arguments), one core, or one neuron's instances."""
    parts = []
    if core is not None:
        parts.append(show_core(model, core))
    if neuron is not None:
        parts.append(show_neuron(model, neuron))
    return "\n\n".join(parts) if parts else show_cores(model)


# -- all cores ----------------------------------------------------------------------------------
def show_cores(model: ChipModel) -> str:
    usage = core_usage(model)
    corelets = corelet_usage(model)
    rows = core_rows(model, usage, corelets, corelet_labels(corelets))
    lines = [f"{len(rows)} used cores of {model.n_cores}",
             f"{'core':>6} {'chip,row,col':<12} {'neurons':>7} {'axons':>5} {'synapses':>8} "
             f"{'copies':>6} {'relays':>6}  main corelet"]
    lines += [f"{r['core']:>6} {_where(r['chip'], r['row'], r['col']):<12} {r['neurons']:>7} "
              f"{r['axons']:>5} {r['synapses']:>8} {r['copies']:>6} {r['relays']:>6}  "
              f"{r['corelet'] or '-'}" + (f" +{r['n_corelets'] - 1}" if r["n_corelets"] > 1 else "")
              for r in rows]
    return "\n".join(lines)


# -- one core -----------------------------------------------------------------------------------
def show_core(model: ChipModel, core: int) -> str:
    """One core: where it is, its axons (runs of type and source) and each used neuron."""
    _check_core(model, core)
    cores = model.cores
    chip, row, col = (int(v) for v in cores.coords[core])
    synapses = np.unpackbits(cores.crossbar[core], axis=1).astype(bool)  # (A, N)
    used = np.flatnonzero(cores.neuron_path[core] >= 0)
    fan_in = synapses.sum(axis=0)
    lines = [f"core {core}: chip {chip}, row {row}, column {col}",
             f"  {len(used)} neurons, {int((cores.axon_path[core] >= 0).sum())} axons, "
             f"{int(synapses.sum())} synapses", "axons:"]
    lines += [f"  {span:<9} {what}" for span, what in axon_runs(model, core)]
    lines.append("neurons:")
    lines += _neuron_lines(model, core, used, fan_in) if len(used) else ["  (none)"]
    return "\n".join(lines)


def _neuron_lines(model: ChipModel, core: int, used: np.ndarray, fan_in: np.ndarray) -> list[str]:
    """A header and one line per used neuron: slot, name, role, fan-in, target, parameters."""
    lines = [f"  {'slot':>4} {'name':<24} {'role':<8} {'in':>3}  {'target':<26} parameters"]
    outputs = output_pins(model)
    for n in used.tolist():
        role = _role(model.cores.neuron_role[core, n])
        lines.append(f"  {n:>4} {model.neuron_name(core, n):<24} {role:<8} "
                     f"{int(fan_in[n]):>3}  {target_text(model, core, n, outputs):<26} "
                     f"{params_text(model, core * model.profile.neurons_per_core + n)}")
    return lines


def axon_runs(model: ChipModel, core: int) -> list[tuple[str, str]]:
    """Runs of axons with one type and consecutive indices of one source: (span, description)."""
    cores = model.cores
    kind = cores.axon_type[core].astype(np.int64)
    path = cores.axon_path[core].astype(np.int64)
    index = cores.axon_index[core].astype(np.int64)
    same = (kind[1:] == kind[:-1]) & (path[1:] == path[:-1]) & (
        (path[1:] < 0) | (index[1:] == index[:-1] + 1))
    starts = np.flatnonzero(np.r_[True, ~same])
    ends = np.r_[starts[1:], len(kind)] - 1
    runs = []
    for lo, hi in zip(starts.tolist(), ends.tolist()):
        span = f"{lo}" if lo == hi else f"{lo}-{hi}"
        if path[lo] < 0:
            runs.append((span, "unused"))
            continue
        source = _path_name(model, int(path[lo]))
        first, last = int(index[lo]), int(index[hi])
        indices = f"[{first}]" if first == last else f"[{first}..{last}]"
        runs.append((span, f"type {kind[lo]}  from {source}{indices}"))
    return runs


# -- one neuron ---------------------------------------------------------------------------------
def show_neuron(model: ChipModel, name: str) -> str:
    """Every instance of neuron ``name`` ('pop[i]') or of every neuron of population ``name``."""
    path, index = _parse_name(name)
    cores = model.cores
    path_ids = [k for k, p in enumerate(model.paths) if p == path]
    match = np.isin(cores.neuron_path, path_ids)
    if index is not None:
        match &= cores.neuron_index == index
    core_idx, slot = np.nonzero(match)
    if not len(core_idx):
        raise ReportError(_unknown_neuron(model, name, path, index, path_ids))
    order = np.lexsort((cores.neuron_role[core_idx, slot], cores.neuron_index[core_idx, slot]))
    core_idx, slot = core_idx[order], slot[order]
    return "\n".join(_instance_lines(model, name, path, index, core_idx, slot))


def _instance_lines(model, name, path, index, core_idx, slot) -> list[str]:
    cores, n = model.cores, model.profile.neurons_per_core
    roles = cores.neuron_role[core_idx, slot]
    head = f"{name}: {len(core_idx)} instance(s) ({_role_counts(roles)})"
    if index is not None:
        head += f"; logical id 0x{int(logical_ids(path, index)):016x}"
    lines = [head, f"  {'name':<24} {'core':>6} {'chip,row,col':<12} {'slot':>4} {'role':<8} "
                   f"{'in':>3}  {'target':<26} {'delay':>5}"]
    outputs = output_pins(model)
    shown = min(len(core_idx), MAX_INSTANCE_LINES)
    for c, s in zip(core_idx[:shown].tolist(), slot[:shown].tolist()):
        fan_in = int(np.unpackbits(cores.crossbar[c][:, s // 8])[s % 8::8].sum())
        delay = int(cores.delay[c, s]) if cores.target_core[c, s] >= 0 else "-"
        lines.append(f"  {model.neuron_name(c, s):<24} {c:>6} {_where(*cores.coords[c]):<12} "
                     f"{s:>4} {_role(cores.neuron_role[c, s]):<8} {fan_in:>3}  "
                     f"{target_text(model, c, s, outputs, with_delay=False):<26} {delay:>5}")
    if shown < len(core_idx):
        lines.append(f"  ... {len(core_idx) - shown} more instances")
    listed = zip(core_idx[:shown].tolist(), slot[:shown].tolist())
    rows = np.unique([params_text(model, c * n + s) for c, s in listed])
    label = "parameters" if len(rows) == 1 else f"parameters ({len(rows)} distinct sets)"
    if shown < len(core_idx):
        label += " of the listed instances"
    lines.append(f"{label}:")
    lines += [f"  {text}" for text in rows[:20]]
    return lines


def _parse_name(name: str) -> tuple[str, int | None]:
    found = _NAME.match(name.strip())
    return (found["path"], int(found["index"])) if found else (name.strip(), None)


def _unknown_neuron(model, name, path, index, path_ids) -> str:
    if path_ids:
        present = model.cores.neuron_index[np.isin(model.cores.neuron_path, path_ids)]
        return (f"no neuron {name!r} in this model: population {path!r} has indices "
                f"{int(present.min())}..{int(present.max())}")
    used_paths = sorted({model.paths[k] for k in np.unique(model.cores.neuron_path) if k >= 0})
    close = difflib.get_close_matches(path, used_paths, n=3, cutoff=0.5)
    suffix = f"[{index}]" if index is not None else ""
    if close:
        hint = "did you mean " + " or ".join(repr(c + suffix) for c in close) + "?"
    elif not used_paths:
        hint = "the model has no used neurons"
    else:
        hint = "populations in this model: " + ", ".join(used_paths[:10]) + (
            ", ..." if len(used_paths) > 10 else "")
    return f"no neuron {name!r} in this model; {hint}"


# -- shared formatting --------------------------------------------------------------------------
def output_pins(model: ChipModel) -> dict[tuple[int, int], str]:
    """(core, neuron) -> the output pin it drives, e.g. 'out[3]'."""
    pins = {}
    for connector in model.outputs:
        for pin, (c, n) in enumerate(zip(np.asarray(connector.core).tolist(),
                                         np.asarray(connector.neuron).tolist())):
            pins[(c, n)] = f"{connector.name}[{pin}]"
    return pins


def target_text(model: ChipModel, core: int, neuron: int, outputs: dict,
                with_delay: bool = True) -> str:
    """Where the neuron's spikes go: 'core 4 axon 17 d2', 'output out[3]' or 'none'."""
    cores = model.cores
    target = int(cores.target_core[core, neuron])
    if target == OUTPUT:
        return "output " + outputs.get((core, neuron), "(no pin)")
    if target == NO_TARGET:
        return "none"
    delay = f" d{int(cores.delay[core, neuron])}" if with_delay else ""
    return f"core {target} axon {int(cores.target_axon[core, neuron])}{delay}"


def params_text(model: ChipModel, row: int) -> str:
    """A compact parameter summary; fields at their defaults are left out."""
    p = model.cores.params
    weights = ",".join(f"{int(w)}{'s' if b else ''}"
                       for w, b in zip(p.weights[row], p.stochastic_weights[row]))
    parts = [f"w=[{weights}]", f"th={int(p.threshold[row])}"]
    if p.threshold_mask[row]:
        parts.append(f"TM={int(p.threshold_mask[row])}")
    if p.leak[row] or p.stochastic_leak[row] or p.leak_reversal[row]:
        flags = ("s" if p.stochastic_leak[row] else "") + ("r" if p.leak_reversal[row] else "")
        parts.append(f"leak={int(p.leak[row])}{flags}")
    parts.append(_reset_text(int(p.reset_mode[row]), int(p.reset_value[row])))
    neg = "saturate" if p.neg_mode[row] == NEG_SATURATE else "reset"
    parts.append(f"beta={int(p.neg_threshold[row])} {neg}")
    if p.initial[row]:
        parts.append(f"V0={int(p.initial[row])}")
    return " ".join(parts)


def _reset_text(mode: int, value: int) -> str:
    return {RESET_VALUE: f"reset={value}", RESET_LINEAR: "reset=linear",
            RESET_NONE: "reset=none"}.get(mode, f"reset_mode={mode}")


def _check_core(model: ChipModel, core) -> None:
    if not isinstance(core, (int, np.integer)) or not 0 <= core < model.n_cores:
        have = f"{plural(model.n_cores, 'core')} (0..{model.n_cores - 1})" if model.n_cores else "no cores"
        raise ReportError(f"core {core} does not exist: the model has {have}")


def _path_name(model: ChipModel, path: int) -> str:
    return model.paths[path] if 0 <= path < len(model.paths) else f"<path {path}>"


def _role(role) -> str:
    return ROLES[int(role)] if 0 <= int(role) < len(ROLES) else f"role {int(role)}"


def _role_counts(roles: np.ndarray) -> str:
    counts = np.bincount(roles.astype(np.int64), minlength=len(ROLES))
    return ", ".join(f"{int(k)} {ROLES[r]}" for r, k in enumerate(counts[:len(ROLES)]) if k)


def _where(chip, row, col) -> str:
    return f"{int(chip)},{int(row)},{int(col)}"
