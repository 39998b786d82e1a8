"""QAService: the one object every adapter calls.

It validates what people typed, applies the domain rules (who may vote, accept, remove) and asks
the store for exactly one change per intention. Adapters pass platform-neutral values in and render
what comes back; only a QAError ever reaches a user.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

from bot.channel_names import ChannelNames
from bot.commands import parse_post_id
from bot.domain import (
    Answer,
    ChannelRef,
    MessageRef,
    Post,
    PostId,
    PostKind,
    Question,
    RankedAnswer,
    SearchHit,
    TopQuery,
    UserRef,
    VoteOutcome,
    VoteStatus,
    VoteSubject,
    WorkspaceRef,
)
from bot.emoji_keys import normalize_emoji
from bot.errors import InvalidInput, NotAllowed, NotFound, RateLimited, VoteIgnored
from bot.headlines import ranked_with_headlines
from bot.limits import Limits
from bot.metrics import Metrics, NoMetrics, VoteReason
from bot.ports import Clock, NewAnswer, NewQuestion, Store
from bot.posters import Posters
from bot.readiness import Readiness
from bot.replies import FORGOTTEN_NAME
from bot.search_query import parse_search
from bot.settings import Settings
from bot.similar_lists import keep_for_site
from bot.surfacing import Surfacing
from bot.text_rules import MAX_SEARCH_CHARS, clean_text, parse_tag, split_tags
from bot.voting import window_start
from bot.web_links import ranked_with_pages

__all__ = ["QAService", "utc_now"]

log = logging.getLogger("qabot.service")

# A forgotten person's reactions are theirs to give again, with a command, never by accident.
FORGOTTEN_VOTER = (
    "You asked qabot to forget you, so your reactions are not counted. "
    "Use `/qa rejoin` to have them count again from now on."
)

PostTarget = PostId | MessageRef
# A refused vote's reason as the metrics name it; a forgotten person's vote has none of these.
_IGNORED_REASONS: dict[str, VoteReason] = {"self": "self", "bot": "bot", "unmapped": "unmapped"}
_ONLY_ASKER_ACCEPTS = "Only the person who asked, or a moderator, can accept an answer."


def utc_now() -> datetime:
    return datetime.now(UTC)


class QAService(Surfacing):
    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        clock: Clock = utc_now,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self._clock = clock
        self._weights = dict(settings.voting.weights)
        self._accept_key = normalize_emoji(settings.voting.accept_emoji)
        # Each adapter registers how it posts digests and thread notices (bot/posters.py).
        self.posters = Posters()
        self.limits = Limits(settings.limits, clock, shared=store.shares_limits)
        # What the process counts, and whether each adapter is connected (`[ops]`).
        self.metrics: Metrics = metrics or NoMetrics()
        self.readiness = Readiness()
        # The names of the channels commands come from, for the web view (bot/channel_names.py).
        self.channel_names = ChannelNames(store)

    @property
    def clock(self) -> Clock:
        """The service's clock, for work that runs beside it (catch-up) on the same time."""
        return self._clock

    # Questions and answers ------------------------------------------------------------------

    async def ask(
        self,
        *,
        asker: UserRef,
        channel: ChannelRef,
        text: str,
        tags: Sequence[str] = (),
        anonymous: bool = False,
    ) -> Question:
        limits = self.settings.limits
        body, inline_tags = split_tags(
            clean_text(text, max_chars=limits.max_text_chars, what="question"),
            max_tags=limits.max_tags,
        )
        all_tags = tuple(dict.fromkeys([*inline_tags, *(parse_tag(t) for t in tags)]))
        if len(all_tags) > limits.max_tags:
            raise InvalidInput(f"A question can have at most {limits.max_tags} tags.")
        with self._counting_limits(), self.limits.asking(asker) as slot:
            question = await self.store.add_question(
                NewQuestion(
                    workspace=asker.workspace,
                    channel_id=channel.channel_id,
                    asker_id=asker.user_id,
                    asker_name=await self._shown_name(asker),
                    text=body,
                    tags=all_tags,
                    anonymous=anonymous,
                    created_at=self._clock(),
                    channel_is_private=channel.is_private,
                ),
                check=slot.check,
            )
        who = "anonymously" if anonymous else f"by {asker.user_id}"
        log.info("asked %s %s in %s", question.post_id, who, channel.channel_id)
        await self._keep_similar(question)
        return question

    async def _keep_similar(self, question: Question) -> None:
        """Make the list of similar questions the question's web page shows (bot/similar_lists.py)
        now, so its page and theirs need not search."""
        try:
            await keep_for_site(self.store, self.settings.web, question)
        except Exception:  # the page makes it at its first view; not worth failing a question over
            log.exception("similar questions for %s's page failed", question.post_id)

    async def withdraw_question(self, question: Question) -> None:
        """Drop a question the platform refused to post, so no orphan number shows anywhere."""
        await self.store.remove_post(question.workspace, question.post_id)
        log.info("withdrew %s: the platform did not post it", question.post_id)

    async def link_question(
        self, question: Question, *, message: MessageRef, thread_key: str | None = None
    ) -> None:
        await self.store.link_question(
            question.workspace, question.number, message=message, thread_key=thread_key
        )
        await self.announce_similar(question, message=message, thread_key=thread_key)

    async def answer(
        self,
        *,
        author: UserRef,
        question: PostId | str,
        text: str,
        message: MessageRef | None = None,
    ) -> tuple[Answer, Question]:
        asked = await self._question(author.workspace, question)
        return await self._add_answer(author, asked, text, message), asked

    async def question_in_thread(self, workspace: WorkspaceRef, thread_key: str) -> Question | None:
        """The question whose thread this is, or None. An adapter that must look an author up
        (Slack's users.info) asks this first: most thread replies are not in a Q&A thread."""
        return await self.store.get_question_by_thread(workspace, thread_key)

    async def answer_in_thread(
        self, *, author: UserRef, thread_key: str, text: str, message: MessageRef
    ) -> Answer | None:
        """A reply in some thread: an answer if the thread is a question's, else None."""
        if author.is_bot:
            return None
        question = await self.store.get_question_by_thread(author.workspace, thread_key)
        if question is None:
            return None
        return await self._add_answer(author, question, text, message)

    async def _shown_name(self, person: UserRef) -> str:
        """The name a new post shows: none for a person who asked to be forgotten. Their id stays
        with the post, so they can still accept, edit and remove what they write."""
        if await self.store.opted_out(person.workspace, person.user_id):
            return FORGOTTEN_NAME
        return person.name

    async def link_answer(self, answer: Answer, message: MessageRef) -> None:
        await self.store.link_answer(answer.workspace, answer.number, message)

    async def _add_answer(
        self, author: UserRef, question: Question, text: str, message: MessageRef | None
    ) -> Answer:
        body = clean_text(text, max_chars=self.settings.limits.max_text_chars, what="answer")
        answer = await self.store.add_answer(
            NewAnswer(
                workspace=author.workspace,
                question_number=question.number,
                author_id=author.user_id,
                author_name=await self._shown_name(author),
                text=body,
                created_at=self._clock(),
                message=message,
            )
        )
        log.info("answered %s with %s by %s", question.post_id, answer.post_id, author.user_id)
        return answer

    async def edit_message(
        self, workspace: WorkspaceRef, message: MessageRef, text: str
    ) -> Post | None:
        """Follow an edit of a post's message; other messages are not ours and change nothing."""
        post = await self.store.get_post_by_message(workspace, message)
        if post is None:
            return None
        body = clean_text(text, max_chars=self.settings.limits.max_text_chars)
        await self.store.edit_post(workspace, post.post_id, body)
        log.info("edited %s", post.post_id)
        if isinstance(post, Question):
            await self._keep_similar(replace(post, text=body))
        return post

    async def delete_message(self, workspace: WorkspaceRef, message: MessageRef) -> Post | None:
        """Follow a deletion: the post and its votes stop counting."""
        post = await self.store.get_post_by_message(workspace, message)
        if post is None:
            return None
        await self.store.remove_post(workspace, post.post_id)
        log.info("hid %s: its message was deleted", post.post_id)
        return post

    # Votes ------------------------------------------------------------------------------------

    async def react(
        self, *, voter: UserRef, target: PostTarget | VoteSubject, emoji: str
    ) -> VoteOutcome:
        platform = voter.workspace.platform
        try:
            outcome = await self._react(voter, target, emoji)
        except VoteIgnored as ignored:
            reason = _IGNORED_REASONS.get(ignored.reason)
            if reason is not None:
                self.metrics.vote(platform, "ignored", reason)
            raise
        except RateLimited:
            self.metrics.vote(platform, "ignored", "limit")
            raise
        if outcome.status is VoteStatus.COUNTED:
            self.metrics.vote(platform, "counted")
        elif outcome.status is VoteStatus.UNCHANGED:
            self.metrics.vote(platform, "ignored", "duplicate")
        return outcome

    @contextmanager
    def _counting_limits(self) -> Iterator[None]:
        try:
            yield
        except RateLimited as limited:
            self.metrics.rate_limited(limited.limit)
            raise

    async def _react(
        self, voter: UserRef, target: PostTarget | VoteSubject, emoji: str
    ) -> VoteOutcome:
        key, subject = await self._vote_subject(voter, target, emoji)
        if key == self._accept_key and subject.question_number is not None:
            answer, question = await self._answer_and_question(subject)
            if self._may_accept(voter, question):
                await self.store.set_accepted(voter.workspace, question.number, answer.number)
                log.info("accepted %s by reaction", answer.post_id)
                return VoteOutcome(
                    answer.post_id, VoteStatus.ACCEPTED, answer.ups, answer.downs,
                    question=question.post_id,
                )  # fmt: skip
            if key not in self._weights:
                raise NotAllowed(_ONLY_ASKER_ACCEPTS)
        weight = self._weight(key, emoji)
        self._check_voter(voter, subject)
        post_id = subject.post_id
        with self._counting_limits(), self.limits.voting(voter, post_id, action=f"+{key}") as slot:
            tally = await self.store.add_vote(
                voter.workspace, post_id, voter_id=voter.user_id, emoji=key, weight=weight,
                at=self._clock(), check=slot.check,
            )  # fmt: skip
            slot.keep = tally.changed
        # Only a write that changed nothing can be an opted-out person's: ask then, not per vote.
        if not tally.changed and await self.store.opted_out(voter.workspace, voter.user_id):
            raise VoteIgnored(FORGOTTEN_VOTER)
        status = VoteStatus.COUNTED if tally.changed else VoteStatus.UNCHANGED
        # No voter id: the voter may be the anonymous asker of the question.
        log.info("vote %s on %s: %s", key, post_id, status.value)
        await self.check_hot(subject, tally)
        cancelled = tally.changed and tally.voter_net == 0
        return VoteOutcome(post_id, status, tally.ups, tally.downs, cancelled=cancelled)

    async def unreact(
        self, *, voter: UserRef, target: PostTarget | VoteSubject, emoji: str
    ) -> VoteOutcome:
        key, subject = await self._vote_subject(voter, target, emoji)
        if key == self._accept_key and subject.question_number is not None:
            answer, question = await self._answer_and_question(subject)
            accepted = question.accepted_answer == answer.number
            if accepted and self._may_accept(voter, question):
                await self.store.set_accepted(voter.workspace, question.number, None)
                log.info("unaccepted %s by reaction", answer.post_id)
                return VoteOutcome(
                    answer.post_id, VoteStatus.UNACCEPTED, answer.ups, answer.downs,
                    question=question.post_id,
                )  # fmt: skip
            if key not in self._weights:
                raise VoteIgnored(
                    f"Taking back {emoji} changes nothing: it did not make {answer.post_id} "
                    "the accepted answer."
                )
        self._weight(key, emoji)
        post_id = subject.post_id
        with self._counting_limits(), self.limits.voting(voter, post_id, action=f"-{key}") as slot:
            tally = await self.store.remove_vote(
                voter.workspace, post_id, voter_id=voter.user_id, emoji=key, check=slot.check
            )
            slot.keep = tally.changed
        status = VoteStatus.COUNTED if tally.changed else VoteStatus.UNCHANGED
        log.info("unvote %s on %s: %s", key, post_id, status.value)
        return VoteOutcome(post_id, status, tally.ups, tally.downs)

    async def clear_votes(
        self, *, workspace: WorkspaceRef, target: PostTarget, emoji: str | None = None
    ) -> VoteOutcome:
        """A platform removed all reactions from a message (or all of one emoji)."""
        post = await self._post(workspace, target)
        key = None if emoji is None else normalize_emoji(emoji)
        tally = await self.store.clear_votes(workspace, post.post_id, emoji=key)
        status = VoteStatus.COUNTED if tally.changed else VoteStatus.UNCHANGED
        log.info("cleared %s votes on %s: %s", key or "all", post.post_id, status.value)
        return VoteOutcome(post.post_id, status, tally.ups, tally.downs)

    async def vote_subject(self, workspace: WorkspaceRef, target: PostTarget) -> VoteSubject | None:
        """The live post a reaction is on, or None. An adapter that must look a voter up (Slack's
        users.info) asks this first: most reactions are on messages that are not Q&A posts."""
        return await self.store.vote_subject(workspace, target)

    async def _vote_subject(
        self, voter: UserRef, target: PostTarget | VoteSubject, emoji: str
    ) -> tuple[str, VoteSubject]:
        if voter.is_bot:
            raise VoteIgnored("Bots don't vote.", reason="bot")
        key = normalize_emoji(emoji)
        if not key:
            raise VoteIgnored(f"{emoji!r} is not an emoji.")
        if isinstance(target, VoteSubject):  # found by the adapter a moment ago
            if target.workspace != voter.workspace:
                raise _not_found(target.post_id)
            return key, target
        subject = await self.store.vote_subject(voter.workspace, target)
        if subject is None:
            raise _not_found(target)
        return key, subject

    async def _answer_and_question(self, subject: VoteSubject) -> tuple[Answer, Question]:
        """The whole answer and its question, for the accept emoji (the asker's reaction)."""
        answer = await self._post(subject.workspace, subject.post_id)
        assert isinstance(answer, Answer)
        return answer, await self._question_of(answer)

    def _weight(self, key: str, typed: str) -> int:
        weight = self._weights.get(key)
        if weight is None:
            voting = " ".join(k for k in self._weights)
            raise VoteIgnored(
                f"{typed} is not a voting emoji here; vote with one of {voting}.", reason="unmapped"
            )
        return weight

    @staticmethod
    def _check_voter(voter: UserRef, subject: VoteSubject) -> None:
        if voter.user_id == subject.author_id:
            raise VoteIgnored("You can't vote on your own post.", reason="self")

    # Moderation -------------------------------------------------------------------------------

    def is_moderator(self, user: UserRef) -> bool:
        moderators = self.settings.moderators
        named: tuple[str, ...] = getattr(moderators, user.workspace.platform, ())
        roles = set(moderators.discord_roles) if user.workspace.platform == "discord" else set()
        return user.is_admin or user.user_id in named or bool(roles & set(user.role_ids))

    def _may_accept(self, user: UserRef, question: Question) -> bool:
        return user.user_id == question.asker_id or self.is_moderator(user)

    async def accept(self, *, actor: UserRef, answer: PostId | str) -> tuple[Answer, Question]:
        post = await self._post(actor.workspace, _post_id(answer, PostKind.ANSWER))
        assert isinstance(post, Answer)
        question = await self._question_of(post)
        if not self._may_accept(actor, question):
            raise NotAllowed(_ONLY_ASKER_ACCEPTS)
        await self.store.set_accepted(actor.workspace, question.number, post.number)
        # The asker of an anonymous question is never named, not even in the log.
        who = "the asker" if actor.user_id == question.asker_id else actor.user_id
        log.info("accepted %s on %s by %s", post.post_id, question.post_id, who)
        return post, question

    async def remove(self, *, actor: UserRef, post: PostId | str) -> PostId:
        if not self.is_moderator(actor):
            raise NotAllowed("Only moderators can remove posts.")
        found = await self._post(actor.workspace, _post_id(post, None))
        await self.store.remove_post(actor.workspace, found.post_id)
        log.info("removed %s by moderator %s", found.post_id, actor.user_id)
        return found.post_id

    async def recount(self, *, actor: UserRef) -> int:
        if not self.is_moderator(actor):
            raise NotAllowed("Only moderators can recount votes.")
        changed = await self.store.recount(actor.workspace)
        log.info("recount in %s: %d posts corrected", actor.workspace.workspace_id, changed)
        return changed

    # Reading ----------------------------------------------------------------------------------

    async def top(
        self, *, workspace: WorkspaceRef, query: TopQuery, seen_from: str | None = None
    ) -> Sequence[RankedAnswer]:
        """The ranked answers; asked `seen_from` a channel, a private channel's stay hidden."""
        if query.question is not None:
            question = await self._question(workspace, PostId(PostKind.QUESTION, query.question))
            if not _visible(question, seen_from):
                raise NotFound(f"There is no {question.post_id} here.")
        since = None if query.question is not None else window_start(query.window, self._clock())
        ranked = await self.store.top_answers(workspace, query, since=since)
        shown = [entry for entry in ranked if _visible(entry.question, seen_from)]
        shown = await ranked_with_pages(self.store, self.settings.web, workspace, shown)
        return await ranked_with_headlines(self.store, workspace, shown)

    async def search(
        self, *, workspace: WorkspaceRef, text: str, seen_from: str | None = None
    ) -> Sequence[SearchHit]:
        """Posts with every word and `#tag`; asked `seen_from` a channel, none from another
        private one."""
        if len(text) > MAX_SEARCH_CHARS:
            raise InvalidInput(
                f"Your search is {len(text):,} characters long; the limit is {MAX_SEARCH_CHARS}."
            )
        query = parse_search(text, language=self.settings.search.language)
        hits = await self.store.search(workspace, query, limit=self.settings.limits.search_size)
        return [hit for hit in hits if _visible(hit.question, seen_from)]

    async def get(self, workspace: WorkspaceRef, post: PostId | str) -> Post:
        return await self._post(workspace, _post_id(post, None))

    # Lookups ----------------------------------------------------------------------------------

    async def _post(self, workspace: WorkspaceRef, target: PostTarget) -> Post:
        if isinstance(target, PostId):
            found = await self.store.get_post(workspace, target)
        else:
            found = await self.store.get_post_by_message(workspace, target)
        if found is None:
            raise _not_found(target)
        return found

    async def _question_of(self, answer: Answer) -> Question:
        return await self._question(
            answer.workspace, PostId(PostKind.QUESTION, answer.question_number)
        )

    async def _question(self, workspace: WorkspaceRef, question: PostId | str) -> Question:
        post = await self._post(workspace, _post_id(question, PostKind.QUESTION))
        assert isinstance(post, Question)
        return post


def _not_found(target: PostTarget) -> NotFound:
    if isinstance(target, PostId):
        return NotFound(f"There is no {target} here.")
    return NotFound("That message is not a question or an answer.")


def _visible(question: Question, seen_from: str | None) -> bool:
    """Private-channel questions (and their answers) show only in their own channel."""
    return seen_from is None or not question.channel_private or question.channel_id == seen_from


def _post_id(value: PostId | str, kind: PostKind | None) -> PostId:
    """Parse a typed id, insisting on a kind where only one makes sense."""
    return parse_post_id(str(value), kind)
