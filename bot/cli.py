"""The `qabot` command: the one place that composes settings, store, service and adapters.

qabot run [--config PATH]                   every adapter the settings enable (else the console)
qabot console [--db PATH] [--as USER] [--channel NAME] [--config PATH]
qabot migrate [--config PATH]               apply schema migrations and exit
qabot doctor [--config PATH]                one line per check, ok or FAIL; exit 1 on a FAIL
qabot recount [--config PATH]               rebuild every score from the vote rows
qabot copy-store --from URL --to URL [--force]   move a community between stores
qabot import slack|discord --channel ID [--channel ID ...] [--since YYYY-MM-DD] [--all-threads]
             [--dry-run]                    import a community's existing Q&A threads
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import QAError, SettingsError
from bot.log_format import JsonFormatter, stderr_handler
from bot.ports import Store
from bot.scheduler import DigestScheduler
from bot.service import QAService, utc_now
from bot.settings import Settings, load_settings
from bot.stopping import run_until_stopped
from storage.opener import display_url

if TYPE_CHECKING:
    from aiohttp import web

    from adapters.ops import OpsParts

__all__ = ["main"]

log = logging.getLogger("qabot")

DEFAULT_CONFIG = Path("qabot.toml")
SETTINGS_HELP = """\
settings: --config PATH, else the file $QABOT_CONFIG names, else ./qabot.toml (if there).
Any setting can be overridden by an environment variable QABOT_<SECTION>_<KEY>, like
QABOT_STORAGE_URL=sqlite:///qabot.db or QABOT_SLACK_PORT=3000. Secrets only come from the
environment: SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET, DISCORD_TOKEN."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "doctor":
        return _doctor(args)
    try:
        settings = _settings(args)
        at_a_prompt = _runs_console(args.command, settings) and sys.stdin.isatty()
        _configure_logging(settings, quiet_console=at_a_prompt)
        command: Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]] = args.handler
        with _prompt_takes_ctrl_c() if at_a_prompt else contextlib.nullcontext():
            return asyncio.run(command(args, settings))
    except (SettingsError, QAError) as error:  # QAError: a bad --as or --channel name
        _say(str(error), level=logging.ERROR)
        return 2
    except KeyboardInterrupt:
        return 130


def _say(line: str, *, level: int = logging.INFO) -> None:
    """One line for the operator on stderr; a log record when the logs are JSON, so that every
    line is one object."""
    if any(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger().handlers):
        log.log(level, line)
    else:
        print(f"qabot: {line}", file=sys.stderr)


def _say_error(line: str) -> None:
    _say(line, level=logging.ERROR)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qabot", description="A career Q&A board for chat.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, handler: Callable[..., Awaitable[int]], help: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help,
            description=help,
            epilog=SETTINGS_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument("--config", type=Path, help="TOML settings file (default ./qabot.toml)")
        sub.set_defaults(handler=handler)
        return sub

    command("run", _run, "start every adapter the settings enable (the console if none)")
    console = command("console", _console, "a local channel in this terminal")
    console.add_argument("--db", type=Path, help="SQLite file to use (default from settings)")
    console.add_argument("--as", dest="user", help="who you are at first (default from settings)")
    console.add_argument("--channel", help="the channel you start in (default from settings)")
    command("migrate", _migrate, "apply schema migrations to the store and exit")
    command("doctor", _doctor_report, "check the config, the store, the tokens, channels and ports")
    command("recount", _recount, "rebuild every vote count from the vote rows")
    copy = command("copy-store", _copy_store, "copy a whole community from one store to another")
    copy.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="the store to copy (sqlite:///path/to/file.db or postgresql://...)",
    )
    copy.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help="the store to fill; it must be empty unless --force",
    )
    copy.add_argument("--force", action="store_true", help="replace whatever the target holds")
    _import_command(command("import", _import, "import a community's existing Q&A threads"))
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    env = dict(os.environ)
    path = args.config or (Path(env["QABOT_CONFIG"]) if env.get("QABOT_CONFIG") else None)
    if path is None and DEFAULT_CONFIG.exists():
        path = DEFAULT_CONFIG
    if getattr(args, "db", None) is not None:
        env["QABOT_STORAGE_URL"] = f"sqlite:///{args.db}"
    return load_settings(path, env)


