"""`[web]` settings: defaults, QABOT_WEB_<KEY> overrides, and one line per bad value."""

from __future__ import annotations

import pytest

from bot.errors import SettingsError
from bot.settings import load_settings
from bot.web_settings import base_url


def test_nothing_is_published_by_default() -> None:
    web = load_settings().web
    assert (web.enabled, web.channels, web.names, web.workers) == (False, (), "headline", 1)
    assert base_url(web) == "http://127.0.0.1:8080"


def test_environment_variables_set_every_key() -> None:
    env = {
        "QABOT_WEB_ENABLED": "true", "QABOT_WEB_PORT": "9000",
        "QABOT_WEB_CHANNELS": "slack:T1:C1, discord:81384:*",
        "QABOT_WEB_PUBLIC_URL": "https://answers.example.org/", "QABOT_WEB_NAMES": "name",
        "QABOT_WEB_WORKERS": "0",
    }  # fmt: skip
    web = load_settings(env=env).web
    assert web.enabled and web.port == 9000 and web.names == "name" and web.workers == 0
    assert web.channels == ("slack:T1:C1", "discord:81384:*")
    assert base_url(web) == "https://answers.example.org"


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("CHANNELS", "slack:T1", '[web] channels entries look like "slack:T0123:C0456"'),
        ("CHANNELS", "irc:net:chan", '[web] channels entries look like "slack:T0123:C0456"'),
        ("PUBLIC_URL", "answers.example.org", "[web] public_url must be empty or like"),
        ("NAMES", "everyone", "[web] names must be one of 'headline', 'name', 'none'"),
        ("PORT", "70000", "[web] port must be between 0 and 65535"),
        ("WORKERS", "9", "[web] workers must be between 0 and 8"),
        ("WORKERS", "-1", "[web] workers must be between 0 and 8"),
    ],
)
def test_a_bad_value_stops_start_up_with_one_line_naming_it(
    key: str, value: str, said: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(env={f"QABOT_WEB_{key}": value})
    assert said in str(refused.value) and "\n" not in str(refused.value)
