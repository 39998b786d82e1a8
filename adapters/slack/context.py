"""What the Slack listeners share: settings, the core, the Web API client, and reply plumbing.

`SlackContext` is built once by `SlackBot` and handed to the event listeners, the commands and
catch-up, so none of them needs the bot (or the bolt app) itself. Nothing after a listener's
`ack()` raises: `run` turns a `QAError` into a reply for the person who acted and anything else
into a log line and an apology.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

import adapters.slack.render as render
import adapters.slack.translate as edge
from adapters.slack.state import UserDirectory
from bot.domain import ChannelRef, MessageRef, Question, UserRef, WorkspaceRef
from bot.errors import NotAllowed, QAError, StoreUnavailable
from bot.service import QAService
from bot.settings import Settings

__all__ = ["INVITE_ME", "SORRY", "SlackContext", "Tell"]

log = logging.getLogger("qabot.slack")

SORRY = "Sorry, something went wrong on my side. Please try again in a minute."
INVITE_ME = (
    "I'm not in this channel, so I can't post questions here. "
    "Invite me with `/invite @qabot` and ask again."
)
Tell = Callable[[str], Awaitable[Any]]


class SlackContext:
    """The collaborators every listener needs, and the little state they share."""

    def __init__(self, *, settings: Settings, service: QAService, client: AsyncWebClient) -> None:
        self.settings = settings
        self.service = service
        self.client = client
        self.users = UserDirectory(client)
        self.team_url = ""  # from auth.test; used to build permalinks without a call per answer
        self.catch_up_task: asyncio.Task[Any] | None = None  # catchup.start_catch_up
        self._in_flight = 0

    # ---------------------------------------------------------------- running listeners' work

    async def settle(self, *, within: float = 5.0) -> None:
        """Wait until no listener is still working (tests; a graceful stop)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        quiet = 0
        while quiet < 3 and loop.time() < deadline:
            await asyncio.sleep(0.01)
            quiet = quiet + 1 if self._in_flight == 0 else 0

    async def run(
        self, what: str, work: Awaitable[Any], tell: Tell | None = None, *, command: str = ""
    ) -> bool:
        """Run a listener's work after its ack; never let an exception escape to bolt.
        A `command` ("ask", "top", "qa") is timed for the metrics, answered or refused."""
        self._in_flight += 1
        metrics, started = self.service.metrics, time.perf_counter()
        try:
            await work
            return True
        except QAError as error:
            if isinstance(error, StoreUnavailable):
                metrics.error(type(error).__name__)
            log.info("%s refused: %s", what, type(error).__name__)
            if tell is not None:
                await self.quietly(tell(error.message))
            return True
        except Exception as error:
            metrics.error(type(error).__name__)
            log.exception("%s failed", what)
            if tell is not None:
                await self.quietly(tell(SORRY))
            return False
        finally:
            self._in_flight -= 1
            if command:
                metrics.command("slack", command, time.perf_counter() - started)

    @staticmethod
    async def quietly(reply: Awaitable[Any]) -> None:
        """Send a reply; if that fails too, the user cannot be told and a log line is all."""
        try:
            await reply
        except Exception as error:
            log.warning("could not send a reply: %s", type(error).__name__)

    def teller(self, channel_id: str, user_id: str, *, thread_ts: str | None = None) -> Tell:
        """Reply only `user_id` sees, where no response_url exists (events, forms)."""

        async def tell(text: str) -> None:
            await self.client.chat_postEphemeral(
                channel=channel_id, user=user_id, text=text, thread_ts=thread_ts
            )

        return tell

    @staticmethod
    def responder(respond: AsyncRespond) -> Tell:
        async def tell(text: str) -> None:
            await respond(text=text, response_type="ephemeral")

        return tell

    async def user(
        self, workspace: WorkspaceRef, user_id: str, name: str = "", *, fresh: bool = False
    ) -> UserRef:
        return await self.users.get(workspace, user_id, fallback_name=name, fresh=fresh)

    # ---------------------------------------------------------------- shared by commands

    def vote_hint(self) -> str:
        weights = self.settings.voting.weights
        ups = [key for key, weight in weights.items() if weight > 0]
        downs = [key for key, weight in weights.items() if weight < 0]
        return "/".join(ups[:1] + downs[:1]) or "reactions"

    def question_message(self, question: Question) -> render.Rendered:
        return render.question_message(question, vote_hint=self.vote_hint())

    async def channel_to_ask_in(self, workspace: WorkspaceRef, channel_id: str) -> ChannelRef:
        """The channel, if the bot is in it (and whether it is private); else NotAllowed."""
        try:
            response = await self.client.conversations_info(channel=channel_id)
        except SlackApiError as error:  # a DM, or a channel the bot cannot see
            log.info("cannot ask in %s: %s", channel_id, error.response.get("error"))
            raise NotAllowed(INVITE_ME) from None
        info = response.get("channel") or {}
        if not info.get("is_member"):
            raise NotAllowed(INVITE_ME)
        return ChannelRef(workspace, channel_id, is_private=bool(info.get("is_private")))

    async def post_question(self, question: Question, channel: ChannelRef, tell: Tell) -> None:
        rendered = self.question_message(question)
        try:
            posted = await self.client.chat_postMessage(
                channel=channel.channel_id, text=rendered.text, blocks=rendered.blocks
            )
        except SlackApiError as error:
            # Membership was checked before storing; this is Slack refusing anyway (archived
            # channel, posting restricted). The question is withdrawn: no orphan Q number.
            reason = error.response.get("error", "error")
            log.warning("could not post %s: %s", question.post_id, reason)
            await self.service.withdraw_question(question)
            await tell(f"Slack refused to post your question here ({reason}); nothing was posted.")
            return
        except Exception:  # Slack unreachable after the client's retries: withdraw, then apologise
            await self.service.withdraw_question(question)
            raise
        ts = str(posted["ts"])
        message = MessageRef(channel.channel_id, ts)
        await self.service.link_question(
            question, message=message, thread_key=edge.thread_key(channel.channel_id, ts)
        )
        if question.anonymous:
            await tell(f"Posted {question.post_id} anonymously: your name is shown nowhere.")
