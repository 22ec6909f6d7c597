"""Graph stores: one interface (:class:`GraphStore`), two backends chosen by configuration."""

from __future__ import annotations

from graph.config import Settings, get_settings
from graph.store.base import Counts, GraphStore, WriteSummary

__all__ = ["GraphStore", "WriteSummary", "Counts", "open_store"]


def open_store(settings: Settings | None = None) -> GraphStore:
    """Open the store that ``settings`` (default: the environment) names.

    ``KG_BACKEND=embedded`` (default) opens the SQLite file at ``KG_DB_PATH`` or
    ``<KG_DATA_DIR>/kg.sqlite3``; ``KG_BACKEND=neo4j`` connects to ``KG_NEO4J_URI``.
    """
    settings = settings or get_settings()
    if settings.backend == "neo4j":
        from graph.store.neo4j import Neo4jStore

        auth = None
        if settings.neo4j_auth or settings.neo4j_password is not None:
            pw = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
            auth = (settings.neo4j_user, pw)
        return Neo4jStore(
            settings.neo4j_uri, auth, database=settings.neo4j_database,
            batch_size=settings.write_batch_size,
        )
    from graph.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.sqlite_path, batch_size=settings.write_batch_size)
