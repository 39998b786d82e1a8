"""What each page of the web view shows, read through the service's store: only published
questions (bot/web_settings.py), with people named by the display rule (adapters/web/people.py).

Every method returns plain values for the templates; None means "no such page", which the site
answers with the same 404 whatever the reason (private, unlisted, removed, hidden, unknown).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from adapters.web.people import Namer, people_of
from bot.domain import PostId, PostKind, Question, RankedAnswer, TopQuery, Window, WorkspaceRef
from bot.ports import WebFilter, WebThread
from bot.service import QAService
from bot.similar_lists import SHOWN, keep_for_site, made_for
from bot.voting import window_start
from bot.web_settings import (
    ALL_CHANNELS,
    WebSettings,
    is_published,
    published,
    published_channels,
)

__all__ = ["AnswerView", "FrontPage", "ListedQuestion", "QuestionPage", "SiteReader"]

_LIST = 20
_ANSWERS = 200
_SITEMAP = 50_000
_TOP = 10
_TOP_CANDIDATES = 30  # room for answers to questions the site does not show


@dataclass(frozen=True, slots=True)
class ListedQuestion:
    question: Question
    asker: str


@dataclass(frozen=True, slots=True)
class AnswerView:
    ranked: RankedAnswer
    author: str


@dataclass(frozen=True, slots=True)
class QuestionPage:
    question: Question
    asker: str
    answers: Sequence[AnswerView]  # the accepted answer first, then /top's order
    similar: Sequence[ListedQuestion]
    channel_name: str | None = None  # None: no name was ever seen, the id stands in


@dataclass(frozen=True, slots=True)
class FrontPage:
    newest: Sequence[ListedQuestion]
    waiting: Sequence[ListedQuestion]
    channels: Collection[str]  # of the recent questions read


KeepList = Callable[[Question], Awaitable[None]]


class SiteReader:
    def __init__(
        self, service: QAService, web: WebSettings, *, keep_list: KeepList | None = None
    ) -> None:
        """`keep_list` makes and keeps a published question's similar list; by default the
        service's store does (a page process asks the bot's process, which writes)."""
        self._service = service
        self._store = service.store
        self._web = web
        self._keep_list = keep_list or self._keep_here
        self._published = published(web)
        # What a question's kept list must have been made for to be shown (bot/similar_lists).
        self._lists_made_for = {
            workspace: made_for(published_channels(self._published, workspace))
            for workspace in self._published
        }

    @property
    def workspaces(self) -> Sequence[WorkspaceRef]:
        return list(self._published)

    def _filter(
        self,
        workspace: WorkspaceRef,
        *,
        tag: str | None = None,
        solved: bool | None = None,
        answered: bool | None = None,
    ) -> WebFilter:
        shown = published_channels(self._published, workspace)
        return WebFilter(channels=shown, tag=tag, solved=solved, answered=answered)

    async def _shown(
        self, workspace: WorkspaceRef, questions: Sequence[Question]
    ) -> list[Question]:
        hidden = await self._store.web_hidden(workspace)
        return [q for q in questions if is_published(self._web, q, hidden=q.number in hidden)]

    async def _listed(
        self, workspace: WorkspaceRef, questions: Sequence[Question]
    ) -> list[ListedQuestion]:
        namer = await self._namer(workspace, questions)
        return [ListedQuestion(q, namer.asker(q)) for q in questions]

    async def _namer(
        self,
        workspace: WorkspaceRef,
        questions: Collection[Question],
        answers: Sequence[RankedAnswer] = (),
    ) -> Namer:
        people = people_of(questions, [a.answer for a in answers])
        return await Namer.load(self._store, workspace, people, default=self._web.names)

    async def questions(
        self,
        workspace: WorkspaceRef,
        *,
        window: Window = Window.ALL,
        limit: int = _LIST,
        channel_id: str | None = None,
        tag: str | None = None,
        solved: bool | None = None,
        answered: bool | None = None,
    ) -> list[ListedQuestion]:
        """Published questions of a workspace (of one channel), newest first."""
        if workspace not in self._published:
            return []
        since = window_start(window, self._service.clock())
        where = self._filter(workspace, tag=tag, solved=solved, answered=answered)
        if channel_id is not None:
            where = WebFilter([channel_id], tag, solved, answered)
        found = await self._store.web_questions(workspace, where=where, since=since, limit=limit)
        return await self._listed(workspace, found)

    async def front(self, workspace: WorkspaceRef, *, recent: int, limit: int) -> FrontPage:
        """The newest published questions of a workspace and, among the `recent` newest, those
        still waiting for an answer; only the people of the listed ones are looked up."""
        if workspace not in self._published:
            return FrontPage([], [], frozenset())
        where = self._filter(workspace)
        found = await self._store.web_questions(workspace, where=where, since=None, limit=recent)
        newest = found[:limit]
        waiting = [q for q in found if q.answer_count == 0][:limit]
        namer = await self._namer(workspace, [*newest, *waiting])
        return FrontPage(
            [ListedQuestion(q, namer.asker(q)) for q in newest],
            [ListedQuestion(q, namer.asker(q)) for q in waiting],
            frozenset(q.channel_id for q in found),
        )

    async def channel_names(
        self, workspace: WorkspaceRef, channel_ids: Collection[str]
    ) -> Mapping[str, str]:
        """The names the adapters saw for these channels (the ones a page shows), where known."""
        return await self._store.channel_names(workspace, channel_ids)

    def listed_channels(self, workspace: WorkspaceRef) -> set[str]:
        """The channels `[web] channels` names for a workspace, without `*`."""
        return set(self._published.get(workspace, frozenset())) - {ALL_CHANNELS}

    async def channel_exists(self, workspace: WorkspaceRef, channel_id: str) -> bool:
        """A channel is on the site once it is published and has a question shown there: a
        private channel's questions never are, so even one listed by mistake stays unknown."""
        channels = self._published.get(workspace, frozenset())
        if channel_id not in channels and ALL_CHANNELS not in channels:
            return False
        found = await self._store.web_questions(
            workspace, where=WebFilter(channels=[channel_id]), since=None, limit=1
        )
        return bool(found)

    async def question(self, workspace: WorkspaceRef, number: int) -> QuestionPage | None:
        if workspace not in self._published:
            return None
        async with self._store.web_reads():  # the page's reads share one connection
            return await self._question_page(workspace, number)

    async def _question_page(self, workspace: WorkspaceRef, number: int) -> QuestionPage | None:
        thread = await self._thread(workspace, number)
        if thread is not None and thread.similar_made_for != self._lists_made_for[workspace]:
            # No list kept for the channels published now: made once, then read with the rest.
            await self._keep_list(thread.question)
            thread = await self._thread(workspace, number)
        if thread is None:
            return None
        question = thread.question
        ranked = sorted(thread.answers, key=lambda r: (not r.accepted, r.rank))
        namer = Namer.of(thread.names, default=self._web.names)
        return QuestionPage(
            question,
            namer.asker(question),
            [AnswerView(r, namer.author(r.answer)) for r in ranked],
            [ListedQuestion(q, namer.asker(q)) for q in thread.similar],
            thread.channel_name,
        )

    async def _keep_here(self, question: Question) -> None:
        await keep_for_site(self._store, self._web, question)

    async def _thread(self, workspace: WorkspaceRef, number: int) -> WebThread | None:
        thread = await self._store.web_thread(workspace, number, answers=_ANSWERS, similar=SHOWN)
        if thread is None or not is_published(self._web, thread.question, hidden=False):
            return None
        return thread

    async def top_answers(self, workspace: WorkspaceRef, *, window: Window) -> list[AnswerView]:
        """The workspace's best published answers in `window`."""
        if workspace not in self._published:
            return []
        since = window_start(window, self._service.clock())
        listed = self.listed_channels(workspace)
        scopes = [None] if ALL_CHANNELS in self._published[workspace] else sorted(listed)
        ranked: list[RankedAnswer] = []
        for channel_id in scopes:
            query = TopQuery(channel_id=channel_id, window=window, limit=_TOP_CANDIDATES)
            ranked += await self._store.top_answers(workspace, query, since=since)
        if len(scopes) > 1:  # several channels' rankings: merged by net score
            ranked.sort(key=lambda r: (-r.answer.score, r.answer.created_at))
        questions = await self._shown(workspace, [r.question for r in ranked])
        numbers = {q.number for q in questions}
        kept = [r for r in ranked if r.question.number in numbers][:_TOP]
        namer = await self._namer(workspace, [], kept)
        return [AnswerView(r, namer.author(r.answer)) for r in kept]

    async def search(self, text: str) -> list[ListedQuestion]:
        """Published questions whose question or answers contain the words, as chat finds them;
        InvalidInput says what to type instead."""
        found: list[ListedQuestion] = []
        for workspace in self._published:
            hits = await self._service.search(workspace=workspace, text=text, seen_from=None)
            seen: dict[int, Question] = {}
            for hit in hits:
                seen.setdefault(hit.question.number, hit.question)
            questions = await self._shown(workspace, list(seen.values()))
            found += await self._listed(workspace, questions)
        return found

    async def sitemap(self) -> list[tuple[Question, datetime]]:
        """Every published question, once, with the time its page last gained a post (its
        newest answer), read for all of a workspace's questions at once."""
        entries: list[tuple[Question, datetime]] = []
        for workspace in self._published:
            channels = self._filter(workspace).channels
            entries += await self._store.web_sitemap(workspace, channels=channels, limit=_SITEMAP)
        return entries


def parse_number(text: str) -> int | None:
    """A question number from a URL: digits 0-9 only, as `Q12` would have them."""
    post_id = PostId.parse(f"Q{text}") if text.isascii() and text.isdigit() else None
    return post_id.number if post_id is not None and post_id.kind is PostKind.QUESTION else None
