"""Neuron template fields: the user-facing names, their conversion and the chip's ranges.

A template sets any of: ``weights`` (4 values, one per axon type), ``stochastic_weights`` (4
bools), ``leak``, ``stochastic_leak``, ``leak_reversal``, ``threshold``, ``threshold_mask``,
``neg_threshold``, ``neg_mode`` (``saturate`` or ``reset``), ``reset`` (``value``, ``linear`` or
``none``), ``reset_value``, ``initial``, and ``floor`` (``floor = -b`` is ``neg_threshold = b;
neg_mode = saturate``). Every field also takes one value per neuron (an array as long as the
population; ``weights`` then has shape ``[size, 4]``).
"""

from __future__ import annotations

import numpy as np

from corelet.chip import NEURON_FIELDS, ChipProfile
from corelet.chip.params import NEG_RESET, NEG_SATURATE, RESET_LINEAR, RESET_NONE, RESET_VALUE
from corelet.language._values import ElaborationError, as_python, is_array, is_bools, kind_name
from corelet.language.diagnostics import did_you_mean

RESET_MODES = {"value": RESET_VALUE, "linear": RESET_LINEAR, "none": RESET_NONE}
NEG_MODES = {"saturate": NEG_SATURATE, "reset": NEG_RESET}
CHOICES = {"reset": RESET_MODES, "neg_mode": NEG_MODES}

FIELD_NAMES = ("weights", "stochastic_weights", "leak", "stochastic_leak", "leak_reversal",
               "threshold", "threshold_mask", "neg_threshold", "neg_mode", "reset", "reset_value",
               "initial", "floor")

_BOOL_FIELDS = {"stochastic_weights", "stochastic_leak", "leak_reversal"}


def field_ranges(profile: ChipProfile) -> dict[str, tuple[int, int]]:
    return {
        "weights": profile.weight_range,
        "leak": profile.leak_range,
        "threshold": profile.threshold_range,
        "threshold_mask": profile.threshold_mask_range,
        "neg_threshold": profile.neg_threshold_range,
        "reset_value": profile.reset_value_range,
        "initial": profile.membrane_range,
        "floor": (-profile.neg_threshold_range[1], 0),
    }


def check_field_name(name: str, span) -> None:
    if name not in FIELD_NAMES:
        raise ElaborationError(f"unknown neuron field `{name}`", span,
                               did_you_mean(name, FIELD_NAMES) or
                               "fields: " + ", ".join(FIELD_NAMES))


def convert_field(name: str, value, span, profile: ChipProfile) -> dict:
    """One user field -> {NeuronParams field: array}; raises on a wrong type or range."""
    if name in CHOICES:
        return {_internal(name): np.asarray(_choice(name, value, span), dtype=np.int64)}
    if name in _BOOL_FIELDS:
        array = _bools(name, value, span)
    else:
        array = _integers(name, value, span)
    if name in ("weights", "stochastic_weights") and array.shape[-1:] != (4,):
        raise ElaborationError(f"`{name}` needs 4 values (one per axon type), got "
                               f"{kind_name(as_python(value) if not is_array(value) else value)}",
                               span)
    low, high = field_ranges(profile).get(name, (None, None))
    if low is not None:
        _check_range(name, array, low, high, span)
    if name == "reset_value":
        _check_reset_encoding(array, span, profile)
    if name == "floor":
        return {"neg_threshold": -array, "neg_mode": np.asarray(NEG_SATURATE)}
    return {name: array}


def _internal(name: str) -> str:
    return "reset_mode" if name == "reset" else name


def _choice(name: str, value, span) -> int:
    options = CHOICES[name]
    value = as_python(value)
    if isinstance(value, str) and value in options:
        return options[value]
    words = ", ".join(f"`{o}`" for o in list(options)[:-1]) + f" or `{list(options)[-1]}`"
    hint = did_you_mean(value, options) if isinstance(value, str) else ""
    raise ElaborationError(f"`{name}` must be {words}, got {value!r}", span, hint)


def _bools(name: str, value, span) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind == "b":
        return array
    if array.dtype.kind in "iu" and np.isin(array, (0, 1)).all():
        return array.astype(bool)
    raise ElaborationError(f"`{name}` must be true or false, got {_show(value)}", span)


def _integers(name: str, value, span) -> np.ndarray:
    if is_bools(value):
        raise ElaborationError(f"`{name}` must be an integer, got {_show(value)}", span)
    array = np.asarray(value)
    if array.dtype.kind not in "iu":
        hint = "use int(...) or round(...)" if array.dtype.kind == "f" else ""
        raise ElaborationError(f"`{name}` must be an integer, got {_show(value)}", span, hint)
    return array.astype(np.int64)


def _check_range(name: str, array: np.ndarray, low: int, high: int, span) -> None:
    bad = (array < low) | (array > high)
    if not bad.any():
        return
    value = int(array[bad].flat[0])
    where = ""
    if array.size > 1:  # say which element of a row or per-neuron array
        position = np.argwhere(bad)[0].tolist()
        where = f" (element {position[0] if len(position) == 1 else tuple(position)})"
    what = "weight" if name == "weights" else name
    raise ElaborationError(f"{what} {value}{where} is outside the chip's range {low}..{high}", span)


def _check_reset_encoding(array: np.ndarray, span, profile: ChipProfile) -> None:
    """The chip stores R as sign * (2^k - 1) (``ChipProfile.reset_values_held``)."""
    bad = ~profile.reset_values_held(array)
    if not bad.any():
        return
    value = int(array[bad].flat[0])
    where = f" (element {np.argwhere(bad)[0].tolist()[0]})" if array.size > 1 else ""
    nearest = " or ".join(str(v) for v in profile.nearest_reset_values(value))
    raise ElaborationError(
        f"reset_value {value}{where} cannot be held by the chip, which stores it as a sign and an "
        f"exponent, sign * (2^k - 1): 0, +-1, +-3, +-7, ..., +-{profile.reset_value_range[1]}",
        span, f"nearest values the chip holds: {nearest}; to study other values, use the profile "
        "corelet.chip.IDEAL (profile= in the API): its models cannot be exported to the chip")


def _show(value) -> str:
    value = as_python(value)
    if isinstance(value, (int, float, bool)) and not is_array(value):
        return f"{kind_name(value)} {str(value).lower() if isinstance(value, bool) else value}"
    if isinstance(value, str):
        return f"str {value!r}"
    return kind_name(value)


def fill_population(tables: dict, start: int, size: int, shape: tuple, fields: dict,
                    label: str, span) -> None:
    """Write a template's fields into the network's parameter arrays, rows start..start+size."""
    for name, (value, field_span) in fields.items():
        target = tables[name]
        trailing = NEURON_FIELDS[name][1]
        value = np.asarray(value)
        per_neuron = value.shape[:value.ndim - len(trailing)]
        if per_neuron not in ((), (size,), shape):
            user_name = {"reset_mode": "reset"}.get(name, name)
            if int(np.prod(per_neuron)) == size:  # as many values, in another shape
                dims = ", ".join(map(str, per_neuron))
                raise ElaborationError(
                    f"`{user_name}` has shape [{dims}] but `{label}` has shape "
                    f"[{', '.join(map(str, shape))}]", field_span,
                    f"give one value per neuron in the population's shape or flattened, e.g. "
                    f"`reshape(..., [{size}])`")
            raise ElaborationError(
                f"`{user_name}` has {int(np.prod(per_neuron))} values but `{label}` has {size} "
                "neurons", field_span)
        target[start:start + size] = value.reshape((-1, *trailing)) if per_neuron else value

