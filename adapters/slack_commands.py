"""Slash commands, buttons and forms: `/ask`, `/top`, `/qa`, the Answer button and Share button.

Each listener acknowledges at once, turns the payload into plain values, then hands the work to
`SlackBot.run`, which turns a `QAError` into an ephemeral reply for the person who acted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncRespond

from adapters import slack_render as render
from adapters import slack_translate as edge
from bot.commands import parse_qa, parse_top, top_args, top_title
from bot.domain import MessageRef, PostId, Question, TopQuery, WorkspaceRef
from bot.errors import InvalidInput

if TYPE_CHECKING:
    from adapters.slack_adapter import SlackBot, Tell

__all__ = ["SlackCommands"]

Body = dict[str, Any]


class SlackCommands:
    def __init__(self, bot: SlackBot) -> None:
        self.bot = bot

    @property
    def _max_chars(self) -> int:
        return self.bot.settings.limits.max_text_chars

    # ---------------------------------------------------------------- /ask and its form

    async def on_ask(self, ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        workspace = edge.workspace_of(body)
        channel_id, trigger_id = str(body["channel_id"]), str(body["trigger_id"])
        user_id, name = str(body["user_id"]), str(body.get("user_name", ""))
        text, anonymous = edge.parse_ask_text(str(body.get("text", "")))
        tell = self.bot.responder(respond)
        if not text:
            await self.bot.run("ask form", self._open_ask(workspace, channel_id, trigger_id), tell)
            return
        work = self._ask(workspace, channel_id, user_id, name, text, (), anonymous, tell)
        await self.bot.run("ask", work, tell)

    async def _open_ask(self, workspace: WorkspaceRef, channel_id: str, trigger_id: str) -> None:
        # Say "invite me" before someone types a whole question into the form, not after.
        await self.bot.channel_to_ask_in(workspace, channel_id)
        view = render.ask_modal(channel_id, max_chars=self._max_chars)
        await self.bot.client.views_open(trigger_id=trigger_id, view=view)

    async def on_ask_form(self, ack: AsyncAck, body: Body) -> None:
        await ack()  # closes the form; what follows is told in the channel, to the asker only
        workspace = edge.workspace_of(body)
        form = edge.parse_ask_form(body["view"])
        user_id = str(body["user"]["id"])
        tell = self.bot.teller(form.channel_id, user_id)
        work = self._ask(
            workspace, form.channel_id, user_id, "", form.text, form.tags, form.anonymous, tell
        )
        await self.bot.run("ask form", work, tell)

    async def _ask(
        self,
        workspace: WorkspaceRef,
        channel_id: str,
        user_id: str,
        name: str,
        text: str,
        tags: tuple[str, ...],
        anonymous: bool,
        tell: Tell,
    ) -> None:
        # Checked before storing, so a question the bot cannot post is never left behind.
        channel = await self.bot.channel_to_ask_in(workspace, channel_id)
        asker = await self.bot.user(workspace, user_id, name)
        question = await self.bot.service.ask(
            asker=asker, channel=channel, text=text, tags=tags, anonymous=anonymous
        )
        await self.bot.post_question(question, channel, tell)

    # ---------------------------------------------------------------- the Answer button and form

    async def on_answer_button(self, ack: AsyncAck, body: Body) -> None:
        await ack()
        workspace = edge.workspace_of(body)
        channel_id = str((body.get("channel") or {}).get("id", ""))
        user_id = str(body["user"]["id"])
        question_id = str(body["actions"][0].get("value", ""))
        trigger = str(body.get("trigger_id", ""))
        tell = self.bot.teller(channel_id, user_id)
        await self.bot.run(
            "answer button", self._open_answer(workspace, channel_id, question_id, trigger), tell
        )

    async def _open_answer(
        self, workspace: WorkspaceRef, channel_id: str, question_id: str, trigger_id: str
    ) -> None:
        question = await self.bot.service.get(workspace, question_id)
        if not isinstance(question, Question):
            raise InvalidInput(f"{question.post_id} is an answer; answer its question instead.")
        view = render.answer_modal(channel_id, question, max_chars=self._max_chars)
        await self.bot.client.views_open(trigger_id=trigger_id, view=view)

    async def on_answer_form(self, ack: AsyncAck, body: Body) -> None:
        await ack()
        workspace = edge.workspace_of(body)
        form = edge.parse_answer_form(body["view"])
        user_id = str(body["user"]["id"])
        tell = self.bot.teller(form.channel_id, user_id)
        await self.bot.run("answer form", self._answer(workspace, form, user_id, tell), tell)

    async def _answer(
        self, workspace: WorkspaceRef, form: edge.AnswerForm, user_id: str, tell: Tell
    ) -> None:
        author = await self.bot.user(workspace, user_id)
        answer, question = await self.bot.service.answer(
            author=author, question=form.question, text=form.text
        )
        if question.message is None:
            raise InvalidInput(f"{question.post_id} has no message in Slack to answer under.")
        rendered = render.answer_message(answer)
        posted = await self.bot.client.chat_postMessage(
            channel=question.message.channel_id,
            thread_ts=question.message.message_id,
            text=rendered.text,
            blocks=rendered.blocks,
        )
        await self.bot.service.link_answer(
            answer, MessageRef(question.message.channel_id, str(posted["ts"]))
        )

    # ---------------------------------------------------------------- /top and Share

    async def on_top(self, ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        workspace = edge.workspace_of(body)
        args, channel_id = str(body.get("text", "")), str(body["channel_id"])
        tell = self.bot.responder(respond)
        await self.bot.run("top", self._top(workspace, channel_id, args, respond), tell)

    def _query(self, args: str, channel_id: str) -> TopQuery:
        slack, limits = self.bot.settings.slack, self.bot.settings.limits
        return parse_top(
            args, channel_id=channel_id, limit=limits.top_size, command=slack.top_command
        )

    async def _top(
        self, workspace: WorkspaceRef, channel_id: str, args: str, respond: AsyncRespond
    ) -> None:
        query = self._query(args, channel_id)
        results = await self.bot.service.top(workspace=workspace, query=query)
        rendered = render.top_message(
            results,
            title=top_title(query),
            team_url=self.bot.team_url,
            share_value=top_args(query),
        )
        await respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral")

    async def on_share_top(self, ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        workspace = edge.workspace_of(body)
        channel_id = str((body.get("channel") or {}).get("id", ""))
        user_id = str(body["user"]["id"])
        args = str(body["actions"][0].get("value", "")).strip()
        tell = self.bot.teller(channel_id, user_id)
        await self.bot.run(
            "share top", self._share(workspace, channel_id, user_id, args, respond), tell
        )

    async def _share(
        self,
        workspace: WorkspaceRef,
        channel_id: str,
        user_id: str,
        args: str,
        respond: AsyncRespond,
    ) -> None:
        query = self._query(args, channel_id)
        results = await self.bot.service.top(workspace=workspace, query=query)
        sharer = await self.bot.user(workspace, user_id)
        title = f"{top_title(query)} (shared by {sharer.name})"
        rendered = render.top_message(
            results, title=title, team_url=self.bot.team_url, share_value=None
        )
        await self.bot.client.chat_postMessage(
            channel=channel_id, text=rendered.text, blocks=rendered.blocks
        )
        await respond(delete_original=True)

    # ---------------------------------------------------------------- /qa

    async def on_qa(self, ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        workspace = edge.workspace_of(body)
        user_id, name = str(body["user_id"]), str(body.get("user_name", ""))
        tell = self.bot.responder(respond)
        work = self._qa(workspace, user_id, name, str(body.get("text", "")), respond, tell)
        await self.bot.run("qa", work, tell)

    async def _qa(
        self,
        workspace: WorkspaceRef,
        user_id: str,
        name: str,
        text: str,
        respond: AsyncRespond,
        tell: Tell,
    ) -> None:
        verb, rest = parse_qa(text)
        service = self.bot.service
        if verb == "help":
            names = self.bot.settings.slack
            await tell(
                render.help_text(ask=names.ask_command, top=names.top_command, qa=names.qa_command)
            )
        elif verb == "search":
            hits = await service.search(workspace=workspace, text=rest)
            rendered = render.search_message(hits, words=rest, team_url=self.bot.team_url)
            await respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral")
        elif verb == "accept":
            actor = await self.bot.user(workspace, user_id, name)
            answer, question = await service.accept(actor=actor, answer=rest)
            await tell(f"Accepted {answer.post_id} as the answer to {question.post_id}.")
        elif verb == "remove":
            actor = await self.bot.user(workspace, user_id, name)
            removed: PostId = await service.remove(actor=actor, post=rest)
            await tell(f"Removed {removed}. It no longer shows anywhere, nor do its votes.")
        elif verb == "recount":
            actor = await self.bot.user(workspace, user_id, name)
            changed = await service.recount(actor=actor)
            await tell(f"Recounted every vote: {changed} post(s) corrected.")
