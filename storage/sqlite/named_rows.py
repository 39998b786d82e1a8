"""Rows as dicts, for reads on the event loop that map many columns by name.

A `sqlite3.Row` finds a column by name by comparing it, case-insensitively, with every column
name before it: for the last columns of a joined row (a `/top` row has 36) one lookup costs
about as much as building the whole dict, and the row mappers look up every column.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

__all__ = ["named_rows"]


def named_rows(
    db: sqlite3.Connection, statement: str, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The statement's rows as dicts, whatever the connection's own row factory."""
    cursor = db.cursor()
    cursor.row_factory = None  # plain tuples: the dicts are built from them
    cursor.execute(statement, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
