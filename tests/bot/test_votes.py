"""Votes are reactions: one vote per person per post, the sign of their mapped reactions."""

from __future__ import annotations

import pytest

from bot.domain import Answer, MessageRef, PostId, VoteStatus
from bot.errors import NotAllowed, NotFound, VoteIgnored
from bot.service import QAService
from bot.settings import Settings, VotingSettings
from bot.voting import normalize_weights
from tests.conftest import Board


@pytest.fixture
async def answer(board: Board) -> Answer:
    return await board.answer("bob", await board.ask("alice"))


async def score_of(board: Board, answer: Answer) -> tuple[int, int]:
    post = await board.service.get(answer.workspace, answer.post_id)
    return post.ups, post.downs


async def test_a_thumbs_up_counts_one_up(board: Board, answer: Answer) -> None:
    outcome = await board.service.react(
        voter=board.user("carol"), target=answer.post_id, emoji="👍"
    )
    assert (outcome.status, outcome.ups, outcome.downs) == (VoteStatus.COUNTED, 1, 0)


async def test_a_thumbs_down_counts_one_down(board: Board, answer: Answer) -> None:
    await board.votes(answer, "👎", "carol")
    assert await score_of(board, answer) == (0, 1)


async def test_thumbs_up_and_arrow_up_from_one_person_are_one_vote(
    board: Board, answer: Answer
) -> None:
    await board.votes(answer, "👍", "carol")
    await board.votes(answer, "⬆️", "carol")
    assert await score_of(board, answer) == (1, 0)


async def test_thumbs_up_and_thumbs_down_from_one_person_cancel_out(
    board: Board, answer: Answer
) -> None:
    await board.votes(answer, "👍", "carol")
    await board.votes(answer, "👎", "carol")
    assert await score_of(board, answer) == (0, 0)


async def test_thumbs_up_then_thumbs_down_by_one_person_says_they_cancel_out(
    board: Board, answer: Answer
) -> None:
    await board.votes(answer, "👍", "carol")
    outcome = await board.service.react(
        voter=board.user("carol"), target=answer.post_id, emoji="👎"
    )
    assert outcome.cancelled


async def test_each_person_counts_once(board: Board, answer: Answer) -> None:
    await board.votes(answer, "👍", "carol", "dave", "erin")
    await board.votes(answer, "⬇️", "frank")
    assert await score_of(board, answer) == (3, 1)


async def test_the_same_reaction_twice_changes_nothing(board: Board, answer: Answer) -> None:
    await board.votes(answer, "👍", "carol")
    before = board.snapshot()
    outcome = await board.service.react(
        voter=board.user("carol"), target=answer.post_id, emoji="👍"
    )
    assert (outcome.status, outcome.ups) == (VoteStatus.UNCHANGED, 1)
    assert board.snapshot() == before


async def test_a_shortcode_and_the_emoji_are_the_same_reaction(
    board: Board, answer: Answer
) -> None:
    await board.votes(answer, "👍", "carol")
    outcome = await board.service.react(
        voter=board.user("carol"), target=answer.post_id, emoji=":+1::skin-tone-3:"
    )
    assert outcome.status is VoteStatus.UNCHANGED


async def test_removing_a_reaction_takes_the_vote_back(board: Board, answer: Answer) -> None:
    await board.votes(answer, "👍", "carol")
    outcome = await board.service.unreact(
        voter=board.user("carol"), target=answer.post_id, emoji="👍"
    )
    assert (outcome.status, outcome.ups, outcome.downs) == (VoteStatus.COUNTED, 0, 0)


async def test_removing_one_of_two_reactions_leaves_the_other(board: Board, answer: Answer) -> None:
    await board.votes(answer, "👍", "carol")
    await board.votes(answer, "👎", "carol")
    await board.service.unreact(voter=board.user("carol"), target=answer.post_id, emoji="👎")
    assert await score_of(board, answer) == (1, 0)


async def test_removing_a_reaction_never_seen_is_a_no_op(board: Board, answer: Answer) -> None:
    await board.votes(answer, "👍", "carol")
    before = board.snapshot()
    outcome = await board.service.unreact(
        voter=board.user("dave"), target=answer.post_id, emoji="👍"
    )
    assert (outcome.status, outcome.ups) == (VoteStatus.UNCHANGED, 1)
    assert board.snapshot() == before


async def test_a_reaction_on_the_question_message_votes_on_the_question(board: Board) -> None:
    question = await board.ask()
    await board.service.link_question(question, message=MessageRef("C1", "5.5"))
    outcome = await board.service.react(
        voter=board.user("bob"), target=MessageRef("C1", "5.5"), emoji="thumbsup"
    )
    assert (str(outcome.post_id), outcome.ups) == ("Q1", 1)


