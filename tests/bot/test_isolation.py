"""Isolation: an id from another workspace behaves exactly like one that does not exist."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.domain import MessageRef, PostId, TopQuery, WorkspaceRef
from bot.errors import QAError
from bot.service import QAService
from tests.conftest import MODERATOR, OTHER_TEAM, TEAM, Board

# Same workspace id, other platform: still another workspace.
DISCORD_T1 = WorkspaceRef("discord", "T1")
EMPTY = WorkspaceRef("slack", "T-empty")

Attempt = Callable[[Board, WorkspaceRef], Awaitable[object]]


def _id(text: str) -> PostId:
    parsed = PostId.parse(text)
    assert parsed is not None
    return parsed


async def _get(b: Board, ws: WorkspaceRef) -> object:
    return await b.service.get(ws, "Q1")


async def _answer(b: Board, ws: WorkspaceRef) -> object:
    return await b.service.answer(author=b.user("zed", workspace=ws), question="Q1", text="Hi")


async def _vote_by_id(b: Board, ws: WorkspaceRef) -> object:
    return await b.service.react(voter=b.user("zed", workspace=ws), target=_id("A1"), emoji="👍")


async def _vote_by_message(b: Board, ws: WorkspaceRef) -> object:
    message = MessageRef("C1", "1.1")
    return await b.service.react(voter=b.user("zed", workspace=ws), target=message, emoji="👍")


async def _unvote(b: Board, ws: WorkspaceRef) -> object:
    voter = b.user("carol", workspace=ws)
    return await b.service.unreact(voter=voter, target=_id("A1"), emoji="👍")


async def _accept(b: Board, ws: WorkspaceRef) -> object:
    return await b.service.accept(actor=b.user("alice", workspace=ws), answer="A1")


async def _remove(b: Board, ws: WorkspaceRef) -> object:
    actor = b.user(MODERATOR, workspace=ws, is_admin=True)
    return await b.service.remove(actor=actor, post="A1")


async def _top_of_question(b: Board, ws: WorkspaceRef) -> object:
    return await b.service.top(workspace=ws, query=TopQuery(None, question=1))


async def _clear_votes(b: Board, ws: WorkspaceRef) -> object:
    return await b.service.clear_votes(workspace=ws, target=_id("A1"))


ATTEMPTS: dict[str, Attempt] = {
    "get": _get,
    "answer": _answer,
    "vote by id": _vote_by_id,
    "vote by message": _vote_by_message,
    "unvote": _unvote,
    "accept": _accept,
    "remove": _remove,
    "top of one question": _top_of_question,
    "clear votes": _clear_votes,
}


async def outcome(attempt: Attempt, board: Board, workspace: WorkspaceRef) -> tuple[str, str]:
    try:
        result = await attempt(board, workspace)
    except QAError as error:
        return type(error).__name__, error.message
    return "ok", repr(result)


@pytest.fixture
async def populated(board: Board) -> Board:
    question = await board.ask("alice", workspace=TEAM)
    await board.service.link_question(question, message=MessageRef("C1", "1.1"))
    answer = await board.answer("bob", question)
    await board.votes(answer, "👍", "carol")
    return board


@pytest.mark.parametrize("attempt", ATTEMPTS.values(), ids=ATTEMPTS.keys())
@pytest.mark.parametrize("workspace", [OTHER_TEAM, DISCORD_T1], ids=str)
async def test_another_workspaces_id_is_answered_as_if_it_did_not_exist(
    populated: Board, attempt: Attempt, workspace: WorkspaceRef
) -> None:
    before = populated.snapshot()
    from_elsewhere = await outcome(attempt, populated, workspace)
    assert from_elsewhere == await outcome(attempt, populated, EMPTY)
    assert from_elsewhere[0] == "NotFound"
    assert populated.snapshot() == before


async def test_top_in_another_workspace_shows_none_of_this_ones_answers(
    populated: Board,
) -> None:
    ranked = await populated.service.top(workspace=OTHER_TEAM, query=TopQuery("C1"))
    assert list(ranked) == []


async def test_search_in_another_workspace_finds_none_of_this_ones_posts(
    populated: Board,
) -> None:
    assert list(await populated.service.search(workspace=OTHER_TEAM, text="salary")) == []


async def test_the_same_voter_id_in_two_workspaces_is_two_people(
    populated: Board, service: QAService
) -> None:
    elsewhere = await populated.answer("bob", await populated.ask("alice", workspace=OTHER_TEAM))
    await populated.votes(elsewhere, "👍", "carol")
    post = await service.get(TEAM, "A1")
    assert post.ups == 1
