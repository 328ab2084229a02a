"""The burst decoder reads seed 002's store-and-release bank on the runtime: each cycle's release is
one burst of max(0, net) spikes (library/store_release.corelet, SRBank), net = the +1 spikes minus
the -1 spikes stored in the cycle, so ``burst_lengths`` per cycle gives the nets back."""

import numpy as np

import corelet
from corelet import language

PL = 8
SOURCE = """use "store_release"
corelet Bank() {
    input xp[3]; input xn[3]; output y[3]
    c = SRClock(PL = 8)
    b = SRBank(n = 3); xp -> b.x_pos; xn -> b.x_neg; y = b.y
    c.store -> b.store; c.precharge -> b.precharge; c.release -> b.release
}"""


def test_burst_lengths_per_cycle_are_the_stored_nets():
    plus = np.array([[3, 5, 0], [0, 8, 2]])   # per cycle and neuron
    minus = np.array([[1, 0, 2], [0, 0, 0]])
    nets = np.maximum(plus - minus, 0)         # [[2, 5, 0], [0, 8, 2]]
    ticks = 1 + 2 * PL * len(plus)
    xp = np.zeros((ticks, 3), bool)
    xn = np.zeros((ticks, 3), bool)
    for k in range(len(plus)):
        a = 2 * PL * k + 1                     # the store kick's tick; data stored in a + 1 .. a + PL
        for i in range(3):
            xp[a + 1:a + 1 + plus[k, i], i] = True
            xn[a + 1:a + 1 + minus[k, i], i] = True
    model = corelet.compile(language.elaborate_source(SOURCE, "bank.corelet")).model
    y = corelet.run(model, ticks, {"xp": xp, "xn": xn}).outputs["y"]
    # cycle k's window: ticks 2 PL k + 1 .. 2 PL (k + 1); its burst starts at a + PL
    assert corelet.decode.burst_lengths(y, 2 * PL, start=1)[0].tolist() == nets.tolist()
    found = corelet.decode.bursts(y)
    assert sorted(found.length.tolist()) == sorted(nets[nets > 0].tolist())  # one burst each
    assert ((found.start - 1) % (2 * PL) == PL).all()  # every burst starts at a + PL
