"""Stores behind the core's Store port; `open_store(url)` picks one from a URL.

`storage.sqlite` and `storage.postgres` hold one store each; what both share (opening by URL,
schema migrations, copy-store, rows to domain values) lives here.
"""

from __future__ import annotations

from storage.opener import open_store, sqlite_path

__all__ = ["open_store", "sqlite_path"]
