"""The elaborator: a top corelet plus parameter values -> a flat logical ``Network``.

There is one elaborator; the DSL (through ``_parser``) and the Python builder both hand it AST
nodes. It walks the top corelet's body, instantiating sub-corelets recursively, and records:

* populations (the neuron parameter rows, filled from templates),
* connector elements as nodes (top inputs are pins; instance inputs and all outputs are aliases),
* connections as arrays of edges between nodes, one block per statement (comprehensions are
  evaluated once per chunk of their index grid, never per synapse).

``_resolve`` then turns the aliases into direct connections (delays add along a chain) and builds
the ``Network``. Errors are collected per statement (a failed declaration poisons its name so its
uses stay quiet) and raised together as one ``LanguageError``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Sequence

import attrs
import numpy as np

from corelet.chip import TRUENORTH, ChipProfile
from corelet.language import ast
from corelet.language._expressions import Evaluator
from corelet.language._values import as_python, is_array, is_bool
from corelet.language._loader import Definition, Program, library_path, load_program
from corelet.language._resolve import Edges, Graph, build_network
from corelet.language._templates import check_field_name, convert_field, fill_population
from corelet.language._values import (NEURONS, OWN_INPUT, OWN_OUTPUT, POISON, SUB_INPUT, SUB_OUTPUT,
                              ElaborationError, Instance, Poisoned, Port, Template, kind_name)
from corelet.language.diagnostics import ERROR, Diagnostic, LanguageError, did_you_mean
from corelet.chip.network import Network
from corelet.chip.source import Span

MAX_DEPTH = 64  # instances nested deeper than this mean a recursion without end
GRID_CHUNK = 1 << 22  # comprehension grid points evaluated at once

DEFAULT_TEMPLATE = Template("neuron", {})


def elaborate_file(path, *, params: dict | None = None, top: str | None = None,
                   search_path: Sequence[str] = (), profile: ChipProfile = TRUENORTH,
                   warnings: list | None = None) -> Network:
    """Elaborate the corelet ``top`` (default: the file's last corelet) of a ``.corelet`` file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise LanguageError([Diagnostic(ERROR, f"cannot read {path}: {err}", None)]) from None
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
        elab.elaborate_top(definition, dict(params or {}))
        elab.raise_errors()
        network = build_network(elab.graph, definition.node, elab.report)
        elab.raise_errors()
        network = attrs.evolve(network, provenance={**network.provenance,
                                                    "sources": source_hashes(program, root)})
    finally:  # warnings found before an error still reach the caller
        if warnings is not None:
            warnings.extend(sorted(elab.warnings, key=Diagnostic.sort_key))
    return network


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
        self.inputs: dict[str, Port] = {}
        self.outputs: dict[str, Port] = {}
        self.evaluator = _ScopeEvaluator(self)

    def qualified(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def bind(self, name: str, value: Any, span) -> None:
        if name in self.names:
            first = self.names[name][1]
            raise ElaborationError(f"`{name}` is already defined", span,
                                   f"the first definition is at {first}" if first else "")
        self.names[name] = (value, span)

    def poison(self, name: str, span) -> None:
        self.names.setdefault(name, (POISON, span))

    def lookup(self, node: ast.Name, what: str = "name") -> Any:
        name = node.id
        if name in self.loop_vars:
            return self.loop_vars[name]
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
        candidates = [*self.loop_vars, *self.names, *namespace, *constants]
        raise ElaborationError(f"unknown {what} `{name}`", node.span, did_you_mean(name, candidates))


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

    # -- errors -------------------------------------------------------------------------------
    def report(self, diagnostic: Diagnostic, chain: tuple[str, ...] = ()) -> None:
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
            for name, array in convert_field(setting.name, value, setting.value.span,
                                             self.profile).items():
                result[name] = (array, setting.value.span)
        return result

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
        for p in decl.params:
            try:
                if p.name in params:
                    self._bind_param(p, params[p.name], p.span, scope, decl.name, given=True)
                elif p.default is not None:
                    self._bind_param(p, scope.evaluator.eval(p.default), p.default.span, scope,
                                     decl.name)
                else:
                    raise ElaborationError(
                        f"missing value for parameter `{p.name}` of `{decl.name}`", p.span,
                        f"give it on the command line: -p {p.name}=VALUE")
            except ElaborationError as err:
                self.report(err.diagnostic)
                scope.poison(p.name, p.span)

    def instantiate(self, stmt: ast.Assign, call: ast.Call, ref: CoreletRef, caller: _Scope
                    ) -> Instance:
        decl = ref.definition.node
        path = caller.qualified(stmt.name)
        if caller.depth + 1 > MAX_DEPTH:
            raise ElaborationError(
                f"recursion without end: instances of `{decl.name}` nest deeper than "
                f"{MAX_DEPTH} levels", call.span,
                f"give `{decl.name}` a condition (`if ...`) that stops instantiating itself")
        args = self._call_arguments(call, decl, caller)
        chain = (f"in instance `{path}` of `{decl.name}` at {stmt.span}",) + caller.chain
        scope = _Scope(self, ref.definition.file, path, decl.name, caller.depth + 1, chain)
        for p in decl.params:
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
        ports = {n: Port(p.nodes, frozenset({SUB_INPUT}), f"{stmt.name}.{n}")
                 for n, p in scope.inputs.items()}
        ports.update({n: Port(p.nodes, frozenset({SUB_OUTPUT}), f"{stmt.name}.{n}")
                      for n, p in scope.outputs.items()})
        return Instance(path, decl.name, ports, stmt.span)

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

    # -- statements ---------------------------------------------------------------------------
    def _run_body(self, body, scope: _Scope) -> None:
        for stmt in body:
            try:
                _STATEMENTS[type(stmt)](self, stmt, scope)
            except ElaborationError as err:
                self.report(err.diagnostic, scope.chain)
                name = getattr(stmt, "name", None)
                if name is not None:
                    scope.poison(name, getattr(stmt, "name_span", stmt.span))
            except Poisoned:
                name = getattr(stmt, "name", None)
                if name is not None:
                    scope.poison(name, getattr(stmt, "name_span", stmt.span))

    def _shape(self, dims, scope: _Scope) -> tuple[int, ...]:
        shape = []
        for dim in dims:
            size = scope.evaluator.eval_int(dim, "a size")
            if size < 0:
                raise ElaborationError(f"a size cannot be negative, got {size}", dim.span)
            shape.append(size)
        return tuple(shape) if shape else (1,)

    def _input(self, stmt: ast.InputDecl, scope: _Scope) -> None:
        shape = self._shape(stmt.shape, scope)
        kind = "pin" if scope.depth == 0 else "in"
        nodes = self.graph.connector(kind, scope.qualified(stmt.name), shape, scope.depth,
                                     stmt.span, scope.corelet)
        port = Port(nodes, frozenset({OWN_INPUT}), stmt.name)
        scope.bind(stmt.name, port, stmt.name_span)
        scope.inputs[stmt.name] = port

    def _output(self, stmt: ast.OutputDecl, scope: _Scope) -> None:
        shape = self._shape(stmt.shape, scope)
        nodes = self.graph.connector("out", scope.qualified(stmt.name), shape, scope.depth,
                                     stmt.span, scope.corelet)
        port = Port(nodes, frozenset({OWN_OUTPUT}), stmt.name)
        scope.bind(stmt.name, port, stmt.name_span)
        scope.outputs[stmt.name] = port

    def _neurons(self, stmt: ast.NeuronsDecl, scope: _Scope) -> None:
        shape = self._shape(stmt.shape, scope)
        template = self._template_value(stmt.template, scope)
        if stmt.name in scope.names:
            scope.bind(stmt.name, None, stmt.name_span)  # raises the duplicate error
        size = int(np.prod(shape))
        start = self.graph.population(scope.qualified(stmt.name), size, scope.corelet, stmt.span)
        fill_population(self.graph.params, start, size, shape, template.fields, stmt.name,
                        stmt.span)
        nodes = (start + np.arange(size, dtype=np.int64)).reshape(shape)
        scope.bind(stmt.name, Port(nodes, frozenset({NEURONS}), stmt.name), stmt.name_span)

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
                if stmt.name in scope.names:
                    scope.bind(stmt.name, None, stmt.name_span)  # the duplicate error
                scope.bind(stmt.name, self.instantiate(stmt, value, ref, scope), stmt.name_span)
                return
        scope.bind(stmt.name, scope.evaluator.eval(value), stmt.name_span)

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
        if stmt.loop is None:
            scope.bind(stmt.name, self._group_members(stmt, scope), stmt.name_span)
            self.graph.group(scope.qualified(stmt.name),
                             scope.names[stmt.name][0].nodes.ravel(), stmt.span)
            return
        loop = stmt.loop
        start = scope.evaluator.eval_int(loop.start, "a range start")
        stop = scope.evaluator.eval_int(loop.stop, "a range end")
        groups = []
        try:
            for value in range(start, stop):  # one group per block: a handful, not per neuron
                scope.loop_vars[loop.var] = value
                groups.append((value, self._group_members(stmt, scope)))
        finally:
            scope.loop_vars.pop(loop.var, None)
        scope.bind(stmt.name, tuple(port for _, port in groups), stmt.name_span)
        for value, port in groups:
            self.graph.group(f"{scope.qualified(stmt.name)}[{value}]", port.nodes.ravel(),
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
        source = self._port(stmt.source, scope, "source")
        target = self._port(stmt.target, scope, "target")
        kind = _check_roles(source, target, stmt)
        if kind == "output":
            if stmt.axon_type is not None:
                raise ElaborationError("an output connector has no axon type",
                                       stmt.axon_type.span)
            self._drive_outputs(source, target, stmt.delay, stmt, scope, stmt.source.span)
            return
        src, dst = _pair_up(source, target, stmt)
        axon_type = self._axon_type(stmt, scope, kind)
        delay = self._delay(stmt, scope, kind)
        self.graph.add(Edges(src, dst, _full(axon_type, len(src), np.int8, stmt),
                             _full(delay, len(src), np.int32, stmt), stmt.span))

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
        if stmt.axon_type is None:
            return 0 if kind == "neurons" else -1
        if kind != "neurons":
            raise ElaborationError("an axon type only applies to connections into neurons",
                                   stmt.axon_type.span,
                                   "set the type where the connector reaches its neurons")
        value = scope.evaluator.eval(stmt.axon_type)
        high = self.profile.axon_types - 1
        return _checked_ints(value, stmt.axon_type, "axon type", 0, high, scope.evaluator.domain,
                             f"the chip has axon types 0..{high}")

    def _delay(self, stmt, scope, kind: str):
        if stmt.delay is None:
            return 1 if kind == "neurons" else 0
        value = scope.evaluator.eval(stmt.delay)
        return _checked_ints(value, stmt.delay, "delay", 1, None, scope.evaluator.domain,
                             f"delays are 1 or more ticks (longer than the chip's "
                             f"{self.profile.delay_range[1]} is fine)")

    def _comprehension(self, stmt: ast.Connection, scope: _Scope) -> None:
        ev = scope.evaluator
        ranges = []
        for loop in stmt.loops:
            if loop.var in scope.loop_vars or any(loop.var == r[0] for r in ranges):
                raise ElaborationError(f"loop variable `{loop.var}` is used twice", loop.span)
            ranges.append((loop.var, ev.eval_int(loop.start, "a range start"),
                           ev.eval_int(loop.stop, "a range end")))
        sizes = [max(0, stop - start) for _, start, stop in ranges]
        total = int(np.prod(sizes, dtype=np.float64))
        if total == 0:
            return
        inner = int(np.prod(sizes[1:], dtype=np.float64))
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
            if not (is_bool(cond) or (is_array(cond) and cond.dtype.kind == "b")):
                raise ElaborationError(f"a comprehension filter must be a bool, got "
                                       f"{kind_name(as_python(cond))}", stmt.condition.span)
            mask = np.broadcast_to(np.asarray(cond), shape)
            if not mask.any():
                return
            ev.domain = mask
        source = self._port(stmt.source, scope, "source")
        target = self._port(stmt.target, scope, "target")
        kind = _check_roles(source, target, stmt)
        if kind == "output":
            raise ElaborationError("output connectors are driven by whole connections "
                                   "(`y = h`), not by comprehensions", stmt.target.span)
        src = _grid_nodes(source, shape, stmt.source)
        dst = _grid_nodes(target, shape, stmt.target)
        axon_type = self._axon_type(stmt, scope, kind)
        delay = self._delay(stmt, scope, kind)
        count = int(np.count_nonzero(mask)) if mask is not None else int(np.prod(shape))

        def select(values, dtype):
            """The kept grid points of ``values``, in grid order."""
            values = np.asarray(values, dtype=dtype)
            if values.size == 1:  # the same for every grid point
                return np.full(count, values.reshape(()), dtype=dtype)
            full = np.broadcast_to(values, shape)
            return full[mask] if mask is not None else full.ravel()

        self.graph.add(Edges(select(src, np.int64), select(dst, np.int64),
                             select(axon_type, np.int8), select(delay, np.int32), stmt.span))


_STATEMENTS = {
    ast.InputDecl: _Elaborator._input,
    ast.OutputDecl: _Elaborator._output,
    ast.NeuronsDecl: _Elaborator._neurons,
    ast.Assign: _Elaborator._assign,
    ast.Connection: _Elaborator._connection,
    ast.AssertStmt: _Elaborator._assert,
    ast.IfStmt: _Elaborator._if,
    ast.GroupDecl: _Elaborator._group,
}


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


def _checked_ints(value, expr, what: str, low: int, high: int | None, domain, hint: str):
    array = np.asarray(value)
    if array.dtype.kind not in "iu" or is_bool(as_python(value)):
        raise ElaborationError(f"{what} must be an integer, got {kind_name(as_python(value))}",
                               expr.span)
    bad = array < low
    if high is not None:
        bad = bad | (array > high)
    if domain is not None:
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
    array = np.asarray(value)
    if array.size not in (1, n):
        raise ElaborationError(f"expected one type/delay or {n} (one per connection), "
                               f"got {array.size}", stmt.span)
    return np.broadcast_to(array.astype(dtype).ravel() if array.size > 1 else array.astype(dtype),
                           (n,)).copy()


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