def _runs_console(command: str, settings: Settings) -> bool:
    """`console`, and `run` with no chat platform enabled, talk with a person in this terminal."""
    no_platform = not (settings.slack.enabled or settings.discord.enabled)
    return command == "console" or (command == "run" and no_platform)


def _prompt_takes_ctrl_c() -> contextlib.AbstractContextManager[None]:
    from adapters.console import ctrl_c_only_at_the_prompt

    return ctrl_c_only_at_the_prompt()


def _configure_logging(settings: Settings, *, quiet_console: bool) -> None:
    # Log lines go to stderr; in an interactive console they would interleave with the
    # conversation, so there only warnings show unless a level is asked for explicitly.
    level = settings.logging.level.upper()
    if quiet_console and "QABOT_LOGGING_LEVEL" not in os.environ:
        level = "WARNING"
    handler = stderr_handler(json=settings.logging.format == "json")
    logging.basicConfig(level=level, handlers=[handler])


async def _open_store(settings: Settings) -> Store:
    from storage import open_store

    url = settings.storage.url
    try:
        return await open_store(
            url, pool_size=settings.storage.pool_size, search_language=settings.search.language
        )
    except SettingsError:
        raise
    except Exception as error:  # what the opener's checks did not foresee: say what it was
        cause = error.__cause__ if isinstance(error, QAError) and error.__cause__ else error
        reason = str(cause) or type(cause).__name__
        shown = display_url(url)
        raise SettingsError(f"[storage] url {shown} cannot be opened: {reason}") from None


def _announce_store(settings: Settings) -> None:
    """One line on stderr: which store this process reads and writes."""
    _say(f"using the store at {display_url(settings.storage.url)}")


async def _open(settings: Settings) -> tuple[Store, QAService]:
    store = await _open_store(settings)
    return store, QAService(store=store, settings=settings)


