"""config.example.toml is the settings reference: it must name every key with its default."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from bot.settings import Settings, load_settings

EXAMPLE = Path(__file__).parents[1] / "config.example.toml"


def test_the_example_config_loads_to_exactly_the_defaults() -> None:
    assert load_settings(EXAMPLE, env={}) == Settings()


def test_the_example_config_documents_every_setting() -> None:
    documented = tomllib.loads(EXAMPLE.read_text())
    for section in dataclasses.fields(Settings):
        if section.name == "secrets":
            continue
        keys = {field.name for field in dataclasses.fields(getattr(Settings(), section.name))}
        assert keys <= set(documented[section.name]), f"[{section.name}] is missing a key"
