"""Per-store caches of what stays true for one write generation of the store.

Indexes and fact tables built from the whole graph (BM25, the people directory, the tie index)
are worth keeping between queries, but only until the next write: each store counts its
writes (``store.generation()``), and a cached value remembers the generation it was built at.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from graph.store.base import GraphStore

__all__ = ["GenerationCache", "store_generation"]


class _Versioned(Protocol):
    generation: int | None


T = TypeVar("T", bound=_Versioned)


def store_generation(store: GraphStore) -> int | None:
    """The store's write generation (None when the store keeps none)."""
    gen = getattr(store, "generation", None)
    return int(gen()) if callable(gen) else None


class GenerationCache(Generic[T]):
    """One value per store, built on first use and rebuilt once the store's generation moves.

    Builds are serialised by a lock, and a caller that waited for another's build takes its
    result; a store without a generation counter (``generation`` None) gets a fresh value on
    every call.  Stores are held weakly: closing and dropping a store frees its values.
    """

    def __init__(self) -> None:
        self._values: weakref.WeakKeyDictionary[GraphStore, T] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, store: GraphStore, generation: int | None, build: Callable[[], T]) -> T:
        """The value for ``store`` at ``generation`` (read it *before* building: a write during
        the build then leaves the value one generation behind, and the next call rebuilds)."""
        cached = self._values.get(store)
        if cached is not None and generation is not None and cached.generation == generation:
            return cached
        with self._lock:
            cached = self._values.get(store)
            if cached is not None and generation is not None and cached.generation == generation:
                return cached
            built = build()
            self._values[store] = built
            return built

    def __contains__(self, store: object) -> bool:
        return store in self._values

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
