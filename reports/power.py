"""Power estimates of a placed chip model, from published TrueNorth figures.

The model has two terms, both taken from the chip profile (``chip/profile.py``), whose defaults come
from Merolla et al., Science 2014 (:data:`SOURCE`):

* leakage: ``profile.core_power_w`` per used core. The default, 65 mW / 4096 cores (about 15.9 uW),
  spreads the power of a whole chip running in real time over its cores, so it is an upper bound on
  the idle power of a core. This is seed 002's accounting, ``P_leak * cores used / 4096``.
* active: ``profile.synaptic_event_energy_j`` (26 pJ) per synaptic event, one event being one active
  axon reaching one synapse. At ``profile.tick_hz`` ticks per second (1 kHz, real time) the active
  power is ``events per tick * tick_hz * energy per event``.

Total = active + leakage. Events per tick come either from an assumed firing rate
(:func:`assumed_power`) or from run statistics recorded by ``corelet run --stats``
(:func:`measured_power`).
"""

from __future__ import annotations

import attrs
import numpy as np

from corelet.chip import TRUENORTH, ToolchainError
from corelet.chip.profile import chip_crossings
from corelet.chip.run_stats import STATS_FORMAT, STATS_VERSION

SOURCE = ("P. A. Merolla et al., \"A million spiking-neuron integrated circuit with a scalable "
          "communication network and interface\", Science 345(6197):668-673, 2014")
ASSUMED_RATE_HZ = 20.0


def constants_source(profile) -> str:
    """Where the profile's power constants come from: the paper, unless a profile changed them."""
    published = (profile.core_power_w == TRUENORTH.core_power_w
                 and profile.synaptic_event_energy_j == TRUENORTH.synaptic_event_energy_j)
    return SOURCE if published else f"the chip profile {profile.name!r} (not the published figures)"


class StatsError(ToolchainError):
    """Run statistics that cannot be used for a power estimate."""


@attrs.frozen
class PowerEstimate:
    """Leakage and active power of a model, with the figures they were computed from.

    ``basis`` is ``"assumed"`` (a stated firing rate) or ``"measured"`` (run statistics);
    ``events_per_tick`` and ``spikes_per_tick`` are whole-model means per tick (per sample);
    ``rate_hz`` is the mean firing rate of a used neuron at ``tick_hz``.
    """

    basis: str
    cores_used: int
    cores_per_chip: int
    core_power_w: float
    event_energy_j: float
    tick_hz: float
    events_per_tick: float
    spikes_per_tick: float
    rate_hz: float
    ticks: int = 0
    batch: int = 0

    @property
    def leakage_w(self) -> float:
        return self.cores_used * self.core_power_w

    @property
    def chip_power_w(self) -> float:
        """The whole-chip figure the per-core leakage is derived from (65 mW by default)."""
        return self.core_power_w * self.cores_per_chip

    @property
    def active_w(self) -> float:
        return self.events_per_tick * self.tick_hz * self.event_energy_j

    @property
    def total_w(self) -> float:
        return self.active_w + self.leakage_w


def axon_sources(model) -> np.ndarray:
    """How many sources (routed neurons and input routes) reach each axon, int (C, A)."""
    cores = model.cores
    counts = np.zeros(cores.axon_type.shape, np.int64)
    routed = (cores.neuron_path >= 0) & (cores.target_core >= 0)
    np.add.at(counts, (cores.target_core[routed], cores.target_axon[routed].astype(np.int64)), 1)
    for connector in model.inputs:
        np.add.at(counts, (np.asarray(connector.core, np.int64),
                           np.asarray(connector.axon, np.int64)), 1)
    return counts


def assumed_power(model, row_synapses: np.ndarray, cores_used: int,
                  rate_hz: float = ASSUMED_RATE_HZ) -> PowerEstimate:
    """Power when every used neuron and every input pin fires at ``rate_hz``.

    A source fires in a tick with probability ``p = rate_hz / tick_hz``, independently of the
    others; an axon reached by k sources is active with probability ``1 - (1 - p)**k`` (spikes that
    meet on an axon merge) and then makes one event per synapse on its row (``row_synapses``,
    int (C, A)).
    """
    profile = model.profile
    p = min(rate_hz / profile.tick_hz, 1.0)
    active = 1.0 - (1.0 - p) ** axon_sources(model)
    events = float((active * row_synapses).sum())
    used_neurons = int((model.cores.neuron_path >= 0).sum())
    return _estimate(profile, "assumed", cores_used, events, p * used_neurons, rate_hz)


def measured_power(model, stats: dict, cores_used: int) -> PowerEstimate:
    """Power from ``corelet run --stats`` output: events per tick averaged over ticks and samples."""
    ticks, batch, _ = _checked_stats(stats, model.n_cores)
    spikes_per_core, events_per_core = core_activity(model, stats)
    events, spikes = float(events_per_core.sum()), float(spikes_per_core.sum())
    used_neurons = int((model.cores.neuron_path >= 0).sum())
    rate = spikes / used_neurons * model.profile.tick_hz if used_neurons else 0.0
    return _estimate(model.profile, "measured", cores_used, events, spikes, rate, ticks, batch)


