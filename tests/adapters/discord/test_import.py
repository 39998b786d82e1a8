"""`qabot import discord`: forum threads and text-channel threads become questions and answers.

The import reads the fake over discord.py's own HTTP client (REST only, as the command does):
forum threads active and archived, a text channel's messages by `after`, reaction users by
`after`, 100 a page. The kill-and-resume test and the re-run test run the `qabot import` command
in its own process.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.importer import discord_import_source
from bot.domain import PostId, PostKind, TopQuery, Window, WorkspaceRef
from bot.importing import Importer, ImportOptions, ImportStopped, ImportSummary
from bot.ports import Store
from bot.service import utc_now
from bot.settings import DiscordSettings, Secrets, Settings, StorageSettings
from storage import open_store
from tests.adapters.importing import QABOT, ROOT, Quiet
from tests.conftest import FreshUrl

from .fake_discord import FakeDiscord, Thrower
from .fake_routes import start_thread

Json = dict[str, Any]
READ = r"/channels/(\d+)/messages"  # a thread's messages: what reading a thread asks


@pytest.fixture
def settings(fake: FakeDiscord, tmp_path: Path, discord_endpoints: None) -> Settings:
    return Settings(
        storage=StorageSettings(url=f"sqlite:///{tmp_path}/qabot.db"),
        discord=DiscordSettings(api_base_url=fake.api_url, gateway_url=str(fake.gateway_url)),
        secrets=Secrets(discord_token=fake.token),
    )


@pytest.fixture
async def store(settings: Settings) -> Any:
    opened = await open_store(settings.storage.url)
    yield opened
    await opened.close()


async def run_import(settings: Settings, store: Store, channel: Json) -> ImportSummary:
    options = ImportOptions((str(channel["id"]),))
    async with discord_import_source(settings, options.channels) as source:
        importer = Importer(
            store=store, settings=settings, source=source, workspace=source.workspace,
            clock=utc_now,
        )  # fmt: skip
        return await importer.run(options, Quiet())


def forum_post(
    fake: FakeDiscord, forum: Json, author: Json, title: str, text: str, *,
    tags: tuple[str, ...] = (), archived: bool = False,
) -> Json:  # fmt: skip
    """A forum thread a person opened: its starter message shares the thread's id."""
    starter = fake.new_message(forum["id"], author, text)
    thread = start_thread(fake, forum, starter, title, archived=archived)
    starter["channel_id"] = thread["id"]
    ids = {t["name"]: t["id"] for t in forum["available_tags"]}
    thread["applied_tags"] = [ids[name] for name in tags]
    return thread


def guild(fake: FakeDiscord) -> WorkspaceRef:
    return WorkspaceRef("discord", str(fake.guild_id))


async def questions(fake: FakeDiscord, store: Store) -> list[tuple[str, tuple[str, ...]]]:
    shown, number = [], 1
    while (
        post := await store.get_post(guild(fake), PostId(PostKind.QUESTION, number))
    ) is not None:
        shown.append((post.text, getattr(post, "tags", ())))
        number += 1
    return shown


async def test_every_forum_thread_active_or_archived_becomes_a_question_with_its_tags(
    fake: FakeDiscord, settings: Settings, store: Store
) -> None:
    forum = fake.add_channel("career-help", kind=15, tags=["cv", "interviews"])
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    for n in range(103):  # past discord.py's first page of 100 archived threads
        forum_post(fake, forum, alice, f"Old thread {n}", "Details", archived=True)
    open_thread = forum_post(fake, forum, alice, "CV review", "Is one page enough", tags=("cv",))
    fake.new_message(open_thread["id"], bob, "One page, yes.")

    summary = await run_import(settings, store, forum)

    shown = await questions(fake, store)
    assert (summary.questions, summary.answers, len(shown)) == (104, 1, 104)
    assert shown[-1] == ("CV review\n\nIs one page enough", ("cv",))
    assert shown[0][0] == "Old thread 0\n\nDetails"


async def test_a_text_channel_imports_the_asking_messages_with_threads_and_skips_chatter(
    fake: FakeDiscord, settings: Settings, store: Store
) -> None:
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    channel = fake.general
    for n in range(120):  # past the first page of 100 messages
        fake.new_message(channel["id"], bob, f"chatter {n}")
    asked = fake.new_message(channel["id"], alice, "How do I negotiate?")
    thread = start_thread(fake, channel, asked, "negotiation")
    fake.new_message(thread["id"], bob, "Anchor high.")
    chat = fake.new_message(channel["id"], alice, "Party tonight")
    fake.new_message(start_thread(fake, channel, chat, "party")["id"], bob, "I'm in")

    summary = await run_import(settings, store, channel)

    assert (summary.threads_seen, summary.questions, summary.answers) == (2, 1, 1)
    assert [skip.message.message_id for skip in summary.skipped] == [chat["id"]]
    assert await questions(fake, store) == [("How do I negotiate?", ())]


