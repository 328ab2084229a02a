"""The elaborator: a top corelet plus parameter values -> a flat logical ``Network``.

There is one elaborator; the DSL (through ``_parser``) and the Python builder both hand it AST
nodes. It walks the top corelet's body, instantiating sub-corelets recursively, and records:

* populations (the neuron parameter rows, filled from templates),
* connector elements as nodes (top inputs are pins; instance inputs and all outputs are aliases),
* connections as arrays of edges between nodes, one block per statement (comprehensions are
  evaluated once per chunk of their index grid, never per synapse).

A ``for`` block runs its body once per iteration, with the loop variables and the iteration's own
constants in a frame of ``_Scope.locals``; declarations with an index (``conv[g] = ...``) are
entries of a ``Family`` bound in the corelet's scope, named ``conv[g]`` in paths.

``_resolve`` then turns the aliases into direct connections (delays add along a chain) and builds
the ``Network``. Errors are collected per statement (a failed declaration poisons its name so its
uses stay quiet) and raised together as one ``LanguageError``.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import math
import os
from pathlib import Path
from typing import Any, Sequence

import attrs
import numpy as np

from corelet.chip import TRUENORTH, ChipProfile
from corelet.language import ast
from corelet.language._expressions import Evaluator
from corelet.language._loader import (Definition, Program, library_path, load_program,
                                      read_source)
from corelet.language._resolve import Edges, Graph, build_network
from corelet.language._templates import check_field_name, convert_field, fill_population
from corelet.language._values import (FAMILY_KINDS, NEURONS, OWN_INPUT, OWN_OUTPUT, POISON,
                                      SUB_INPUT, SUB_OUTPUT, ElaborationError, Family, Instance,
                                      Poisoned, Port, Template, as_python, is_array, is_bool,
                                      check_limit, is_bools, is_int, kind_name)
from corelet.language.diagnostics import ERROR, Diagnostic, LanguageError, did_you_mean
from corelet.chip.limits import active_limits
from corelet.chip.network import Network
from corelet.chip.source import Span

MAX_DEPTH = 64  # instances nested deeper than this mean a recursion without end
GRID_CHUNK = 1 << 22  # comprehension grid points evaluated at once

DEFAULT_TEMPLATE = Template("neuron", {})
_SUB_INPUT_ROLES = frozenset({SUB_INPUT})
_SUB_OUTPUT_ROLES = frozenset({SUB_OUTPUT})


def elaborate_file(path, *, params: dict | None = None, top: str | None = None,
                   search_path: Sequence[str] = (), profile: ChipProfile = TRUENORTH,
                   warnings: list | None = None) -> Network:
    """Elaborate the corelet ``top`` (default: the file's last corelet) of a ``.corelet`` file."""
    text = read_source(path)
    return elaborate_source(text, str(path), params=params, top=top, search_path=search_path,
                            profile=profile, warnings=warnings)


def elaborate_source(text: str, filename: str = "<string>", *, params: dict | None = None,
                     top: str | None = None, search_path: Sequence[str] = (),
                     profile: ChipProfile = TRUENORTH, warnings: list | None = None) -> Network:
    """Elaborate ``.corelet`` source text; see ``elaborate_file``."""
    program = load_program(text, filename, search_path)
    return elaborate_program(program, filename, top=top, params=params, profile=profile,
                             warnings=warnings)


def elaborate_program(program: Program, root: str, *, top: str | None = None,
                      params: dict | None = None, profile: ChipProfile = TRUENORTH,
                      warnings: list | None = None) -> Network:
    """Elaborate a loaded program (the entry point the builder shares)."""
    elab = _Elaborator(program, profile)
    definition = elab.pick_top(root, top)
    try:
        with _fewer_collections():
            try:
                elab.elaborate_top(definition, dict(params or {}))
            except _OverLimit as stop:
                elab.report(stop.diagnostic)
        elab.raise_errors()
        network = build_network(elab.graph, definition.node, elab.report)
        elab.raise_errors()
        network = attrs.evolve(network, provenance={**network.provenance,
                                                    "sources": source_hashes(program, root)})
    finally:  # warnings found before an error still reach the caller
        if warnings is not None:
            warnings.extend(sorted(elab.warnings, key=Diagnostic.sort_key))
    return network


class _OverLimit(Exception):
    """A count over its limit (instances, neurons, connections): elaboration stops there, since
    every later statement would only add to it (a corelet instantiating itself twice would
    report it once per instance)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


GC_THRESHOLD = 50_000  # allocations between collections of the youngest generation, at least


@contextlib.contextmanager
def _fewer_collections():
    """Run the cycle collector less often while elaborating (as mypy does): a loop of 10,000
    instances keeps ~10 small objects per instance alive, which makes the default threshold (700)
    trigger hundreds of collections that find almost nothing (the elaborator's own structures
    make no cycles per instance) and a full one over every object the process holds."""
    thresholds = gc.get_threshold()
    if thresholds[0] == 0 or thresholds[0] >= GC_THRESHOLD:  # collection off, or already rare
        yield
        return
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        if gc.get_threshold()[0] == GC_THRESHOLD:  # unless someone changed it meanwhile
            gc.set_threshold(*thresholds)


def source_hashes(program: Program, root: str) -> dict[str, str]:
    """SHA-256 of every file the network was built from, named so that the same sources give the
    same names wherever they are compiled from: relative to the root file's folder, and
    ``library:NAME`` for the standard library."""
    base = Path(root).resolve().parent
    lib = library_path().resolve()
    hashes = {}
    for file, text in program.sources.items():
        if file.startswith("<"):
            name = file
        else:
            resolved = Path(file).resolve()
            name = (f"library:{resolved.relative_to(lib).as_posix()}" if resolved.is_relative_to(lib)
                    else Path(os.path.relpath(resolved, base)).as_posix())
        hashes[name] = hashlib.sha256(text.encode()).hexdigest()
    return dict(sorted(hashes.items()))


@attrs.frozen
class CoreletRef:
    """A corelet definition used as a value (it can only be instantiated)."""

    definition: Definition


class _Scope:
    """The names of one corelet instance while its body elaborates."""

    def __init__(self, elab: "_Elaborator", file: str, path: str, corelet: str, depth: int,
                 chain: tuple[str, ...]):
        self.elab, self.file, self.path, self.corelet = elab, file, path, corelet
        self.depth, self.chain = depth, chain
        self.names: dict[str, tuple[Any, Any]] = {}
        self.loop_vars: dict[str, np.ndarray] = {}
        # names of the `for` iterations being run, innermost last: loop variables and the
        # constants of one iteration (name -> (value, span))
        self.locals: list[dict[str, tuple[Any, Any]]] = []
        self.inputs: dict[str, Port] = {}
        self.outputs: dict[str, Port] = {}
        self.evaluator = _ScopeEvaluator(self)

    def qualified(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def close(self) -> None:
        """Break the scope <-> evaluator cycle once the body has run, so that the instance's
        names are freed at once rather than by the cycle collector (which a loop of 10,000
        instances would run over and over)."""
        self.evaluator = None

    def bind(self, name: str, value: Any, span) -> None:
        first = self.defined_at(name)
        if first is not False:
            raise ElaborationError(f"`{name}` is already defined", span,
                                   f"the first definition is at {first}" if first else "")
        (self.locals[-1] if self.locals else self.names)[name] = (value, span)

    def defined_at(self, name: str):
        """The span where ``name`` is defined in this corelet (None if unknown), else False."""
        for frame in reversed(self.locals):
            if name in frame:
                return frame[name][1]
        if name in self.names:
            return self.names[name][1]
        return False

    def poison(self, name: str, span) -> None:
        (self.locals[-1] if self.locals else self.names).setdefault(name, (POISON, span))

    def lookup(self, node: ast.Name, what: str = "name") -> Any:
        name = node.id
        if name in self.loop_vars:
            return self.loop_vars[name]
        for frame in reversed(self.locals):
            if name in frame:
                value = frame[name][0]
                if value is POISON:
                    raise Poisoned()
                return value
        if name in self.names:
            value = self.names[name][0]
            if value is POISON:
                raise Poisoned()
            return value
        namespace = self.elab.program.namespaces.get(self.file, {})
        if name in namespace:
            return self.elab.definition_value(namespace[name])
        constants = self.elab.constants
        if name in constants:
            return constants[name]
        candidates = [*self.loop_vars, *(n for f in self.locals for n in f), *self.names,
                      *namespace, *constants]
        raise ElaborationError(f"unknown {what} `{name}`", node.span,
                               self._declared_later(node) or did_you_mean(name, candidates))

    def _declared_later(self, node: ast.Name) -> str:
        """A hint when this corelet declares the name only after the place that uses it."""
        definition = self.elab.program.namespaces.get(self.file, {}).get(self.corelet)
        if definition is None or not isinstance(definition.node, ast.CoreletDecl) or \
                node.span is None:
            return ""
        for span in _declarations(definition.node.body, node.id):
            if span is not None and span.file == node.span.file and \
                    (span.line, span.column) > (node.span.line, node.span.column):
                return f"`{node.id}` is declared later, at line {span.line}"
        return ""


class _ScopeEvaluator(Evaluator):
    def __init__(self, scope: _Scope):
        super().__init__(scope.lookup)
        self.scope = scope

    def _eval_Call(self, e):
        namespace = self.scope.elab.program.namespaces.get(self.scope.file, {})
        if e.func in namespace and isinstance(namespace[e.func].node, ast.CoreletDecl):
            raise ElaborationError(f"an instance of `{e.func}` needs a name", e.span,
                                   f"write `name = {e.func}(...)` on its own line")
        if e.func not in namespace:
            from corelet.language._builtins import BUILTINS

            if e.func not in BUILTINS:
                known = [n for n, d in namespace.items() if isinstance(d.node, ast.CoreletDecl)]
                raise ElaborationError(f"unknown corelet or function `{e.func}`", e.func_span,
                                       did_you_mean(e.func, [*known, *BUILTINS]))
        return super()._eval_Call(e)

    def _eval_TemplateLiteral(self, e):
        return self.scope.elab.template_literal(e, self.scope)


class _Elaborator:
    def __init__(self, program: Program, profile: ChipProfile):
        self.program, self.profile = program, profile
        self.constants = dict(profile.constants())
        self.graph = Graph()
        self.diagnostics: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self._templates: dict[tuple[str, str], Template] = {}
        self._templates_in_progress: set = set()
        self._reported_chains: dict = {}  # (severity, span) -> instance chains reported there
        self._param_orders: dict = {}  # (id(decl), given names) -> (decl, order, cycles)
        self._fields_converted: dict = {}  # (id(setting), type, value) -> (setting, arrays)
        self.counts = {"instances": 0, "neurons": 0, "connections": 0}  # against the limits

    # -- errors -------------------------------------------------------------------------------
    def report(self, diagnostic: Diagnostic, chain: tuple[str, ...] = ()) -> None:
        # An error at a place already reported, from an instance nested inside the one that
        # reported it (a recursive corelet repeating its mistake one level deeper), says nothing
        # new: the outermost report stands for all of them.
        earlier = self._reported_chains.setdefault((diagnostic.severity, diagnostic.span), set())
        chain = tuple(chain)
        if any(chain[k:] in earlier for k in range(1, len(chain) + 1)):  # (a set: a recursion
            return  # reports here once per instance, thousands of times)
        earlier.add(chain)
        if len(chain) > 4:  # the innermost and outermost instances tell the story
            chain = (*chain[:2], f"... {len(chain) - 4} more instances ...", *chain[-2:])
        notes = tuple(chain) + self.program.notes_for(diagnostic.span.file if diagnostic.span
                                                      else "")
        diagnostic = attrs.evolve(diagnostic, notes=diagnostic.notes + notes)
        target = self.warnings if diagnostic.severity != ERROR else self.diagnostics
        if all((d.span, d.message) != (diagnostic.span, diagnostic.message) for d in target):
            target.append(diagnostic)

    def raise_errors(self) -> None:
        if self.diagnostics:
            raise LanguageError(self.diagnostics, self.program.sources)

    # -- definitions --------------------------------------------------------------------------
    def pick_top(self, root: str, top: str | None) -> Definition:
        namespace = self.program.namespaces[root]
        corelets = {n: d for n, d in namespace.items() if isinstance(d.node, ast.CoreletDecl)}
        if top is None:
            own = self.program.modules[root].corelets
            if not own:
                raise LanguageError([Diagnostic(ERROR, "this file defines no corelet",
                                                _file_start(root))], self.program.sources)
            return corelets[own[-1].name]
        if top not in corelets:
            raise LanguageError([Diagnostic(ERROR, f"no corelet named `{top}`", _file_start(root),
                                            did_you_mean(top, corelets))], self.program.sources)
        return corelets[top]

    def definition_value(self, definition: Definition) -> Any:
        if isinstance(definition.node, ast.CoreletDecl):
            return CoreletRef(definition)
        return self.module_template(definition)

    def module_template(self, definition: Definition) -> Template:
        key = (definition.file, definition.node.name)
        if key not in self._templates:
            if key in self._templates_in_progress:
                raise ElaborationError(f"template `{key[1]}` is based on itself",
                                       definition.node.name_span)
            self._templates_in_progress.add(key)
            try:
                scope = _Scope(self, definition.file, "", "", 0, ())
                node = definition.node
                base = self._base_template(node.base, scope)
                fields = self.template_fields(node.fields, scope)
                self._templates[key] = base.with_fields(node.name, fields)
            finally:
                self._templates_in_progress.discard(key)
        return self._templates[key]

    def _base_template(self, base: ast.Name | None, scope: _Scope) -> Template:
        if base is None:
            return DEFAULT_TEMPLATE
        value = scope.lookup(base, "template")
        if not isinstance(value, Template):
            raise ElaborationError(f"`{base.id}` is a {kind_name(value)}, not a neuron template",
                                   base.span)
        return value

    def template_literal(self, e: ast.TemplateLiteral, scope: _Scope) -> Template:
        base = self._base_template(e.base, scope)
        return base.with_fields(base.name, self.template_fields(e.fields, scope))

    def template_fields(self, fields, scope: _Scope) -> dict:
        result: dict = {}
        seen: dict = {}
        for setting in fields:
            check_field_name(setting.name, setting.name_span)
            if setting.name in seen:
                raise ElaborationError(f"field `{setting.name}` is set twice", setting.name_span,
                                       f"first set at {seen[setting.name]}")
            seen[setting.name] = setting.name_span
            value = self._field_value(setting, scope)
            for name, array in self._converted(setting, value).items():
                result[name] = (array, setting.value.span)
        return result

    def _converted(self, setting: ast.FieldSetting, value: Any) -> dict:
        """``convert_field`` of one setting's value, made once per setting and scalar value
        (`threshold = k` in a corelet a loop instantiates 10,000 times: a few distinct k)."""
        if type(value) not in (int, float, bool, str):
            return convert_field(setting.name, value, setting.value.span, self.profile)
        key = (id(setting), type(value), value)
        cached = self._fields_converted.get(key)
        if cached is None or cached[0] is not setting:
            arrays = convert_field(setting.name, value, setting.value.span, self.profile)
            for array in arrays.values():  # shared by every template made from it
                if isinstance(array, np.ndarray):
                    array.flags.writeable = False
            cached = (setting, arrays)
            self._fields_converted[key] = cached
        return cached[1]

    def _field_value(self, setting: ast.FieldSetting, scope: _Scope) -> Any:
        from corelet.language._templates import CHOICES

        node = setting.value
        if setting.name in CHOICES and isinstance(node, ast.Name):
            if node.id in CHOICES[setting.name]:
                return node.id  # `reset = linear`: the choice's own name
            try:
                return scope.evaluator.eval(node)
            except ElaborationError:  # a misspelt choice, most likely
                return node.id  # convert_field names the choices
        return scope.evaluator.eval(node)

    # -- instances ----------------------------------------------------------------------------
    def elaborate_top(self, definition: Definition, params: dict) -> None:
        decl = definition.node
        scope = _Scope(self, definition.file, "", decl.name, 0, ())
        try:
            self._bind_top_params(decl, params, scope)
        except ElaborationError as err:
            self.report(err.diagnostic)
            return
        if self.diagnostics:
            return
        self._run_body(decl.body, scope)

    def _bind_top_params(self, decl: ast.CoreletDecl, params: dict, scope: _Scope) -> None:
        declared = {p.name: p for p in decl.params}
        for name in params:
            if name not in declared:
                self.report(Diagnostic(ERROR, f"`{decl.name}` has no parameter `{name}`",
                                       decl.name_span, _parameters_hint(name, declared)))
        order = self._param_order(decl, params, scope)
        for p in order:
            try:
                if p.name in params:
                    self._bind_param(p, self._python_value(params[p.name], scope), p.span, scope,
                                     decl.name, given=True)
                elif p.default is not None:
                    self._bind_param(p, scope.evaluator.eval(p.default), p.default.span, scope,
                                     decl.name)
                else:
                    raise ElaborationError(
                        f"missing value for parameter `{p.name}` of `{decl.name}`", p.span,
                        f"give it on the command line: -p {p.name}=VALUE")
            except ElaborationError as err:
                self.report(err.diagnostic)
                _poison_param(p, scope)
            except Poisoned:  # it uses a parameter that already failed
                _poison_param(p, scope)

    def _param_order(self, decl: ast.CoreletDecl, given, scope: _Scope) -> list:
        """The top's parameters in dependency order; a cycle is reported and its names poisoned."""
        from corelet.language._params import param_order

        order, cycles = param_order(decl.params, set(given), self.constants)
        spans = {}
        for p in decl.params:
            spans.setdefault(p.name, p.span)
        for err, names in cycles:
            self.report(err.diagnostic)
            for name in names:
                scope.poison(name, spans[name])
        return order

    def _python_value(self, value: Any, top: _Scope) -> Any:
        """A value handed over from Python: a builder template becomes a ``Template``."""
        decl = getattr(value, "decl", None)
        if not isinstance(decl, ast.TemplateDecl):
            return value
        base = DEFAULT_TEMPLATE if value.base is None else self._python_value(value.base, top)
        scope = _Scope(self, top.file, "", "", 0, ())  # its fields see the top file's names
        return base.with_fields(decl.name, self.template_fields(decl.fields, scope))

    def template_named(self, name: str, scope: _Scope, span, where: str) -> Template:
        """The template ``name`` visible from ``scope``'s file: a top parameter given by name."""
        namespace = self.program.namespaces.get(scope.file, {})
        known = sorted(n for n, d in namespace.items() if isinstance(d.node, ast.TemplateDecl))
        definition = namespace.get(name)
        if definition is not None and isinstance(definition.node, ast.TemplateDecl):
            return self.module_template(definition)
        given = f"(the value given for {where})"
        listed = ", ".join(f"`{n}`" for n in known)
        if definition is not None:
            raise ElaborationError(f"`{name}` is a corelet, not a neuron template {given}", span,
                                   f"the templates are {listed}" if known else "")
        if not known:
            raise ElaborationError(f"unknown template `{name}` {given}", span,
                                   f"no neuron template is visible from {scope.file}")
        mean = did_you_mean(name, known)
        raise ElaborationError(f"unknown template `{name}` {given}", span,
                               (f"{mean} " if mean else "") + f"the templates are {listed}")

    def instantiate(self, stmt: ast.Assign, call: ast.Call, ref: CoreletRef, caller: _Scope,
                    name: str | None = None) -> Instance:
        """``name`` (default ``stmt.name``): the instance's name, ``conv[2]`` for an entry."""
        decl = ref.definition.node
        name = name or stmt.name
        path = caller.qualified(name)
        if caller.depth + 1 > MAX_DEPTH:
            raise ElaborationError(
                f"recursion without end: instances of `{decl.name}` nest deeper than "
                f"{MAX_DEPTH} levels", call.span,
                f"give `{decl.name}` a condition (`if ...`) that stops instantiating itself")
        self.count("instances", 1, call.span, "corelet instances in all")
        args = self._call_arguments(call, decl, caller)
        chain = (f"in instance `{path}` of `{decl.name}` at {stmt.span}",) + caller.chain
        scope = _Scope(self, ref.definition.file, path, decl.name, caller.depth + 1, chain)
        order, cycles = self._instance_param_order(decl, args)
        if cycles:  # (cached: a fresh traceback each time it is raised)
            raise cycles[0][0].with_traceback(None)
        for p in order:
            if p.name in args:
                value, span = args[p.name]
                self._bind_param(p, value, span, scope, decl.name)
            elif p.default is not None:
                self._bind_param(p, scope.evaluator.eval(p.default), p.default.span, scope,
                                 decl.name)
            else:
                raise ElaborationError(f"missing value for parameter `{p.name}` of `{decl.name}`",
                                       call.span)
        self._run_body(decl.body, scope)
        ports = {n: Port(p.nodes, _SUB_INPUT_ROLES, f"{name}.{n}")
                 for n, p in scope.inputs.items()}
        ports.update({n: Port(p.nodes, _SUB_OUTPUT_ROLES, f"{name}.{n}")
                      for n, p in scope.outputs.items()})
        scope.close()
        return Instance(path, decl.name, ports, stmt.span)

    def _instance_param_order(self, decl: ast.CoreletDecl, args: dict) -> tuple[list, list]:
        """``param_order`` of an instance's parameters, made once per declaration and set of
        given names (a loop instantiates one corelet thousands of times)."""
        key = (id(decl), frozenset(args))
        cached = self._param_orders.get(key)
        if cached is None or cached[0] is not decl:
            from corelet.language._params import param_order

            cached = (decl, *param_order(decl.params, set(args), self.constants))
            self._param_orders[key] = cached
        return cached[1], cached[2]

    def _call_arguments(self, call: ast.Call, decl: ast.CoreletDecl, caller: _Scope) -> dict:
        names = [p.name for p in decl.params]
        args: dict = {}
        for position, arg in enumerate(call.args):
            if arg.name is None:
                if position >= len(names):
                    raise ElaborationError(f"`{decl.name}` takes {len(names)} parameter(s), "
                                           f"got more", arg.span)
                name = names[position]
            elif arg.name not in names:
                raise ElaborationError(f"`{decl.name}` has no parameter `{arg.name}`", arg.span,
                                       _parameters_hint(arg.name, names))
            else:
                name = arg.name
            if name in args:
                raise ElaborationError(f"parameter `{name}` is given twice", arg.span)
            args[name] = (caller.evaluator.eval(arg.value), arg.value.span)
        return args

    def _bind_param(self, p: ast.ParamDecl, value: Any, span, scope: _Scope, corelet: str,
                    given: bool = False) -> None:
        from corelet.language._params import check_param

        checked = check_param(p, value, span, scope, corelet, given)
        scope.bind(p.name, checked, p.span)

    def count(self, name: str, more: int, span, what: str) -> None:
        """Count ``more`` of ``name`` (instances, neurons, connections) towards its limit, before
        they are made."""
        try:
            check_limit(name, self.counts[name] + more, span, what)
        except ElaborationError as err:
            raise _OverLimit(err.diagnostic) from None  # the rest would only repeat it
        self.counts[name] += more

    # -- statements ---------------------------------------------------------------------------
    def _run_body(self, body, scope: _Scope) -> None:
        for stmt in body:
            try:
                _STATEMENTS[type(stmt)](self, stmt, scope)
            except ElaborationError as err:
                self.report(err.diagnostic, scope.chain)
                _poison(stmt, scope)
            except Poisoned:
                _poison(stmt, scope)

    def _shape(self, dims, scope: _Scope, span, what: str) -> tuple[int, ...]:
        """The shape of a connector or population (``what``), within the limits: its number of
        dimensions, and its size (``neurons``; a connector's pins count as many)."""
        check_limit("array_dims", len(dims), span, f"dimensions of {what}")
        shape = []
        for dim in dims:
            size = scope.evaluator.eval_int(dim, "a size")
            if size < 0:
                raise ElaborationError(f"a size cannot be negative, got {size}", dim.span)
            check_limit("neurons", size, dim.span, f"size of {what}")
            shape.append(size)
        check_limit("neurons", math.prod(shape), span, f"size of {what}")
        return tuple(shape) if shape else (1,)

    def _input(self, stmt: ast.InputDecl, scope: _Scope) -> None:
        _outside_loops(stmt, scope, "an input connector")
        shape = self._shape(stmt.shape, scope, stmt.span, f"input connector `{stmt.name}`")
        kind = "pin" if scope.depth == 0 else "in"
        nodes = self.graph.connector(kind, scope.qualified(stmt.name), shape, scope.depth,
                                     stmt.span, scope.corelet)
        port = Port(nodes, frozenset({OWN_INPUT}), stmt.name)
        scope.bind(stmt.name, port, stmt.name_span)
        scope.inputs[stmt.name] = port

    def _output(self, stmt: ast.OutputDecl, scope: _Scope) -> None:
        _outside_loops(stmt, scope, "an output connector")
        shape = self._shape(stmt.shape, scope, stmt.span, f"output connector `{stmt.name}`")
        nodes = self.graph.connector("out", scope.qualified(stmt.name), shape, scope.depth,
                                     stmt.span, scope.corelet)
        port = Port(nodes, frozenset({OWN_OUTPUT}), stmt.name)
        scope.bind(stmt.name, port, stmt.name_span)
        scope.outputs[stmt.name] = port

    def _neurons(self, stmt: ast.NeuronsDecl, scope: _Scope) -> None:
        shape = self._shape(stmt.shape, scope, stmt.span, f"population `{stmt.name}`")
        template = self._template_value(stmt.template, scope)
        family = key = None
        if stmt.index:  # neurons f[g][m] = ...: entry g of the array of populations f
            key = self._decl_key(stmt.index, scope)
            family = self._family(scope, stmt.name, "neurons", key, stmt.name_span)
            label = family.entry_name(key)
        else:
            _indexed_in_loops(stmt, scope, "a population")
            if stmt.name in scope.names:
                scope.bind(stmt.name, None, stmt.name_span)  # raises the duplicate error
            label = stmt.name
        size = math.prod(shape)
        self.count("neurons", size, stmt.span, "neurons in all")
        try:
            start = self.graph.population(scope.qualified(label), size, scope.corelet, stmt.span)
            fill_population(self.graph.params, start, size, shape, template.fields, label,
                            stmt.span)
        except ElaborationError:
            if family is not None:
                family.add(key, POISON, stmt.name_span)
            raise
        nodes = (start + np.arange(size, dtype=np.int64)).reshape(shape)
        port = Port(nodes, frozenset({NEURONS}), label)
        if family is not None:
            family.add(key, port, stmt.name_span)
        else:
            scope.bind(stmt.name, port, stmt.name_span)

    # -- declarations with an index (inside `for` blocks) -------------------------------------
    def _decl_key(self, index, scope: _Scope) -> tuple:
        """The entry a declaration ``name[i, ...]`` names: integers, 0 or more."""
        key = []
        for sub in index:
            if isinstance(sub, ast.Slice):
                raise ElaborationError("a declaration names one entry: its index is an integer, "
                                       "not a slice", sub.span)
            value = scope.evaluator.eval(sub)
            value = value if is_array(value) else as_python(value)
            if not is_int(value):
                raise ElaborationError(f"the index of a declaration must be an integer, got "
                                       f"{kind_name(value)}", sub.span)
            if value < 0:
                raise ElaborationError(f"the index of a declaration must be 0 or more, got "
                                       f"{value}", sub.span)
            key.append(int(value))
        return tuple(key)

    def _family(self, scope: _Scope, name: str, kind: str, key: tuple | None, span,
                ndim: int = 1) -> Family:
        """The array ``name`` that entry ``key`` joins (made on first use); raises if ``name``
        is something else or the entry is already defined."""
        for frame in scope.locals:
            if name in frame:
                raise ElaborationError(f"`{name}` is already defined", span,
                                       f"the first definition is at {frame[name][1]}")
        bound = scope.names.get(name)
        ndim = len(key) if key is not None else ndim
        if bound is None:
            family = Family(name, kind, ndim, span)
            scope.names[name] = (family, span)
            return family
        family, first = bound
        if family is POISON:
            raise Poisoned()
        if not isinstance(family, Family):
            raise ElaborationError(f"`{name}` is already defined", span,
                                   f"the first definition is at {first}")
        if family.kind != kind:
            raise ElaborationError(
                f"`{name}` is an array of {FAMILY_KINDS[family.kind]}; this entry is "
                f"{_KIND_WORDS[kind]}", span, f"its first entry is at {first}")
        if key is not None and len(key) != family.ndim:
            raise ElaborationError(f"`{name}` has {family.ndim} index(es), this entry "
                                   f"{len(key)}", span, f"its first entry is at {first}")
        if key is not None and key in family.entries:
            raise ElaborationError(f"`{family.entry_name(key)}` is already defined", span,
                                   f"the first definition is at {family.entries[key][1]}")
        return family

    # -- for blocks ---------------------------------------------------------------------------
    def _for(self, stmt: ast.ForStmt, scope: _Scope) -> None:
        """The body once per combination of the loop variables (the last varies fastest), each
        iteration with its own constants; a loop stops after an iteration that reported errors."""
        definition = self.program.namespaces.get(scope.file, {}).get(scope.corelet)
        params = {p.name for p in definition.node.params} if definition is not None and \
            isinstance(definition.node, ast.CoreletDecl) else set()
        seen = set()
        for loop in stmt.loops:
            var = loop.var
            if var in seen:
                raise ElaborationError(f"loop variable `{var}` is used twice", loop.span)
            seen.add(var)
            if var in params and var in scope.names:
                raise ElaborationError(f"loop variable `{var}` shadows the parameter `{var}`",
                                       loop.span, "give the loop variable another name")
            first = scope.defined_at(var)
            if first is not False:
                raise ElaborationError(f"loop variable `{var}` shadows `{var}`", loop.span,
                                       f"`{var}` is defined at {first}")
        if not self._for_level(stmt, 0, {}, scope, len(self.diagnostics)):
            # the loop stopped early: its arrays are incomplete, so later uses of them are
            # skipped quietly instead of reporting mismatches that only follow from the error
            for name in _arrays_declared_in(stmt.body):
                if isinstance(scope.names.get(name, (None,))[0], Family):
                    scope.names[name] = (POISON, scope.names[name][1])

    def _for_level(self, stmt: ast.ForStmt, depth: int, bound: dict, scope: _Scope,
                   errors: int) -> bool:
        if depth == len(stmt.loops):
            scope.locals.append(dict(bound))
            try:
                self._run_body(stmt.body, scope)
            finally:
                scope.locals.pop()
            return len(self.diagnostics) == errors
        loop = stmt.loops[depth]
        scope.locals.append(dict(bound))  # a bound may use the variables of earlier loops
        try:
            start = scope.evaluator.eval_int(loop.start, "a range start")
            stop = scope.evaluator.eval_int(loop.stop, "a range end")
        finally:
            scope.locals.pop()
        try:
            for value in range(start, stop):
                bound[loop.var] = (value, loop.span)
                if not self._for_level(stmt, depth + 1, bound, scope, errors):
                    return False
        finally:
            bound.pop(loop.var, None)
        return True

    def _template_value(self, expr, scope: _Scope) -> Template:
        if isinstance(expr, ast.Name):
            value = scope.lookup(expr, "template")
        else:
            value = scope.evaluator.eval(expr)
        if not isinstance(value, Template):
            raise ElaborationError(f"expected a neuron template, got {kind_name(value)}",
                                   expr.span)
        return value

    def _assign(self, stmt: ast.Assign, scope: _Scope) -> None:
        if stmt.index:
            self._assign_entry(stmt, scope)
            return
        bound = scope.names.get(stmt.name, (None,))[0]
        if isinstance(bound, Port) and stmt.name in scope.outputs and \
                scope.outputs[stmt.name] is bound:
            source = self._port(stmt.value, scope, "source")
            self._drive_outputs(source, bound, None, stmt, scope, stmt.value.span)
            return
        if isinstance(bound, Port) and stmt.name in scope.names:
            raise ElaborationError(f"`{stmt.name}` is already defined", stmt.name_span,
                                   f"to connect into it, write `{_source_text(stmt.value)} -> "
                                   f"{stmt.name}`")
        value = stmt.value
        if isinstance(value, ast.Call):
            ref = self._corelet_ref(value, scope)
            if ref is not None:
                _indexed_in_loops(stmt, scope, "an instance")
                if stmt.name in scope.names:
                    scope.bind(stmt.name, None, stmt.name_span)  # the duplicate error
                scope.bind(stmt.name, self.instantiate(stmt, value, ref, scope), stmt.name_span)
                return
        scope.bind(stmt.name, scope.evaluator.eval(value), stmt.name_span)

    def _assign_entry(self, stmt: ast.Assign, scope: _Scope) -> None:
        """``conv[g] = Conv(...)`` (an instance), ``K2[g] = value`` (a constant), or
        ``y[0:4] = h`` (elements of an output connector driven by neurons)."""
        bound = scope.names.get(stmt.name, (None,))[0]
        if isinstance(bound, Port) and scope.outputs.get(stmt.name) is bound:
            source = self._port(stmt.value, scope, "source")
            target = self._port(ast.Index(ast.Name(stmt.name, stmt.name_span), stmt.index,
                                          stmt.name_span), scope, "target")
            self._drive_outputs(source, target, None, stmt, scope, stmt.value.span)
            return
        key = self._decl_key(stmt.index, scope)
        value = stmt.value
        ref = self._corelet_ref(value, scope) if isinstance(value, ast.Call) else None
        family = self._family(scope, stmt.name, "instance" if ref else "constant", key,
                              stmt.name_span)
        try:
            if ref is not None:
                result = self.instantiate(stmt, value, ref, scope, family.entry_name(key))
            else:
                result = scope.evaluator.eval(value)
        except (ElaborationError, Poisoned):
            family.add(key, POISON, stmt.name_span)
            raise
        family.add(key, result, stmt.name_span)

    def _corelet_ref(self, call: ast.Call, scope: _Scope) -> CoreletRef | None:
        namespace = self.program.namespaces.get(scope.file, {})
        definition = namespace.get(call.func)
        if definition is not None and isinstance(definition.node, ast.CoreletDecl):
            return CoreletRef(definition)
        return None

    def _assert(self, stmt: ast.AssertStmt, scope: _Scope) -> None:
        value = scope.evaluator.eval(stmt.condition)
        if is_array(value) and value.dtype.kind == "b":
            value = bool(value.all())
        value = as_python(value)
        if not is_bool(value):
            raise ElaborationError(f"an assert needs a bool, got {kind_name(value)}",
                                   stmt.condition.span)
        if value:
            return
        message = "assertion failed"
        if stmt.message is not None:
            text = scope.evaluator.eval(stmt.message)
            message += f": {text}" if isinstance(text, str) else f": {text!r}"
        raise ElaborationError(message, stmt.span)

    def _if(self, stmt: ast.IfStmt, scope: _Scope) -> None:
        for branch in stmt.branches:
            if scope.evaluator.eval_bool(branch.condition, "an `if` condition"):
                self._run_body(branch.body, scope)
                return
        self._run_body(stmt.orelse, scope)

    def _group(self, stmt: ast.GroupDecl, scope: _Scope) -> None:
        if stmt.indices:  # group core[g] = ... (inside a for block): one entry
            key = self._decl_key(stmt.indices, scope)
            family = self._family(scope, stmt.name, "group", key, stmt.name_span)
            try:
                port = self._group_members(stmt, scope)
            except (ElaborationError, Poisoned):
                family.add(key, POISON, stmt.name_span)
                raise
            family.add(key, port, stmt.name_span)
            self.graph.group(scope.qualified(family.entry_name(key)), port.nodes.ravel(),
                             stmt.span)
            return
        if stmt.loop is None:
            _indexed_in_loops(stmt, scope, "a group")
            scope.bind(stmt.name, self._group_members(stmt, scope), stmt.name_span)
            self.graph.group(scope.qualified(stmt.name),
                             scope.names[stmt.name][0].nodes.ravel(), stmt.span)
            return
        loop = stmt.loop
        start = scope.evaluator.eval_int(loop.start, "a range start")
        stop = scope.evaluator.eval_int(loop.stop, "a range end")
        family = self._family(scope, stmt.name, "group", None, stmt.name_span)
        groups = []
        try:
            for value in range(start, stop):  # one group per block: a handful, not per neuron
                scope.loop_vars[loop.var] = value
                if (value,) in family.entries:
                    self._family(scope, stmt.name, "group", (value,), stmt.name_span)
                groups.append((value, self._group_members(stmt, scope)))
        finally:
            scope.loop_vars.pop(loop.var, None)
        for value, port in groups:
            family.add((value,), port, stmt.name_span)
            self.graph.group(scope.qualified(family.entry_name((value,))), port.nodes.ravel(),
                             stmt.span)

    def _group_members(self, stmt: ast.GroupDecl, scope: _Scope) -> Port:
        port = self._port(stmt.members, scope, "group")
        if port.roles != {NEURONS}:
            raise ElaborationError("a group holds neurons of this corelet, got a connector",
                                   stmt.members.span)
        return port

    # -- connections --------------------------------------------------------------------------
    def _port(self, expr, scope: _Scope, side: str) -> Port:
        value = scope.evaluator.eval(expr)
        if not isinstance(value, Port):
            raise ElaborationError(f"the {side} of a connection must be neurons or a connector, "
                                   f"got {kind_name(value)}", expr.span)
        return value

    def _connection(self, stmt: ast.Connection, scope: _Scope) -> None:
        if stmt.loops:
            self._comprehension(stmt, scope)
            return
        problems = _Problems()  # each check on its own: every problem of the line is reported
        source = problems.run(self._port, stmt.source, scope, "source")
        target = problems.run(self._port, stmt.target, scope, "target")
        kind = None if source is None or target is None else \
            problems.run(_check_roles, source, target, stmt)
        if kind == "output":
            if stmt.axon_type is not None:
                problems.errors.append(ElaborationError("an output connector has no axon type",
                                                        stmt.axon_type.span))
            problems.run(self._drive_outputs, source, target, stmt.delay, stmt, scope,
                         stmt.source.span)
            problems.finish(self, scope)
            return
        pairs = problems.run(_pair_up, source, target, stmt) if kind is not None else None
        axon_type = problems.run(self._axon_type, stmt, scope, kind or "neurons")
        delay = problems.run(self._delay, stmt, scope, kind or "neurons")
        problems.finish(self, scope)
        src, dst = pairs
        self.count("connections", len(src), stmt.span, "connections in all")
        axon_type = _full(axon_type, len(src), np.int8, stmt)
        self._note_types(stmt, scope, kind, source, src, dst, axon_type)
        self.graph.add(Edges(src, dst, axon_type, _full(delay, len(src), np.int32, stmt),
                             stmt.span))

    def _note_types(self, stmt, scope, kind, source: Port, src, dst, axon_type) -> None:
        """Tell the graph where a type crosses a connector boundary (for its clash message)."""
        reads_input = scope.depth > 0 and OWN_INPUT in source.roles
        if kind == "alias" or (stmt.axon_type is not None and reads_input):
            self.graph.note_types(kind, src, dst, axon_type, stmt.axon_type is not None,
                                  reads_input, source.nodes, stmt.span)

    def _drive_outputs(self, source: Port, target: Port, delay, stmt, scope, span) -> None:
        if delay is not None:
            raise ElaborationError("an output connector cannot delay: it names neurons",
                                   delay.span, "put the delay on the connection that reads it")
        bad = source.roles - {NEURONS, SUB_OUTPUT, OWN_OUTPUT}
        if bad:
            raise ElaborationError(f"an output connector must come from neurons, "
                                   f"`{source.label}` is an {sorted(bad)[0]}", span)
        if source.width != target.width:
            raise ElaborationError(_width_message(source, target), stmt.span,
                                   _widths_hint(source, target))
        self.graph.drive(source.nodes.ravel(), target.nodes.ravel(), stmt.span)

    def _axon_type(self, stmt, scope, kind: str):
        # -1: not set. Into neurons it becomes 0 unless the connection comes from an input whose
        # caller sets the type (`a -> sub.x type 1`): the two sides of a connector are joined in
        # _resolve.py, which takes the type that is set and rejects two different ones.
        if stmt.axon_type is None:
            return -1
        value = scope.evaluator.eval(stmt.axon_type)
        high = self.profile.axon_types - 1
        return _checked_ints(value, stmt.axon_type, "axon type", 0, high, scope.evaluator.domain,
                             f"the chip has axon types 0..{high}")

    def _delay(self, stmt, scope, kind: str):
        if stmt.delay is None:
            return 1 if kind == "neurons" else 0
        value = scope.evaluator.eval(stmt.delay)
        single = as_python(value)
        if is_int(single) and not is_bool(single):  # before any cast: 2**70 is no int64
            check_limit("delay", single, stmt.delay.span, "ticks of this delay")
        delays = _checked_ints(value, stmt.delay, "delay", 1, None, scope.evaluator.domain,
                               f"delays are 1 or more ticks (longer than the chip's "
                               f"{self.profile.delay_range[1]} is fine)")
        longest = int(delays.max()) if delays.size else 0
        if longest > active_limits().delay and delays.ndim and scope.evaluator.domain is not None:
            longest = int(np.broadcast_to(delays, scope.evaluator.domain.shape)
                          [scope.evaluator.domain].max())  # only where the filter keeps
        check_limit("delay", longest, stmt.delay.span, "ticks of this delay")
        return delays

    def _comprehension(self, stmt: ast.Connection, scope: _Scope) -> None:
        ev = scope.evaluator
        ranges = []
        for loop in stmt.loops:
            if loop.var in scope.loop_vars or any(loop.var == r[0] for r in ranges) or \
                    any(loop.var in frame for frame in scope.locals):
                raise ElaborationError(f"loop variable `{loop.var}` is used twice", loop.span)
            ranges.append((loop.var, ev.eval_int(loop.start, "a range start"),
                           ev.eval_int(loop.stop, "a range end")))
        sizes = [max(0, stop - start) for _, start, stop in ranges]
        total = math.prod(sizes)
        check_limit("array_dims", len(sizes), stmt.span, "dimensions of this comprehension")
        check_limit("grid_points", total, stmt.span, "points of this comprehension's grid")
        if stmt.condition is None:  # every point is a connection: say so before making any
            try:
                check_limit("connections", self.counts["connections"] + total, stmt.span,
                            "connections in all")
            except ElaborationError as err:
                raise _OverLimit(err.diagnostic) from None
        if total == 0:
            return
        inner = math.prod(sizes[1:])
        step = max(1, GRID_CHUNK // max(inner, 1))
        var0, start0, stop0 = ranges[0]
        try:
            for chunk_start in range(start0, stop0, step):
                chunk = [(var0, chunk_start, min(stop0, chunk_start + step)), *ranges[1:]]
                self._comprehension_chunk(stmt, scope, chunk)
        finally:
            scope.loop_vars.clear()
            ev.domain = None

    def _comprehension_chunk(self, stmt: ast.Connection, scope: _Scope, ranges) -> None:
        ev = scope.evaluator
        k = len(ranges)
        shape = tuple(stop - start for _, start, stop in ranges)
        for axis, (var, start, stop) in enumerate(ranges):
            grid_shape = [1] * k
            grid_shape[axis] = stop - start
            scope.loop_vars[var] = np.arange(start, stop, dtype=np.int64).reshape(grid_shape)
        ev.domain = None
        mask = None
        if stmt.condition is not None:
            cond = ev.eval(stmt.condition)
            if not is_bools(cond):
                raise ElaborationError(f"a comprehension filter must be a bool, got "
                                       f"{kind_name(as_python(cond))}", stmt.condition.span)
            mask = np.broadcast_to(np.asarray(cond), shape)
            if not mask.any():
                return
            ev.domain = mask
        problems = _Problems()  # each check on its own: every problem of the line is reported
        source = problems.run(self._port, stmt.source, scope, "source")
        target = problems.run(self._port, stmt.target, scope, "target")
        kind = None if source is None or target is None else \
            problems.run(_check_roles, source, target, stmt)
        if kind == "output":
            problems.errors.append(ElaborationError(
                "output connectors are driven by whole connections (`y = h`), not by "
                "comprehensions", stmt.target.span))
        src = problems.run(_grid_nodes, source, shape, stmt.source) if source is not None else None
        dst = problems.run(_grid_nodes, target, shape, stmt.target) if target is not None else None
        axon_type = problems.run(self._axon_type, stmt, scope, kind or "neurons")
        delay = problems.run(self._delay, stmt, scope, kind or "neurons")
        problems.finish(self, scope)
        count = int(np.count_nonzero(mask)) if mask is not None else math.prod(shape)
        self.count("connections", count, stmt.span, "connections in all")

        kept = []  # the filter as one contiguous bool array, made once (a broadcast mask is slow)

        def select(values, dtype, narrow=False):
            """The kept grid points of ``values``, in grid order. A value the same for every grid
            point becomes a read-only broadcast view (no memory); ``narrow``: int32 when every
            value fits (node ids of neurons), cast before the grid is expanded."""
            values = np.asarray(values, dtype=dtype)
            if values.size == 1:  # the same for every grid point
                return np.broadcast_to(values.reshape(()), (count,))
            if narrow and values.size and 0 <= values.min() and \
                    values.max() <= np.iinfo(np.int32).max:
                values = values.astype(np.int32)
            full = np.broadcast_to(values, shape)
            if mask is None:
                return full.ravel()
            if not kept:
                kept.append(np.ascontiguousarray(mask))
            return full[kept[0]]

        edges = Edges(select(src, np.int64), select(dst, np.int64, narrow=True),
                      select(axon_type, np.int8), select(delay, np.int32), stmt.span)
        self._note_types(stmt, scope, kind, source, edges.src, edges.dst, edges.axon_type)
        self.graph.add(edges)


_STATEMENTS = {
    ast.InputDecl: _Elaborator._input,
    ast.OutputDecl: _Elaborator._output,
    ast.NeuronsDecl: _Elaborator._neurons,
    ast.Assign: _Elaborator._assign,
    ast.Connection: _Elaborator._connection,
    ast.AssertStmt: _Elaborator._assert,
    ast.IfStmt: _Elaborator._if,
    ast.GroupDecl: _Elaborator._group,
    ast.ForStmt: _Elaborator._for,
}

_KIND_WORDS = {"instance": "an instance", "neurons": "a population", "group": "a group",
               "constant": "a constant"}


def _poison(stmt, scope: _Scope) -> None:
    """After a failed declaration: its name stays quiet where it is used."""
    if isinstance(stmt, ast.ForStmt):  # what the loop would have declared stays quiet
        for inner in _loop_declarations(stmt.body):
            scope.names.setdefault(inner.name, (POISON, inner.name_span))
        return
    name = getattr(stmt, "name", None)
    if name is None:
        return
    span = getattr(stmt, "name_span", stmt.span)
    if getattr(stmt, "index", None) or getattr(stmt, "indices", None) or (
            scope.locals and not (isinstance(stmt, ast.Assign) and
                                  not isinstance(stmt.value, ast.Call))):
        scope.names.setdefault(name, (POISON, span))  # an array belongs to the corelet
    else:
        scope.poison(name, span)


def _loop_declarations(body):
    """The statements of a loop body (nested blocks included) that declare arrays."""
    for stmt in body:
        if isinstance(stmt, ast.ForStmt):
            yield from _loop_declarations(stmt.body)
        elif isinstance(stmt, ast.IfStmt):
            for branch in stmt.branches:
                yield from _loop_declarations(branch.body)
            yield from _loop_declarations(stmt.orelse)
        elif isinstance(stmt, (ast.NeuronsDecl, ast.GroupDecl)) or (
                isinstance(stmt, ast.Assign) and (stmt.index or isinstance(stmt.value, ast.Call))):
            yield stmt


def _outside_loops(stmt, scope: _Scope, what: str) -> None:
    if scope.locals:
        raise ElaborationError(f"{what} is declared outside `for` blocks", stmt.name_span,
                               "declare it before the loop and connect its parts inside")


def _indexed_in_loops(stmt, scope: _Scope, what: str) -> None:
    """Inside a `for` block populations, instances and groups are entries of arrays."""
    if scope.locals:
        loop_vars = [n for frame in scope.locals[:1] for n in frame][:1] or ["i"]
        raise ElaborationError(
            f"inside a `for` block {what} needs an index, one entry per iteration: "
            f"`{stmt.name}[{loop_vars[0]}]`", stmt.name_span,
            "only constants may be local to one iteration")


def _check_roles(source: Port, target: Port, stmt) -> str:
    """'neurons' (edges into neurons), 'alias' (into instance inputs) or 'output'."""
    if SUB_INPUT in source.roles:
        raise ElaborationError(f"`{source.label}` is an input of a sub-corelet; it cannot be a "
                               "source", stmt.source.span)
    if OWN_INPUT in target.roles:
        raise ElaborationError(f"`{target.label}` is an input of this corelet; it is driven from "
                               "outside and cannot be a target", stmt.target.span)
    if SUB_OUTPUT in target.roles:
        raise ElaborationError(f"`{target.label}` is an output of a sub-corelet; it cannot be a "
                               "target", stmt.target.span)
    if OWN_OUTPUT in target.roles:
        if target.roles != {OWN_OUTPUT}:
            raise ElaborationError("a target cannot mix output connectors with other endpoints",
                                   stmt.target.span)
        return "output"
    if target.roles == {NEURONS}:
        return "neurons"
    if target.roles == {SUB_INPUT}:
        return "alias"
    raise ElaborationError("a target cannot mix neurons and connectors", stmt.target.span)


def _pair_up(source: Port, target: Port, stmt) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one by position; a width-1 side fans out to (or in from) every element."""
    src, dst = source.nodes.ravel(), target.nodes.ravel()
    if len(src) == len(dst):
        return src, dst
    if len(src) == 1:
        return np.repeat(src, len(dst)), dst
    if len(dst) == 1:
        return src, np.repeat(dst, len(src))
    raise ElaborationError(_width_message(source, target), stmt.span,
                           _widths_hint(source, target))


def _width_message(source: Port, target: Port) -> str:
    return f"width mismatch: expected width {target.width}, got {source.width}"


def _widths_hint(source: Port, target: Port) -> str:
    return f"`{source.label}` is {source.width} wide, `{target.label}` is {target.width} wide"


def _grid_nodes(port: Port, shape: tuple, expr) -> np.ndarray:
    """The node ids of a port indexed by loop variables: one node per grid point."""
    nodes = port.nodes
    if nodes.size == 1:
        return nodes.reshape(())
    try:
        combined = np.broadcast_shapes(nodes.shape, shape)
    except ValueError:
        combined = None
    if combined != tuple(shape):
        raise ElaborationError(f"`{port.label}` must pick one element per loop step; it has "
                               f"{port.width} elements", expr.span,
                               "index it with the loop variables, e.g. `x[i]`")
    return nodes


class _Problems:
    """The checks of one statement, run each on its own so that every problem is reported, not
    only the first: ``run`` returns a check's result, or None when it failed; ``finish`` reports
    all failures but the last and raises that one (the statement fails as a whole), or raises
    ``Poisoned`` when a check only met a name whose declaration failed."""

    def __init__(self):
        self.errors: list[ElaborationError] = []
        self.poisoned = False

    def run(self, check, *args):
        try:
            return check(*args)
        except ElaborationError as err:
            self.errors.append(err)
        except Poisoned:
            self.poisoned = True
        return None

    def finish(self, elaborator: "_Elaborator", scope: _Scope) -> None:
        for err in self.errors[:-1]:
            elaborator.report(err.diagnostic, scope.chain)
        if self.errors:
            raise self.errors[-1]
        if self.poisoned:
            raise Poisoned()


def _checked_ints(value, expr, what: str, low: int, high: int | None, domain, hint: str):
    python = as_python(value)
    if is_int(python) and not is_bool(python):  # one value: checked exactly, before any cast
        if python < low or (high is not None and python > high):
            where = f"below {low}" if high is None else f"outside the allowed range {low}..{high}"
            shown = python if python.bit_length() < 200 else "(a very large integer)"
            raise ElaborationError(f"{what} {shown} is {where}", expr.span, hint)
        return np.asarray(python, np.int64)  # (the callers' limits keep it within int64)
    array = np.asarray(value)
    if array.dtype.kind not in "iu" or is_bool(as_python(value)):
        raise ElaborationError(f"{what} must be an integer, got {kind_name(as_python(value))}",
                               expr.span)
    bad = array < low
    if high is not None:
        bad = bad | (array > high)
    if domain is not None and np.any(bad):  # nothing out of range anywhere: no grid-sized test
        bad = np.logical_and(bad, domain)
    if np.any(bad):
        shown = int(np.broadcast_to(array, np.shape(bad))[bad].flat[0]) if np.ndim(bad) \
            else int(array)
        if high is None:
            raise ElaborationError(f"{what} {shown} is below {low}", expr.span, hint)
        raise ElaborationError(f"{what} {shown} is outside the allowed range {low}..{high}",
                               expr.span, hint)
    return array


def _full(value, n: int, dtype, stmt) -> np.ndarray:
    if not is_array(value):  # one type or delay for every connection (the common case)
        return np.full(n, value, dtype=dtype)
    array = np.asarray(value)
    if array.size not in (1, n):
        raise ElaborationError(f"expected one type/delay or {n} (one per connection), "
                               f"got {array.size}", stmt.span)
    return np.broadcast_to(array.astype(dtype).ravel() if array.size > 1 else array.astype(dtype),
                           (n,)).copy()


def _declarations(body, name: str):
    """The spans where the statements of ``body`` (and of the blocks inside) declare ``name``."""
    for stmt in body:
        if getattr(stmt, "name", None) == name and hasattr(stmt, "name_span"):
            yield stmt.name_span
        for block in ("branches", "body", "orelse"):
            inner = getattr(stmt, block, None)
            if isinstance(inner, (tuple, list)):
                yield from _declarations(inner, name)


def _parameters_hint(name: str, names) -> str:
    names = list(names)
    if not names:
        return "it takes no parameters"
    return did_you_mean(name, names) or \
        "its parameters are " + ", ".join(f"`{n}`" for n in names)


def _source_text(expr) -> str:
    from corelet.language._expressions import unparse

    return unparse(expr)


def _file_start(file: str) -> Span:
    return Span(file, 1, 1, 1, 1)


def _arrays_declared_in(body) -> set[str]:
    """Names of the arrays that indexed declarations in ``body`` (and blocks inside it) add to."""
    names = set()
    for stmt in body:
        if isinstance(stmt, (ast.Assign, ast.NeuronsDecl)) and stmt.index:
            names.add(stmt.name)
        elif isinstance(stmt, ast.GroupDecl) and (stmt.indices or stmt.index):
            names.add(stmt.name)
        elif isinstance(stmt, ast.ForStmt):
            names |= _arrays_declared_in(stmt.body)
        elif isinstance(stmt, ast.IfStmt):
            for branch in stmt.branches:
                names |= _arrays_declared_in(branch.body)
            names |= _arrays_declared_in(stmt.orelse)
    return names


def _poison_param(param: ast.ParamDecl, scope: _Scope) -> None:
    """A parameter whose value failed, and the dimension names its type would have bound
    (``n``, ``m`` of ``W: int[n, m]``): what uses them is then skipped, not reported again."""
    scope.poison(param.name, param.span)
    dims = param.type.dims if param.type is not None else None
    for dim in dims or ():
        if isinstance(dim, ast.Name):
            scope.poison(dim.id, param.span)
