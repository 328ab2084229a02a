"""Known-answer vectors for the logical ids (``corelet.chip.ids``) and the random draws
(``corelet.runtime.random``): a change of either stream must fail here.

Everything else that checks randomness (refsim, test_draws.py, test_rt_neuron.py) calls
``corelet.runtime.random.draw`` itself, so a changed stream moves the expectation with the code and
nothing fails. The tables below are literal numbers, computed once by the independent
reimplementation in this file (plain Python integers, written from docs/chip-model.md and
docs/neuron-model.md section 6, sharing no code with the toolchain), and the splitmix64 vectors of
the algorithm's published reference implementation.

If one of these tests fails, the ids or the random stream changed: every stochastic run and every
saved chip model draws different numbers. If that is intended, it is a change of the neuron model:
update docs/neuron-model.md (section 6) or docs/chip-model.md, this reimplementation and these tables,
and the stored expectations in tests/data/.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from corelet.chip import ids
from corelet.runtime import random

CHANGED = ("changed: every stochastic run and every saved model now draws other numbers. If intended, "
           "update docs/neuron-model.md section 6 / docs/chip-model.md and the tables in {}"
           .format(__file__))

# -- the independent reimplementation, from the docs ----------------------------------------------
M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def ref_mix64(x: int) -> int:
    """splitmix64: the output for state ``x`` (state advanced by the golden gamma, then mixed)."""
    z = (x + GOLDEN) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def ref_path_hash(path: str) -> int:
    """blake2b with an 8-byte digest of the UTF-8 path, read little-endian."""
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest(), "little")


def ref_logical_id(path: str, index: int) -> int:
    return ref_mix64((ref_path_hash(path) + index) & M64)


def ref_draw(seed: int, neuron_id: int, tick: int, kind: int, source_id: int = 0,
             axon_type: int = 0) -> int:
    h = ref_mix64(ref_mix64(seed) ^ neuron_id)
    h = ref_mix64(h ^ (((tick << 2) | kind) & M64))
    if kind == 1:  # SYNAPSE
        h = ref_mix64(h ^ ref_mix64((source_id + axon_type) & M64))
    return h


# -- the tables -----------------------------------------------------------------------------------
# splitmix64 seeded with 1234567: its first five outputs, as printed by the reference C
# implementation (Vigna, splitmix64.c). Output k is the mix of state seed + k * GOLDEN.
SPLITMIX64_1234567 = [6457827717110365317, 3203168211198807973, 9817491932198370423,
                      4593380528125082431, 16408922859458223821]

MIX64 = [  # (x, mix64(x))
    (0x0, 0xe220a8397b1dcdaf),   # splitmix64 seeded with 0: first output
    (0x1, 0x910a2dec89025cc1),
    (0x2, 0x975835de1c9756ce),
    (0x9e3779b97f4a7c15, 0x6e789e6aa1b965f4),   # seed 0: second output
    (0x8000000000000000, 0x481ec0a212a9f3db),
    (0xffffffffffffffff, 0xe4d971771b652c20),   # x + GOLDEN wraps
    (0x75bcd15, 0x223c74d93deb7679),
]

PATH_HASH = [  # (path, path_hash(path))
    ("", 0xb4b2797457a0a6e4),
    ("x", 0x4f586ef96743df4a),
    ("y", 0x5fa69583c58ca30f),
    ("hid.h", 0xfc7b8a71bf194cc1),
    ("net.layer1.relu", 0x963a3cab164cfe8a),
    ("ä.β", 0x48214c1d7420f840),   # UTF-8
]

LOGICAL_IDS = [  # (path, index, logical id)
    ("hid.h", 0, 0x021af94c715425d2),
    ("hid.h", 3, 0x777c4a073f7b670a),
    ("hid.h", 255, 0x743834c3b7b9d832),
    ("x", 0, 0xeb1f663388c94a5d),
    ("x", 1, 0xf2c1d95802aed398),
    ("net.layer1.relu", 2**32, 0xfc206e8a1a1720a6),
    ("hid.h", 2**64 - 1, 0x37d921194b4c6df9),   # hash + index wraps
]

HID3, X1 = 0x777c4a073f7b670a, 0xf2c1d95802aed398   # ids of hid.h[3] and input pin x[1]
DRAWS = [  # (seed, neuron id, tick, kind, source id, axon type, 64-bit draw)
    (0, HID3, 0, 2, 0, 0, 0xd87d932dd0f5c275),   # leak: 8 bits 117
    (0, HID3, 0, 3, 0, 0, 0xca3a692994ac7de5),   # threshold: 17 bits 32229
    (0, HID3, 0, 1, X1, 0, 0xf74ae1ccd3ae97ae),   # synapse: 8 bits 174
    (12345, HID3, 7, 2, 0, 0, 0x5da284c0d17b824c),
    (12345, HID3, 7, 3, 0, 0, 0x7444fe9e6f31b8cc),
    (12345, HID3, 7, 1, X1, 2, 0xca53cb470da136c0),
    (12345, HID3, 7, 1, X1, 3, 0x1b9713910f2ac6cb),   # same source, other type: another draw
    (12346, HID3, 7, 3, 0, 0, 0x19c2ae5e25bf9281),   # sample 1 of a batch with seed 12345
    (1, 0, 0, 3, 0, 0, 0xdb538f85fe401082),
    (2**64 - 1, 2**64 - 1, 10**6, 1, 2**64 - 1, 3, 0x0a2947fe793eb862),   # source + type wraps
    (2**63, 42, 2**40, 2, 0, 0, 0x673a266a67f39706),
]
DRAW_BITS = [  # (row of DRAWS, draw8, draw17): the low bits the neuron model uses
    (0, 117, 115317), (1, 229, 32229), (2, 174, 38830), (5, 192, 79552), (9, 98, 47202),
]


# -- the reimplementation agrees with the tables and with splitmix64's reference -------------------
def test_reimplementation_is_splitmix64():
    state, outputs = 1234567, []
    for _ in range(5):
        outputs.append(ref_mix64(state))
        state = (state + GOLDEN) & M64
    assert outputs == SPLITMIX64_1234567


def test_reimplementation_reproduces_the_tables():
    assert [(x, ref_mix64(x)) for x, _ in MIX64] == MIX64
    assert [(p, ref_path_hash(p)) for p, _ in PATH_HASH] == PATH_HASH
    assert [(p, i, ref_logical_id(p, i)) for p, i, _ in LOGICAL_IDS] == LOGICAL_IDS
    assert [(*row[:6], ref_draw(*row[:6])) for row in DRAWS] == DRAWS
    assert ref_logical_id("hid.h", 3) == HID3 and ref_logical_id("x", 1) == X1


# -- the code agrees with the tables ---------------------------------------------------------------
def test_mix64():
    xs = np.array([x for x, _ in MIX64], dtype=np.uint64)
    got = [int(v) for v in ids.mix64(xs)]
    assert got == [h for _, h in MIX64], "chip.ids.mix64 " + CHANGED
    assert [int(ids.mix64(np.uint64(x))) for x, _ in MIX64] == got
    state = np.uint64(1234567) + np.arange(5, dtype=np.uint64) * np.uint64(GOLDEN)
    assert [int(v) for v in ids.mix64(state)] == SPLITMIX64_1234567


def test_path_hash():
    assert [(p, ids.path_hash(p)) for p, _ in PATH_HASH] == PATH_HASH, "chip.ids.path_hash " + CHANGED


def test_logical_ids_scalar_and_vector():
    got = [(p, i, int(ids.logical_ids(p, i))) for p, i, _ in LOGICAL_IDS]
    assert got == LOGICAL_IDS, "chip.ids.logical_ids " + CHANGED
    vector = ids.logical_ids("hid.h", np.array([0, 3, 255], dtype=np.uint64))
    assert vector.dtype == np.uint64
    assert vector.tolist() == [0x021af94c715425d2, HID3, 0x743834c3b7b9d832]


def test_element_name():
    assert ids.element_name("hid.h", 3) == "hid.h[3]"
    assert ids.element_name("x", np.int64(0)) == "x[0]"
    assert ids.element_name("net.layer1.relu", 2**32) == "net.layer1.relu[4294967296]"


def test_draw_kinds_are_numbered_as_documented():
    assert (random.SYNAPSE, random.LEAK, random.THRESHOLD) == (1, 2, 3)


@pytest.mark.parametrize("row", DRAWS, ids=[f"seed{r[0]}-t{r[2]}-kind{r[3]}" for r in DRAWS])
def test_draw(row):
    *key, expected = row
    assert random.draw(*key) == expected, f"runtime.random.draw{tuple(key)} " + CHANGED


def test_vectorised_draws_match_the_scalar_table():
    """The functions the runtime's kernels call: neuron_keys, tick_keys, synapse_keys, bits."""
    seeds = np.array([r[0] for r in DRAWS], dtype=np.uint64)
    nids = np.array([r[1] for r in DRAWS], dtype=np.uint64)
    keys = random.neuron_keys(seeds, nids)
    got = []
    for k, (_, _, tick, kind, src, typ, _) in zip(keys, DRAWS):
        h = random.tick_keys(k, tick, kind)
        if kind == random.SYNAPSE:
            h = random.synapse_keys(h, np.array([src], np.uint64), np.array([typ], np.uint64))[0]
        got.append(int(h))
    assert got == [r[-1] for r in DRAWS], "runtime.random (vectorised) " + CHANGED
    # broadcasting as the runtime uses it: seeds (batch, 1) against ids (1, neurons)
    batch = random.neuron_keys(np.array([[12345], [12346]], np.uint64), np.array([[HID3]], np.uint64))
    assert [int(v) for v in random.tick_keys(batch, 7, random.THRESHOLD).ravel()] == \
        [0x7444fe9e6f31b8cc, 0x19c2ae5e25bf9281]


def test_bits():
    hs = np.array([DRAWS[i][-1] for i, _, _ in DRAW_BITS], dtype=np.uint64)
    assert random.bits(hs, 8).tolist() == [b8 for _, b8, _ in DRAW_BITS]
    assert random.bits(hs, 17).tolist() == [b17 for _, _, b17 in DRAW_BITS]
    assert random.bits(hs, 8).dtype == np.int64
    assert [(DRAWS[i][-1] & 0xFF, DRAWS[i][-1] & 0x1FFFF) for i, _, _ in DRAW_BITS] == \
        [(b8, b17) for _, b8, b17 in DRAW_BITS]
