"""Raster picture benchmark: ``runtime.raster_svg`` of a long, wide run, as ``corelet run --raster``
draws it.

A hand-made result (no simulation): ``--ticks`` ticks (10,000), an input of ``--pins`` pins (256)
firing with probability ``--rate`` (0.05) per tick, a probe of half as many and an output of a
quarter, all random. Long runs are binned (one column per pixel), so the time and the size stay
bounded whatever the number of spikes.

Prints one JSON line: ticks, pins, spikes (drawn, all panels), seconds (the median of ``--repeat``
calls), svg_bytes.

    python benchmarks/raster.py --ticks 10000 --pins 256
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from corelet.runtime import SimResult, raster_svg


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ticks", type=int, default=10_000)
    ap.add_argument("--pins", type=int, default=256)
    ap.add_argument("--rate", type=float, default=0.05)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    x = rng.random((1, args.ticks, args.pins)) < args.rate
    probe = rng.random((1, args.ticks, args.pins // 2)) < args.rate
    out = rng.random((1, args.ticks, max(args.pins // 4, 1))) < args.rate
    result = SimResult(ticks=args.ticks, batch=1, seed=0, outputs={"y": out}, counts={},
                       probes={"h[*]": probe}, probe_neurons={}, traces={},
                       neuron_spikes=np.zeros(1, np.int64), axon_activity=np.zeros(1, np.int64))
    times, svg = [], ""
    for _ in range(args.repeat):
        start = time.perf_counter()
        svg = raster_svg(result, inputs={"x": x}, reset_every=1000)
        times.append(time.perf_counter() - start)
    print(json.dumps({"ticks": args.ticks, "pins": args.pins,
                      "spikes": int(x.sum() + probe.sum() + out.sum()),
                      "seconds": round(statistics.median(times), 3), "svg_bytes": len(svg)}))


if __name__ == "__main__":
    main()
