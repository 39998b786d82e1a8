"""Headlines: what a person says about themselves ("Staff engineer at Acme"), shown next to
their name in `/top`, digests and similar-question lists, never for an anonymous question.

`/qa headline <text>` sets it (80 characters at most) and `/qa headline clear` removes it; a
person who asked to be forgotten has none until they rejoin, since it would name them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bot.domain import Answer, Question, RankedAnswer, UserRef, WorkspaceRef
from bot.errors import InvalidInput
from bot.ports import Store
from bot.replies import FORGOTTEN_NAME
from bot.text_rules import clean_text

__all__ = [
    "CLEAR_WORD",
    "MAX_HEADLINE_CHARS",
    "HeadlineChanged",
    "change_headline",
    "questions_with_headlines",
    "ranked_with_headlines",
]

MAX_HEADLINE_CHARS = 80
CLEAR_WORD = "clear"


@dataclass(frozen=True, slots=True)
class HeadlineChanged:
    """`/qa headline`: the headline now shown next to the person's name, or None if cleared."""

    headline: str | None
    had_one: bool = True

    @property
    def sentence(self) -> str:
        if self.headline is not None:
            return f"Your headline is now “{self.headline}”. Lists show it next to your name."
        if self.had_one:
            return "Your headline is removed; lists show your name alone."
        return "You have no headline to remove."


def parse_headline(rest: str) -> str | None:
    """The headline typed after `/qa headline`, on one line; None for `clear`."""
    if rest.strip().lower() == CLEAR_WORD:
        return None
    if not rest.strip():
        raise InvalidInput(
            "Say what to show next to your name, like `headline Staff engineer at Acme`, "
            f"or `headline {CLEAR_WORD}` to remove it."
        )
    text = clean_text(" ".join(rest.split()), max_chars=MAX_HEADLINE_CHARS, what="headline")
    if len(text) > MAX_HEADLINE_CHARS:  # closing a bidirectional control added characters
        raise InvalidInput(f"Your headline is too long; the limit is {MAX_HEADLINE_CHARS}.")
    return text


async def change_headline(store: Store, *, user: UserRef, rest: str) -> HeadlineChanged:
    """Set or clear the person's headline; refused while they are forgotten."""
    headline = parse_headline(rest)
    if headline is not None and await store.opted_out(user.workspace, user.user_id):
        raise InvalidInput(
            "You asked to be forgotten, so nothing names you here. "
            "Use `rejoin` first if you want a headline."
        )
    changed = await store.set_headline(user.workspace, user.user_id, headline)
    return HeadlineChanged(headline, had_one=changed)


async def ranked_with_headlines(
    store: Store, workspace: WorkspaceRef, ranked: Sequence[RankedAnswer]
) -> list[RankedAnswer]:
    """`ranked` with each answer's author's headline and each named asker's."""
    people = [entry.answer for entry in ranked] + [entry.question for entry in ranked]
    found = await store.headlines(workspace, {_person(post) for post in people} - {""})
    if not found:  # nobody on the list has one: the common case, and no copies to make
        return list(ranked)
    return [_entry_with_headlines(entry, found) for entry in ranked]


async def questions_with_headlines(
    store: Store, workspace: WorkspaceRef, questions: Sequence[Question]
) -> list[Question]:
    """`questions` with each named asker's headline."""
    found = await store.headlines(workspace, {_person(q) for q in questions} - {""})
    return [_with_asker_headline(question, found) for question in questions]


def _person(post: Answer | Question) -> str:
    """Whose headline a post may show: nobody's for an anonymous or forgotten one."""
    if isinstance(post, Question):
        return "" if post.anonymous else post.asker_id
    return "" if post.author_name == FORGOTTEN_NAME else post.author_id


def _entry_with_headlines(entry: RankedAnswer, found: Mapping[str, str]) -> RankedAnswer:
    answer = _with_headline(entry.answer, found)
    question = _with_asker_headline(entry.question, found)
    if answer is entry.answer and question is entry.question:
        return entry
    return replace(entry, answer=answer, question=question)


def _with_headline(answer: Answer, found: Mapping[str, str]) -> Answer:
    headline = found.get(_person(answer), "")
    return replace(answer, author_headline=headline) if headline else answer


def _with_asker_headline(question: Question, found: Mapping[str, str]) -> Question:
    headline = found.get(_person(question), "")
    return replace(question, asker_headline=headline) if headline else question
