"""Read a PNG screenshot into a numpy array with zlib and struct only (no imaging dependency).

Enough of the format for what Chromium writes: 8-bit greyscale, RGB or RGBA, not interlaced, with
any of the five row filters. Rows filtered with None, Sub or Up are undone with numpy; Average and
Paeth depend on the pixel to the left, so they are undone byte by byte (a few seconds at most for
a full-window screenshot).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel
SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(data: bytes) -> np.ndarray:
    """The pixels of a PNG, uint8 (height, width, channels)."""
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG file")
    pos, idat, header = len(SIGNATURE), [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    bpp = CHANNELS[colour]
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), np.uint8)
    prior = np.zeros(stride, np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: a running sum along each channel, modulo 256
            row = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint64).astype(np.uint8).ravel()
        elif kind == 2:
            row = line + prior
        elif kind in (3, 4):
            row = _left_dependent(int(kind), line.tolist(), prior.tolist(), bpp)
        else:
            raise ValueError(f"row {y}: unknown PNG filter {kind}")
        out[y] = row
        prior = out[y]
    return out.reshape(height, width, bpp)


def _left_dependent(kind: int, line: list[int], prior: list[int], bpp: int) -> np.ndarray:
    row = [0] * len(line)
    for i, x in enumerate(line):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        if kind == 3:
            row[i] = (x + (a + b) // 2) & 255
            continue
        c = prior[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        row[i] = (x + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    return np.array(row, np.uint8)
