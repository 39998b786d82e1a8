"""`open_store(url)`: the store a settings URL names, checked, opened and (by default) migrated.

Each backend is imported only when its URL is used, so a SQLite-only install needs no asyncpg.
Before a store opens, what people get wrong is checked and named in one `SettingsError` line (a
missing folder, a read-only or locked file; a database, role, port or schema that is not there),
instead of a store that opens and then fails every command. Messages show the URL without its
password (`display_url`).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.errors import SettingsError
from bot.ports import Store

__all__ = ["display_url", "open_store", "pending_migrations", "sqlite_path"]

SCHEMES = "sqlite://, postgresql:// or postgres://"
_LOCK_WAIT_S = 5.0  # as long as the SQLite store waits for a lock
_CONNECT_TIMEOUT_S = 10.0
_POSTGRES_HINT = "from the clone run: .venv/bin/pip install '.[postgres]'"


def display_url(url: str) -> str:
    """The URL without user, password or a `password=` parameter: safe for messages and logs."""
    if url.startswith("sqlite:") or "://" not in url:
        return url  # a file path, never credentials
    scheme, _, rest = url.partition("://")
    before_query, mark, query = rest.partition("?")
    kept = [p for p in query.split("&") if p.split("=", 1)[0].lower() != "password"]
    shown_query = "&".join(kept)
    # The user and password end at the last @ before the query (an unencoded / in a password
    # must not leave half of it showing).
    location = before_query.rpartition("@")[2]
    return f"{scheme}://{location}{mark if shown_query else ''}{shown_query}"


def sqlite_path(url: str) -> str:
    """`sqlite:///qabot.db` is relative to the working directory, `sqlite:////abs/x.db` absolute."""
    path = url.removeprefix("sqlite://")
    if not path.startswith("/") or path == "/":
        raise SettingsError(f"[storage] url {url!r} must look like sqlite:///path/to/file.db")
    return path[1:]


def _cannot_open(url: str, reason: str) -> SettingsError:
    return SettingsError(f"[storage] url {display_url(url)} cannot be opened: {reason}")


async def open_store(
    url: str,
    *,
    migrate: bool = True,
    read_only: bool = False,
    pool_size: int = 10,
    search_language: str | None = None,
) -> Store:
    """Open (and by default migrate) the store a settings URL names; given `search_language`,
    its search stems words in that language (SQLite: English only). A `read_only` store is
    neither migrated nor written: every write fails, and a SQLite one runs no checkpoints."""
    if url.startswith("sqlite://"):
        from storage.sqlite import SqliteStore

        if search_language not in (None, "english"):
            raise SettingsError(
                f"[search] language {search_language!r} needs PostgreSQL; the SQLite store "
                'stems "english" only'
            )

        path = sqlite_path(url)
        # Checked here, cleanly: after a failed aiosqlite.connect its worker thread may report to
        # an event loop already closed, printing a traceback.
        writable = migrate and not read_only
        await asyncio.to_thread(_check_sqlite, url, path, writable=writable, exists=read_only)
        return await SqliteStore.open(path, migrate=migrate, read_only=read_only)
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from storage.postgres import PostgresStore
        except ImportError as error:
            missing = "asyncpg" if error.name == "asyncpg" else f"a library it needs ({error})"
            raise SettingsError(
                f"[storage] url is PostgreSQL but {missing} is not installed; {_POSTGRES_HINT}"
            ) from None
        await _check_postgres(url)
        store: Store = await PostgresStore.open(
            url, migrate=migrate, read_only=read_only, pool_size=pool_size,
            search_language=search_language,
        )  # fmt: skip
        return store
    raise SettingsError(f"[storage] url {display_url(url)!r} must start with {SCHEMES}")


# SQLite ---------------------------------------------------------------------------------------


def _check_sqlite(url: str, path: str, *, writable: bool, exists: bool = False) -> None:
    """The file can be opened, and (when `writable`) written: its folder exists, it is not
    read-only, and no other program holds its write lock for longer than the store waits.
    Given `exists`, a missing file is refused instead of made."""
    file = Path(path)
    if exists and not file.is_file():
        raise _cannot_open(url, "there is no such file")
    if writable:
        _check_sqlite_place(url, file)
    try:
        connection = sqlite3.connect(path, timeout=_LOCK_WAIT_S, isolation_level=None)
    except sqlite3.Error as error:
        raise _cannot_open(url, str(error)) from None
    try:
        connection.execute("BEGIN IMMEDIATE" if writable else "SELECT count(*) FROM sqlite_master")
        if writable:
            connection.execute("ROLLBACK")
    except sqlite3.Error as error:
        raise _cannot_open(url, _sqlite_reason(file, error)) from None
    finally:
        connection.close()


def _check_sqlite_place(url: str, file: Path) -> None:
    folder = file.parent
    if not folder.is_dir():
        raise _cannot_open(url, f"the folder {folder} does not exist; create it or change the path")
    if file.is_dir():
        raise _cannot_open(url, f"{file} is a folder; name a file in it, like {file / 'qabot.db'}")
    if file.exists() and not os.access(file, os.R_OK | os.W_OK):
        raise _cannot_open(
            url, f"{file} is read-only; qabot writes every vote there, so make it writable"
        )
    if not file.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise _cannot_open(url, f"qabot may not create files in the folder {folder}")


def _sqlite_reason(file: Path, error: sqlite3.Error) -> str:
    if getattr(error, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return (
            f"another program has held {file} locked for more than {_LOCK_WAIT_S:.0f} s; "
            "close it (a database browser, another qabot) and start again"
        )
    return str(error)


# PostgreSQL -----------------------------------------------------------------------------------


async def _check_postgres(url: str) -> None:
    """One connection: the server answers, the role and database exist, and a schema in
    `search_path` does (else the migrations have nowhere to create the tables)."""
    connection = await _connect(url)
    try:
        if await connection.fetchval("SELECT current_schema()") is None:
            search_path = await connection.fetchval("SHOW search_path")
            raise _cannot_open(
                url,
                f"no schema in its search_path ({search_path}) exists; create one "
                "(CREATE SCHEMA name) or change search_path in the URL",
            )
    finally:
        await connection.close()


async def _connect(url: str) -> Any:
    import asyncpg  # type: ignore[import-untyped]

    try:
        return await asyncpg.connect(url, timeout=_CONNECT_TIMEOUT_S)
    except asyncpg.InvalidCatalogNameError as error:
        reason = f"{error}; create it (createdb) or fix its name in the URL"
        raise _cannot_open(url, reason) from None
    except asyncpg.InvalidAuthorizationSpecificationError as error:
        raise _cannot_open(url, f"{error}; create the role or fix the user in the URL") from None
    except asyncpg.InvalidPasswordError as error:
        raise _cannot_open(url, f"{error}; fix the password") from None
    except TimeoutError:
        reason = f"{_address(url)} did not answer within {_CONNECT_TIMEOUT_S:.0f} s"
        raise _cannot_open(url, f"{reason}; check the host and the network") from None
    except OSError:
        reason = f"nothing accepts connections at {_address(url)}"
        raise _cannot_open(url, f"{reason}; start PostgreSQL or fix the host and port") from None
    except (asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as error:
        raise _cannot_open(url, str(error) or type(error).__name__) from None


def _address(url: str) -> str:
    parts = urlsplit(display_url(url))
    try:
        port = parts.port or 5432
    except ValueError:
        port = 5432
    return f"{parts.hostname or 'localhost'}:{port}"


# Schema state ---------------------------------------------------------------------------------


async def pending_migrations(url: str) -> list[str]:
    """The migrations the store at `url` has not applied yet ("0013_name"; all of them for a
    new store), read without changing it; SettingsError when it cannot be reached."""
    from storage.migrations import migrations_for

    if url.startswith("sqlite://"):
        dialect, applied = "sqlite", await asyncio.to_thread(_sqlite_applied, url)
    else:
        dialect, applied = "postgres", await _postgres_applied(url)
    return [
        f"{m.version:04d}_{m.name}" for m in migrations_for(dialect) if m.version not in applied
    ]


def _sqlite_applied(url: str) -> set[int]:
    path = sqlite_path(url)
    if not Path(path).exists():
        _check_sqlite_place(url, Path(path))
        return set()
    _check_sqlite(url, path, writable=False)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        try:
            return {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
        except sqlite3.OperationalError:  # no such table: nothing applied yet
            return set()


async def _postgres_applied(url: str) -> set[int]:
    connection = await _connect(url)
    try:
        if await connection.fetchval("SELECT to_regclass('schema_migrations')") is None:
            return set()
        return {row[0] for row in await connection.fetch("SELECT version FROM schema_migrations")}
    finally:
        await connection.close()
