"""Shared fixtures: a real SQLite file, a clock tests move, and fresh stores of either kind.

`board` is the service on a fresh store under `tmp_path`, with helpers that speak for people in
two Slack workspaces; `snapshot()` reads the file through a separate sqlite3 connection, so a test
can say "nothing changed" about what is really on disk. `fresh_url` makes an empty store URL of
either kind: SQLite is a file under tmp_path; PostgreSQL is a fresh schema in the database named
by QABOT_TEST_POSTGRES_DSN (`.ci/run` sets it), dropped afterwards, and skipped, saying why,
without the variable.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain import Answer, ChannelRef, Question, UserRef, WorkspaceRef
from bot.service import QAService
from bot.settings import ModeratorSettings, Settings
from storage.sqlite import SqliteStore

TEAM = WorkspaceRef("slack", "T1")
OTHER_TEAM = WorkspaceRef("slack", "T2")
CHANNEL = "C1"
MODERATOR = "UMOD"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

POSTGRES_DSN = os.environ.get("QABOT_TEST_POSTGRES_DSN", "")
NO_POSTGRES = "QABOT_TEST_POSTGRES_DSN is not set: no PostgreSQL to test against"

FreshUrl = Callable[[str], Awaitable[str]]


async def _admin() -> Any:
    asyncpg = pytest.importorskip("asyncpg")
    return await asyncpg.connect(POSTGRES_DSN)


@pytest.fixture
async def fresh_url(tmp_path: Path) -> AsyncIterator[FreshUrl]:
    """A factory of empty store URLs: `await fresh_url("sqlite")` or `("postgres")`."""
    schemas: list[str] = []

    async def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'qabot-{uuid.uuid4().hex[:8]}.db'}"
        if not POSTGRES_DSN:
            pytest.skip(NO_POSTGRES)
        schema = f"qabot_test_{uuid.uuid4().hex[:12]}"
        admin = await _admin()
        try:
            await admin.execute(f"CREATE SCHEMA {schema}")
        finally:
            await admin.close()
        schemas.append(schema)
        joiner = "&" if "?" in POSTGRES_DSN else "?"
        return f"{POSTGRES_DSN}{joiner}search_path={schema}"

    yield make
    if schemas:
        admin = await _admin()
        try:
            for schema in schemas:
                await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await admin.close()


# Tables whose rows people can notice; `workspaces` only registers who has called.
_VISIBLE_TABLES = ("posts", "question_tags", "votes")


@dataclass
class FakeClock:
    """The service's clock: UTC, standing still until a test moves it."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Board:
    """The service on a real SQLite file, and shorthands for the people who use it."""

    service: QAService
    db_path: Path
    clock: FakeClock

    def user(self, user_id: str, *, workspace: WorkspaceRef = TEAM, **flags: Any) -> UserRef:
        return UserRef(workspace, user_id, user_id.capitalize(), **flags)

    async def ask(
        self,
        asker: str = "alice",
        text: str = "How do I negotiate a salary offer?",
        *,
        workspace: WorkspaceRef = TEAM,
        channel: str = CHANNEL,
        anonymous: bool = False,
    ) -> Question:
        return await self.service.ask(
            asker=self.user(asker, workspace=workspace),
            channel=ChannelRef(workspace, channel),
            text=text,
            anonymous=anonymous,
        )

    async def answer(
        self,
        author: str,
        question: Question,
        text: str = "Know your market rate first.",
    ) -> Answer:
        answer, _ = await self.service.answer(
            author=self.user(author, workspace=question.workspace),
            question=question.post_id,
            text=text,
        )
        return answer

    async def votes(self, answer: Answer, emoji: str, *voters: str) -> None:
        for voter in voters:
            await self.service.react(
                voter=self.user(voter, workspace=answer.workspace),
                target=answer.post_id,
                emoji=emoji,
            )

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row people could notice, read from the file itself."""
        with sqlite3.connect(self.db_path) as db:
            return {
                table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
                for table in _VISIBLE_TABLES
            }

    def execute(self, statement: str, *params: Any) -> None:
        """Write to the file behind the service's back, as a corrupting bug or an admin would."""
        with sqlite3.connect(self.db_path) as db:
            db.execute(statement, params)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings() -> Settings:
    return Settings(moderators=ModeratorSettings(slack=(MODERATOR,)))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "qabot.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(db_path)
    yield opened
    await opened.close()


@pytest.fixture
def service(store: SqliteStore, settings: Settings, clock: FakeClock) -> QAService:
    return QAService(store=store, settings=settings, clock=clock)


@pytest.fixture
def board(service: QAService, db_path: Path, clock: FakeClock) -> Board:
    return Board(service=service, db_path=db_path, clock=clock)
