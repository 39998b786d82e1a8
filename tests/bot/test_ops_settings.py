"""The `[ops]` section: its defaults, its environment overrides and its checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import OpsSettings, load_settings


def test_ops_is_off_on_localhost_9090_with_ten_seconds_to_stop_by_default() -> None:
    assert load_settings().ops == OpsSettings(
        enabled=False, host="127.0.0.1", port=9090, shutdown_seconds=10
    )


def test_ops_settings_come_from_qabot_ops_variables() -> None:
    env = {"QABOT_OPS_ENABLED": "true", "QABOT_OPS_PORT": "9100", "QABOT_OPS_HOST": "0.0.0.0"}
    ops = load_settings(env=env).ops
    assert (ops.enabled, ops.host, ops.port) == (True, "0.0.0.0", 9100)


def test_an_ops_port_out_of_range_is_named(tmp_path: Path) -> None:
    config = tmp_path / "qabot.toml"
    config.write_text("[ops]\nport = 70000\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\[ops\] port must be between 0 and 65535"):
        load_settings(config)


def test_a_shutdown_time_of_zero_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"\[ops\] shutdown_seconds must be at least 1"):
        load_settings(env={"QABOT_OPS_SHUTDOWN_SECONDS": "0"})
