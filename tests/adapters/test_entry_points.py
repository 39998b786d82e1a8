"""Each platform's package declares its entry point, and a console-only install can import it."""

from __future__ import annotations

import subprocess
import sys

import pytest

import adapters.console
import adapters.discord
import adapters.slack

LIBRARIES = {
    "adapters.slack": ("slack_bolt", "slack_sdk", "aiohttp"),
    "adapters.discord": ("discord",),
    "adapters.console": ("slack_bolt", "slack_sdk", "aiohttp", "discord"),
}


@pytest.mark.parametrize("package", sorted(LIBRARIES))
def test_the_package_imports_without_its_platform_library(package: str) -> None:
    hidden = "; ".join(f"sys.modules[{name!r}] = None" for name in LIBRARIES[package])
    code = f"import sys; {hidden}; import {package}"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


def test_each_package_declares_its_entry_point() -> None:
    assert adapters.console.__all__ == [
        "ConsoleSession",
        "ctrl_c_only_at_the_prompt",
        "run_console",
    ]
    assert adapters.slack.__all__ == ["run_slack"]
    assert adapters.discord.__all__ == ["run_discord"]
    for package in (adapters.console, adapters.slack, adapters.discord):
        assert all(callable(getattr(package, name)) for name in package.__all__)
