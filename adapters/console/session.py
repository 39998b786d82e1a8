"""The console adapter: one local channel in a terminal, where one person can play several users.

Interactive with a prompt on a TTY; line by line from stdin otherwise, so it can be scripted. Each
command prints one reply block. It is the same core as Slack and Discord, in workspace
`console/local`, so everything typed here lands in the real store.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TextIO

import adapters.console.render as render
from adapters.console.prompt import enable_line_editing, read_typed_line
from adapters.console.surfacing import ConsolePoster, render_notice, render_surfacing
from bot.commands import parse_ask, parse_qa, parse_top, top_title
from bot.domain import ChannelRef, PostId, UserRef, Window, WorkspaceRef
from bot.errors import InvalidInput, QAError
from bot.replies import removed_sentence
from bot.service import QAService
from bot.surfacing_verbs import SURFACING_VERBS, run_surfacing_verb

__all__ = ["NOT_TEXT", "WORKSPACE", "ConsoleSession", "run_console"]

log = logging.getLogger("qabot.console")

WORKSPACE = WorkspaceRef("console", "local")

HELP = """\
Commands (ids like Q3 and A7 come back in every reply):
  /ask <question> [#tag ...] [--anon]    ask the channel; --anon hides your name
  /answer Q<n> <text>                     answer a question
  /react Q<n>|A<n> <emoji>                vote: 👍 ⬆️ (+1) or 👎 ⬇️ (-1); ✅ by the asker accepts
  /unreact Q<n>|A<n> <emoji>              take a reaction back
  /accept A<n>                            the asker (or a moderator) accepts an answer
  /top [day|week|month|year|all] [#tag] [Q<n>]   the best answers (this week by default)
  /search <words> [#tag]                  questions and answers with all the words and tags
  /qa leaderboard [day|week|month|year|all]   people by net votes on their answers
  /qa unanswered [day|week|month|year|all]    questions nobody answered yet, oldest first
  /qa mydata                              everything the board keeps about you, as JSON
  /qa forgetme                            remove your votes and your name from your posts
  /qa rejoin                              count your reactions again after forgetme
  /qa headline <text>|clear               what lists show next to your name (80 characters)
  /qa web hide|show Q<n>                  the asker or a moderator: keep it off the web view
  /qa web names on|off                    whether the web view shows your name
  /qa link Q<n>                           the question's page on the web view
  /as <user>                              act as another user
  /channel <name>                         move to another channel
  /remove Q<n>|A<n>                       moderators: hide a post
  /recount                                moderators: rebuild every score from the votes
  /help                                   this list
  /quit                                   leave (everything is already saved)
Emoji may be typed as 👍, :+1:, :thumbsup: or +1."""

_NAME = re.compile(r"#?([\w.-]{1,40})")
NOT_TEXT = "That line is not valid UTF-8 text; please type it again."
_FAILED = "Something went wrong handling that command; it has been logged. Please try again."

Handler = Callable[[str], Awaitable[str | None]]


class ConsoleSession:
    """The state of one terminal: who is typing, in which channel."""

    def __init__(self, *, service: QAService, user: str, channel: str) -> None:
        self.service = service
        self.user = _name(user, "user")
        self.channel = _name(channel, "channel")
        self._handlers: dict[str, Handler] = {
            "help": self._help, "ask": self._ask, "answer": self._answer,
            "react": self._react, "unreact": self._unreact, "accept": self._accept,
            "top": self._top, "search": self._search, "as": self._as,
            "channel": self._channel, "remove": self._remove, "recount": self._recount,
            "quit": self._quit, "exit": self._quit, "qa": self._qa,
        }  # fmt: skip
        # Hot answers arrive through the core's poster port; they print under the reply.
        self._poster = ConsolePoster()
        service.posters.register(WORKSPACE.platform, self._poster)

    @property
    def prompt(self) -> str:
        return f"{self.user}@#{self.channel}> "

    @property
    def _actor(self) -> UserRef:
        return UserRef(WORKSPACE, self.user, self.user)

    async def handle(self, line: str) -> str | None:
        """The reply to one typed line, or None when the person asked to leave."""
        line = line.strip()
        if not line:
            return ""
        if not _is_text(line):
            log.info("console: a line that is not valid UTF-8 (%d characters)", len(line))
            return NOT_TEXT
        if not line.startswith("/"):
            log.info("console: a line without a command (%d characters)", len(line))
            return "Commands start with /, like /ask or /top. Type /help to see them all."
        name, args = _split_word(line[1:])
        handler = self._handlers.get(name.lower())
        if handler is None:
            log.info("console: unknown command /%s", name[:20])
            return f"There is no /{name[:20]} command. Type /help to see them all."
        try:
            reply = await handler(args.strip())
            return None if reply is None else "\n".join([reply, *self._poster.take()])
        except QAError as error:
            # No user id: "you can't vote on your own post" would name an anonymous asker.
            log.info("console /%s refused: %s", name.lower(), error)
            return error.message
        except Exception:
            log.exception("console /%s by %s failed", name.lower(), self.user)
            return _FAILED

    async def _help(self, _: str) -> str:
        return HELP

    async def _ask(self, args: str) -> str:
        text, anonymous = parse_ask(args)
        channel = ChannelRef(WORKSPACE, self.channel)
        question = await self.service.ask(
            asker=self._actor, channel=channel, text=text, anonymous=anonymous
        )
        similar = await self.service.similar_questions(question)
        reply = render.render_question(question, self.channel)
        return f"{reply}\n{render_notice(similar)}" if similar.similar else reply

    async def _answer(self, args: str) -> str:
        target, text = _split_word(args)
        if not target:
            raise InvalidInput("Which question? For example: /answer Q1 Start with the basics.")
        answer, question = await self.service.answer(author=self._actor, question=target, text=text)
        return render.render_answer(answer, question)

    async def _react(self, args: str) -> str:
        target, emoji = _target_and_emoji(args, "react")
        outcome = await self.service.react(voter=self._actor, target=target, emoji=emoji)
        return render.render_vote(outcome, emoji)

    async def _unreact(self, args: str) -> str:
        target, emoji = _target_and_emoji(args, "unreact")
        outcome = await self.service.unreact(voter=self._actor, target=target, emoji=emoji)
        return render.render_vote(outcome, emoji, removed=True)

    async def _accept(self, args: str) -> str:
        answer, question = await self.service.accept(actor=self._actor, answer=args)
        return render.render_accepted(answer, question)

    async def _top(self, args: str) -> str:
        limit = self.service.settings.limits.top_size
        query = parse_top(args, channel_id=self.channel, limit=limit)
        ranked = await self.service.top(workspace=WORKSPACE, query=query, seen_from=self.channel)
        title = top_title(query, channel_name=f"#{self.channel}")
        if query.question is not None:
            hint = f"Answer it with /answer Q{query.question} <text>."
        elif query.window is Window.ALL:
            hint = "Answer a question with /answer Q<n> <text>."
        else:
            hint = "Try a longer window, like /top all."
        return render.render_top(title, ranked, empty_hint=hint)

    async def _search(self, args: str) -> str:
        hits = await self.service.search(workspace=WORKSPACE, text=args, seen_from=self.channel)
        return render.render_search(args, hits)

    async def _as(self, args: str) -> str:
        self.user = _name(args, "user")
        return f"You are now {self.user}."

    async def _channel(self, args: str) -> str:
        self.channel = _name(args, "channel")
        return f"You are now in #{self.channel}."

    async def _remove(self, args: str) -> str:
        removed = await self.service.remove(actor=self._actor, post=args)
        return removed_sentence(removed)

    async def _recount(self, _: str) -> str:
        changed = await self.service.recount(actor=self._actor)
        return f"Recounted every score from the votes: {changed} corrected."

    async def _qa(self, args: str) -> str:
        verb, rest = parse_qa(args)
        if verb not in SURFACING_VERBS:
            return f"In the console, {verb} has its own command: type /help to see it."
        reply = await run_surfacing_verb(
            self.service, verb=verb, rest=rest, user=self._actor, channel_id=self.channel
        )
        return render_surfacing(reply)

    async def _quit(self, _: str) -> None:
        return None


def _name(text: str, what: str) -> str:
    match = _NAME.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(
            f"A {what} name is 1 to 40 letters, digits, dots, dashes or underscores, like alice."
        )
    return match[1]


def _is_text(line: str) -> bool:
    """Whether a line read from stdin was valid UTF-8: bytes that were not are decoded as lone
    surrogates (the `surrogateescape` error handler), which no text may hold."""
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _split_word(text: str) -> tuple[str, str]:
    """The first word and the rest; any whitespace (spaces, tabs) separates them."""
    first, *rest = text.split(maxsplit=1) or [""]
    return first, rest[0] if rest else ""


def _target_and_emoji(args: str, command: str) -> tuple[PostId, str]:
    target, emoji = _split_word(args)
    post_id = PostId.parse(target)
    if post_id is None or not emoji.strip():
        raise InvalidInput(f"Use /{command} Q<n> or A<n> and an emoji, like /{command} A1 👍.")
    return post_id, emoji.strip()


async def run_console(
    session: ConsoleSession, *, stdin: TextIO, stdout: TextIO, interactive: bool
) -> None:
    """Read commands until /quit, Ctrl-C or Ctrl-D at the prompt, or the end of input; print
    one reply block per command."""
    if interactive:
        enable_line_editing()
        print(
            f"qabot console: you are {session.user} in #{session.channel}. "
            "Type /help for commands, /quit (or Ctrl-D) to leave.",
            file=stdout,
        )
    while True:
        if interactive:  # in this thread: Ctrl-C must reach input() (see prompt.py)
            line = read_typed_line(session.prompt, stdout)
        else:
            line = await asyncio.to_thread(stdin.readline) or None
        reply = None if line is None else await session.handle(line)
        if reply is None:
            if line is not None or interactive:
                print("Bye.", file=stdout)
            break
        if reply:
            print(reply if interactive else reply + "\n", file=stdout, flush=True)