async def test_an_answer_with_more_than_100_reacting_users_gets_every_vote(
    fake: FakeDiscord, settings: Settings, store: Store
) -> None:
    forum = fake.add_channel("help", kind=15)
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    thread = forum_post(fake, forum, alice, "Remote?", "Remote or office")
    answer = fake.new_message(thread["id"], bob, "Remote with meetups")
    fake.reactions[(answer["id"], "👍")] = [fake.add_member(f"v{n}")["id"] for n in range(130)]
    fake.reactions[(answer["id"], "✅")] = [alice["id"]]

    summary = await run_import(settings, store, forum)

    ranked = await store.top_answers(guild(fake), TopQuery(None, Window.ALL), since=None)
    assert summary.votes == 130
    assert [(r.answer.ups, r.accepted) for r in ranked] == [(130, True)]


async def test_a_429_in_the_middle_is_waited_out(
    fake: FakeDiscord, settings: Settings, store: Store
) -> None:
    forum = fake.add_channel("help", kind=15)
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    threads = [forum_post(fake, forum, alice, f"Question {n}", "Details") for n in range(3)]
    for n, thread in enumerate(threads):
        fake.new_message(thread["id"], bob, f"Answer {n}")
    second = rf"/channels/{threads[1]['id']}/messages"
    fake.rate_limit("GET", second, times=1, retry_after=0.2)  # after the first thread's read

    summary = await run_import(settings, store, forum)

    assert (summary.questions, summary.answers) == (3, 3)
    assert [call.status for call in fake.bot_calls("GET", second)] == [429, 200]
    assert [text for text, _ in await questions(fake, store)] == [
        f"Question {n}\n\nDetails" for n in range(3)
    ]


async def test_a_missing_permission_stops_naming_it(
    fake: FakeDiscord, settings: Settings, store: Store
) -> None:
    forbidden = {"message": "Missing Access", "code": 50001}
    fake.throwers.append(
        Thrower("GET", rf"/channels/{fake.general['id']}/messages", 403, forbidden)
    )

    with pytest.raises(ImportStopped, match="Read Message History"):
        await run_import(settings, store, fake.general)


async def test_a_thread_past_the_first_page_of_replies_keeps_every_answer(
    fake: FakeDiscord, settings: Settings, store: Store
) -> None:
    forum = fake.add_channel("help", kind=15)
    alice, bob = fake.add_member("alice"), fake.add_member("bob")
    thread = forum_post(fake, forum, alice, "Bootcamp?", "Is a bootcamp worth it")
    for n in range(105):  # past discord.py's first page of 100 messages
        fake.new_message(thread["id"], bob, f"Reply {n}")

    summary = await run_import(settings, store, forum)

    answers = [await store.get_post(guild(fake), PostId(PostKind.ANSWER, n)) for n in (1, 105)]
    assert summary.answers == 105
    assert [a.text if a else None for a in answers] == ["Reply 0", "Reply 104"]
    reads = fake.bot_calls("GET", rf"/channels/{thread['id']}/messages")
    assert len(reads) == 2


