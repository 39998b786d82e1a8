"""The console adapter: one local channel in a terminal, for trying qabot and for scripts."""

from adapters.console.session import ConsoleSession, run_console

__all__ = ["ConsoleSession", "run_console"]