def core_activity(model, stats: dict) -> tuple[np.ndarray, np.ndarray]:
    """Spikes and synaptic events per tick (and per sample) of every core, float (C,) each."""
    ticks, batch, rows = _checked_stats(stats, model.n_cores)
    core = np.array([r["core"] for r in rows], np.int64)
    spikes = np.bincount(core, [r["spikes"] for r in rows], minlength=model.n_cores)
    events = np.bincount(core, [r["synaptic_events"] for r in rows], minlength=model.n_cores)
    return spikes / (ticks * batch), events / (ticks * batch)


def _estimate(profile, basis, cores_used, events, spikes, rate, ticks=0, batch=0) -> PowerEstimate:
    return PowerEstimate(basis=basis, cores_used=cores_used, cores_per_chip=profile.cores_per_chip,
                         core_power_w=profile.core_power_w,
                         event_energy_j=profile.synaptic_event_energy_j, tick_hz=profile.tick_hz,
                         events_per_tick=events, spikes_per_tick=spikes, rate_hz=rate,
                         ticks=ticks, batch=batch)


def _checked_stats(stats, n_cores: int) -> tuple[int, int, list[dict]]:
    """Ticks, batch and per-core rows of run statistics; a ``StatsError`` says what is wrong."""
    if not isinstance(stats, dict) or stats.get("format") != STATS_FORMAT:
        raise StatsError(f"run statistics must be a JSON object with \"format\": \"{STATS_FORMAT}\" "
                         "(written by `corelet run --stats`)")
    if stats.get("version") != STATS_VERSION:
        raise StatsError(f"run statistics version {stats.get('version')!r} is not supported "
                         f"(this report reads version {STATS_VERSION})")
    ticks, batch, rows = stats.get("ticks"), stats.get("batch", 1), stats.get("cores")
    if not isinstance(ticks, int) or ticks < 1 or not isinstance(batch, int) or batch < 1:
        raise StatsError(f"run statistics: 'ticks' = {ticks!r} and 'batch' = {batch!r} must be "
                         "integers of at least 1")
    if not isinstance(rows, list):
        raise StatsError("run statistics: 'cores' must be a list of per-core records")
    seen: dict[int, int] = {}
    for k, row in enumerate(rows):
        _check_row(k, row, n_cores)
        if row["core"] in seen:  # summing them would count the core's activity twice
            raise StatsError(f"run statistics: cores[{k}] repeats core {row['core']} (first in "
                             f"cores[{seen[row['core']]}]); each core must appear once")
        seen[row["core"]] = k
    return ticks, batch, rows


def _check_row(k: int, row, n_cores: int) -> None:
    fields = ("core", "spikes", "synaptic_events")
    if not isinstance(row, dict) or not all(isinstance(row.get(f), int) and row[f] >= 0 for f in fields):
        raise StatsError(f"run statistics: cores[{k}] = {row!r} must hold non-negative integers "
                         "'core', 'spikes' and 'synaptic_events'")
    if row["core"] >= n_cores:
        raise StatsError(f"run statistics: cores[{k}] names core {row['core']} but the model has "
                         f"{n_cores} cores (0..{n_cores - 1}); were the statistics recorded with "
                         "another model?")


# -- spikes between chips -------------------------------------------------------------------------
@attrs.frozen
class ChipLink:
    """The link between two neighbouring chips, as the reports model it.

    Chips sit side by side along the columns (the hop convention of ``chip.profile``), so a spike
    from chip a to chip b crosses ``|a - b|`` boundaries, each through one link. Per boundary a
    spike costs ``energy_j`` and ``latency_s``; a link carries at most ``spikes_per_s``. Crossing
    adds no tick of latency while every spike of a tick reaches its chip within the tick (the chip
    delivers spikes at the delay's tick boundary); a link loaded past its capacity would overrun the
    tick, which the report flags. These figures are ASSUMPTIONS of this toolchain, orders of
    magnitude for board-level parallel I/O (a 32-bit spike packet at about 10 pJ per bit, an
    asynchronous hand-off of about 1 us, one packet per 20 ns), not published TrueNorth figures:
    pass your board's numbers to :func:`crossing_estimate`.
    """

    energy_j: float = 320e-12
    latency_s: float = 1e-6
    spikes_per_s: float = 50e6
    source: str = ("assumed: a 32-bit spike packet at ~10 pJ/bit, ~1 us and one packet per 20 ns per "
                   "chip boundary (orders of magnitude for board-level I/O, not published TrueNorth "
                   "figures)")


CHIP_LINK = ChipLink()


