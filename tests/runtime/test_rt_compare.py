"""``runtime.first_difference``: the earliest tick where two runs' outputs differ, then the sample,
the connector and the pin, on hand-made rasters."""

import numpy as np

from corelet.runtime import first_difference


def raster(batch=2, ticks=5, width=3):
    return np.zeros((batch, ticks, width), bool)


def test_equal_runs_have_no_difference():
    a = {"y": raster(), "z": raster(width=1)}
    a["y"][1, 2, 0] = True
    assert first_difference(a, {k: v.copy() for k, v in a.items()}) is None


def test_the_earliest_tick_wins_over_sample_connector_and_pin():
    a, b = {"y": raster(), "z": raster(width=1)}, {"y": raster(), "z": raster(width=1)}
    b["y"][0, 4, 0] = True     # sample 0, late
    b["y"][1, 3, 2] = True     # sample 1, earlier
    b["z"][1, 3, 0] = True     # the same tick, a later connector
    a["y"][1, 3, 1] = True     # the same tick and sample, a lower pin: the first
    d = first_difference(a, b)
    assert (d.output, d.sample, d.tick, d.pin, d.first, d.second) == ("y", 1, 3, 1, True, False)
    assert d.describe("chip", "network") == \
        "tick 3, output y[1], sample 1: chip fired, network did not fire"
    b["z"][0, 1, 0] = True     # an earlier tick on another connector
    d = first_difference(a, b)
    assert (d.output, d.sample, d.tick, d.pin) == ("z", 0, 1, 0)


def test_missing_connectors_and_other_shapes_are_differences():
    d = first_difference({"y": raster()}, {"y": raster(), "w": raster()})
    assert d.output == "w" and d.pin == -1 and "only in the second" in d.describe()
    d = first_difference({"y": raster()}, {"y": raster(ticks=4)})
    assert d.output == "y" and d.pin == -1 and "(2, 5, 3)" in d.describe()
