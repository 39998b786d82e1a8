"""The Store on PostgreSQL (asyncpg): many bot processes sharing one database."""

from __future__ import annotations

from storage.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