async def _console(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.console import ConsoleSession, run_console

    store, service = await _open(settings)
    try:
        session = ConsoleSession(
            service=service,
            user=args.user or settings.console.user,
            channel=args.channel or settings.console.channel,
        )
        _announce_store(settings)
        if isinstance(sys.stdin, io.TextIOWrapper):  # bytes that are not UTF-8 get a reply
            sys.stdin.reconfigure(errors="surrogateescape")
        interactive = sys.stdin.isatty()
        await run_console(session, stdin=sys.stdin, stdout=sys.stdout, interactive=interactive)
    finally:
        await store.close()
    return 0


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.extras import check_extra

    for extra in ("slack", "discord", "ops", "web"):
        if getattr(settings, extra).enabled:
            check_extra(extra)
    runners: list[Awaitable[None]] = []
    store, service = await _open(settings)
    exposition = _use_prometheus(service) if settings.ops.enabled else None
    for platform in ("slack", "discord"):  # not ready until its adapter says so
        if getattr(settings, platform).enabled:
            service.readiness.set(platform, "connecting")
    try:
        if settings.slack.enabled:
            from adapters.slack import run_slack

            runners.append(run_slack(settings, service))
        if settings.discord.enabled:
            from adapters.discord import run_discord

            runners.append(run_discord(settings, service))
        if not runners:
            print(
                "qabot: no chat platform is enabled ([slack] or [discord] in the config); "
                "starting the console.",
                file=sys.stderr,
            )
            if settings.web.enabled:  # the console's prompt reads in the event loop's thread
                print(
                    "qabot: the web view is not served beside the console; enable [slack] or "
                    "[discord] to serve it.",
                    file=sys.stderr,
                )
            await store.close()
            return await _console(argparse.Namespace(user=None, channel=None), settings)
        _announce_store(settings)
        # Digests go out through whichever adapter registered a poster for their platform.
        runners.append(DigestScheduler(service=service, clock=utc_now).run())
        ops_parts = None if exposition is None else _ops_parts(service, exposition)
        shared = ops_parts is not None and _ops_beside_web(settings)
        if settings.web.enabled:
            from adapters.web import run_web

            add_ops = _ops_adder(ops_parts) if ops_parts is not None and shared else None
            runners.append(run_web(settings, service, add_routes=add_ops))
        if ops_parts is not None and not shared:
            from adapters.ops import serve_ops

            runners.append(serve_ops(settings.ops, ops_parts))
        within = settings.ops.shutdown_seconds
        return await run_until_stopped(runners, within=within, report=_say_error)
    finally:
        await store.close()


def _use_prometheus(service: QAService) -> Callable[[], bytes]:
    """Count into Prometheus from here on; return what renders `/metrics`."""
    from adapters.ops import prometheus_metrics

    metrics = prometheus_metrics()
    service.metrics = metrics
    service.store.observe_batches(metrics.store_batch)
    return metrics.exposition


def _ops_parts(service: QAService, exposition: Callable[[], bytes]) -> OpsParts:
    from adapters.ops import OpsParts

    store_check = service.store.vote_watermark  # one cheap query
    return OpsParts(readiness=service.readiness, store_check=store_check, exposition=exposition)


def _ops_beside_web(settings: Settings) -> bool:
    """`[web]` listens where `[ops]` would: its server serves the ops paths too."""
    web, ops = settings.web, settings.ops
    return web.enabled and (web.host, web.port) == (ops.host, ops.port)


def _ops_adder(parts: OpsParts) -> Callable[[web.Application], None]:
    from adapters.ops import add_ops_routes

    def add(app: web.Application) -> None:
        add_ops_routes(app, parts)

    return add


async def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    store = await _open_store(settings)
    await store.close()
    print(f"qabot: the store at {display_url(settings.storage.url)} is up to date.")
    return 0


def _import_command(parser: argparse.ArgumentParser) -> None:
    from bot.import_command import add_import_arguments

    add_import_arguments(parser)


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.extras import check_extra
    from bot.import_command import Opener, run_import

    check_extra(args.platform)
    if args.platform == "slack":
        from adapters.slack.importer import slack_import_source

        opener: Opener = slack_import_source
    else:
        from adapters.discord.importer import discord_import_source

        opener = discord_import_source
    if settings.ops.enabled:
        check_extra("ops")
    store = await _open_store(settings)
    try:
        if not settings.ops.enabled:
            return await run_import(args, settings, store, opener, clock=utc_now)
        from adapters.ops import ops_for_a_run

        # The import's own /metrics, for as long as it runs: `qabot run` never sees its work.
        async with ops_for_a_run(settings.ops, store.vote_watermark) as metrics:
            store.observe_batches(metrics.store_batch)
            return await run_import(args, settings, store, opener, clock=utc_now, metrics=metrics)
    finally:
        await store.close()


async def _recount(args: argparse.Namespace, settings: Settings) -> int:
    store, _ = await _open(settings)
    try:
        changed = await store.recount()
    finally:
        await store.close()
    print(f"qabot: recounted every score from the vote rows; {changed} corrected.")
    return 0


async def _copy_store(args: argparse.Namespace, settings: Settings) -> int:
    from storage.copy_store import TargetNotEmpty, copy_store

    def progress(table: str, done: int, total: int) -> None:
        print(f"qabot: {table}: {done}/{total}", file=sys.stderr)

    try:
        totals = await copy_store(args.source, args.target, force=args.force, progress=progress)
    except TargetNotEmpty:
        target = display_url(args.target)
        print(f"qabot: {target} already holds data; add --force to replace it.", file=sys.stderr)
        return 1
    except QAError as error:  # the store is unavailable: say so in one line
        print(f"qabot: {error}", file=sys.stderr)
        return 1
    rows = ", ".join(f"{count} {table}" for table, count in totals.items())
    print(f"qabot: copied {display_url(args.source)} to {display_url(args.target)}: {rows}.")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    """`qabot doctor`: every check's line; 1 if any failed."""
    from bot.doctor import Check, render

    try:
        settings = _settings(args)
    except SettingsError as error:
        print(render(Check(False, "config", str(error))))
        return 1
    shown = args.config or os.environ.get("QABOT_CONFIG") or "defaults and the environment"
    print(render(Check(True, "config", f"read {shown}")))
    return asyncio.run(_doctor_report(args, settings))


async def _doctor_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.doctor import check_ports, check_store, listeners, report
    from storage.opener import pending_migrations

    shown = display_url(settings.storage.url)
    checks = [await check_store(shown, lambda: pending_migrations(settings.storage.url))]
    if settings.slack.enabled:
        from adapters.slack.doctor import check_slack

        checks += await check_slack(settings)
    if settings.discord.enabled:
        from adapters.discord.doctor import check_discord

        checks += await check_discord(settings)
    return report([*checks, *check_ports(listeners(settings))])
