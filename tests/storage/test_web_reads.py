"""The web view's reads and choices on every store: only live questions from public channels,
never hidden ones, filtered by channel, tag, solved and answered; names choices per person."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import TopQuery, Window
from bot.ports import NewQuestion, SimilarCandidate, Store, WebFilter, WebNames
from bot.replies import FORGOTTEN_ID
from tests.storage.builders import DISCORD, NOW, SLACK, a, answer, ask, q, votes_for

EVERY = WebFilter()


async def _numbers(
    store: Store, where: WebFilter = EVERY, *, since: datetime | None = None
) -> list[int]:
    found = await store.web_questions(SLACK, where=where, since=since, limit=50)
    return [question.number for question in found]


async def _private(store: Store) -> None:
    new = NewQuestion(SLACK, "CPRIV", "U_ASK", "n", "Private?", (), False, NOW, True)
    await store.add_question(new)


async def test_web_questions_are_the_live_public_ones_newest_first(store: Store) -> None:
    await ask(store, "First?")
    await ask(store, "Second?", at=NOW + timedelta(minutes=1))
    await _private(store)
    await ask(store, "Removed?")
    await store.remove_post(SLACK, q(4))
    await ask(store, "Elsewhere?", ws=DISCORD)
    assert await _numbers(store) == [2, 1]


async def test_a_hidden_question_is_left_out_until_shown_again(store: Store) -> None:
    await ask(store)
    await ask(store)
    assert await store.set_web_hidden(SLACK, 1, True) is True
    assert await _numbers(store) == [2]
    assert await store.web_question(SLACK, 1) is None
    assert await store.web_hidden(SLACK) == {1}
    assert await store.set_web_hidden(SLACK, 1, False) is True
    assert await store.web_question(SLACK, 1) is not None


async def test_web_question_is_none_for_private_removed_and_unknown(store: Store) -> None:
    await _private(store)
    await ask(store)
    await store.remove_post(SLACK, q(2))
    assert [await store.web_question(SLACK, n) for n in (1, 2, 3)] == [None, None, None]


async def test_web_thread_is_the_question_with_its_live_answers_in_top_order(
    store: Store,
) -> None:
    await ask(store, "How do I negotiate?", tags=("pay",))
    await ask(store, "Another question?")
    for text in ("Low", "High", "Removed", "Middle", "Accepted"):
        await answer(store, 1, text)
    await answer(store, 2, "Elsewhere")
    await votes_for(store, a(2), ups=3, downs=0)
    await votes_for(store, a(3), ups=5, downs=0)
    await votes_for(store, a(4), ups=1, downs=0)
    await store.remove_post(SLACK, a(3))
    await store.set_accepted(SLACK, 1, a(5).number)
    await store.set_channel_name(SLACK, "C1", "careers")
    thread = await store.web_thread(SLACK, 1, answers=10, similar=5)
    assert thread is not None
    assert (thread.question.number, thread.question.tags) == (1, ("pay",))
    assert thread.question.answer_count == 4 and thread.channel_name == "careers"
    query = TopQuery(channel_id=None, window=Window.ALL, question=1, limit=10)
    assert thread.answers == await store.top_answers(SLACK, query, since=None)
    assert [(r.rank, r.answer.text, r.accepted) for r in thread.answers] == [
        (1, "High", False), (2, "Middle", False), (3, "Low", False), (4, "Accepted", True),
    ]  # fmt: skip
    first_two = await store.web_thread(SLACK, 1, answers=2, similar=5)
    assert first_two is not None and [r.answer.text for r in first_two.answers] == [
        "High",
        "Middle",
    ]


async def test_web_thread_of_an_unanswered_question_in_an_unnamed_channel(store: Store) -> None:
    await ask(store, "Anyone?", channel="C9")
    thread = await store.web_thread(SLACK, 1, answers=10, similar=5)
    assert thread is not None
    assert (thread.question.text, thread.answers, thread.channel_name) == ("Anyone?", [], None)


async def test_web_thread_is_none_for_what_the_web_view_does_not_show(store: Store) -> None:
    await _private(store)
    await ask(store)
    await store.remove_post(SLACK, q(2))
    await ask(store)
    await answer(store, 3)
    await store.set_web_hidden(SLACK, 3, True)
    await ask(store, ws=DISCORD)
    found = [await store.web_thread(SLACK, n, answers=10, similar=5) for n in (1, 2, 3, 4)]
    assert found == [None, None, None, None]
    assert await store.web_thread(DISCORD, 1, answers=10, similar=5) is not None


async def test_web_thread_names_its_people_but_never_an_anonymous_asker(store: Store) -> None:
    await ask(store, "Anonymous?", asker="U_SECRET", anonymous=True)
    await ask(store, "Named?", asker="U_NAMED")
    await ask(store, "Quiet?", asker="U_QUIET")
    await answer(store, 1, author="U_ANSWERS")
    for person in ("U_SECRET", "U_NAMED", "U_ANSWERS", "U_QUIET"):
        await store.set_headline(SLACK, person, f"{person} headline")
    await store.set_web_names(SLACK, "U_SECRET", True)
    await store.set_web_names(SLACK, "U_ANSWERS", False)
    await store.set_headline(DISCORD, "U_NAMED", "Elsewhere")
    await store.keep_similar(SLACK, 1, [(2, 0.9)], made_for="*", keep=10)
    thread = await store.web_thread(SLACK, 1, answers=10, similar=5)
    assert thread is not None and [q.number for q in thread.similar] == [2]
    assert thread.names == WebNames(
        {"U_NAMED": "U_NAMED headline", "U_ANSWERS": "U_ANSWERS headline"}, {"U_ANSWERS": False}
    )
    await store.keep_similar(SLACK, 2, [(1, 0.9)], made_for="*", keep=10)
    thread = await store.web_thread(SLACK, 2, answers=10, similar=5)
    assert thread is not None and [q.number for q in thread.similar] == [1]
    assert thread.names == WebNames({"U_NAMED": "U_NAMED headline"}, {})


async def test_web_questions_filter_by_channel_and_tag(store: Store) -> None:
    await ask(store, channel="C1", tags=("pay",))
    await ask(store, channel="C2", tags=("pay",))
    await ask(store, channel="C1")
    assert await _numbers(store, WebFilter(channels=["C1"])) == [3, 1]
    assert await _numbers(store, WebFilter(tag="pay")) == [2, 1]
    assert await _numbers(store, WebFilter(channels=["C1"], tag="pay")) == [1]


async def test_web_questions_filter_by_solved_and_answered(store: Store) -> None:
    await ask(store)
    await ask(store)
    await ask(store)
    await answer(store, 1)
    await answer(store, 2)
    await store.set_accepted(SLACK, 1, a(1).number)
    assert await _numbers(store, WebFilter(solved=True)) == [1]
    assert await _numbers(store, WebFilter(solved=False)) == [3, 2]
    assert await _numbers(store, WebFilter(answered=False)) == [3]


async def test_web_questions_since_leaves_older_ones_out(store: Store) -> None:
    await ask(store, at=NOW - timedelta(days=3))
    await ask(store, at=NOW)
    assert await _numbers(store, since=NOW - timedelta(days=1)) == [2]


async def test_a_persons_web_names_choice_is_kept_and_forgotten_with_them(store: Store) -> None:
    await store.set_web_names(SLACK, "U_ME", True)
    await store.set_web_names(SLACK, "U_OTHER", True)
    await store.set_web_names(SLACK, "U_OTHER", False)
    names = await store.web_names(SLACK, ["U_ME", "U_OTHER", "U_X"])
    assert names.choices == {"U_ME": True, "U_OTHER": False}
    await store.forget_person(SLACK, "U_ME", replacement_id=FORGOTTEN_ID, replacement_name="A")
    assert (await store.web_names(SLACK, ["U_ME"])).choices == {}
    assert (await store.web_names(DISCORD, ["U_OTHER"])).choices == {}


async def test_web_names_reads_headlines_and_choices_of_just_the_people_asked(
    store: Store,
) -> None:
    await store.set_headline(SLACK, "U_BOTH", "Staff engineer")
    await store.set_web_names(SLACK, "U_BOTH", True)
    await store.set_headline(SLACK, "U_HEADLINE", "Tech lead")
    await store.set_web_names(SLACK, "U_CHOICE", False)
    await store.set_headline(SLACK, "U_NOT_ASKED", "Manager")
    await store.set_headline(DISCORD, "U_CHOICE", "Elsewhere")
    names = await store.web_names(SLACK, ["U_BOTH", "U_HEADLINE", "U_CHOICE", "U_NOBODY"])
    assert names.headlines == {"U_BOTH": "Staff engineer", "U_HEADLINE": "Tech lead"}
    assert names.choices == {"U_BOTH": True, "U_CHOICE": False}
    assert await store.web_names(SLACK, []) == WebNames({}, {})


async def _similar(store: Store, *words: str, channels: list[str] | None = None) -> list[int]:
    found = await store.web_similar(SLACK, words, channels=channels, limit=10)
    return sorted(candidate.number for candidate in found)


async def test_web_similar_hands_over_each_candidates_words_and_tags(store: Store) -> None:
    await ask(store, "Salary for a remote job", tags=("pay", "remote"))
    found = await store.web_similar(SLACK, ["salary", "remote"], channels=None, limit=10)
    assert found == [SimilarCandidate(1, "Salary for a remote job", ("pay", "remote"))]


async def test_web_similar_hands_over_the_newest_of_equal_matches(store: Store) -> None:
    for _ in range(4):
        await ask(store, "Salary and remote work")
    found = await store.web_similar(SLACK, ["salary", "remote"], channels=None, limit=2)
    assert [candidate.number for candidate in found] == [4, 3]


async def test_web_similar_keeps_to_the_channels_asked_for(store: Store) -> None:
    await ask(store, "Salary and remote work", channel="C1")
    await ask(store, "Salary and remote work", channel="C2")
    await ask(store, "Salary and remote work", channel="C3")
    assert await _similar(store, "salary", "remote", channels=["C1", "C3"]) == [1, 3]
    assert await _similar(store, "salary", "remote", channels=[]) == []
    assert await _similar(store, "salary", "remote") == [1, 2, 3]


async def test_web_similar_finds_questions_sharing_two_of_the_words(store: Store) -> None:
    await ask(store, "Salary for a remote job")
    await ask(store, "Remote work and salary bands")
    await ask(store, "Salary only")
    await ask(store, "A remote job contract")
    await answer(store, 3, "Remote job, salary")  # answers are not candidates
    assert await _similar(store, "job", "salary", "remote") == [1, 2, 4]


async def test_web_similar_with_fewer_than_three_words_needs_one_in_common(store: Store) -> None:
    await ask(store, "Salary bands")
    await ask(store, "Remote work")
    await ask(store, "Hiring managers")
    assert await _similar(store, "salary", "remote") == [1, 2]
    assert await _similar(store, "hiring") == [3]
    assert await _similar(store) == []


async def test_web_similar_leaves_out_what_the_web_view_does_not_show(store: Store) -> None:
    await ask(store, "Salary and remote work")
    await ask(store, "Salary and remote work, hidden")
    await store.set_web_hidden(SLACK, 2, True)
    await ask(store, "Salary and remote work, removed")
    await store.remove_post(SLACK, q(3))
    new = NewQuestion(SLACK, "CPRIV", "U_ASK", "n", "Salary and remote work?", (), False, NOW, True)
    await store.add_question(new)
    await ask(store, "Salary and remote work", ws=DISCORD)
    assert await _similar(store, "salary", "remote") == [1]


async def test_web_similar_takes_query_words_as_plain_words(store: Store) -> None:
    await ask(store, "Salary and remote work")
    await ask(store, "Near the office")
    assert await _similar(store, "NEAR", "OR", "office") == [2]
    assert await _similar(store, "near", "salary", "remote") == [1]


async def test_web_similar_matches_words_as_the_index_stems_them_never_as_prefixes(
    store: Store,
) -> None:
    await ask(store, "Salaries of remote careers")
    await ask(store, "Salary of a remote car mechanic")
    await ask(store, "Careful with remote salary talks")
    assert await _similar(store, "salary", "remote", "car") == [1, 2, 3]
    assert await _similar(store, "car") == [2]
    assert await _similar(store, "careers") == [1]


async def _sitemap(store: Store) -> dict[int, datetime]:
    found = await store.web_sitemap(SLACK, channels=None, limit=50)
    return {question.number: changed for question, changed in found}


async def test_the_sitemap_time_is_a_questions_newest_live_answer_else_its_own(
    store: Store,
) -> None:
    await ask(store, at=NOW)
    await ask(store, at=NOW + timedelta(hours=1))
    await answer(store, 1, at=NOW + timedelta(days=2))
    await answer(store, 1, at=NOW + timedelta(days=1))
    await answer(store, 1, at=NOW + timedelta(days=5))
    await store.remove_post(SLACK, a(3))
    assert await _sitemap(store) == {1: NOW + timedelta(days=2), 2: NOW + timedelta(hours=1)}


async def test_the_sitemap_lists_what_web_questions_lists_in_its_channels(store: Store) -> None:
    await ask(store, channel="C1")
    await ask(store, channel="C2")
    await ask(store, channel="C1")
    await store.set_web_hidden(SLACK, 3, True)
    await _private(store)
    await ask(store, ws=DISCORD)
    found = await store.web_sitemap(SLACK, channels=["C1"], limit=50)
    assert [question.number for question, _ in found] == [1]
    assert sorted(await _sitemap(store)) == [1, 2]
