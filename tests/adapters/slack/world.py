"""A running Slack adapter plus the fake Slack around it, driven the way people drive Slack."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from adapters.slack.app import SlackBot
from bot.service import QAService
from tests.adapters.slack import builders
from tests.adapters.slack.fake_slack import CHANNEL_ID, FakeSlack
from tests.adapters.slack.signed_client import Reply, SignedClient

ALICE, BOB, CAROL, DAVE, ERIN = "U0ALICE001", "U0BOB00002", "U0CAROL003", "U0DAVE0004", "U0ERIN0005"
PEOPLE = {
    ALICE: "Alice Asker",
    BOB: "Bob Builder",
    CAROL: "Carol Coder",
    DAVE: "Dave Data",
    ERIN: "Erin Eng",
}
OTHER_BOT = "U0OTHERBOT"
ADMIN = "U0ADMIN006"  # a Slack workspace admin
MODERATOR = ERIN  # named in the settings' [moderators] slack

_keys = itertools.count(1)


@dataclass
class SlackWorld:
    fake: FakeSlack
    bot: SlackBot
    http: SignedClient
    service: QAService

    async def settle(self) -> None:
        await self.bot.settle()

    async def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = ALICE,
        channel: str = CHANNEL_ID,
        channel_name: str = "general",
    ) -> list[dict[str, Any]]:
        """Run a slash command; return what the app sent to its response_url."""
        key = f"r{next(_keys)}"
        fields = builders.slash(
            command, text, user=user, channel=channel, channel_name=channel_name,
            response_url=self.fake.response_url(key),
        )  # fmt: skip
        reply = await self.http.command(fields)
        assert reply.status == 200, reply
        assert reply.text == "", "the ack itself says nothing; replies come after it"
        await self.settle()
        return [body for k, body in self.fake.responses if k == key]

    async def event(self, envelope: dict[str, Any], *, retry_num: int | None = None) -> Reply:
        reply = await self.http.event(envelope, retry_num=retry_num)
        assert reply.status == 200, reply
        await self.settle()
        return reply

    async def interaction(self, payload: dict[str, Any]) -> Reply:
        reply = await self.http.interaction(payload)
        assert reply.status == 200, reply
        await self.settle()
        return reply

    async def ask(self, text: str, *, user: str = ALICE) -> dict[str, Any]:
        """`/ask text`; return the question message the bot posted."""
        before = len(self.fake.posted())
        await self.command("/ask", text, user=user)
        posted = self.fake.posted()
        assert len(posted) == before + 1, f"no question posted; responses: {self.fake.responses}"
        return posted[-1]

    async def reply(self, question_ts: str, text: str, *, user: str) -> str:
        """Reply in the question's thread as `user`; return the reply's ts."""
        envelope = builders.thread_reply(user=user, text=text, thread_ts=question_ts)
        await self.event(envelope)
        return str(envelope["event"]["ts"])

    async def react(self, ts: str, name: str, *, user: str, added: bool = True) -> None:
        await self.event(builders.reaction(added=added, user=user, name=name, ts=ts))

    async def top(self, args: str = "", *, user: str = ALICE) -> dict[str, Any]:
        (body,) = await self.command("/top", args, user=user)
        return body


_SHOWING = {"chat.postMessage", "chat.postEphemeral", "chat.update", "views.open"}


def everything_shown(world: SlackWorld) -> str:
    """All the bot showed anyone (messages, ephemerals, forms, command replies), as one text.

    An ephemeral's `user` (whom Slack shows it to) is left out: it is an address, not content.
    """
    calls = [
        {
            k: v
            for k, v in c.params.items()
            if not (c.method == "chat.postEphemeral" and k == "user")
        }
        for c in world.fake.calls
        if c.method in _SHOWING
    ]
    return json.dumps([calls, world.fake.responses], ensure_ascii=False)


def block_text(body: dict[str, Any]) -> str:
    """The visible text of a message's blocks, joined."""
    out: list[str] = []
    for block in body.get("blocks", []):
        text = block.get("text")
        if isinstance(text, dict):
            out.append(text.get("text", ""))
        for element in block.get("elements", []):
            inner = element.get("text")
            out.append(inner.get("text", "") if isinstance(inner, dict) else str(inner or ""))
    return "\n".join(out)
