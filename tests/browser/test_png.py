"""The screenshot reader: a PNG written here with each of the five row filters reads back exactly."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from tests.browser.png import read_png


def paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def encode(pixels: np.ndarray, filters: list[int]) -> bytes:
    """A PNG of ``pixels`` (H, W, 3 or 4) with row y filtered by ``filters[y]`` (spec section 9)."""
    height, width, bpp = pixels.shape
    rows, prior = [], [0] * (width * bpp)
    for y in range(height):
        line = pixels[y].ravel().tolist()
        out = []
        for i, x in enumerate(line):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prior[i], (prior[i - bpp] if i >= bpp else 0)
            predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][filters[y]]
            out.append((x - predictor) % 256)
        rows.append(bytes([filters[y]] + out))
        prior = line

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, {3: 2, 4: 6}[bpp], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("channels", [3, 4])
def test_every_filter_reads_back(channels):
    rng = np.random.default_rng(channels)
    pixels = rng.integers(0, 256, (10, 7, channels), dtype=np.uint8)
    filters = [0, 1, 2, 3, 4, 4, 3, 2, 1, 0]
    assert np.array_equal(read_png(encode(pixels, filters)), pixels)


def test_not_a_png_is_refused():
    with pytest.raises(ValueError, match="not a PNG"):
        read_png(b"GIF89a")
