"""Surfacing: the leaderboard, unanswered questions, similar questions, hot answers, digests,
tag suggestions, and a person's own data (export and forget).

`Surfacing` is a part of `QAService` (it inherits it), kept here so the service stays small; it
uses the service's store, settings, clock and posters. Every reply is a value from bot.replies.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.digest_schedule import DigestTarget
from bot.domain import (
    Answer,
    MessageRef,
    PostId,
    PostKind,
    Question,
    TopQuery,
    UserRef,
    VoteSubject,
    Window,
    WorkspaceRef,
)
from bot.headlines import questions_with_headlines, ranked_with_headlines
from bot.ports import Clock, Store, VoteTally
from bot.posters import Posters
from bot.replies import (
    FORGOTTEN_ID,
    FORGOTTEN_NAME,
    Digest,
    ForgetPrompt,
    Forgotten,
    HotAnswer,
    Leaderboard,
    PersonalExport,
    Rejoined,
    SimilarQuestions,
    Unanswered,
)
from bot.similarity import key_words, rank_similar
from bot.text_rules import normalize_tag
from bot.voting import window_start
from bot.web_links import ranked_with_pages

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = ["FORGET_CONFIRM", "OWNER", "Surfacing"]

log = logging.getLogger("qabot.surfacing")

# Who holds a claim, for an operator reading the claims table: this host and process.
OWNER = f"{socket.gethostname()}:{os.getpid()}"
FORGET_CONFIRM = "forgetme confirm"
_CANDIDATES = 50
_LIST_SIZE = 20
_HOT_JOB = "hot-answer"


class Surfacing:
    store: Store
    settings: Settings
    posters: Posters
    _clock: Clock

    # Lists --------------------------------------------------------------------------------------

    async def leaderboard(
        self, *, workspace: WorkspaceRef, window: Window = Window.WEEK
    ) -> Leaderboard:
        since = window_start(window, self._clock())
        leaders = await self.store.leaderboard(workspace, since=since, limit=_LIST_SIZE)
        return Leaderboard(window, leaders)

    async def unanswered(
        self, *, workspace: WorkspaceRef, channel_id: str, window: Window = Window.ALL
    ) -> Unanswered:
        since = window_start(window, self._clock())
        questions = await self.store.unanswered(
            workspace, since=since, channel_id=channel_id, limit=_LIST_SIZE
        )
        return Unanswered(window, questions)

    async def known_tags(
        self, *, workspace: WorkspaceRef, prefix: str, limit: int = 25
    ) -> Sequence[str]:
        """Tags in use starting with `prefix` (what /top's tag autocomplete offers)."""
        typed = prefix.strip().lstrip("#")
        if typed and normalize_tag(typed) is None:
            return []
        return await self.store.known_tags(workspace, prefix=typed.lower(), limit=limit)

    # Similar questions and hot answers ----------------------------------------------------------

    async def similar_questions(self, question: Question) -> SimilarQuestions:
        """Earlier questions in the workspace that look like `question`, best first."""
        limit = self.settings.surfacing.similar_questions
        mine = sorted(key_words(question.text, question.tags))
        if limit <= 0 or not mine:
            return SimilarQuestions(question, [])
        candidates = await self.store.similar_candidates(
            question.workspace, mine, channel_id=question.channel_id, limit=_CANDIDATES
        )
        earlier = [c for c in candidates if c.number < question.number]
        picked = rank_similar(question, earlier, limit=limit)
        shown = await questions_with_headlines(
            self.store, question.workspace, [s.question for s in picked]
        )
        return SimilarQuestions(
            question, [replace(s, question=q) for s, q in zip(picked, shown, strict=True)]
        )

    async def announce_similar(
        self, question: Question, *, message: MessageRef, thread_key: str | None
    ) -> None:
        """After a question is posted: list its look-alikes in its thread, if it has any."""
        try:
            found = await self.similar_questions(question)
        except Exception:  # a hint is not worth failing the question over
            log.exception("similar questions for %s failed", question.post_id)
            return
        if found.similar:
            posted = replace(question, message=message, thread_key=thread_key)
            await self.posters.notice(posted, found)
            log.info("%s: %d similar question(s) listed", question.post_id, len(found.similar))

    async def check_hot(self, post: VoteSubject, tally: VoteTally) -> HotAnswer | None:
        """Say once, ever, when an answer reaches the hot score.

        Weights are 1 or -1, so a vote moves a score by at most one and every rise to the hot
        score lands on it exactly: only a vote that leaves the score AT the threshold writes the
        claim, never the thousands of votes on an answer already past it. The claim in the store
        makes it once across processes, and when a score falls back and rises again."""
        threshold = self.settings.surfacing.hot_score
        if post.question_number is None or threshold <= 0 or not tally.changed:
            return None
        if tally.ups - tally.downs != threshold:
            return None
        try:
            return await self._announce_hot(post, tally, threshold)
        except Exception:  # the vote is counted; a lost announcement must not undo that reply
            log.exception("announcing %s as hot failed", post.post_id)
            return None

    async def _announce_hot(
        self, post: VoteSubject, tally: VoteTally, threshold: int
    ) -> HotAnswer | None:
        claimed = await self.store.claim(
            post.workspace, _HOT_JOB, period=str(post.post_id), owner=OWNER, at=self._clock()
        )
        if not claimed:
            return None
        answer = await self.store.get_post(post.workspace, post.post_id)
        question = await self.store.get_post(
            post.workspace, PostId(PostKind.QUESTION, post.question_number or 0)
        )
        if not isinstance(answer, Answer) or not isinstance(question, Question):
            return None
        answer = replace(answer, ups=tally.ups, downs=tally.downs)
        notice = HotAnswer(answer, question, threshold)
        await self.posters.notice(question, notice)
        log.info("%s is hot (%+d) on %s", post.post_id, answer.score, question.post_id)
        return notice

    # Digests ------------------------------------------------------------------------------------

    async def digest(self, target: DigestTarget, *, due_at: datetime) -> Digest:
        """What a digest due at `due_at` holds: the period's top answers and who still waits."""
        daily = self.settings.digest.cadence == "daily"
        window = Window.DAY if daily else Window.WEEK
        size = self.settings.digest.size
        query = TopQuery(channel_id=target.channel_id, window=window, limit=size)
        since = window_start(window, due_at)
        top = await self.store.top_answers(target.workspace, query, since=since)
        top = await ranked_with_pages(self.store, self.settings.web, target.workspace, top)
        top = await ranked_with_headlines(self.store, target.workspace, top)
        # Waiting questions of any age: a question nobody answered last week still waits.
        waiting = await self.store.unanswered(
            target.workspace, since=None, channel_id=target.channel_id, limit=size,
            only_channel=True,
        )  # fmt: skip
        title = "Top answers today" if daily else "Top answers this week"
        return Digest(target.channel_id, title, top, waiting, due_at)

    # A person's own data ------------------------------------------------------------------------

    async def my_data(self, *, user: UserRef) -> PersonalExport:
        data = await self.store.personal_data(user.workspace, user.user_id)
        names = await self.store.web_names(user.workspace, [user.user_id])
        document = {
            "workspace": {"platform": user.workspace.platform, "id": user.workspace.workspace_id},
            "user_id": user.user_id,
            "headline": names.headlines.get(user.user_id),
            "web_names": names.choices.get(user.user_id),
            "exported_at": self._clock().isoformat(),
            "questions": [_question_json(q) for q in data.questions],
            "answers": [_answer_json(a) for a in data.answers],
            "votes": [
                {"post": v.post, "emoji": v.emoji, "weight": v.weight, "at": v.at.isoformat()}
                for v in data.votes
            ],
        }
        # No id: the person may have asked anonymously, and this line would sit near it.
        log.info(
            "exported personal data on request (%d posts)", len(data.questions) + len(data.answers)
        )
        return PersonalExport(
            json.dumps(document, ensure_ascii=False, indent=2),
            len(data.questions), len(data.answers), len(data.votes),
        )  # fmt: skip

    async def forget_me(self, *, user: UserRef, confirmed: bool) -> ForgetPrompt | Forgotten:
        """Without `confirmed`, only say what would happen; with it, remove the person's votes
        and make every post of theirs anonymous (the text stays, nothing names them)."""
        if not confirmed:
            return ForgetPrompt(FORGET_CONFIRM)
        asked = (await self.store.personal_data(user.workspace, user.user_id)).questions
        votes, posts = await self.store.forget_person(
            user.workspace, user.user_id,
            replacement_id=FORGOTTEN_ID, replacement_name=FORGOTTEN_NAME,
        )  # fmt: skip
        # The id is not logged: after this, nothing should tie the person to the board.
        log.info("forgot a person: %d vote(s) removed, %d post(s) anonymised", votes, posts)
        for question in asked:  # the bot's own messages still show their name: redraw them
            fresh = await self.store.get_post(user.workspace, question.post_id)
            if isinstance(fresh, Question):
                await self.posters.refresh(fresh)
        return Forgotten(votes, posts)

    async def rejoin(self, *, user: UserRef) -> Rejoined:
        """Lift the person's `forgetme` opt-out for what they do from now on."""
        was_forgotten = await self.store.rejoin(user.workspace, user.user_id)
        log.info("a person rejoined: %s", "opt-out lifted" if was_forgotten else "none to lift")
        return Rejoined(was_forgotten)


def _question_json(question: Question) -> dict[str, Any]:
    return {
        "id": str(question.post_id), "channel": question.channel_id, "text": question.text,
        "tags": list(question.tags), "anonymous": question.anonymous,
        "asked_at": question.created_at.isoformat(), "ups": question.ups,
        "downs": question.downs, "removed": question.removed,
    }  # fmt: skip


def _answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "id": str(answer.post_id), "question": f"Q{answer.question_number}",
        "channel": answer.channel_id, "text": answer.text,
        "answered_at": answer.created_at.isoformat(), "ups": answer.ups,
        "downs": answer.downs, "removed": answer.removed,
    }  # fmt: skip
