"""The benchmark's data set, built straight into a migrated schema (bulk inserts, not the bot).

Reference size: 100,000 questions, 1,000,000 answers, 10,000,000 reactions over 50 channels, a
year of history. Traffic is skewed: channel i gets weight 1/(i+1), and reactions pile onto a few
hot answers (an answer's share falls off as a power of its rank). Every post's ups, downs and
rank_score are computed here from the very rows inserted, so the store starts exact.
"""

from __future__ import annotations

import array
import asyncio
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.voting import wilson_lower_bound

__all__ = ["WORKSPACE", "Shape", "build_postgres", "build_sqlite", "hot_answers"]

# The fake Slack's team id, so the ack benchmark's events land in the benchmark's workspace.
WORKSPACE = ("slack", "T123ABC456")
DAY_MS = 86_400_000
_CHUNK = 50_000


@dataclass(frozen=True, slots=True)
class Shape:
    questions: int
    answers: int
    reactions: int
    channels: int = 50
    seed: int = 7

    @classmethod
    def scaled(cls, scale: float) -> Shape:
        return cls(int(100_000 * scale), int(1_000_000 * scale), int(10_000_000 * scale))

    @property
    def hottest_channel(self) -> str:
        return "C000"


def _channel_weights(shape: Shape) -> list[float]:
    return [1 / (i + 1) for i in range(shape.channels)]


def hot_answers(shape: Shape, rng: random.Random) -> Iterator[int]:
    """Answer numbers, skewed: rank r is drawn with density ~ r^(-2/3) (u^3 of a uniform u)."""
    while True:
        yield 1 + int(shape.answers * rng.random() ** 3)


def _posts(shape: Shape, now_ms: int) -> Iterator[tuple[object, ...]]:
    rng = random.Random(shape.seed)
    channels = [f"C{i:03d}" for i in range(shape.channels)]
    weights = _channel_weights(shape)
    question_channel = rng.choices(channels, weights, k=shape.questions)
    question_ms = [now_ms - int(rng.random() * 365 * DAY_MS) for _ in range(shape.questions)]
    for n in range(1, shape.questions + 1):
        body = f"question {n} about topic{n % 97} and career{n % 13}"
        yield (n, "Q", n, None, question_channel[n - 1], f"U{n % 5000}", f"asker {n}", body,
               question_ms[n - 1])  # fmt: skip
    for n in range(1, shape.answers + 1):
        q = rng.randrange(shape.questions)
        created = min(now_ms - 1000, question_ms[q] + int(rng.random() * 3 * DAY_MS))
        yield (shape.questions + n, "A", n, q + 1, question_channel[q], f"U{n % 7919}",
               f"author {n}", f"answer {n} says practise topic{n % 89}", created)  # fmt: skip


def _reactions(shape: Shape) -> Iterator[list[tuple[int, str, str, int, int]]]:
    """Chunks of vote rows (post id, voter, emoji, weight, ms); voters are unique per row."""
    rng = random.Random(shape.seed + 1)
    hot = hot_answers(shape, rng)
    chunk: list[tuple[int, str, str, int, int]] = []
    for i in range(shape.reactions):
        answer = next(hot)
        up = rng.random() < 0.8
        chunk.append((shape.questions + answer, f"V{i}", "👍" if up else "👎", 1 if up else -1, 0))
        if len(chunk) == _CHUNK:
            yield sorted(chunk)
            chunk = []
    if chunk:
        yield sorted(chunk)


def _scores(
    shape: Shape, ups: array.array[int], downs: array.array[int]
) -> Iterator[tuple[object, ...]]:
    for i in range(len(ups)):
        if ups[i] or downs[i]:
            yield ups[i], downs[i], wilson_lower_bound(ups[i], downs[i]), i + 1


def _tally(shape: Shape) -> tuple[array.array[int], array.array[int]]:
    total = shape.questions + shape.answers
    return array.array("i", bytes(4 * total)), array.array("i", bytes(4 * total))


def build_sqlite(path: str, shape: Shape) -> float:
    """Fill a migrated, empty SQLite file; return seconds taken."""
    started = time.perf_counter()
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")  # a bulk load: redone from scratch if interrupted
    db.execute("BEGIN")
    db.execute("INSERT INTO workspaces (id, platform, external_id) VALUES (1, ?, ?)", WORKSPACE)
    db.executemany(
        "INSERT INTO posts (id, workspace_id, kind, number, question_id, channel_id, author_id,"
        " author_name, body, created_ms) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
        _posts(shape, now_ms),
    )
    ups, downs = _tally(shape)
    for chunk in _reactions(shape):
        db.executemany(
            "INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms)"
            " VALUES (?, ?, ?, ?, ?)",
            chunk,
        )
        for post, _, _, weight, _ in chunk:
            if weight > 0:
                ups[post - 1] += 1
            else:
                downs[post - 1] += 1
    db.executemany(
        "UPDATE posts SET ups = ?, downs = ?, rank_score = ? WHERE id = ?",
        _scores(shape, ups, downs),
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    return time.perf_counter() - started


async def _build_postgres_async(dsn: str, shape: Shape) -> None:
    import asyncpg  # type: ignore[import-untyped]

    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "INSERT INTO workspaces (id, platform, external_id) VALUES (1, $1, $2)", *WORKSPACE
        )
        columns = ["id", "kind", "number", "question_id", "channel_id", "author_id", "author_name",
                   "body", "created_ms"]  # fmt: skip
        rows = [(*row, 1) for row in _posts(shape, now_ms)]
        await conn.copy_records_to_table("posts", records=rows, columns=[*columns, "workspace_id"])
        ups, downs = _tally(shape)
        for chunk in _reactions(shape):
            await conn.copy_records_to_table(
                "votes", records=chunk,
                columns=["post_id", "voter_id", "emoji", "weight", "created_ms"],
            )  # fmt: skip
            for post, _, _, weight, _ in chunk:
                if weight > 0:
                    ups[post - 1] += 1
                else:
                    downs[post - 1] += 1
        scores = [(u, d, i) for u, d, _, i in _scores(shape, ups, downs)]
        await conn.execute("CREATE TEMP TABLE s (ups int, downs int, id bigint)")
        await conn.copy_records_to_table("s", records=scores)
        await conn.execute(
            "UPDATE posts p SET ups = s.ups, downs = s.downs FROM s WHERE p.id = s.id"
        )
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('posts', 'id'), (SELECT MAX(id) FROM posts))"
        )
        await conn.execute("SELECT setval(pg_get_serial_sequence('workspaces', 'id'), 1)")
        # What autovacuum would have done by now on a server that has it on (this one may not):
        # without it, the bulk UPDATE above leaves no page all-visible and every index-only
        # scan (/top) reads the table too.
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()


def build_postgres(dsn: str, shape: Shape) -> float:
    started = time.perf_counter()
    asyncio.run(_build_postgres_async(dsn, shape))
    return time.perf_counter() - started