@attrs.frozen
class CrossingEstimate:
    """Spikes that cross chip boundaries, and what they add.

    ``routes`` counts used neurons whose target core is on another chip, ``boundaries`` the chip
    boundaries those routes cross in all, ``max_boundaries`` the most one route crosses, ``pairs``
    (source chip, target chip, routes) for each pair of chips with routes between them, and
    ``boundary_routes`` the routes over each boundary (boundary k lies between chips k and k + 1).
    ``spikes_per_tick`` and ``crossings_per_tick`` are spikes sent across and boundary crossings
    per tick, at the assumed rate (``basis="assumed"``) or measured (``"measured"``).
    """

    basis: str
    link: ChipLink
    tick_hz: float
    routes: int
    boundaries: int
    max_boundaries: int
    pairs: tuple[tuple[int, int, int], ...]
    boundary_routes: tuple[int, ...]
    spikes_per_tick: float
    crossings_per_tick: float
    busiest_boundary_spikes_per_tick: float | None = None

    @property
    def power_w(self) -> float:
        return self.crossings_per_tick * self.tick_hz * self.link.energy_j

    @property
    def max_latency_s(self) -> float:
        """The most time one spike spends on links (its boundaries times the link latency)."""
        return self.max_boundaries * self.link.latency_s

    @property
    def link_load(self) -> float | None:
        """The busiest link's share of its capacity per tick (above 1 the tick overruns)."""
        if self.busiest_boundary_spikes_per_tick is None:
            return None
        return self.busiest_boundary_spikes_per_tick * self.tick_hz / self.link.spikes_per_s

    @property
    def added_ticks(self) -> int:
        """Ticks the crossings add: none while a spike's time on the links fits in a tick."""
        tick_s = 1.0 / self.tick_hz
        return 0 if self.max_latency_s < tick_s else int(np.ceil(self.max_latency_s / tick_s)) - 1


def crossing_routes(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source chip, target chip and boundaries crossed of every route between two chips."""
    cores = model.cores
    src_core, src_neuron = np.nonzero((cores.neuron_path >= 0) & (cores.target_core >= 0))
    dst_core = cores.target_core[src_core, src_neuron]
    crossed = chip_crossings(cores.coords, src_core, dst_core)
    across = crossed > 0
    chip = np.asarray(cores.coords, np.int64)[:, 0]
    return chip[src_core[across]], chip[dst_core[across]], crossed[across]


def crossing_estimate(model, stats: dict | None = None, *, link: ChipLink = CHIP_LINK,
                      rate_hz: float = ASSUMED_RATE_HZ) -> CrossingEstimate:
    """Spikes across chip boundaries: at ``rate_hz`` per neuron, or measured by ``stats``
    (``corelet run --stats``, its ``chip_crossings`` entry)."""
    src, dst, crossed = crossing_routes(model)
    n_chips = int(np.asarray(model.cores.coords)[:, 0].max(initial=0)) + 1
    pair_keys, pair_counts = np.unique(src * n_chips + dst, return_counts=True)
    pairs = tuple((int(k // n_chips), int(k % n_chips), int(n)) for k, n in zip(pair_keys, pair_counts))
    # a route from chip a to chip b uses the boundaries min(a,b) .. max(a,b) - 1: a difference array
    steps = np.zeros(max(n_chips, 1) + 1, np.int64)
    np.add.at(steps, np.minimum(src, dst), 1)
    np.add.at(steps, np.maximum(src, dst), -1)
    boundary_routes = tuple(int(v) for v in np.cumsum(steps)[:max(n_chips - 1, 0)])
    common = dict(link=link, tick_hz=model.profile.tick_hz, routes=len(crossed),
                  boundaries=int(crossed.sum()), max_boundaries=int(crossed.max(initial=0)),
                  pairs=pairs, boundary_routes=boundary_routes)
    if stats is None:
        p = min(rate_hz / model.profile.tick_hz, 1.0)
        return CrossingEstimate(basis="assumed", spikes_per_tick=p * len(crossed),
                                crossings_per_tick=p * float(crossed.sum()),
                                busiest_boundary_spikes_per_tick=p * max(boundary_routes, default=0),
                                **common)
    ticks, batch, _ = _checked_stats(stats, model.n_cores)
    measured = stats.get("chip_crossings")
    if measured is None:
        raise StatsError("run statistics: no 'chip_crossings' entry (written by `corelet run "
                         "--stats` since the reports show spikes between chips; run it again)")
    if not isinstance(measured, dict) or not all(
            isinstance(measured.get(k), int) and measured[k] >= 0 for k in ("spikes", "boundaries")):
        raise StatsError(f"run statistics: 'chip_crossings' = {measured!r} must hold non-negative "
                         "integers 'spikes' and 'boundaries'")
    per_tick = float(ticks * batch)
    return CrossingEstimate(basis="measured", spikes_per_tick=measured["spikes"] / per_tick,
                            crossings_per_tick=measured["boundaries"] / per_tick, **common)


def tick_spikes(stats: dict) -> np.ndarray | None:
    """Spikes per tick and per sample, float (T,), from run statistics; ``None`` for statistics
    written before they recorded it."""
    ticks, batch = stats.get("ticks"), stats.get("batch", 1)
    series = stats.get("tick_spikes")
    if series is None:
        return None
    if (not isinstance(series, list) or len(series) != ticks
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in series)):
        raise StatsError(f"run statistics: 'tick_spikes' must list {ticks} non-negative integers "
                         "(spikes in each tick)")
    return np.asarray(series, float) / batch
