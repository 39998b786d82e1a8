"""Slash commands, buttons and forms: `/ask`, `/top`, `/qa`, the Answer button and Share button.

Each listener acknowledges at once, turns the payload into one value (`translate`), then
hands the work to `SlackContext.run`, which turns a `QAError` into an ephemeral reply for the person
who acted and anything else into a log line and an apology.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncRespond

import adapters.slack.render as render
import adapters.slack.translate as edge
from adapters.slack.context import SlackContext, Tell
from adapters.slack.surfacing import export_chunks, surfacing_message
from bot.commands import parse_qa, parse_top, top_args, top_title
from bot.domain import ChannelRef, MessageRef, Question, TopQuery
from bot.errors import InvalidInput
from bot.replies import PersonalExport, accepted_sentence, removed_sentence
from bot.surfacing_verbs import SURFACING_VERBS, run_surfacing_verb

__all__ = ["SlackCommands"]

log = logging.getLogger("qabot.slack")

Body = dict[str, Any]


class SlackCommands:
    """The listeners of the slash commands, buttons and forms, on the shared context."""

    def __init__(self, context: SlackContext) -> None:
        self.context = context

    @property
    def _max_chars(self) -> int:
        return self.context.settings.limits.max_text_chars

    async def _named(self, command: edge.SlashCommand, work: Awaitable[None]) -> None:
        """A command's work, after recording the channel's name its payload gives, for the web
        view: no Web API call, and a store write only for a name this process has not recorded
        yet (bot/channel_names.py)."""
        channel = ChannelRef(command.workspace, command.channel_id)
        await self.context.service.channel_names.saw(channel, command.channel_name)
        await work

    # ---------------------------------------------------------------- /ask and its form

    async def on_ask(self, ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        command = edge.parse_command(body)
        text, anonymous = edge.parse_ask_text(command.text)
        tell = self.context.responder(respond)
        if not text:
            await self.context.run("ask form", self._named(command, self._open_ask(command)), tell)
            return
        asked = edge.AskForm(
            command.workspace, command.user_id, command.channel_id, text, (), anonymous
        )
        work = self._named(command, self._ask(asked, command.user_name, tell))
        await self.context.run("ask", work, tell, command="ask")

    async def _open_ask(self, command: edge.SlashCommand) -> None:
        # Say "invite me" before someone types a whole question into the form, not after.
        await self.context.channel_to_ask_in(command.workspace, command.channel_id)
        view = render.ask_modal(command.channel_id, max_chars=self._max_chars)
        await self.context.client.views_open(trigger_id=command.trigger_id, view=view)

    async def on_ask_form(self, ack: AsyncAck, body: Body) -> None:
        await ack()  # closes the form; what follows is told in the channel, to the asker only
        form = edge.parse_ask_form(body)
        tell = self.context.teller(form.channel_id, form.user_id)
        await self.context.run("ask form", self._ask(form, "", tell), tell)

    async def _ask(self, form: edge.AskForm, name: str, tell: Tell) -> None:
        # Checked before storing, so a question the bot cannot post is never left behind.
        channel = await self.context.channel_to_ask_in(form.workspace, form.channel_id)
        asker = await self.context.user(form.workspace, form.user_id, name)
        question = await self.context.service.ask(
            asker=asker, channel=channel, text=form.text, tags=form.tags, anonymous=form.anonymous
        )
        await self.context.post_question(question, channel, tell)

    # ---------------------------------------------------------------- the Answer button and form

    async def on_answer_button(self, ack: AsyncAck, body: Body) -> None:
        await ack()
        click = edge.parse_click(body)
        tell = self.context.teller(click.channel_id, click.user_id)
        await self.context.run("answer button", self._open_answer(click), tell)

    async def _open_answer(self, click: edge.ButtonClick) -> None:
        question = await self.context.service.get(click.workspace, click.value)
        if not isinstance(question, Question):
            raise InvalidInput(f"{question.post_id} is an answer; answer its question instead.")
        view = render.answer_modal(click.channel_id, question, max_chars=self._max_chars)
        await self.context.client.views_open(trigger_id=click.trigger_id, view=view)

    async def on_answer_form(self, ack: AsyncAck, body: Body) -> None:
        await ack()
        form = edge.parse_answer_form(body)
        tell = self.context.teller(form.channel_id, form.user_id)
        await self.context.run("answer form", self._answer(form), tell)

    async def _answer(self, form: edge.AnswerForm) -> None:
        author = await self.context.user(form.workspace, form.user_id)
        answer, question = await self.context.service.answer(
            author=author, question=form.question, text=form.text
        )
        if question.message is None:
            raise InvalidInput(f"{question.post_id} has no message in Slack to answer under.")
        rendered = render.answer_message(answer)
        channel_id, thread_ts = question.message.channel_id, question.message.message_id
        posted = await self.context.client.chat_postMessage(
            channel=channel_id, thread_ts=thread_ts, text=rendered.text, blocks=rendered.blocks
        )
        await self.context.service.link_answer(answer, MessageRef(channel_id, str(posted["ts"])))

    # ---------------------------------------------------------------- /top and Share

    async def on_top(self, ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        command = edge.parse_command(body)
        tell = self.context.responder(respond)
        work = self._named(command, self._top(command, respond))
        await self.context.run("top", work, tell, command="top")

    def _query(self, args: str, channel_id: str) -> TopQuery:
        slack, limits = self.context.settings.slack, self.context.settings.limits
        return parse_top(
            args, channel_id=channel_id, limit=limits.top_size, command=slack.top_command
        )

    async def _top(self, command: edge.SlashCommand, respond: AsyncRespond) -> None:
        query = self._query(command.text, command.channel_id)
        results = await self.context.service.top(
            workspace=command.workspace, query=query, seen_from=command.channel_id
        )
        rendered = render.top_message(
            results,
            title=top_title(query),
            team_url=self.context.team_url,
            share_value=top_args(query),
        )
        await respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral")

    async def on_share_top(self, ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        click = edge.parse_click(body)
        tell = self.context.teller(click.channel_id, click.user_id)
        await self.context.run("share top", self._share(click, respond), tell)

    async def _share(self, click: edge.ButtonClick, respond: AsyncRespond) -> None:
        # The list is ranked again now: votes may have moved since the caller looked.
        query = self._query(click.value, click.channel_id)
        results = await self.context.service.top(
            workspace=click.workspace, query=query, seen_from=click.channel_id
        )
        sharer = await self.context.user(click.workspace, click.user_id)
        title = f"{top_title(query)} (shared by {sharer.name})"
        rendered = render.top_message(
            results, title=title, team_url=self.context.team_url, share_value=None
        )
        await self.context.client.chat_postMessage(
            channel=click.channel_id, text=rendered.text, blocks=rendered.blocks
        )
        await respond(delete_original=True)

    # ---------------------------------------------------------------- /qa

    async def on_qa(self, ack: AsyncAck, body: Body, respond: AsyncRespond) -> None:
        await ack()
        command = edge.parse_command(body)
        tell = self.context.responder(respond)
        work = self._named(command, self._qa(command, respond, tell))
        await self.context.run("qa", work, tell, command="qa")

    async def _surfacing(
        self, command: edge.SlashCommand, verb: str, rest: str, respond: AsyncRespond
    ) -> None:
        user = await self.context.user(command.workspace, command.user_id, command.user_name)
        reply = await run_surfacing_verb(
            self.context.service, verb=verb, rest=rest, user=user, channel_id=command.channel_id
        )
        if isinstance(reply, PersonalExport):  # only the person sees their data
            for text in export_chunks(reply):
                await respond(text=text, response_type="ephemeral")
            return
        qa = self.context.settings.slack.qa_command
        rendered = surfacing_message(reply, team_url=self.context.team_url, qa=qa)
        await respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral")

    async def _qa(self, command: edge.SlashCommand, respond: AsyncRespond, tell: Tell) -> None:
        verb, rest = parse_qa(command.text)
        service, workspace = self.context.service, command.workspace
        if verb in SURFACING_VERBS:
            await self._surfacing(command, verb, rest, respond)
            return
        if verb == "help":
            names = self.context.settings.slack
            await tell(
                render.help_text(ask=names.ask_command, top=names.top_command, qa=names.qa_command)
            )
            return
        if verb == "search":
            hits = await service.search(
                workspace=workspace, text=rest, seen_from=command.channel_id
            )
            rendered = render.search_message(hits, words=rest, team_url=self.context.team_url)
            await respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral")
            return
        # Privileged verbs: the person's rights as Slack says now, never a cached answer.
        actor = await self.context.user(workspace, command.user_id, command.user_name, fresh=True)
        if verb == "accept":
            answer, question = await service.accept(actor=actor, answer=rest)
            await tell(accepted_sentence(answer.post_id, question.post_id))
        elif verb == "remove":
            removed = await service.remove(actor=actor, post=rest)
            await tell(removed_sentence(removed))
        elif verb == "recount":
            changed = await service.recount(actor=actor)
            await tell(f"Recounted every vote: {changed} post(s) corrected.")
