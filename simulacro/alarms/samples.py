"""Raw samples, as the caller gives them, turned into two float arrays (epoch seconds, values).

Accepted shapes:
- any iterable of ``(timestamp, value)`` pairs, timestamps as datetimes or epoch seconds;
- a numpy array of shape ``(n, 2)`` (epoch seconds, value);
- a pair of 1-D numpy arrays ``(timestamps, values)`` of the same length (the fast path for
  long series: no per-sample Python work);
- `SampleColumns` ``(times, values)``: two sequences of epoch seconds and values, as a store keeps
  them (the fast path for the few samples of one evaluation range, see `simulacro.alarms.few_samples`).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

from .errors import SamplesError
from .timestamps import to_epoch_seconds

SampleArrays = tuple[np.ndarray, np.ndarray]


class SampleColumns(NamedTuple):
    """Samples as two columns: epoch seconds and values, of the same length (lists, or the arrays of a
    series the local AWS filtered with numpy)."""

    times: Sequence[float] | np.ndarray
    values: Sequence[float] | np.ndarray


def as_sample_arrays(samples: Any, *, label: str = "samples") -> SampleArrays:
    if isinstance(samples, SampleColumns):
        arrays = _from_pair_of_arrays((np.asarray(samples.times, float), np.asarray(samples.values, float)), label)
    elif isinstance(samples, np.ndarray):
        arrays = _from_two_column_array(samples, label)
    elif _is_pair_of_arrays(samples):
        arrays = _from_pair_of_arrays(samples, label)
    else:
        arrays = _from_pairs(samples, label)
    _ensure_values_are_finite(arrays[1], label)
    return arrays


def _is_pair_of_arrays(samples: Any) -> bool:
    return (
        isinstance(samples, tuple)
        and len(samples) == 2
        and all(isinstance(part, np.ndarray) and part.ndim == 1 for part in samples)
    )


def _from_two_column_array(samples: np.ndarray, label: str) -> SampleArrays:
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise SamplesError(f"{label}: a numpy array of samples must have shape (n, 2), got {samples.shape}")
    return samples[:, 0].astype(float, copy=False), samples[:, 1].astype(float, copy=False)


def _from_pair_of_arrays(samples: tuple[np.ndarray, np.ndarray], label: str) -> SampleArrays:
    times, values = samples
    if len(times) != len(values):
        raise SamplesError(f"{label}: {len(times)} timestamps but {len(values)} values")
    return times.astype(float, copy=False), values.astype(float, copy=False)


def _from_pairs(samples: Any, label: str) -> SampleArrays:
    if isinstance(samples, (str, bytes, dict)):
        raise SamplesError(f"{label}: expected an iterable of (timestamp, value) pairs, got {type(samples).__name__}")
    times: list[float] = []
    values: list[float] = []
    try:
        for timestamp, value in samples:
            times.append(to_epoch_seconds(timestamp))
            values.append(float(value))
    except (TypeError, ValueError) as error:
        raise SamplesError(f"{label}: expected (timestamp, value) pairs: {error}") from error
    return np.asarray(times, dtype=float), np.asarray(values, dtype=float)


def _ensure_values_are_finite(values: np.ndarray, label: str) -> None:
    # PutMetricData rejects NaN and infinities, so no real datapoint is ever built from one.
    if values.size and not np.isfinite(values).all():
        raise SamplesError(f"{label}: values must be finite numbers (CloudWatch rejects NaN and infinity)")
