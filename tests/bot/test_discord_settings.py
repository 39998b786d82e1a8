"""[discord] sharding: which shards a process connects, and one line when they are wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import load_settings


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as refused:
        load_settings(None, env)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_without_sharding_settings_the_bot_is_not_sharded() -> None:
    discord = load_settings(None, {}).discord
    assert (discord.shard_count, discord.owned_shards) == (0, ())


def test_a_shard_count_alone_connects_every_shard() -> None:
    discord = load_settings(None, {"QABOT_DISCORD_SHARD_COUNT": "3"}).discord
    assert discord.owned_shards == (0, 1, 2)


def test_shard_ids_from_the_environment_are_split_on_commas() -> None:
    env = {"QABOT_DISCORD_SHARD_COUNT": "4", "QABOT_DISCORD_SHARD_IDS": "3, 1"}
    assert load_settings(None, env).discord.owned_shards == (3, 1)


def test_shard_ids_from_the_file_are_used(tmp_path: Path) -> None:
    path = tmp_path / "qabot.toml"
    path.write_text("[discord]\nshard_count = 2\nshard_ids = [1]\n", encoding="utf-8")
    assert load_settings(path, {}).discord.owned_shards == (1,)


def test_shard_ids_without_a_shard_count_say_to_set_it() -> None:
    assert refusal({"QABOT_DISCORD_SHARD_IDS": "0"}) == (
        "[discord] shard_ids needs shard_count: set shard_count to the total number of shards, "
        "the same in every process"
    )


@pytest.mark.parametrize("shard", ["2", "-1"], ids=["too high", "negative"])
def test_a_shard_id_outside_the_count_names_the_ids_that_exist(shard: str) -> None:
    env = {"QABOT_DISCORD_SHARD_COUNT": "2", "QABOT_DISCORD_SHARD_IDS": f"0,{shard}"}
    assert refusal(env) == (
        f"[discord] shard_ids has {shard}, which is not a shard of shard_count = 2: "
        "use ids from 0 to 1"
    )


def test_a_shard_listed_twice_is_named() -> None:
    env = {"QABOT_DISCORD_SHARD_COUNT": "3", "QABOT_DISCORD_SHARD_IDS": "2,0,2"}
    assert refusal(env) == (
        "[discord] shard_ids lists shard 2 more than once: list each shard once"
    )


def test_a_negative_shard_count_is_named() -> None:
    assert refusal({"QABOT_DISCORD_SHARD_COUNT": "-2"}) == (
        "[discord] shard_count must be 0 (off) or more, got -2 (from QABOT_DISCORD_SHARD_COUNT)"
    )


def test_a_shard_id_that_is_not_a_number_is_named(tmp_path: Path) -> None:
    path = tmp_path / "qabot.toml"
    path.write_text('[discord]\nshard_count = 2\nshard_ids = ["one"]\n', encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(path, {})
    assert str(refused.value) == (
        "[discord] shard_ids must be a list of whole numbers, got ['one']"
    )
