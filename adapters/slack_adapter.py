"""The Slack adapter: a slack-bolt `AsyncApp` whose listeners turn Slack into `QAService` calls.

Every listener acknowledges first and works after (Slack redelivers anything not acknowledged
within 3 seconds), and nothing after `ack()` raises: a `QAError` becomes a friendly ephemeral
reply, anything else a log line and an apology. Payload dicts stop at `slack_translate`.

`build_slack_app` builds the app for tests and for `run_slack` (slack_runtime.py), which adds the
start-up token check and the transport (Socket Mode or HTTP).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_bolt.logger import get_bolt_app_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters import slack_render as render
from adapters import slack_translate as edge
from adapters.slack_commands import SlackCommands
from adapters.slack_state import RecentEvents, UserDirectory
from adapters.slack_surfacing import SlackPoster
from bot.domain import ChannelRef, MessageRef, Question, UserRef, WorkspaceRef
from bot.emoji_keys import normalize_emoji
from bot.errors import NotAllowed, NotFound, QAError, RateLimited, VoteIgnored
from bot.service import QAService
from bot.settings import Settings

__all__ = ["SlackBot", "build_slack_app", "build_slack_bot", "make_web_client", "run_slack"]

log = logging.getLogger("qabot.slack")

SORRY = "Sorry, something went wrong on my side. Please try again in a minute."
INVITE_ME = (
    "I'm not in this channel, so I can't post questions here. "
    "Invite me with `/invite @qabot` and ask again."
)
Tell = Callable[[str], Awaitable[Any]]


def make_web_client(settings: Settings) -> AsyncWebClient:
    """The one Web API client: `api_base_url` (GovSlack, the tests' fake) and 429 retries."""
    return AsyncWebClient(
        token=settings.secrets.slack_bot_token,
        base_url=settings.slack.api_base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            # Slack's 429s carry Retry-After; the handler sleeps that long, then retries.
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            # 500 and 503: retried with exponential backoff (0.5 s, 1 s), then given up; the
            # listener then logs it and tells whoever is waiting.
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def _not_token_skipped(record: logging.LogRecord) -> bool:
    # bolt reads SLACK_BOT_TOKEN from the environment itself and warns that the client's token
    # wins; it is the same token (settings read it from there too), so the warning is noise.
    return record.getMessage() != warning_client_prioritized_and_token_skipped()


class _SessionRespond(AsyncRespond):
    """bolt's `respond` (same message, same URL), sent through the Web API client's session:
    bolt's own opens an aiohttp session, an SSL context and a TCP connection per reply."""

    def __init__(self, *, response_url: str, client: AsyncWebClient) -> None:
        super().__init__(response_url=response_url, proxy=client.proxy, ssl=client.ssl)
        self._client = client

    async def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", **fields: Any
    ) -> WebhookResponse:
        session = self._client.session
        hook = AsyncWebhookClient(
            url=str(self.response_url),
            proxy=self.proxy,
            ssl=self.ssl,
            session=session if session is not None and not session.closed else None,
        )
        whole = text if isinstance(text, dict) else {"text": text, **fields}
        return await hook.send_dict(_build_message(**whole))


class _AckAtOnce(AsyncMiddleware):
    """Listener middleware: acknowledge before the listener starts, as bolt does for events.

    For commands, buttons and forms bolt starts the listener as a task and then polls every
    10 ms until it has called `ack()`, so each of them waited at least 10 ms (more on a busy
    loop) for its HTTP response. Every listener of qabot acknowledges with an empty body
    first thing anyway (its own `ack()` call afterwards changes nothing).
    """

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # bolt's name for it
    ) -> BoltResponse:
        ack = req.context.ack
        if ack is not None:
            await ack()
        await next()
        return resp


class _QabotApp(AsyncApp):
    """bolt's `AsyncApp`, minus two costs per request that buy this bot nothing.

    bolt (since 1.15) builds a new `AsyncWebClient` for every request, so that an app may change
    the token of `context.client`; qabot has one workspace and one bot token, its listeners use
    `SlackBot.client` and never `context.client`, and `attaching_function_token` (the one
    built-in middleware that changes that token) is off, so every request shares the one
    client. `respond` goes through that client's session (`_SessionRespond`).
    """

    def _init_context(self, req: AsyncBoltRequest) -> None:
        context = req.context
        context["logger"] = get_bolt_app_logger(app_name=self.name, base_logger=self._base_logger)
        context["token"] = self._token
        context["client"] = self._async_client
        context["listener_runner"] = self.listener_runner
        if context.response_url is not None:
            context["respond"] = _SessionRespond(
                response_url=context.response_url, client=self._async_client
            )


