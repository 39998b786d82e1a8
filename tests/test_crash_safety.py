"""Crash safety: `kill -9` of the real `qabot` process under load loses no acknowledged write.

The installed `qabot console` reads a script from a pipe and acknowledges each command once the
store has committed it. A writer keeps the pipe full (answers and votes from many people) while
the process is killed with SIGKILL at several moments; after each kill the same file is opened
again by a new process, which keeps going. At the end every answer and vote that was
acknowledged before any kill is in the file exactly once, the cached score matches the vote rows,
and SQLite's integrity check passes.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

QABOT = shutil.which("qabot", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(
    QABOT is None, reason="the qabot script is not installed next to this Python (pip install -e .)"
)
PEOPLE_PER_RUN = 400
KILL_AFTER_ACKS = (60, 25, 140)  # answer acknowledgements seen before each kill -9


@dataclass
class Acknowledged:
    answers: set[str] = field(default_factory=set)  # answer texts the bot replied to
    voters: set[str] = field(default_factory=set)  # people whose vote on Q1 it replied to


def _feed(stdin: IO[str], run: int) -> None:
    """Keep the pipe full until the process dies: each person answers Q1 and votes on it."""
    try:
        for i in range(PEOPLE_PER_RUN):
            person = f"r{run}p{i}"
            stdin.write(f"/as {person}\n/answer Q1 answer from {person}\n/react Q1 👍\n")
            stdin.flush()
    except (BrokenPipeError, ValueError, OSError):
        pass  # killed: the rest was never sent, or never acknowledged


def _read(stdout: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stdout:
        lines.put(line)
    lines.put(None)


def _run_until_killed(db: Path, run: int, kill_after: int, seen: Acknowledged, log: Path) -> None:
    assert QABOT is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QABOT_", "SLACK_", "DISCORD"))}
    env["QABOT_LOGGING_LEVEL"] = "WARNING"
    with log.open("a") as stderr:
        process = subprocess.Popen(
            [QABOT, "console", "--db", str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=stderr, text=True, encoding="utf-8", env=env, bufsize=1,
        )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read, args=(process.stdout, lines), daemon=True)
    reader.start()
    if run == 0:
        process.stdin.write("/ask Does a kill -9 lose anything?\n")
    writer = threading.Thread(target=_feed, args=(process.stdin, run), daemon=True)
    writer.start()
    person, answers_seen = "", 0
    while answers_seen < kill_after:
        line = lines.get(timeout=30)
        assert line is not None, "qabot stopped before it was killed; see the log"
        if match := re.match(r"You are now (\S+)\.", line):
            person = match[1]
        elif match := re.match(r"A\d+ by \S+ answers Q1: (answer from \S+)$", line.rstrip("\n")):
            seen.answers.add(match[1])
            answers_seen += 1
        elif line.startswith("+1 counted on Q1") or line.startswith("👍 counted on Q1"):
            seen.voters.add(person)
    os.kill(process.pid, signal.SIGKILL)  # mid-stream: the pipe still holds unread commands
    process.wait(timeout=10)
    writer.join(timeout=10)
    reader.join(timeout=10)
    assert process.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def killed_three_times(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Acknowledged]:
    """One file, three processes each killed mid-stream (the tests below only read it)."""
    folder = tmp_path_factory.mktemp("crash")
    db, seen = folder / "crash.db", Acknowledged()
    for run, kill_after in enumerate(KILL_AFTER_ACKS):
        _run_until_killed(db, run, kill_after, seen, folder / "qabot.log")
    return db, seen


def _rows(db: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


def test_the_file_is_not_corrupted(killed_three_times: tuple[Path, Acknowledged]) -> None:
    db, _ = killed_three_times
    assert _rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_every_acknowledged_answer_is_there_exactly_once(
    killed_three_times: tuple[Path, Acknowledged],
) -> None:
    db, seen = killed_three_times
    stored = [str(row[0]) for row in _rows(db, "SELECT body FROM posts WHERE kind = 'A'")]
    assert len(seen.answers) == sum(KILL_AFTER_ACKS)
    assert seen.answers <= set(stored)
    assert len(stored) == len(set(stored)), "an answer was stored twice"


def test_every_acknowledged_vote_is_there_and_counted_once(
    killed_three_times: tuple[Path, Acknowledged],
) -> None:
    db, seen = killed_three_times
    voters = [str(row[0]) for row in _rows(db, "SELECT voter_id FROM votes")]
    ((ups,),) = _rows(db, "SELECT ups FROM posts WHERE kind = 'Q' AND number = 1")
    assert len(seen.voters) >= sum(KILL_AFTER_ACKS) - len(KILL_AFTER_ACKS)
    assert seen.voters <= set(voters) and len(voters) == len(set(voters))
    assert ups == len(voters)  # the cached score is the vote rows, not a drifted counter


def test_the_bot_keeps_serving_the_same_file_after_the_kills(
    killed_three_times: tuple[Path, Acknowledged],
) -> None:
    db, seen = killed_three_times
    assert QABOT is not None
    result = subprocess.run(
        [QABOT, "console", "--db", str(db)], input="/as late\n/react Q1 +1\n",
        capture_output=True, text=True, encoding="utf-8", timeout=30,
    )  # fmt: skip
    ((ups,),) = _rows(db, "SELECT ups FROM posts WHERE kind = 'Q' AND number = 1")
    assert f"counted on Q1. Score +{ups}" in result.stdout
    assert ups > len(seen.voters)
