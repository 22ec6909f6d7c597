"""Which implementation a query uses for a store."""

from __future__ import annotations

from graph.store.base import GraphStore

__all__ = ["is_neo4j"]


def is_neo4j(store: GraphStore) -> bool:
    """True when the store is a Neo4j store (queries then run their Cypher)."""
    return store.backend == "neo4j"
