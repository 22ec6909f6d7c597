"""Settings, read once from the environment (prefix ``KG_``) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.errors import ConfigError

__all__ = ["Settings", "get_settings"]

_PLACEHOLDERS = {"", "changeme", "change-me", "secret", "password", "neo4j", "xiaoqi-dev-secret"}


class Settings(BaseSettings):
    """All configuration of XiaoQi Graph.

    Every field can be set as an environment variable ``KG_<NAME>``, e.g.
    ``KG_BACKEND=neo4j``.  Secrets have no usable default outside development.
    """

    model_config = SettingsConfigDict(env_prefix="KG_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    backend: Literal["embedded", "neo4j"] = "embedded"
    data_dir: Path = Field(default=Path("var"), description="where the embedded store and job files live")
    db_path: Path | None = Field(default=None, description="SQLite file; default <data_dir>/kg.sqlite3")

    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    neo4j_auth: bool = Field(default=False, description="send credentials (off for the local test launcher)")

    write_batch_size: int = Field(default=2000, ge=1, le=100_000)
    warm_up: bool = Field(default=True, description="build the query caches (text index, people "
                          "directory, graph snapshot) in the background when the server starts")

    rate_limit: str = Field(default="600/minute", description="per token (or client address)")
    max_body_bytes: int = Field(default=1_000_000, ge=1_000, description="JSON request bodies")
    max_upload_bytes: int = Field(default=50_000_000, ge=1_000, description="ingest uploads")
    secret_key: SecretStr = SecretStr("xiaoqi-dev-secret")

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.env == "production":
            if self.secret_key.get_secret_value().lower() in _PLACEHOLDERS:
                raise ConfigError("生产环境必须设置 KG_SECRET_KEY (KG_SECRET_KEY must be set in production)")
            if self.backend == "neo4j":
                pw = self.neo4j_password.get_secret_value() if self.neo4j_password else ""
                if pw.lower() in _PLACEHOLDERS:
                    raise ConfigError(
                        "生产环境必须设置 KG_NEO4J_PASSWORD (KG_NEO4J_PASSWORD must be set in production)"
                    )
        return self

    @property
    def sqlite_path(self) -> Path:
        return self.db_path or (self.data_dir / "kg.sqlite3")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; call ``get_settings.cache_clear()`` in tests)."""
    return Settings()
