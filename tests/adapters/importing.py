"""What the import tests of both platforms share: the repository root, `qabot` as a command run
by this Python, and a progress display that shows nothing."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QABOT = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


class Quiet:
    def start(self, total: int) -> None:
        pass

    def advance(self) -> None:
        pass
