"""The console adapter: one local channel in a terminal, for trying qabot and for scripts."""

from adapters.console.prompt import ctrl_c_only_at_the_prompt
from adapters.console.session import ConsoleSession, run_console

__all__ = ["ConsoleSession", "ctrl_c_only_at_the_prompt", "run_console"]
