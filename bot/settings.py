"""Settings: a TOML file, then environment overrides, into one frozen `Settings`.

Every section and key is declared here, with its default; an unknown key, a wrong type or a
missing secret stops start-up with one line naming it. Secrets come only from the environment
and never appear in a repr or a log line.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from bot.digest_schedule import Weekday, check_digest_settings
from bot.errors import SettingsError
from bot.voting import DEFAULT_WEIGHTS, normalize_weights
from bot.web_settings import WebSettings

__all__ = [
    "ConsoleSettings",
    "DigestSettings",
    "DiscordSettings",
    "LimitsSettings",
    "ModeratorSettings",
    "OpsSettings",
    "ReconcileSettings",
    "SearchSettings",
    "Secrets",
    "Settings",
    "SlackSettings",
    "StorageSettings",
    "SurfacingSettings",
    "VotingSettings",
    "WebSettings",
    "load_settings",
]


@dataclass(frozen=True)
class StorageSettings:
    url: str = "sqlite:///qabot.db"
    pool_size: int = 10


@dataclass(frozen=True)
class SlackSettings:
    enabled: bool = False
    mode: Literal["socket", "http"] = "socket"
    host: str = "127.0.0.1"
    port: int = 3000
    # HTTP mode: let several processes listen on one port (SO_REUSEPORT); off, a second process
    # on a port already taken stops at start-up.
    reuse_port: bool = False
    api_base_url: str = "https://slack.com/api/"
    ask_command: str = "/ask"
    top_command: str = "/top"
    qa_command: str = "/qa"


@dataclass(frozen=True)
class DiscordSettings:
    enabled: bool = False
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    message_content: bool = False
    guild_ids: tuple[str, ...] = ()
    # Sharding: how many shards the bot's guilds are split into across every process (0: one
    # connection, no sharding), and which of them this process connects (empty: all of them).
    shard_count: int = 0
    shard_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        _check_shards(self.shard_count, self.shard_ids)

    @property
    def owned_shards(self) -> tuple[int, ...]:
        """The shards this process connects, in order; empty when the bot is not sharded."""
        return self.shard_ids or tuple(range(self.shard_count))


def _check_shards(count: int, ids: tuple[int, ...]) -> None:
    if ids and count < 1:
        raise SettingsError(
            "[discord] shard_ids needs shard_count: set shard_count to the total number of "
            "shards, the same in every process"
        )
    for shard in ids:
        if not 0 <= shard < count:
            raise SettingsError(
                f"[discord] shard_ids has {shard}, which is not a shard of shard_count = {count}: "
                f"use ids from 0 to {count - 1}"
            )
    repeated = sorted({shard for shard in ids if ids.count(shard) > 1})
    if repeated:
        raise SettingsError(
            f"[discord] shard_ids lists shard {repeated[0]} more than once: list each shard once"
        )


@dataclass(frozen=True)
class VotingSettings:
    # Emoji (any spelling: "👍", "+1", "thumbsup", "name:id") to +1 or -1.
    weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    accept_emoji: str = "white_check_mark"


@dataclass(frozen=True)
class LimitsSettings:
    max_text_chars: int = 4000
    max_tags: int = 5
    top_size: int = 10
    search_size: int = 10
    # Abuse limits (0 switches one off): questions per person per hour, votes per person per
    # minute, and at most vote_changes_per_post changes of one person's vote on one post within
    # vote_cooldown_seconds (add/remove storms stop moving the count).
    asks_per_hour: int = 10
    votes_per_minute: int = 30
    vote_changes_per_post: int = 4
    vote_cooldown_seconds: int = 60


# The text search configurations PostgreSQL ships; SQLite's FTS5 stems English only.
SearchLanguage = Literal[
    "simple", "arabic", "armenian", "basque", "catalan", "danish", "dutch", "english", "finnish",
    "french", "german", "greek", "hindi", "hungarian", "indonesian", "irish", "italian",
    "lithuanian", "nepali", "norwegian", "portuguese", "romanian", "russian", "serbian",
    "spanish", "swedish", "tamil", "turkish", "yiddish",
]  # fmt: skip


@dataclass(frozen=True)
class SearchSettings:
    # How search stems words ("negotiating" finds "negotiate"): a PostgreSQL text search
    # configuration; the SQLite store supports "english" only.
    language: SearchLanguage = "english"


@dataclass(frozen=True)
class ReconcileSettings:
    # Catch up on reactions and thread replies of the last `days` days at start-up and after a
    # reconnect; 0 switches catch-up off.
    days: int = 14


@dataclass(frozen=True)
class SurfacingSettings:
    # Say once in a question's thread when an answer reaches this score; 0 switches it off.
    hot_score: int = 5
    # Earlier questions listed under a new one when they look alike; 0 switches it off.
    similar_questions: int = 3


@dataclass(frozen=True)
class DigestSettings:
    # Where digests go: "platform:workspace:channel" (a Slack team and channel id, a Discord
    # guild and channel id), e.g. "slack:T0123:C0456". Empty: no digest.
    channels: tuple[str, ...] = ()
    cadence: Literal["daily", "weekly"] = "weekly"
    weekday: Weekday = "monday"
    time: str = "09:00"  # local time, 24-hour HH:MM
    timezone: str = "UTC"  # an IANA zone, e.g. "Europe/Berlin"
    size: int = 5  # answers, and waiting questions, at most

    def __post_init__(self) -> None:
        check_digest_settings(self)


@dataclass(frozen=True)
class ModeratorSettings:
    slack: tuple[str, ...] = ()
    discord: tuple[str, ...] = ()
    discord_roles: tuple[str, ...] = ()
    # The console is one person's local board: its default user moderates it.
    console: tuple[str, ...] = ("you",)


@dataclass(frozen=True)
class ConsoleSettings:
    user: str = "you"
    channel: str = "general"


@dataclass(frozen=True)
class LoggingSettings:
    level: str = "INFO"
    # "json": one object per line (time, level, logger, message, platform, workspace, event_id).
    format: Literal["text", "json"] = "text"


@dataclass(frozen=True)
class OpsSettings:
    # /healthz, /readyz and /metrics for supervisors and monitoring, on host:port when enabled;
    # on a stop signal, queued writes finish and connections close within shutdown_seconds.
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 9090
    shutdown_seconds: int = 10


@dataclass(frozen=True)
class Secrets:
    """Read from the environment only; repr never shows a value."""

    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    discord_token: str = field(default="", repr=False)


@dataclass(frozen=True)
class Settings:
    storage: StorageSettings = field(default_factory=StorageSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    voting: VotingSettings = field(default_factory=VotingSettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    reconcile: ReconcileSettings = field(default_factory=ReconcileSettings)
    moderators: ModeratorSettings = field(default_factory=ModeratorSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    surfacing: SurfacingSettings = field(default_factory=SurfacingSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)
    web: WebSettings = field(default_factory=WebSettings)
    secrets: Secrets = field(default_factory=Secrets)


_SECRET_ENV = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "discord_token": "DISCORD_TOKEN",
}
# Names the platform issues promised, besides the generic QABOT_<SECTION>_<KEY>.
_EXTRA_ENV = {
    "SLACK_API_BASE_URL": ("slack", "api_base_url"),
    "DISCORD_API_BASE_URL": ("discord", "api_base_url"),
    "DISCORD_GATEWAY_URL": ("discord", "gateway_url"),
}


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read `path` (if given) and the environment; raise SettingsError naming the bad key."""
    env = {} if env is None else env
    raw = _read_toml(path) if path is not None else {}
    if "secrets" in raw:
        raise SettingsError("[secrets] cannot be in a file: set them as environment variables")
    sections: dict[str, Any] = {}
    for section in dataclasses.fields(Settings):
        if section.name == "secrets":
            continue
        values = raw.pop(section.name, {})
        if not isinstance(values, dict):
            raise SettingsError(f"[{section.name}] must be a table")
        values = dict(values) | _env_overrides(section.name, env)
        sections[section.name] = _build(section.name, _section_class(section.name), values)
    if raw:
        raise SettingsError(f"unknown section [{next(iter(raw))}]")
    secrets = Secrets(**{name: env.get(var, "") for name, var in _SECRET_ENV.items()})
    settings = Settings(**sections, secrets=secrets)
    _check_secrets(settings)
    _check_search(settings)
    return settings


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise SettingsError(f"config file {path} does not exist") from None
    except IsADirectoryError:
        raise SettingsError(f"config file {path} is a directory; give the path of a file") from None
    except UnicodeDecodeError as error:
        raise SettingsError(
            f"config file {path} is not UTF-8 text (at byte {error.start}); save it as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"config file {path} is not valid TOML: {error}") from None
    except OSError as error:
        raise SettingsError(f"config file {path} cannot be read: {error.strerror}") from None


def _section_class(name: str) -> type[Any]:
    hints = get_type_hints(Settings)
    section: type[Any] = hints[name]
    return section


def _env_overrides(section: str, env: Mapping[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    prefix = f"QABOT_{section.upper()}_"
    for key, value in env.items():
        if key.startswith(prefix):
            overrides[key.removeprefix(prefix).lower()] = _EnvText(value, key)
    for key, (target, name) in _EXTRA_ENV.items():
        if target == section and key in env:
            overrides[name] = _EnvText(env[key], key)
    return overrides


@dataclass(frozen=True)
class _EnvText:
    """A value from the environment: text that still has to become the key's type."""

    text: str
    variable: str


def _build(section: str, cls: type[Any], values: dict[str, Any]) -> Any:
    hints = get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in values:
        if key not in known:
            raise SettingsError(f"unknown key [{section}] {key}")
    converted = {key: _setting(section, key, hints[key], v) for key, v in values.items()}
    if section == "voting" and "weights" in converted:
        try:
            converted["weights"] = normalize_weights(converted["weights"])
        except ValueError as error:
            raise SettingsError(f"[voting] weights: {error}") from None
    return cls(**converted)


def _setting(section: str, key: str, annotation: Any, value: Any) -> Any:
    """One key's value, converted and checked; an error from the environment says which
    variable, in the same words as the file's."""
    name = f"[{section}] {key}"
    variable = value.variable if isinstance(value, _EnvText) else None
    try:
        if isinstance(value, _EnvText):
            value = _from_env_text(name, annotation, value.text)
        converted = _convert(name, annotation, value)
        _check_value(section, key, converted)
    except SettingsError as error:
        if variable is None:
            raise
        raise SettingsError(f"{error} (from {variable})") from None
    return converted


# What each whole-number setting allows: sizes start at 1; limits where 0 switches them off
# start at 0; a port is 0 (any free one) to 65535.
_AT_LEAST_1 = (1, None)
_OFF_OR_MORE = (0, None)
_INT_RANGES: Mapping[tuple[str, str], tuple[int, int | None]] = {
    ("storage", "pool_size"): _AT_LEAST_1,
    ("discord", "shard_count"): _OFF_OR_MORE,
    ("slack", "port"): (0, 65535),
    ("limits", "max_text_chars"): _AT_LEAST_1,
    ("limits", "max_tags"): _AT_LEAST_1,
    ("limits", "top_size"): _AT_LEAST_1,
    ("limits", "search_size"): _AT_LEAST_1,
    ("limits", "asks_per_hour"): _OFF_OR_MORE,
    ("limits", "votes_per_minute"): _OFF_OR_MORE,
    ("limits", "vote_changes_per_post"): _OFF_OR_MORE,
    ("limits", "vote_cooldown_seconds"): _OFF_OR_MORE,
    ("reconcile", "days"): _OFF_OR_MORE,
    ("surfacing", "hot_score"): _OFF_OR_MORE,
    ("surfacing", "similar_questions"): _OFF_OR_MORE,
    ("digest", "size"): _AT_LEAST_1,
    ("web", "port"): (0, 65535),
    ("web", "workers"): (0, 8),
    ("ops", "port"): (0, 65535),
    ("ops", "shutdown_seconds"): _AT_LEAST_1,
}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_STORAGE_SCHEMES = ("sqlite://", "postgresql://", "postgres://")


def _check_value(section: str, key: str, value: Any) -> None:
    name = f"[{section}] {key}"
    if isinstance(value, int) and not isinstance(value, bool):
        _check_range(name, _INT_RANGES[section, key], value)
    elif (section, key) == ("logging", "level") and value.upper() not in _LOG_LEVELS:
        levels = ", ".join(_LOG_LEVELS)
        raise SettingsError(f"{name} must be one of {levels} (any case), got {value!r}")
    elif (section, key) == ("storage", "url"):
        _check_storage_url(value)


def _check_range(name: str, allowed: tuple[int, int | None], value: int) -> None:
    low, high = allowed
    if high is not None and not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    if value < low:
        what = "0 (off) or more" if low == 0 else f"at least {low}"
        raise SettingsError(f"{name} must be {what}, got {value}")


def _check_storage_url(url: str) -> None:
    scheme = next((s for s in _STORAGE_SCHEMES if url.startswith(s)), None)
    if scheme is None:
        # Only the scheme is shown: the rest of a database URL may hold a password.
        shown = url.partition("://")[0] + "://" if "://" in url else url[:20]
        raise SettingsError(
            f"[storage] url must start with sqlite://, postgresql:// or postgres://, got {shown!r}"
        )
    path = url.removeprefix("sqlite://")
    if scheme == "sqlite://" and (not path.startswith("/") or path == "/"):
        raise SettingsError(f"[storage] url must look like sqlite:///path/to/file.db, got {url!r}")


def _convert(name: str, annotation: Any, value: Any) -> Any:
    origin = get_origin(annotation)
    if origin is Literal:
        if value not in get_args(annotation):
            choices = ", ".join(repr(choice) for choice in get_args(annotation))
            raise SettingsError(f"{name} must be one of {choices}, got {value!r}")
        return value
    if origin is tuple and get_args(annotation)[0] is int:
        return _whole_numbers(name, value)
    if origin is tuple:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str | int) for v in value):
            raise SettingsError(f"{name} must be a list of strings")
        return tuple(str(v) for v in value)
    if origin in (Mapping, dict):
        if not isinstance(value, dict):
            raise SettingsError(f"{name} must be a table")
        return dict(value)
    if origin in (Union, types.UnionType):
        return value
    expected = annotation
    if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise SettingsError(f"{name} must be an integer, got {value!r}")
    if not isinstance(value, expected):
        kind = {bool: "true or false", str: "a string"}.get(expected, expected.__name__)
        raise SettingsError(f"{name} must be {kind}, got {value!r}")
    return value


def _whole_numbers(name: str, value: Any) -> tuple[int, ...]:
    """A list of whole numbers: integers in the file, digits from the environment."""

    def number(item: Any) -> int | None:
        if isinstance(item, str):
            try:
                return int(item)
            except ValueError:
                return None
        return item if isinstance(item, int) and not isinstance(item, bool) else None

    numbers = [number(item) for item in value] if isinstance(value, list) else [None]
    if None in numbers:
        raise SettingsError(f"{name} must be a list of whole numbers, got {value!r}")
    return tuple(n for n in numbers if n is not None)


def _from_env_text(name: str, annotation: Any, text: str) -> Any:
    if annotation is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"{name} must be true or false, got {text!r}")
    if annotation is int:
        try:
            return int(text)
        except ValueError:
            raise SettingsError(f"{name} must be an integer, got {text!r}") from None
    if get_origin(annotation) is tuple:
        return [part.strip() for part in text.split(",") if part.strip()]
    if get_origin(annotation) is Mapping:
        raise SettingsError(f"{name} cannot be set from the environment; use the config file")
    return text


def _check_secrets(settings: Settings) -> None:
    secrets = settings.secrets
    if settings.slack.enabled:
        if not secrets.slack_bot_token:
            raise SettingsError("[slack] is enabled but SLACK_BOT_TOKEN is not set")
        if settings.slack.mode == "http" and not secrets.slack_signing_secret:
            raise SettingsError("[slack] mode is http but SLACK_SIGNING_SECRET is not set")
        if settings.slack.mode == "socket" and not secrets.slack_app_token:
            raise SettingsError("[slack] mode is socket but SLACK_APP_TOKEN is not set")
    if settings.discord.enabled and not secrets.discord_token:
        raise SettingsError("[discord] is enabled but DISCORD_TOKEN is not set")


def _check_search(settings: Settings) -> None:
    language = settings.search.language
    if settings.storage.url.startswith("sqlite://") and language != "english":
        raise SettingsError(
            f'[search] language {language!r} needs PostgreSQL; the SQLite store stems "english" '
            "only"
        )
