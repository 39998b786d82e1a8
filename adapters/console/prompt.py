"""Reading what a person types at a terminal: line editing and history come from the standard
library's readline; Ctrl-C or Ctrl-D at the prompt leaves at once."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["ctrl_c_only_at_the_prompt", "enable_line_editing", "read_typed_line"]


def enable_line_editing() -> None:
    """Arrow keys, Ctrl-A/E, and Up for earlier lines in `input()`, where readline exists."""
    # A Python built without readline still reads plain lines.
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  importing it is what switches input() to it


def read_typed_line(prompt: str, stdout: TextIO) -> str | None:
    """The next line typed, or None when the person pressed Ctrl-D or Ctrl-C at the prompt."""
    try:
        with _interruptible():
            return input(prompt)
    except (EOFError, KeyboardInterrupt):
        print(file=stdout)  # the cursor is still on the prompt's line
        return None


@contextmanager
def ctrl_c_only_at_the_prompt() -> Iterator[None]:
    """Hold SIGINT back from every thread started inside this block; the prompt takes it.

    The kernel gives a process's SIGINT to any one thread that does not block it. Given to a
    store's worker thread, it would leave the main thread asleep in readline's `select()` until
    the next key. Threads inherit the mask of the thread that starts them, so blocking it here,
    before any are started, leaves the main thread at the prompt the only one to take it. A
    Ctrl-C pressed while a command runs waits for the prompt, and leaves there.
    """
    if not _owns_signals():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextmanager
def _interruptible() -> Iterator[None]:
    """While waiting at the prompt, Ctrl-C raises KeyboardInterrupt in `input()` at once.

    asyncio's own handler only cancels the running task, which `input()` would not notice until
    Enter. Signal handlers belong to the main thread: elsewhere this changes nothing.
    """
    if not _owns_signals():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:  # a Ctrl-C held back while a command ran arrives here, as the mask opens
        held = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
    finally:
        signal.signal(signal.SIGINT, previous)


def _owns_signals() -> bool:
    """Signal handlers and masks are the main thread's to set, on a system that has masks."""
    return threading.current_thread() is threading.main_thread() and hasattr(
        signal, "pthread_sigmask"
    )