class SlackBot:
    """The listeners and the little state they share: the user cache and recent event ids."""

    def __init__(self, *, settings: Settings, service: QAService, client: AsyncWebClient) -> None:
        self.settings = settings
        self.service = service
        self.client = client
        self.users = UserDirectory(client)
        self.recent = RecentEvents()
        self.team_url = ""  # from auth.test; used to build permalinks without a call per answer
        self.catch_up_task: asyncio.Task[Any] | None = None  # slack_catchup.start_catch_up
        self._in_flight = 0
        # Emoji a reaction can change anything with (a vote weight, or accepting an answer).
        voting = settings.voting
        self._vote_keys = {normalize_emoji(key) for key in (*voting.weights, voting.accept_emoji)}
        secret = settings.secrets.slack_signing_secret
        bolt_log = logging.getLogger("qabot.slack.bolt")
        bolt_log.addFilter(_not_token_skipped)
        self.app = _QabotApp(
            client=client,
            signing_secret=secret or None,
            # Socket Mode has no HTTP endpoint to verify; HTTP mode always has a secret (settings).
            request_verification_enabled=bool(secret) or settings.slack.mode == "http",
            # Only for Slack workflow functions (qabot defines none); it would also change the
            # shared client's token (see _QabotApp).
            attaching_function_token_enabled=False,
            logger=bolt_log,
        )
        self.commands = SlackCommands(self)
        # Digests and thread notices (similar questions, hot answers) the core posts on its own.
        service.posters.register(
            "slack",
            SlackPoster(
                client,
                lambda: self.team_url,
                lambda question: render.question_message(question, vote_hint=self.vote_hint()),
            ),
        )
        self._register()

    # ---------------------------------------------------------------- plumbing

    async def settle(self, *, within: float = 5.0) -> None:
        """Wait until no listener is still working (tests; a graceful stop)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        quiet = 0
        while quiet < 3 and loop.time() < deadline:
            await asyncio.sleep(0.01)
            quiet = quiet + 1 if self._in_flight == 0 else 0

    async def run(self, what: str, work: Awaitable[Any], tell: Tell | None = None) -> bool:
        """Run a listener's work after its ack; never let an exception escape to bolt."""
        self._in_flight += 1
        try:
            await work
            return True
        except QAError as error:
            log.info("%s refused: %s", what, type(error).__name__)
            if tell is not None:
                await self._quietly(tell(error.message))
            return True
        except Exception:
            log.exception("%s failed", what)
            if tell is not None:
                await self._quietly(tell(SORRY))
            return False
        finally:
            self._in_flight -= 1

    @staticmethod
    async def _quietly(reply: Awaitable[Any]) -> None:
        try:
            await reply
        except Exception as error:  # the user cannot be told; the log line is all we can do
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

    # ---------------------------------------------------------------- listeners

    def _register(self) -> None:
        # bolt tries listeners in registration order, building each matcher's kwargs (about
        # 15 us of CPU per try): the most frequent requests come first, reactions and then
        # messages, which every conversation in the bot's channels sends (tried after the
        # seven listeners below, a channel message cost 306-335 us to dispatch instead of
        # 197-205 on a slow machine).
        self.app.event("reaction_added")(self.on_reaction)
        self.app.event("reaction_removed")(self.on_reaction)
        self.app.event("message")(self.on_message)
        names, first = self.settings.slack, [_AckAtOnce()]
        self.app.command(names.ask_command, middleware=first)(self.commands.on_ask)
        self.app.command(names.top_command, middleware=first)(self.commands.on_top)
        self.app.command(names.qa_command, middleware=first)(self.commands.on_qa)
        self.app.view(edge.ASK_FORM, middleware=first)(self.commands.on_ask_form)
        self.app.view(edge.ANSWER_FORM, middleware=first)(self.commands.on_answer_form)
        self.app.action(edge.ANSWER_ACTION, middleware=first)(self.commands.on_answer_button)
        self.app.action(edge.SHARE_TOP_ACTION, middleware=first)(self.commands.on_share_top)

    async def _event(
        self, body: dict[str, Any], what: str, work: Callable[[], Awaitable[None]]
    ) -> None:
        # Slack redelivers an event it thinks we missed, with the same event_id. A retry may be
        # the only copy (after an outage), so only ids already handled here are skipped; writes
        # are idempotent in the store anyway.
        event_id = str(body.get("event_id", ""))
        if event_id and not self.recent.claim(event_id):
            log.info("%s %s already handled; skipping the redelivery", what, event_id)
            return
        if not await self.run(what, work()) and event_id:
            self.recent.release(event_id)

    async def on_message(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        parsed = edge.parse_message_event(event)
        if parsed is None:  # chatter outside question threads, the bot's own posts, odd shapes
            log.debug(
                "message event %s ignored: not a reply, edit or deletion", body.get("event_id")
            )
            return
        workspace = edge.workspace_of(body)
        await self._event(body, type(parsed).__name__, lambda: self._message(workspace, parsed))

    async def _message(
        self,
        workspace: WorkspaceRef,
        parsed: edge.ThreadReply | edge.MessageEdited | edge.MessageDeleted,
    ) -> None:
        if isinstance(parsed, edge.MessageEdited):
            await self.service.edit_message(workspace, parsed.message, parsed.text)
        elif isinstance(parsed, edge.MessageDeleted):
            await self.service.delete_message(workspace, parsed.message)
        else:
            await self._thread_reply(workspace, parsed)

    async def _thread_reply(self, workspace: WorkspaceRef, reply: edge.ThreadReply) -> None:
        if await self.service.question_in_thread(workspace, reply.thread_key) is None:
            return  # chatter in another thread: nobody to look up (users.info)
        author = await self.user(workspace, reply.user_id)
        thread_ts = reply.thread_key.split("/", 1)[1]
        tell = self.teller(reply.message.channel_id, reply.user_id, thread_ts=thread_ts)
        try:
            await self.service.answer_in_thread(
                author=author, thread_key=reply.thread_key, text=reply.text, message=reply.message
            )
        except QAError as error:  # e.g. too long: only the author hears why it did not count
            await self._quietly(tell(error.message))

    async def on_reaction(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        reaction = edge.parse_reaction(event)
        if reaction is None:
            log.info("reaction event %s ignored: not on a message", body.get("event_id"))
            return
        if normalize_emoji(reaction.emoji) not in self._vote_keys:
            return  # most reactions are not votes: no users.info call, no store lookup
        workspace = edge.workspace_of(body)
        await self._event(body, "reaction", lambda: self._reaction(workspace, reaction))

    async def _reaction(self, workspace: WorkspaceRef, reaction: edge.Reaction) -> None:
        # A voting emoji on an ordinary message is the common case: find the post before asking
        # Slack who the voter is (users.info is rate-limited, and needed only for a vote).
        subject = await self.service.vote_subject(workspace, reaction.message)
        if subject is None:
            return
        voter = await self.user(workspace, reaction.user_id)
        vote = self.service.react if reaction.added else self.service.unreact
        try:
            outcome = await vote(voter=voter, target=subject, emoji=reaction.emoji)
        except (VoteIgnored, NotFound):
            return  # not a vote (own post, a bot, other emoji) or not a Q&A message: quietly
        except RateLimited as error:  # the voter alone hears why the reaction did not count
            log.info("reaction by %s not counted: rate limited", reaction.user_id)
            tell = self.teller(reaction.message.channel_id, reaction.user_id)
            await self._quietly(tell(error.message))
            return
        log.info("reaction on %s: %s", outcome.post_id, outcome.status.value)

    # ---------------------------------------------------------------- shared by commands

    def vote_hint(self) -> str:
        weights = self.settings.voting.weights
        ups = [key for key, weight in weights.items() if weight > 0]
        downs = [key for key, weight in weights.items() if weight < 0]
        return "/".join(ups[:1] + downs[:1]) or "reactions"

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
        rendered = render.question_message(question, vote_hint=self.vote_hint())
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


def build_slack_bot(
    *, settings: Settings, service: QAService, client: AsyncWebClient | None = None
) -> SlackBot:
    return SlackBot(settings=settings, service=service, client=client or make_web_client(settings))


def build_slack_app(
    *, settings: Settings, service: QAService, client: AsyncWebClient | None = None
) -> AsyncApp:
    """The bolt app with every listener; `client` defaults to one built from settings."""
    return build_slack_bot(settings=settings, service=service, client=client).app


async def run_slack(settings: Settings, service: QAService) -> None:
    """Serve Slack until cancelled: what `qabot run` awaits (see slack_runtime)."""
    # Imported here because slack_runtime builds on this module.
    from adapters.slack_runtime import run_slack as run

    await run(settings, service)
