"""Run thinc's CPU backend with numpy (OpenBLAS) matrix products instead of BLIS.

thinc's ``NumpyOps`` multiplies matrices with its bundled BLIS by default. On the project's
reference machine (2-core AMD EPYC) BLIS reaches about 20 GFLOP/s where numpy's OpenBLAS
reaches 50-80 GFLOP/s on one core, which makes NER training about twice as fast per update.
``NumpyOps(use_blis=False)`` is thinc's own switch for this; results agree to float32
rounding.

Models capture their ops when they are built, so use :func:`matmul_ops` around model
construction or loading (``nlp.ner.load_ner`` and ``nlp.ner.train`` do). Code outside the
block keeps the default backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from thinc.api import NumpyOps, get_current_ops, set_current_ops

__all__ = ["matmul_ops"]


@contextmanager
def matmul_ops() -> Iterator[NumpyOps]:
    """Make ``NumpyOps(use_blis=False)`` the current thinc backend inside the block."""
    previous = get_current_ops()
    ops = NumpyOps(use_blis=False)
    set_current_ops(ops)
    try:
        yield ops
    finally:
        set_current_ops(previous)
