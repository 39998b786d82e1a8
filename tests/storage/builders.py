"""Short ways to put questions, answers and votes into a store, for the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import Answer, MessageRef, PostId, PostKind, Question, WorkspaceRef
from bot.ports import NewAnswer, NewQuestion, Store, VoteTally

NOW = datetime(2026, 11, 20, 12, 0, 0, 123000, tzinfo=UTC)
SLACK = WorkspaceRef("slack", "T1")
DISCORD = WorkspaceRef("discord", "111222333444555666")
WEIGHTS = {"👍": 1, "⬆": 1, "👎": -1, "⬇": -1}


def q(number: int) -> PostId:
    return PostId(PostKind.QUESTION, number)


def a(number: int) -> PostId:
    return PostId(PostKind.ANSWER, number)


async def ask(
    store: Store,
    text: str = "How do I negotiate a salary?",
    *,
    ws: WorkspaceRef = SLACK,
    channel: str = "C1",
    asker: str = "U_ASK",
    tags: tuple[str, ...] = (),
    anonymous: bool = False,
    at: datetime = NOW,
) -> Question:
    new = NewQuestion(ws, channel, asker, f"name-{asker}", text, tags, anonymous, at)
    return await store.add_question(new)


async def answer(
    store: Store,
    question: int,
    text: str = "Anchor high and be specific.",
    *,
    ws: WorkspaceRef = SLACK,
    author: str = "U_ANS",
    message: MessageRef | None = None,
    at: datetime = NOW,
) -> Answer:
    new = NewAnswer(ws, question, author, f"name-{author}", text, at, message)
    return await store.add_answer(new)


async def vote(
    store: Store, post: PostId, voter: str, emoji: str = "👍", *, ws: WorkspaceRef = SLACK
) -> VoteTally:
    return await store.add_vote(
        ws, post, voter_id=voter, emoji=emoji, weight=WEIGHTS[emoji], at=NOW
    )


async def unvote(
    store: Store, post: PostId, voter: str, emoji: str = "👍", *, ws: WorkspaceRef = SLACK
) -> VoteTally:
    return await store.remove_vote(ws, post, voter_id=voter, emoji=emoji)


async def votes_for(store: Store, post: PostId, ups: int, downs: int) -> None:
    """Give a post `ups` up-voters and `downs` down-voters, each a different person."""
    for i in range(ups):
        await vote(store, post, f"U_UP{i}", "👍")
    for i in range(downs):
        await vote(store, post, f"U_DOWN{i}", "👎")


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)
