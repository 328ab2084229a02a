"""The run-statistics contract: the JSON object ``corelet run --stats`` writes and reports read.

The runtime writes it (``corelet.runtime.run_stats``) and the reports read it (measured power,
activity per core); both take its name and version from here::

    {"format": "corelet-run-stats", "version": 1, "ticks": T, "batch": B,
     "cores": [{"core": c, "spikes": n, "synaptic_events": m}, ...]}
"""

STATS_FORMAT = "corelet-run-stats"
STATS_VERSION = 1
