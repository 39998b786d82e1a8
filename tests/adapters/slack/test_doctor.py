"""`qabot doctor` against the fake Slack: the token, its scopes, the digest channels."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.slack.fake_slack import APP_TOKEN, BOT_TOKEN, CHANNEL_ID, TEAM_ID, FakeSlack
from tests.test_doctor import doctor_beside


async def slack_doctor(
    tmp_path: Path, fake: FakeSlack, *, token: str = BOT_TOKEN, more: str = ""
) -> tuple[int, list[str]]:
    config = (
        f'[storage]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n[slack]\nenabled = true\n'
        f'api_base_url = "{fake.api_url}"\n{more}'
    )
    return await doctor_beside(tmp_path, config, SLACK_BOT_TOKEN=token, SLACK_APP_TOKEN=APP_TOKEN)


async def test_a_token_with_every_manifest_scope_is_ok(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    code, lines = await slack_doctor(tmp_path, fake_slack)
    assert code == 0
    assert f"ok    slack token: valid for workspace {TEAM_ID}" in lines[2]


async def test_a_missing_scope_is_named_with_where_to_add_it(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.scopes = tuple(s for s in fake_slack.scopes if s != "reactions:read")
    code, lines = await slack_doctor(tmp_path, fake_slack)
    assert code == 1
    assert lines[2].startswith("FAIL  slack token: missing scopes reactions:read: add them")


async def test_a_rejected_token_fails_with_what_to_do(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    code, lines = await slack_doctor(tmp_path, fake_slack, token="xoxb-revoked")
    assert code == 1
    assert lines[2].startswith("FAIL  slack token: Slack rejected SLACK_BOT_TOKEN (invalid_auth)")
    assert "xoxb-revoked" not in "\n".join(lines)


async def test_a_digest_channel_without_the_bot_fails(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    digest = (
        f'[digest]\nchannels = ["slack:{TEAM_ID}:{CHANNEL_ID}", "slack:{TEAM_ID}:C0NOTJOIND"]\n'
    )
    code, lines = await slack_doctor(tmp_path, fake_slack, more=digest)
    assert code == 1
    assert lines[3] == f"ok    digest channel slack:{TEAM_ID}:{CHANNEL_ID}: the bot can post there"
    assert lines[4].startswith(f"FAIL  digest channel slack:{TEAM_ID}:C0NOTJOIND: the bot is not")
