"""GenerationCache: one value per store and write generation, built once even when asked at once."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from graph.queries.generation import GenerationCache, store_generation


@dataclass
class Built:
    generation: int | None
    n: int


class FakeStore:
    def __init__(self) -> None:
        self.gen = 0

    def generation(self) -> int:
        return self.gen


class NoCounter:
    pass


def test_value_is_reused_until_the_generation_moves() -> None:
    cache: GenerationCache[Built] = GenerationCache()
    store, builds = FakeStore(), []

    def build() -> Built:
        builds.append(store.gen)
        return Built(store.gen, len(builds))

    first = cache.get(store, store_generation(store), build)  # type: ignore[arg-type]
    assert cache.get(store, store_generation(store), build) is first  # type: ignore[arg-type]
    assert store in cache
    store.gen = 1
    second = cache.get(store, store_generation(store), build)  # type: ignore[arg-type]
    assert second is not first and second.generation == 1 and builds == [0, 1]
    cache.clear()
    assert store not in cache


def test_store_without_a_counter_gets_a_fresh_value_every_time() -> None:
    cache: GenerationCache[Built] = GenerationCache()
    store = NoCounter()
    assert store_generation(store) is None  # type: ignore[arg-type]
    a = cache.get(store, None, lambda: Built(None, 1))  # type: ignore[arg-type]
    b = cache.get(store, None, lambda: Built(None, 2))  # type: ignore[arg-type]
    assert (a.n, b.n) == (1, 2)


def test_concurrent_callers_share_one_build() -> None:
    cache: GenerationCache[Built] = GenerationCache()
    store, builds = FakeStore(), []

    def build() -> Built:
        builds.append(1)
        time.sleep(0.05)  # long enough for the other threads to arrive while it runs
        return Built(0, len(builds))

    got: list[Built] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get(store, 0, build)))  # type: ignore[arg-type]
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(builds) == 1 and len({id(v) for v in got}) == 1
