"""`qabot import slack|discord`: its options, what the person running it sees, and the run.

On a terminal a progress bar (tqdm) counts the threads; in a log, a plain line every
`_LOG_EVERY` threads. The summary at the end names the threads seen, the questions, answers and
vote rows imported, and each thread skipped with its reason; `--dry-run` lists what would be
imported and writes nothing.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from bot.errors import SettingsError
from bot.importing import (
    Importer,
    ImportOptions,
    ImportSource,
    ImportStopped,
    ImportSummary,
)
from bot.metrics import Metrics
from bot.ports import Clock, Store
from bot.settings import Settings

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = ["Opener", "add_import_arguments", "import_options", "run_import"]

log = logging.getLogger("qabot.import")

_LOG_EVERY = 100
Opener = Callable[[Settings, tuple[str, ...]], AbstractAsyncContextManager[ImportSource]]


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("platform", choices=("slack", "discord"), help="where the threads are")
    parser.add_argument(
        "--channel", action="append", required=True, metavar="ID",
        help="a channel (or Discord forum) to import; repeat it for several",
    )  # fmt: skip
    parser.add_argument(
        "--since", type=_day, metavar="YYYY-MM-DD", help="only threads started on or after it"
    )
    parser.add_argument(
        "--all-threads", action="store_true",
        help="import every thread, not only those whose first message asks something (?)",
    )  # fmt: skip
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be imported; write nothing"
    )


def _day(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-01-31") from None


def import_options(args: argparse.Namespace) -> ImportOptions:
    channels = tuple(dict.fromkeys(channel.strip() for channel in args.channel))
    return ImportOptions(channels, args.since, args.all_threads, args.dry_run)


class _Bar:
    """A progress bar on a terminal."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._bar: tqdm[Any] | None = None

    def start(self, total: int) -> None:
        from tqdm import tqdm  # only on a terminal: every other command starts without it

        self._bar = tqdm(total=total, unit="thread", file=self._stream, desc="importing")

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.update()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _Lines:
    """Plain progress lines, for a log."""

    def __init__(self) -> None:
        self._total = self._done = 0

    def start(self, total: int) -> None:
        self._total = total
        log.info("import: %d threads to go through", total)

    def advance(self) -> None:
        self._done += 1
        if self._done % _LOG_EVERY == 0 or self._done == self._total:
            log.info("import: %d/%d threads", self._done, self._total)

    def close(self) -> None:
        pass


async def run_import(
    args: argparse.Namespace,
    settings: Settings,
    store: Store,
    opener: Opener,
    *,
    clock: Clock,
    metrics: Metrics | None = None,
) -> int:
    options = import_options(args)
    out = sys.stdout
    progress = _Bar(sys.stderr) if sys.stderr.isatty() else _Lines()
    try:
        async with opener(settings, options.channels) as source:
            importer = Importer(
                store=store, settings=settings, source=source,
                workspace=source.workspace, clock=clock, metrics=metrics,
            )  # fmt: skip
            summary = await importer.run(options, progress)
    except ImportStopped as error:
        raise SettingsError(f"import stopped: {error}") from None
    finally:
        progress.close()
    _print_summary(summary, dry_run=options.dry_run, out=out)
    return 0


def _print_summary(summary: ImportSummary, *, dry_run: bool, out: IO[str]) -> None:
    for line in summary.planned:
        print(f"would import {line}", file=out)
    verb = "would import" if dry_run else "imported"
    print(
        f"qabot: {summary.threads_seen} threads seen; {verb} {summary.questions} questions, "
        f"{summary.answers} answers, {summary.votes} votes; {len(summary.skipped)} skipped.",
        file=out,
    )
    for skip in summary.skipped:
        where = f"{skip.message.channel_id}/{skip.message.message_id}"
        print(f"  skipped {where}: {skip.reason}", file=out)
