"""Reading what a person types at a terminal: line editing and history come from the standard
library's readline; Ctrl-C or Ctrl-D at the prompt leaves at once."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["enable_line_editing", "read_typed_line"]


def enable_line_editing() -> None:
    """Arrow keys, Ctrl-A/E, and Up for earlier lines in `input()`, where readline exists."""
    # A Python built without readline still reads plain lines.
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  importing it is what switches input() to it


def read_typed_line(prompt: str, stdout: TextIO) -> str | None:
    """The next line typed, or None when the person pressed Ctrl-D or Ctrl-C at the prompt."""
    with _interruptible():
        try:
            return input(prompt)
        except (EOFError, KeyboardInterrupt):
            print(file=stdout)  # the cursor is still on the prompt's line
            return None


@contextmanager
def _interruptible() -> Iterator[None]:
    """While waiting at the prompt, Ctrl-C raises KeyboardInterrupt in `input()` at once.

    asyncio's own handler only cancels the running task, which `input()` would not notice until
    Enter. Signal handlers belong to the main thread: elsewhere this changes nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
