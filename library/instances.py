"""One representative instance of every library corelet, as a small program that uses it.

The docs' cores table (`python benchmarks/tables.py library`), the compile tests
(tests/compiler/test_compiler_library.py: every instance compiles legally with both input fan-outs
and runs like its logical network) and the docs checks (every corelet has an instance) share this
list, so a corelet added to the library without an instance fails the tests.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Instance:
    corelet: str        # the library corelet this instance shows
    description: str    # its parameters, in words, for the docs table
    source: str         # a program that uses it (top corelet last)
    params: dict = attrs.field(factory=dict)

    @property
    def filename(self) -> str:
        """The name its diagnostics give the program: ``elaborate_source(i.source, i.filename,
        params=i.params)`` builds it (the library is data and imports no stage)."""
        return f"{self.corelet}.corelet"


def _program(use: str, body: str) -> str:
    return f'use "{use}"\ncorelet Case() {{\n{body}\n}}\n'


# a store-and-release clock driving the instance `b`
_SR_CLOCK = ("c = SRClock(PL = 16)\n"
             "c.store -> b.store; c.precharge -> b.precharge; c.release -> b.release")


def _gate_program(instance: str, two_channels: bool = False) -> str:
    outputs = ("output yp[64]; output yn[64]", "yp = b.y_pos; yn = b.y_neg") if two_channels \
        else ("output y[64]", "y = b.y")
    return 'use "store_release"\n' + _program(
        "activations", f"input xp[64]; input xn[64]; {outputs[0]}\n{instance}\n"
        f"xp -> b.x_pos; xn -> b.x_neg; {outputs[1]}\n" + _SR_CLOCK)


INSTANCES: list[Instance] = [
    Instance("Clock", "period 16, phases 0, 1, 8",
             _program("clocks", "output y[3]; c = Clock(period = 16, phases = [0, 1, 8]); y = c.y")),
    Instance("OneShot", "at ticks 0 .. 7",
             _program("clocks", "output y[8]; c = OneShot(at = arange(8)); y = c.y")),
    Instance("Splitter", "64 pins, 4 copies each (seed 000's splitter core)",
             _program("splitter", "input x[64]; output y[64, 4]; s = Splitter(n = 64); x -> s.x; y = s.y")),
    Instance("Relay", "64 pins, delay 40 (the compiler adds hidden relays)",
             _program("relay", "input x[64]; output y[64]; r = Relay(n = 64, delay = 40); x -> r.x; y = r.y")),
    Instance("DelayLine", "64 pins, delay 40 (three visible stages)",
             _program("relay", "input x[64]; output y[64]\n"
                      "r = DelayLine(n = 64, delay = 40); x -> r.x; y = r.y")),
    Instance("And", "64 pin pairs",
             _program("products", "input a[64]; input b[64]; output y[64]\n"
                      "g = And(n = 64); a -> g.a; b -> g.b; y = g.y")),
    Instance("SignedAnd", "64 two-channel pins and their gates",
             _program("products", "input a_pos[64]; input a_neg[64]; input g[64]\n"
                      "output y_pos[64]; output y_neg[64]\n"
                      "s = SignedAnd(n = 64); a_pos -> s.a_pos; a_neg -> s.a_neg; g -> s.g\n"
                      "y_pos = s.y_pos; y_neg = s.y_neg")),
    Instance("Dense", "64 x 64, 4-bit weights, threshold 100 (seed 000's hidden layer)",
             _program("dense", "input x[64]; output y[64]\n"
                      "d = Dense(W = [(5 * i + 11 * j) % 12 - 4 for i in 0..64, j in 0..64], "
                      "threshold = 100)\nx -> d.x; y = d.y")),
    Instance("Dense", "300 x 64, weights 0 .. 7: partial sums in 5 blocks",
             _program("dense", "input x[300]; output y[64]\n"
                      "d = Dense(W = [(5 * i + 11 * j) % 8 for i in 0..300, j in 0..64])\n"
                      "x -> d.x; y = d.y")),
    Instance("IC", "32 inputs x 16 outputs, 4-bit magnitudes (one core)",
             _program("ic", "input xp[32]; input xn[32]; output yp[16]; output yn[16]\n"
                      "c = IC(W = [(7 * i + 3 * j) % 31 - 15 for i in 0..32, j in 0..16])\n"
                      "xp -> c.x_pos; xn -> c.x_neg; yp = c.y_pos; yn = c.y_neg")),
    Instance("IC", "100 inputs x 10 outputs: partial sums in 4 blocks",
             _program("ic", "input xp[100]; input xn[100]; output yp[10]; output yn[10]\n"
                      "c = IC(W = [(7 * i + 3 * j) % 31 - 15 for i in 0..100, j in 0..10])\n"
                      "xp -> c.x_pos; xn -> c.x_neg; yp = c.y_pos; yn = c.y_neg")),
    Instance("IC", "150 inputs x 32 outputs, 2-bit magnitudes (seed 002's WWQ)",
             _program("ic", "input xp[150]; input xn[150]; output yp[32]; output yn[32]\n"
                      "c = IC(W = [(7 * i + 3 * j) % 7 - 3 for i in 0..150, j in 0..32], bits = 2)\n"
                      "xp -> c.x_pos; xn -> c.x_neg; yp = c.y_pos; yn = c.y_neg")),
    Instance("SRClock", "PL 16",
             _program("store_release", "output s; output p; output r; c = SRClock(PL = 16)\n"
                      "s = c.store; p = c.precharge; r = c.release")),
    Instance("SRBank", "64 neurons with a PL 16 clock",
             _program("store_release", "input xp[64]; input xn[64]; output y[64]\n"
                      "b = SRBank(n = 64); xp -> b.x_pos; xn -> b.x_neg; y = b.y\n" + _SR_CLOCK)),
    Instance("BurstSum", "32 elements, 2 terms, PL 16 clock",
             _program("store_release", "input ap[2, 32]; input an[2, 32]; output yp[32]; output yn[32]\n"
                      "b = BurstSum(n = 32, terms = 2); ap -> b.a_pos; an -> b.a_neg\n"
                      "yp = b.y_pos; yn = b.y_neg\n" + _SR_CLOCK)),
    Instance("SRGate", "64 neurons, RThR 32, offset 16, PL 16 clock",
             _gate_program("b = SRGate(n = 64, rthr = 32, offset = 16)")),
    Instance("HardSigmoid", "64 neurons, nS 32 (RThR 32), PL 16 clock",
             _gate_program("b = HardSigmoid(n = 64, nS = 32)")),
    Instance("HardTanh", "64 neurons, nS 32, m 2 (RThR 16), PL 16 clock",
             _gate_program("b = HardTanh(n = 64, nS = 32)", two_channels=True)),
    Instance("RateRelay", "64 neurons, PL 16",
             _gate_program("b = RateRelay(n = 64, PL = 16)")),
    Instance("ConvGroup", "3x3x8 filters, 64 features, 2 x 2 locations",
             _program("conv", "input x[8, 4, 4]; output y[64, 2, 2]\n"
                      "g = ConvGroup(K = [(f + c + 3 * dr + dq) % 3 - 1 for f in 0..64, c in 0..8, "
                      "dr in 0..3, dq in 0..3], L = zeros(64), rows = 2, cols = 2)\nx -> g.x; y = g.y")),
    Instance("ConvLayer", "3x3x8 filters, 128 features in 2 groups, 6 x 6 input",
             _program("conv", "input x[16, 6, 6]; output y[128, 4, 4]\n"
                      "c = ConvLayer(K = [(f + c + 3 * dr + dq) % 3 - 1 for f in 0..128, c in 0..8, "
                      "dr in 0..3, dq in 0..3], L = zeros(128), H = 6, W = 6, groups = 2)\n"
                      "x -> c.x; y = c.y")),
]
