"""What `qabot import slack` shows as it runs: a progress bar at a terminal, plain lines in a log.

Both run the installed `qabot` against the fake Web API: once with a pseudo-terminal as its
terminal, once with stderr going to a pipe, as under a service manager or `2> import.log`.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import shutil
import struct
import sys
import termios
from pathlib import Path

import pytest

from tests.adapters.slack.fake_slack import BOT_TOKEN, CHANNEL_ID, FakeSlack
from tests.adapters.slack.world import ALICE, BOB, PEOPLE

QABOT = shutil.which("qabot", path=str(Path(sys.executable).parent))
THREADS = 150
BAR_DRAWING = (b"\r", b"\x1b[", "█".encode(), b"%|")  # what tqdm draws a bar with

pytestmark = pytest.mark.skipif(
    QABOT is None, reason="the qabot script is not installed next to this Python (pip install -e .)"
)


@pytest.fixture
def history(fake_slack: FakeSlack) -> None:
    for user_id, name in PEOPLE.items():
        fake_slack.add_user(user_id, name)
    for n in range(THREADS):
        ts = fake_slack.add_top_message(CHANNEL_ID, ALICE, f"Career question {n}?")
        fake_slack.add_message(CHANNEL_ID, BOB, f"Answer {n}", thread_ts=ts)


def _env(fake: FakeSlack, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QABOT_", "SLACK_"))}
    env.update(
        TERM="xterm",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_BASE_URL=fake.api_url,
        QABOT_STORAGE_URL=f"sqlite:///{tmp_path / 'import.db'}",
    )
    return env


def _read_all(fd: int) -> bytes:
    """Everything the terminal shows until the program ends and closes it."""
    shown = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: no program has the terminal open any more
            return shown
        if not chunk:
            return shown
        shown += chunk


async def test_at_a_terminal_a_progress_bar_counts_the_threads(
    fake_slack: FakeSlack, history: None, tmp_path: Path
) -> None:
    assert QABOT is not None
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = await asyncio.create_subprocess_exec(
        QABOT, "import", "slack", "--channel", CHANNEL_ID,
        stdin=terminal, stdout=terminal, stderr=terminal, cwd=tmp_path,
        env=_env(fake_slack, tmp_path),
    )  # fmt: skip
    os.close(terminal)
    try:
        shown = await asyncio.wait_for(asyncio.to_thread(_read_all, main), 60)
        await asyncio.wait_for(process.wait(), 10)
    finally:
        os.close(main)

    assert process.returncode == 0, shown.decode(errors="replace")
    assert b"importing: 100%|" in shown and f"| {THREADS}/{THREADS} ".encode() in shown
    assert b"\r" in shown and "█".encode() in shown
    assert f"imported {THREADS} questions, {THREADS} answers".encode() in shown
    assert b"Traceback" not in shown


async def test_in_a_log_plain_progress_lines_and_no_bar(
    fake_slack: FakeSlack, history: None, tmp_path: Path
) -> None:
    assert QABOT is not None
    process = await asyncio.create_subprocess_exec(
        QABOT, "import", "slack", "--channel", CHANNEL_ID,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, cwd=tmp_path, env=_env(fake_slack, tmp_path),
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)

    assert process.returncode == 0, err.decode()
    progress = [line.split("import: ")[-1] for line in err.decode().splitlines()]
    assert progress[-3:] == [
        f"{THREADS} threads to go through", f"100/{THREADS} threads",
        f"{THREADS}/{THREADS} threads",
    ]  # fmt: skip
    assert not [drawn for drawn in BAR_DRAWING if drawn in err]
    assert f"imported {THREADS} questions, {THREADS} answers".encode() in out
