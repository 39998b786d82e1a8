"""Settings: TOML then environment; anything wrong stops start-up with one line naming it."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import get_type_hints

import pytest

from bot.errors import SettingsError
from bot.settings import Settings, load_settings

TOKENS = {
    "SLACK_BOT_TOKEN": "xoxb-very-secret-bot",
    "SLACK_APP_TOKEN": "xapp-very-secret-app",
    "SLACK_SIGNING_SECRET": "very-secret-signing",
    "DISCORD_TOKEN": "very-secret-discord",
}


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "qabot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path | None, env: dict[str, str] | None = None) -> str:
    with pytest.raises(SettingsError) as refused:
        load_settings(path, env or {})
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_no_file_and_no_environment_gives_the_defaults() -> None:
    assert load_settings(None, {}) == Settings()


def test_the_default_text_limit_is_4000_characters() -> None:
    assert load_settings(None, {}).limits.max_text_chars == 4000


def test_values_from_the_file_are_used(tmp_path: Path) -> None:
    path = config(tmp_path, '[limits]\nmax_text_chars = 500\n[console]\nchannel = "jobs"\n')
    settings = load_settings(path, {})
    assert (settings.limits.max_text_chars, settings.console.channel) == (500, "jobs")


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    path = config(tmp_path, '[storage]\nurl = "sqlite:///x.db"\npoolsize = 3\n')
    assert refusal(path) == "unknown key [storage] poolsize"


def test_an_unknown_section_is_named(tmp_path: Path) -> None:
    assert refusal(config(tmp_path, "[slak]\nenabled = true\n")) == "unknown section [slak]"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[slack]\nport = "3000"\n', "[slack] port must be an integer"),
        ('[slack]\nenabled = "yes"\n', "[slack] enabled must be true or false"),
        ("[limits]\nmax_text_chars = true\n", "[limits] max_text_chars must be an integer"),
        ('[slack]\nmode = "webhook"\n', "[slack] mode must be one of 'socket', 'http'"),
        ("[moderators]\nslack = 5\n", "[moderators] slack must be a list of strings"),
        ('storage = "sqlite:///x.db"\n', "[storage] must be a table"),
    ],
    ids=["string for int", "string for bool", "bool for int", "not a choice", "not a list",
         "not a table"],
)  # fmt: skip
def test_a_wrong_type_is_named(tmp_path: Path, text: str, named: str) -> None:
    assert refusal(config(tmp_path, text)).startswith(named)


def test_a_file_that_is_not_toml_is_named(tmp_path: Path) -> None:
    path = config(tmp_path, "[slack\n")
    assert refusal(path).startswith(f"config file {path} is not valid TOML")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    assert refusal(path) == f"config file {path} does not exist"


def test_secrets_in_the_file_are_refused(tmp_path: Path) -> None:
    path = config(tmp_path, '[secrets]\ndiscord_token = "abc"\n')
    assert "environment" in refusal(path)


@pytest.mark.parametrize(
    ("text", "env", "named"),
    [
        ("[slack]\nenabled = true\n", {}, "SLACK_BOT_TOKEN"),
        ("[slack]\nenabled = true\n", {"SLACK_BOT_TOKEN": "x"}, "SLACK_APP_TOKEN"),
        ('[slack]\nenabled = true\nmode = "http"\n', {"SLACK_BOT_TOKEN": "x"},
         "SLACK_SIGNING_SECRET"),
        ("[discord]\nenabled = true\n", {}, "DISCORD_TOKEN"),
    ],
    ids=["slack bot token", "socket mode app token", "http signing secret", "discord token"],
)  # fmt: skip
def test_a_missing_secret_for_an_enabled_platform_is_named(
    tmp_path: Path, text: str, env: dict[str, str], named: str
) -> None:
    assert named in refusal(config(tmp_path, text), env)


def test_a_disabled_platform_needs_no_secret() -> None:
    assert not load_settings(None, {}).discord.enabled


def test_the_storage_url_comes_from_the_environment(tmp_path: Path) -> None:
    path = config(tmp_path, '[storage]\nurl = "sqlite:///from-file.db"\n')
    settings = load_settings(path, {"QABOT_STORAGE_URL": "sqlite:///from-env.db"})
    assert settings.storage.url == "sqlite:///from-env.db"


def test_the_slack_port_from_the_environment_becomes_a_number() -> None:
    assert load_settings(None, {"QABOT_SLACK_PORT": "8080"}).slack.port == 8080


def test_a_bad_port_in_the_environment_is_named() -> None:
    assert refusal(None, {"QABOT_SLACK_PORT": "eighty"}) == (
        "[slack] port must be an integer, got 'eighty' (from QABOT_SLACK_PORT)"
    )


def test_the_slack_api_base_url_comes_from_the_environment() -> None:
    env = {"SLACK_API_BASE_URL": "http://127.0.0.1:9999/api/"}
    assert load_settings(None, env).slack.api_base_url == "http://127.0.0.1:9999/api/"


def test_a_boolean_from_the_environment_is_understood() -> None:
    env = {"QABOT_DISCORD_ENABLED": "true", "DISCORD_TOKEN": "x"}
    assert load_settings(None, env).discord.enabled


def test_a_list_from_the_environment_is_split_on_commas() -> None:
    env = {"QABOT_MODERATORS_SLACK": "U1, U2"}
    assert load_settings(None, env).moderators.slack == ("U1", "U2")


def test_an_unknown_key_in_the_environment_is_named() -> None:
    assert refusal(None, {"QABOT_SLACK_PROT": "1"}) == "unknown key [slack] prot"


def test_secrets_come_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(None, TOKENS)
    assert settings.secrets.discord_token == "very-secret-discord"


def test_secrets_never_appear_in_a_repr() -> None:
    shown = repr(load_settings(None, TOKENS))
    assert not [secret for secret in TOKENS.values() if secret in shown]


def test_emoji_weights_in_the_file_accept_any_spelling(tmp_path: Path) -> None:
    path = config(tmp_path, '[voting.weights]\n"+1" = 1\n"thumbsdown" = -1\n')
    assert load_settings(path, {}).voting.weights == {"👍": 1, "👎": -1}


def test_a_weight_that_is_not_one_is_named(tmp_path: Path) -> None:
    path = config(tmp_path, '[voting.weights]\n"+1" = 5\n')
    assert refusal(path).startswith("[voting] weights:")


def test_a_log_level_that_does_not_exist_is_named(tmp_path: Path) -> None:
    path = config(tmp_path, '[logging]\nlevel = "LOUD"\n')
    assert refusal(path) == (
        "[logging] level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (any case), "
        "got 'LOUD'"
    )


def test_a_config_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "qabot.toml"
    path.write_bytes('[console]\nuser = "Zoë"\n'.encode("latin-1"))
    assert refusal(path).startswith(f"config file {path} is not UTF-8 text")


def test_a_config_path_that_is_a_directory_is_named(tmp_path: Path) -> None:
    assert refusal(tmp_path) == f"config file {tmp_path} is a directory; give the path of a file"


def _whole_number_settings() -> list[tuple[str, str]]:
    sections = get_type_hints(Settings)
    return [
        (section.name, key.name)
        for section in dataclasses.fields(Settings)
        for key in dataclasses.fields(sections[section.name])
        if get_type_hints(sections[section.name])[key.name] is int
    ]


@pytest.mark.parametrize(
    ("section", "key"),
    _whole_number_settings(),
    ids=[f"{s}.{k}" for s, k in _whole_number_settings()],
)
def test_every_whole_number_setting_refuses_a_negative_value(
    tmp_path: Path, section: str, key: str
) -> None:
    path = config(tmp_path, f"[{section}]\n{key} = -1\n")
    assert refusal(path).startswith(f"[{section}] {key} must be ")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[limits]\nmax_text_chars = 0\n", "[limits] max_text_chars must be at least 1, got 0"),
        ("[limits]\ntop_size = -5\n", "[limits] top_size must be at least 1, got -5"),
        ("[storage]\npool_size = 0\n", "[storage] pool_size must be at least 1, got 0"),
        ("[limits]\nasks_per_hour = -1\n",
         "[limits] asks_per_hour must be 0 (off) or more, got -1"),
        ("[reconcile]\ndays = -3\n", "[reconcile] days must be 0 (off) or more, got -3"),
        ("[slack]\nport = 70000\n", "[slack] port must be between 0 and 65535, got 70000"),
    ],
    ids=["text limit zero", "negative size", "empty pool", "negative abuse limit",
         "negative days", "port too high"],
)  # fmt: skip
def test_a_number_out_of_range_names_what_is_allowed(tmp_path: Path, text: str, named: str) -> None:
    assert refusal(config(tmp_path, text)) == named


@pytest.mark.parametrize(
    ("key", "toml", "env"),
    [("top_size", "-5", "-5"), ("top_size", '"ten"', "ten")],
    ids=["out of range", "not a number"],
)
def test_the_file_and_the_environment_refuse_a_value_in_the_same_words(
    tmp_path: Path, key: str, toml: str, env: str
) -> None:
    from_file = refusal(config(tmp_path, f"[limits]\n{key} = {toml}\n"))
    from_env = refusal(None, {f"QABOT_LIMITS_{key.upper()}": env})
    assert from_env == f"{from_file} (from QABOT_LIMITS_{key.upper()})"


def test_a_storage_url_of_an_unknown_kind_names_the_three_that_work(tmp_path: Path) -> None:
    path = config(tmp_path, '[storage]\nurl = "mysql://qabot:hunter2@db/qabot"\n')
    assert refusal(path) == (
        "[storage] url must start with sqlite://, postgresql:// or postgres://, got 'mysql://'"
    )


def test_a_refused_storage_url_never_shows_its_password(tmp_path: Path) -> None:
    path = config(tmp_path, '[storage]\nurl = "mysql://qabot:hunter2@db/qabot"\n')
    assert "hunter2" not in refusal(path)