async def _qabot_import(
    fake: FakeDiscord, settings: Settings, tmp_path: Path, channel: Json, *extra: str
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE_URL": fake.api_url,
        "QABOT_STORAGE_URL": settings.storage.url,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return await asyncio.create_subprocess_exec(
        *QABOT, "import", "discord", "--channel", str(channel["id"]), *extra,
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def _many_threads(fake: FakeDiscord, forum: Json, count: int) -> None:
    """Forum threads, each with two answers, votes on all three posts and the asker's ✅."""
    alice, bob, carol = (fake.add_member(name) for name in ("alice", "bob", "carol"))
    dave, erin = fake.add_member("dave"), fake.add_member("erin")
    for n in range(count):
        thread = forum_post(fake, forum, alice, f"Career question {n}", "Which way?")
        fake.reactions[(thread["id"], "👍")] = [dave["id"]]
        for author in (bob, carol):
            answer = fake.new_message(thread["id"], author, f"Answer {n} by {author['username']}")
            fake.reactions[(answer["id"], "👍")] = [dave["id"], erin["id"]]
            fake.reactions[(answer["id"], "✅")] = [alice["id"]]


async def board(fake: FakeDiscord, store: Store) -> list[tuple[Any, ...]]:
    """Every question and answer with what a reader sees of it, by public id."""
    shown: list[tuple[Any, ...]] = []
    for kind in PostKind:
        number = 1
        while (post := await store.get_post(guild(fake), PostId(kind, number))) is not None:
            shown.append((str(post.post_id), post.author_id, post.text, post.ups, post.downs,
                          post.created_at, getattr(post, "accepted_answer", None)))  # fmt: skip
            number += 1
    return shown


async def top(fake: FakeDiscord, store: Store) -> list[tuple[str, int, int, bool]]:
    ranked = await store.top_answers(guild(fake), TopQuery(None, Window.ALL, limit=50), since=None)
    return [(str(r.answer.post_id), r.answer.ups, r.answer.downs, r.accepted) for r in ranked]


def threads_read(fake: FakeDiscord, *, since: int = 0) -> set[str]:
    """The threads whose messages were asked for, after the first `since` calls."""
    return {m[1] for call in fake.calls[since:] if (m := re.fullmatch(READ, call.path))}


@pytest.fixture(params=["sqlite", "postgres"])
async def each_store(
    request: pytest.FixtureRequest, settings: Settings, fresh_url: FreshUrl
) -> Settings:
    url = await fresh_url(request.param)
    return replace(settings, storage=replace(settings.storage, url=url))


@asynccontextmanager
async def _opened(settings: Settings) -> AsyncIterator[Store]:
    opened = await open_store(settings.storage.url)
    try:
        yield opened
    finally:
        await opened.close()


async def test_a_killed_import_resumes_to_the_board_an_uninterrupted_run_makes(
    fake: FakeDiscord, each_store: Settings, fresh_url: FreshUrl, tmp_path: Path
) -> None:
    forum = fake.add_channel("career-help", kind=15)
    _many_threads(fake, forum, 45)
    process = await _qabot_import(fake, each_store, tmp_path, forum)
    await fake.wait_for_call("GET", READ, count=30, within=60)
    held = fake.hold("GET", READ)  # stalls the run mid-batch
    process.send_signal(signal.SIGKILL)
    await process.wait()
    fake.holds.clear()
    held.release()
    async with _opened(each_store) as killed:
        done = set(await killed.imported_threads(guild(fake), str(forum["id"])))
    calls_before = len(fake.calls)

    resumed = await _qabot_import(fake, each_store, tmp_path, forum)
    _, err = await asyncio.wait_for(resumed.communicate(), 60)
    read_again = threads_read(fake, since=calls_before)
    whole_url = await fresh_url("sqlite")
    whole = replace(each_store, storage=replace(each_store.storage, url=whole_url))
    uninterrupted = await _qabot_import(fake, whole, tmp_path, forum)
    await asyncio.wait_for(uninterrupted.communicate(), 60)

    assert resumed.returncode == 0, err.decode()
    assert 0 < len(done) < 45 and not done & read_again
    assert len(done) + len(read_again) == 45
    async with _opened(each_store) as after_kill, _opened(whole) as straight:
        assert await board(fake, after_kill) == await board(fake, straight)
        assert len(await board(fake, after_kill)) == 45 * 3


async def test_a_second_run_changes_nothing(
    fake: FakeDiscord, each_store: Settings, tmp_path: Path
) -> None:
    forum = fake.add_channel("career-help", kind=15)
    _many_threads(fake, forum, 5)
    first = await _qabot_import(fake, each_store, tmp_path, forum)
    out, _ = await asyncio.wait_for(first.communicate(), 60)
    assert "imported 5 questions, 10 answers, 25 votes" in out.decode()
    async with _opened(each_store) as opened:
        before = (await board(fake, opened), await top(fake, opened))
    calls_before = len(fake.calls)

    second = await _qabot_import(fake, each_store, tmp_path, forum)
    out, _ = await asyncio.wait_for(second.communicate(), 60)

    assert "imported 0 questions, 0 answers, 0 votes" in out.decode()
    assert threads_read(fake, since=calls_before) == set()
    async with _opened(each_store) as opened:
        assert (await board(fake, opened), await top(fake, opened)) == before
        assert await opened.recount() == 0
