"""The neuron phases of one tick (leak, thresholds, resets, saturation) over a batch of samples.

``NeuronDynamics.step`` follows ``docs/neuron-model.md`` phase by phase on a membrane array ``V``
shaped (batch, neurons), int64. Neurons whose parameters need random draws (stochastic leak, a
threshold mask) are handled as small column subsets with per-(sample, neuron) keys computed once per
run, so a network without them pays nothing for them. Where every neuron shares a mode the phase
takes a shortcut that gives the same numbers (documented at each shortcut).
"""

from __future__ import annotations

import numpy as np

from corelet.chip import TRUENORTH, NeuronParams
from corelet.chip.params import NEG_RESET, NEG_SATURATE, RESET_LINEAR, RESET_NONE, RESET_VALUE
from corelet.runtime import random

V_MIN, V_MAX = TRUENORTH.membrane_range
LEAK_BITS, THRESHOLD_BITS = 8, 17


class NeuronDynamics:
    """Per-run constants of the neuron phases; ``step`` advances the membranes by one tick."""

    def __init__(self, params: NeuronParams, neuron_ids: np.ndarray, seeds: np.ndarray,
                 dtype=np.int64):
        self.dtype = dtype  # of V; int32 halves every pass when the inputs cannot overflow it
        self.alpha = params.threshold.astype(dtype)
        self.beta = params.neg_threshold.astype(dtype)
        self.reset_value = params.reset_value.astype(dtype)
        self.initial = params.initial.astype(dtype)
        self.mode = params.reset_mode.astype(np.int64)
        self.saturate = params.neg_mode == NEG_SATURATE
        self._leak_setup(params, neuron_ids, seeds)
        self._threshold_setup(params, neuron_ids, seeds)
        self._reset_setup()

    # -- setup -------------------------------------------------------------------------------
    def _leak_setup(self, params, neuron_ids, seeds) -> None:
        leak = params.leak.astype(self.dtype)
        plain = ~params.stochastic_leak & ~params.leak_reversal
        self.leak_plain = np.where(plain, leak, 0).astype(self.dtype)
        self.any_leak_plain = bool(self.leak_plain.any())
        self.reversal_rows = np.flatnonzero(~params.stochastic_leak & params.leak_reversal
                                            & (leak != 0))
        self.reversal_leak = leak[self.reversal_rows]
        # a negative reversal leak stops at 0 instead of crossing it (docs/neuron-model.md, step 2)
        self.reversal_toward_zero = self.reversal_leak < 0
        # a stochastic leak of 0 adds sign(0) = 0 even when its draw fires (rho = 0): no draw needed
        rows = np.flatnonzero(params.stochastic_leak & (leak != 0))
        self.stoch_leak_rows = rows
        self.stoch_leak_abs = np.abs(leak[rows])
        self.stoch_leak_sign = np.sign(leak[rows])
        self.stoch_leak_reversal = params.leak_reversal[rows]
        self.stoch_leak_keys = random.neuron_keys(seeds[:, None], neuron_ids[rows][None, :])
        # one deterministic leak shared by every neuron (the common case): fused with integration
        same = len(leak) and not len(self.reversal_rows) and not len(rows) and bool(
            (self.leak_plain == self.leak_plain[0]).all())
        self.uniform_leak = int(self.leak_plain[0]) if same else None

    def _threshold_setup(self, params, neuron_ids, seeds) -> None:
        rows = np.flatnonzero(params.threshold_mask > 0)
        self.mask_rows = rows
        self.mask = ((np.int64(1) << params.threshold_mask[rows].astype(np.int64)) - 1
                     ).astype(self.dtype)
        self.mask_keys = random.neuron_keys(seeds[:, None], neuron_ids[rows][None, :])
        # eta enters the negative threshold only where the negative mode resets (kappa = 0)
        self.mask_neg = params.neg_mode[rows] == NEG_RESET

    def _reset_setup(self) -> None:
        uniform = len(self.mode) and (self.mode == self.mode[0]).all()
        self.uniform_mode = int(self.mode[0]) if uniform else None
        self.mode_value = self.mode == RESET_VALUE
        self.mode_linear = self.mode == RESET_LINEAR
        # V = max(V, -beta) equals the negative phase when every neuron saturates and no positive
        # reset can land below -beta (linear and no-reset leave V >= 0 after a spike).
        lands_below = self.mode_value & (self.reset_value < -self.beta)
        self.floor_only = bool(self.saturate.all() and not lands_below.any())
        self.neg_beta = -self.beta

    # -- one tick ----------------------------------------------------------------------------
    def step(self, V: np.ndarray, current: np.ndarray | None, tick: int,
             integrated: bool = False) -> np.ndarray:
        """Integrate ``current``, leak, threshold, reset; return the spikes (batch, neurons) bool
        and the flat indices (sample * N + neuron) of the spiking neurons.

        ``integrated``: V already holds some of this tick's (unsaturated) input; saturate it.
        """
        if current is not None:
            np.add(V, current, out=V, casting="unsafe")  # current: exact integers, any dtype
        if (current is not None or integrated) and self.uniform_leak is not None:
            # saturate, leak by l, saturate == V + l saturated to [V_MIN + max(l, 0),
            # V_MAX + min(l, 0)] for any V: one clip instead of two
            leak = self.uniform_leak
            if leak:
                V += leak
            np.clip(V, V_MIN + max(leak, 0), V_MAX + min(leak, 0), out=V)
        else:
            if current is not None or integrated:
                np.clip(V, V_MIN, V_MAX, out=V)
            self._leak(V, tick)
        eta = self._eta(tick)
        theta = self._positive_thresholds(V.shape, eta)
        spikes = V >= theta
        fired = np.flatnonzero(spikes)
        if V.flags.c_contiguous:
            self._sparse_positive_reset(V.reshape(-1), fired, theta)
        else:
            self._positive_reset(V, spikes, theta)
        self._negative(V, spikes, eta)
        return spikes, fired

    def _leak(self, V: np.ndarray, tick: int) -> None:
        rev, sto = self.reversal_rows, self.stoch_leak_rows
        if not (self.any_leak_plain or len(rev) or len(sto)):
            return
        # every leak term is computed from the V left by integration, before any of it is added
        rev_step = self._reversal_leak(V[:, rev]) if len(rev) else None
        sto_step = self._stochastic_leak(V, tick) if len(sto) else None
        if self.any_leak_plain:
            V += self.leak_plain
        if rev_step is not None:
            V[:, rev] += rev_step
        if sto_step is not None:
            V[:, sto] += sto_step
        np.clip(V, V_MIN, V_MAX, out=V)

    def _reversal_leak(self, V_rev: np.ndarray) -> np.ndarray:
        """sign(V) * lambda, except that a leak toward 0 (lambda < 0) that would cross 0 stops at
        0: the step is then -V."""
        step = np.sign(V_rev) * self.reversal_leak
        if self.reversal_toward_zero.any():
            overshoot = self.reversal_toward_zero & (np.abs(V_rev) < -self.reversal_leak)
            step = np.where(overshoot, -V_rev, step)
        return step

    def _stochastic_leak(self, V: np.ndarray, tick: int) -> np.ndarray:
        rho = random.bits(random.tick_keys(self.stoch_leak_keys, tick, random.LEAK), LEAK_BITS)
        direction = np.where(self.stoch_leak_reversal, np.sign(V[:, self.stoch_leak_rows]), 1)
        step = np.where(rho <= self.stoch_leak_abs, self.stoch_leak_sign * direction, 0)
        return step.astype(self.dtype)

    def _eta(self, tick: int) -> np.ndarray | None:
        """eta = rho_T AND (2^TM - 1) for the masked neurons (batch, k), or None if there are none."""
        if not len(self.mask_rows):
            return None
        rho = random.bits(random.tick_keys(self.mask_keys, tick, random.THRESHOLD), THRESHOLD_BITS)
        return rho.astype(self.dtype) & self.mask

    def _positive_thresholds(self, shape, eta) -> np.ndarray:
        if eta is None:
            return self.alpha
        theta = np.broadcast_to(self.alpha, shape).copy()
        theta[:, self.mask_rows] += eta
        return theta

    def _sparse_positive_reset(self, flat_V, fired, theta) -> None:
        """The positive reset applied to the spiking neurons only (``fired``: flat indices into
        ``flat_V``, the membranes as one row): few neurons fire in a tick, so this touches a
        small fraction of V instead of making whole-array passes."""
        if not fired.size or self.uniform_mode == RESET_NONE:
            return
        n = len(self.mode)
        neuron = fired % n
        theta_at = theta.reshape(-1)[fired] if theta.ndim == 2 else theta[neuron]
        if self.uniform_mode == RESET_LINEAR:
            flat_V[fired] -= theta_at
        elif self.uniform_mode == RESET_VALUE:
            flat_V[fired] = self.reset_value[neuron]
        else:
            value, linear = self.mode_value[neuron], self.mode_linear[neuron]
            flat_V[fired[value]] = self.reset_value[neuron[value]]
            flat_V[fired[linear]] -= theta_at[linear]

    # masked ufuncs (where=) are several times slower than whole-array arithmetic, hence the forms
    def _positive_reset(self, V, spikes, theta) -> None:
        if self.uniform_mode == RESET_LINEAR:
            V -= spikes * theta
        elif self.uniform_mode == RESET_VALUE:
            V[...] = np.where(spikes, self.reset_value, V)
        elif self.uniform_mode is None:
            V[...] = np.where(spikes & self.mode_value, self.reset_value, V)
            V -= (spikes & self.mode_linear) * theta

    def _negative(self, V, spikes, eta) -> None:
        if self.floor_only:
            np.maximum(V, self.neg_beta, out=V)
            return
        limit = self.beta
        if eta is not None and self.mask_neg.any():
            limit = np.broadcast_to(self.beta, V.shape).copy()
            limit[:, self.mask_rows] += eta * self.mask_neg
        below = (V < -limit) & ~spikes
        resets = below & ~self.saturate
        V[...] = np.where(below & self.saturate, self.neg_beta, V)
        V[...] = np.where(resets & self.mode_value, -self.reset_value, V)
        V += (resets & self.mode_linear) * limit
