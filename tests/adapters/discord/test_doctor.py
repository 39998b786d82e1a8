"""`qabot doctor` against the fake Discord: the token, the intents, the digest channels."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.discord.fake_discord import TOKEN, FakeDiscord
from tests.test_doctor import doctor_beside


async def discord_doctor(
    tmp_path: Path, fake: FakeDiscord, *, token: str = TOKEN, more: str = ""
) -> tuple[int, list[str]]:
    config = (
        f'[storage]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n[discord]\nenabled = true\n'
        f'api_base_url = "{fake.api_url}"\n{more}'
    )
    return await doctor_beside(tmp_path, config, DISCORD_TOKEN=token)


async def test_a_working_token_is_ok_and_names_the_bot(fake: FakeDiscord, tmp_path: Path) -> None:
    code, lines = await discord_doctor(tmp_path, fake)
    assert code == 0
    assert lines[2].startswith("ok    discord token: logs in as ")


async def test_a_rejected_token_fails_with_what_to_do(fake: FakeDiscord, tmp_path: Path) -> None:
    code, lines = await discord_doctor(tmp_path, fake, token="wrong-token")
    assert code == 1
    assert lines[2].startswith("FAIL  discord token: Discord rejected DISCORD_TOKEN: reset")


async def test_message_content_without_the_portal_switch_fails(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    fake.message_content_allowed = False
    code, lines = await discord_doctor(tmp_path, fake, more="message_content = true\n")
    assert code == 1
    assert "switch on Message Content Intent" in lines[2] and lines[2].startswith("FAIL")


async def test_a_digest_channel_the_bot_cannot_see_fails(fake: FakeDiscord, tmp_path: Path) -> None:
    seen, unseen = f"discord:{fake.guild_id}:{fake.general['id']}", f"discord:{fake.guild_id}:42"
    code, lines = await discord_doctor(
        tmp_path, fake, more=f'[digest]\nchannels = ["{seen}", "{unseen}"]\n'
    )
    assert code == 1
    assert lines[3] == f"ok    digest channel {seen}: the bot can see it"
    assert lines[4].startswith(f"FAIL  digest channel {unseen}: the bot cannot see it (HTTP 404)")
