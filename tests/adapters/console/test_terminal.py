"""`qabot console` at a real terminal (a pseudo-terminal): keys as a person presses them."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

QABOT = shutil.which("qabot", path=str(Path(sys.executable).parent))
PROMPT = b"you@#general> "

pytestmark = pytest.mark.skipif(
    QABOT is None, reason="the qabot script is not installed next to this Python (pip install -e .)"
)


class Terminal:
    """`qabot console` in a pseudo-terminal: what it printed so far, and keys to send."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd
        self.shown = b""

    def press(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def wait_for(self, text: bytes, *, within: float = 15, after: int = 0) -> None:
        """Wait until `text` shows, in what was shown after the first `after` bytes."""
        deadline = time.monotonic() + within
        while text not in self.shown[after:]:
            assert time.monotonic() < deadline, f"never showed {text!r}; showed {self.shown!r}"
            self._read(deadline - time.monotonic())

    def wait_until_reading_keys(self, *, within: float = 10) -> None:
        """Wait until the console sleeps in readline's select() for the next key, as it does
        long before a person's next key press. A SIGINT that arrives after readline has drawn
        the prompt but before it calls select() is only noticed at the next key (CPython's
        readline checks for signals when select() is interrupted), and a test pressing keys at
        machine speed would land in that window now and then."""
        wchan = Path(f"/proc/{self.pid}/wchan")
        if not wchan.exists():
            time.sleep(0.5)
            return
        deadline = time.monotonic() + within
        # The kernel function select() and poll() sleep in (epoll, the event loop's, is ep_poll).
        while not wchan.read_text().startswith(("poll_schedule_timeout", "do_select")):
            assert time.monotonic() < deadline, f"never waited for a key; in {wchan.read_text()}"
            time.sleep(0.01)

    def exit_code(self, *, within: float = 5) -> int:
        """The exit code once the console has ended by itself, within `within` seconds."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            self._read(0.05)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
        raise AssertionError(f"still running after {within} s; showed {self.shown!r}")

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if ready:
            try:
                self.shown += os.read(self.fd, 4096)
            except OSError:  # the console ended: the terminal is gone
                time.sleep(0.05)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    assert QABOT is not None
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("QABOT_", "SLACK_", "DISCORD_"))
    }
    env["TERM"] = "xterm"
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console, with the pseudo-terminal as its terminal
        os.chdir(tmp_path)
        os.execve(QABOT, [QABOT, "console", "--db", str(tmp_path / "tty.db")], env)
    shown = Terminal(pid, fd)
    shown.wait_for(PROMPT)
    yield shown
    try:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
    os.close(fd)


def test_ctrl_c_at_the_prompt_leaves_at_once(terminal: Terminal) -> None:
    terminal.wait_until_reading_keys()
    terminal.press(b"\x03")
    assert terminal.exit_code() == 0
    assert b"Traceback" not in terminal.shown


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_only_the_thread_at_the_prompt_can_take_ctrl_c(terminal: Terminal) -> None:
    """The terminal's SIGINT goes to any one thread that does not block it. Taken by the store's
    worker thread, Ctrl-C would leave the console waiting at the prompt until the next key."""
    terminal.press(b"/ask Is a second store thread started by now?\r")
    terminal.wait_for(PROMPT, after=len(terminal.shown))
    sigint = 1 << (signal.SIGINT - 1)
    taking = [
        int(task.name)
        for task in Path(f"/proc/{terminal.pid}/task").iterdir()
        if not _blocked_signals(task) & sigint
    ]
    assert taking == [terminal.pid]  # the main thread, the one reading the keys


def _blocked_signals(task: Path) -> int:
    status = (task / "status").read_text()
    return int(
        next(line for line in status.splitlines() if line.startswith("SigBlk:")).split()[1], 16
    )


def test_ctrl_d_at_the_prompt_leaves_cleanly(terminal: Terminal) -> None:
    terminal.press(b"\x04")
    assert terminal.exit_code() == 0
    assert b"Traceback" not in terminal.shown


def test_the_left_arrow_moves_the_cursor_to_edit_the_line(terminal: Terminal) -> None:
    terminal.press(b"/as bb\x1b[Do\r")  # Left, then an o before the last b
    terminal.wait_for(b"You are now bob.")


def test_the_up_arrow_brings_back_the_last_line(terminal: Terminal) -> None:
    terminal.press(b"/channel jobs\r")
    terminal.wait_for(b"you@#jobs> ")
    terminal.press(b"/channel x\r")
    terminal.wait_for(b"you@#x> ")
    before = len(terminal.shown)
    terminal.press(b"\x1b[A\x1b[A\r")  # Up twice: /channel jobs again
    terminal.wait_for(b"You are now in #jobs.", after=before)