async def test_a_reaction_found_by_its_message_first_counts_once_and_only_there(
    board: Board, answer: Answer
) -> None:
    from tests.conftest import OTHER_TEAM

    await board.service.link_answer(answer, MessageRef("C1", "6.6"))
    subject = await board.service.vote_subject(answer.workspace, MessageRef("C1", "6.6"))
    assert subject is not None and subject.post_id == answer.post_id
    assert await board.service.vote_subject(answer.workspace, MessageRef("C1", "7.7")) is None

    outcome = await board.service.react(voter=board.user("carol"), target=subject, emoji="👍")
    assert (outcome.status, outcome.ups) == (VoteStatus.COUNTED, 1)
    before = board.snapshot()
    with pytest.raises(NotFound):  # a post of one workspace is not there for another's people
        await board.service.react(
            voter=board.user("dave", workspace=OTHER_TEAM), target=subject, emoji="👍"
        )
    assert board.snapshot() == before


async def test_a_platform_clearing_reactions_clears_the_votes(board: Board, answer: Answer) -> None:
    await board.votes(answer, "👍", "carol", "dave")
    await board.service.clear_votes(workspace=answer.workspace, target=answer.post_id)
    assert await score_of(board, answer) == (0, 0)


async def test_custom_weights_from_settings_decide_what_votes(board: Board, answer: Answer) -> None:
    weights = normalize_weights({"<:upvote:4242>": 1, "partyparrot": 1})
    settings = Settings(voting=VotingSettings(weights=weights))
    service = QAService(store=board.service.store, settings=settings, clock=board.clock)
    outcome = await service.react(
        voter=board.user("carol"), target=answer.post_id, emoji="<:upvote:4242>"
    )
    assert outcome.ups == 1
    with pytest.raises(VoteIgnored):
        await service.react(voter=board.user("dave"), target=answer.post_id, emoji="👍")


IGNORED_VOTES = {
    "own answer": ("bob", False, "A1", "👍"),
    "own question": ("alice", False, "Q1", "👍"),
    "a bot": ("helperbot", True, "A1", "👍"),
    "an unmapped emoji": ("carol", False, "A1", "🎉"),
    "an unmapped shortcode": ("carol", False, "A1", ":tada:"),
    "text that is no emoji": ("carol", False, "A1", "hello there"),
}


@pytest.mark.parametrize(
    ("voter", "is_bot", "target", "emoji"), IGNORED_VOTES.values(), ids=IGNORED_VOTES.keys()
)
async def test_an_ignored_vote_says_why_in_one_sentence_and_changes_nothing(
    board: Board, answer: Answer, voter: str, is_bot: bool, target: str, emoji: str
) -> None:
    before = board.snapshot()
    post_id = PostId.parse(target)
    assert post_id is not None
    with pytest.raises(VoteIgnored) as ignored:
        await board.service.react(
            voter=board.user(voter, is_bot=is_bot), target=post_id, emoji=emoji
        )
    assert "\n" not in ignored.value.message and ignored.value.message.endswith(".")
    assert board.snapshot() == before


@pytest.mark.parametrize("target", ["A9", "Q9", MessageRef("C1", "404.404")], ids=str)
async def test_a_vote_on_an_unknown_post_is_not_found_and_changes_nothing(
    board: Board, answer: Answer, target: str | MessageRef
) -> None:
    before = board.snapshot()
    typed = PostId.parse(target) if isinstance(target, str) else target
    assert typed is not None
    with pytest.raises(NotFound):
        await board.service.react(voter=board.user("carol"), target=typed, emoji="👍")
    assert board.snapshot() == before


async def test_a_vote_on_a_removed_answer_is_not_found(board: Board, answer: Answer) -> None:
    await board.service.remove(actor=board.user("UMOD"), post="A1")
    with pytest.raises(NotFound):
        await board.votes(answer, "👍", "carol")


async def test_a_check_mark_by_someone_who_did_not_ask_says_who_can_accept(
    board: Board, answer: Answer
) -> None:
    before = board.snapshot()
    with pytest.raises(NotAllowed, match="Only the person who asked, or a moderator, can accept"):
        await board.service.react(voter=board.user("carol"), target=answer.post_id, emoji="✅")
    assert board.snapshot() == before


async def test_a_check_mark_by_a_moderator_accepts(board: Board, answer: Answer) -> None:
    moderator = board.user("carol", is_admin=True)
    outcome = await board.service.react(voter=moderator, target=answer.post_id, emoji="✅")
    assert (outcome.status, outcome.question) == (VoteStatus.ACCEPTED, PostId.parse("Q1"))


async def test_taking_back_a_check_mark_that_accepted_nothing_says_so(
    board: Board, answer: Answer
) -> None:
    with pytest.raises(VoteIgnored, match="changes nothing"):
        await board.service.unreact(voter=board.user("carol"), target=answer.post_id, emoji="✅")
