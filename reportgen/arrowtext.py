"""Arrow text arrays read as their UTF-8 bytes, for the few vectorised steps that work on bytes
(ID numbers' digits, printed widths, sheet XML written out without a copy)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def string_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, data)`` of a text array: value ``i`` is the UTF-8 bytes
    ``data[offsets[i]:offsets[i + 1]]``; both are views of the Arrow buffers, not copies."""
    arr = arr.cast(pa.large_string())
    if not len(arr):
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2] or b"", dtype=np.uint8)
    return offsets, data
