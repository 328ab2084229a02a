"""Resource limits, stated once: how much a program, a model or an input file may ask for.

A ``Limits`` value bounds what hostile or mistaken input could otherwise turn into an endless loop
or an allocation that takes the machine down (``h[10**12]``, ``10 ** 10 ** 10``, a corelet that
instantiates itself twice, a ``.npy`` header claiming 10**12 rows, a zip bomb). Each stage checks a
limit *before* the allocation or loop it guards, through ``Limits.check``, whose ``LimitError``
names the limit, the value asked for, the place and how to raise it.

The defaults admit every shipped benchmark and example (a 1e8-connection elaboration, a
10,000-instance loop, multi-chip networks); raise one with ``--limit NAME=VALUE`` on the command
line or ``Limits(NAME=VALUE)`` / ``DEFAULT_LIMITS.raised(NAME=VALUE)`` in the API.
"""

from __future__ import annotations

import contextlib
import contextvars

import attrs

from corelet.chip.errors import Location, ToolchainError


@attrs.frozen
class Limits:
    """Upper bounds, each checked before the work it guards (see ``docs/reliability.md``)."""

    neurons: int = 1 << 26  # neurons of a network (64 full chips are 2**26)
    connections: int = 1 << 30  # connections of a network, and of one connection statement
    grid_points: int = 1 << 30  # points of one comprehension grid, filter or not
    instances: int = 1 << 16  # corelet instances in all (not only nesting depth)
    array_elements: int = 1 << 26  # elements of an array built in the language
    array_dims: int = 32  # dimensions of an array, connector or population
    int_bits: int = 4096  # bits of an integer in an expression
    literal_digits: int = 1000  # digits of an integer literal
    nesting: int = 100  # nesting depth of expressions and blocks in a source file
    delay: int = 1 << 16  # ticks of one connection's delay (the chip's 15 are reached by relays)
    file_bytes: int = 1 << 30  # bytes of a source, model or parameter file, and of an array
    # file once decompressed
    model_cores: int = 1 << 18  # cores of a chip model (64 chips of 4096)
    core_size: int = 4096  # axons or neurons per core a model's profile may claim
    samples: int = 1 << 20  # samples of one run (the batch)
    ticks: int = 1 << 24  # ticks of one run

    def raised(self, **values: int) -> "Limits":
        """These limits with some of them set to new values (``raised(neurons=10**8)``)."""
        return attrs.evolve(self, **values)

    def check(self, name: str, value: int, what: str = "", location: Location | None = None,
              error: type[ToolchainError] | None = None) -> None:
        """Raise ``LimitError`` (or ``error``, a subclass of ``ToolchainError`` taking the same
        arguments) when ``value`` is over the limit ``name``; ``what`` says what was counted."""
        limit = getattr(self, name)
        if value > limit:
            raise (error or LimitError)(self.message(name, value, what),
                                        locations=(location,) if location else (),
                                        hint=self.hint(name))

    def message(self, name: str, value: int, what: str = "") -> str:
        """``neurons of population h: 1000000000000 is over the limit `neurons` of 67108864``."""
        head = f"{what}: " if what else ""
        return (f"{head}{_number(value)} is over the limit `{name}` of "
                f"{_number(getattr(self, name))}")

    @staticmethod
    def hint(name: str) -> str:
        return (f"raise it with `--limit {name}=N` on the command line, or "
                f"`limits=Limits({name}=N)` in the API")

    @classmethod
    def parse(cls, specs, base: "Limits | None" = None) -> "Limits":
        """``base`` (default ``DEFAULT_LIMITS``) with ``NAME=VALUE`` strings applied; raises
        ``ValueError`` naming the known limits for an unknown name or a bad value."""
        base = base or DEFAULT_LIMITS
        names = [f.name for f in attrs.fields(cls)]
        values = {}
        for spec in specs:
            name, sep, text = spec.partition("=")
            name = name.strip()
            if not sep or name not in names:
                raise ValueError(f"unknown limit {spec!r}: expected NAME=N with NAME one of "
                                 f"{', '.join(names)}")
            try:
                values[name] = int(text.replace("_", ""), 0)
            except ValueError:
                raise ValueError(f"limit {name}: {text!r} is not an integer") from None
            if values[name] < 0:
                raise ValueError(f"limit {name}: {text!r} is negative")
        return base.raised(**values)


class LimitError(ToolchainError):
    """A request over one of the ``Limits``."""


def _number(value: int) -> str:
    """A count as people read it; an integer too long to print whole by its size in digits."""
    value = int(value)
    if value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    return str(value)


DEFAULT_LIMITS = Limits()
_ACTIVE: contextvars.ContextVar[Limits] = contextvars.ContextVar("corelet_limits",
                                                                 default=DEFAULT_LIMITS)


def active_limits() -> Limits:
    """The limits in force: the innermost ``using_limits``, else ``DEFAULT_LIMITS``."""
    return _ACTIVE.get()


@contextlib.contextmanager
def using_limits(limits: Limits | None):
    """Put ``limits`` in force for the stages called inside (``None``: leave them as they are);
    the command line and the API's ``limits=`` arguments go through here."""
    if limits is None:
        yield active_limits()
        return
    token = _ACTIVE.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)
