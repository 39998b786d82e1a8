"""Accepting (asker or moderator only) and removing posts (moderators only)."""

from __future__ import annotations

import pytest

from bot.domain import Answer, PostId, UserRef, VoteStatus, WorkspaceRef
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.service import QAService
from bot.settings import ModeratorSettings, Settings
from tests.conftest import MODERATOR, TEAM, Board


@pytest.fixture
async def answer(board: Board) -> Answer:
    return await board.answer("bob", await board.ask("alice"))


async def accepted_answer(board: Board) -> int | None:
    question = await board.service.get(TEAM, "Q1")
    return question.accepted_answer  # type: ignore[union-attr]


async def test_the_asker_accepts_an_answer(board: Board, answer: Answer) -> None:
    await board.service.accept(actor=board.user("alice"), answer="A1")
    assert await accepted_answer(board) == 1


async def test_a_moderator_accepts_an_answer(board: Board, answer: Answer) -> None:
    await board.service.accept(actor=board.user(MODERATOR), answer="A1")
    assert await accepted_answer(board) == 1


async def test_a_platform_admin_accepts_an_answer(board: Board, answer: Answer) -> None:
    await board.service.accept(actor=board.user("boss", is_admin=True), answer="A1")
    assert await accepted_answer(board) == 1


async def test_someone_else_cannot_accept_and_nothing_changes(board: Board, answer: Answer) -> None:
    before = board.snapshot()
    with pytest.raises(NotAllowed) as refused:
        await board.service.accept(actor=board.user("carol"), answer="A1")
    assert refused.value.message == (
        "Only the person who asked, or a moderator, can accept an answer."
    )
    assert board.snapshot() == before


async def test_the_author_of_the_answer_cannot_accept_it(board: Board, answer: Answer) -> None:
    with pytest.raises(NotAllowed):
        await board.service.accept(actor=board.user("bob"), answer="A1")


async def test_a_check_mark_by_the_asker_accepts(board: Board, answer: Answer) -> None:
    outcome = await board.service.react(
        voter=board.user("alice"), target=answer.post_id, emoji=":white_check_mark:"
    )
    assert outcome.status is VoteStatus.ACCEPTED
    assert await accepted_answer(board) == 1


async def test_a_check_mark_by_someone_else_does_not_accept(board: Board, answer: Answer) -> None:
    with pytest.raises(NotAllowed, match="Only the person who asked, or a moderator"):
        await board.service.react(voter=board.user("carol"), target=answer.post_id, emoji="✅")
    assert await accepted_answer(board) is None


async def test_taking_the_askers_check_mark_back_unaccepts(board: Board, answer: Answer) -> None:
    await board.service.react(voter=board.user("alice"), target=answer.post_id, emoji="✅")
    outcome = await board.service.unreact(
        voter=board.user("alice"), target=answer.post_id, emoji="✅"
    )
    assert outcome.status is VoteStatus.UNACCEPTED
    assert await accepted_answer(board) is None


@pytest.mark.parametrize(
    ("typed", "error"),
    [("Q1", InvalidInput), ("A9", NotFound), ("", InvalidInput), ("A1 A2", InvalidInput)],
    ids=["a question id", "an unknown answer", "nothing", "two ids"],
)
async def test_accepting_a_bad_id_is_refused_and_changes_nothing(
    board: Board, answer: Answer, typed: str, error: type[Exception]
) -> None:
    before = board.snapshot()
    with pytest.raises(error):
        await board.service.accept(actor=board.user("alice"), answer=typed)
    assert board.snapshot() == before


async def test_a_moderator_named_in_settings_removes_an_answer(
    board: Board, answer: Answer
) -> None:
    removed = await board.service.remove(actor=board.user(MODERATOR), post="A1")
    assert removed == PostId.parse("A1")
    with pytest.raises(NotFound):
        await board.service.get(TEAM, "A1")


async def test_a_moderator_removing_a_question_hides_its_answers(
    board: Board, answer: Answer
) -> None:
    await board.service.remove(actor=board.user(MODERATOR), post="Q1")
    with pytest.raises(NotFound):
        await board.service.get(TEAM, "A1")


async def test_someone_who_does_not_moderate_cannot_remove(board: Board, answer: Answer) -> None:
    before = board.snapshot()
    with pytest.raises(NotAllowed, match=r"Only moderators can remove posts\."):
        await board.service.remove(actor=board.user("alice"), post="A1")
    assert board.snapshot() == before


async def test_removing_an_unknown_post_is_not_found(board: Board, answer: Answer) -> None:
    before = board.snapshot()
    with pytest.raises(NotFound, match=r"There is no Q5 here\."):
        await board.service.remove(actor=board.user(MODERATOR), post="Q5")
    assert board.snapshot() == before


async def test_a_discord_role_named_in_settings_moderates(board: Board) -> None:
    guild = WorkspaceRef("discord", "G1")
    settings = Settings(moderators=ModeratorSettings(discord_roles=("R-mods",)))
    service = QAService(store=board.service.store, settings=settings, clock=board.clock)
    assert service.is_moderator(UserRef(guild, "U5", role_ids=("R-mods",)))
    assert not service.is_moderator(UserRef(guild, "U6", role_ids=("R-fans",)))


async def test_a_moderator_of_one_platform_is_not_one_on_another(board: Board) -> None:
    as_discord_user = UserRef(WorkspaceRef("discord", "T1"), MODERATOR)
    assert not board.service.is_moderator(as_discord_user)
