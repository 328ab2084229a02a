"""The run-statistics contract: the JSON object ``corelet run --stats`` writes and reports read.

The runtime writes it (``corelet.runtime.run_stats``) and the reports read it (measured power,
activity per core); both take its name and version from here::

    {"format": "corelet-run-stats", "version": 1, "ticks": T, "batch": B,
     "cores": [{"core": c, "spikes": n, "synaptic_events": m}, ...],
     "tick_spikes": [n_0, n_1, ...], "chip_crossings": {"spikes": s, "boundaries": b}}

``tick_spikes`` (spikes in each tick, all neurons) and ``chip_crossings`` (spikes whose target core
is on another chip, and the chip boundaries they crossed, chips side by side along the columns) are
optional: files written before they existed lack them, and the reports then say so. All counts are
sums over the batch.
"""

STATS_FORMAT = "corelet-run-stats"
STATS_VERSION = 1
