"""`qabot import discord`: forum threads and text-channel threads become questions and answers.

The import reads the fake over discord.py's own HTTP client (REST only, as the command does):
forum threads active and archived, a text channel's messages by `after`, reaction users by
`after`, 100 a page.
"""

from __future__ import annotations

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

from .fake_discord import FakeDiscord, Thrower
from .fake_routes import start_thread

Json = dict[str, Any]


class _Quiet:
    def start(self, total: int) -> None:
        pass

    def advance(self) -> None:
        pass


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
        return await importer.run(options, _Quiet())


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
    for n in range(3):
        thread = forum_post(fake, forum, alice, f"Question {n}", "Details")
        fake.new_message(thread["id"], bob, f"Answer {n}")
    fake.rate_limit("GET", r"/channels/\d+/messages", times=1, retry_after=0.2)

    summary = await run_import(settings, store, forum)

    assert (summary.questions, summary.answers) == (3, 3)


async def test_a_missing_permission_stops_naming_it(
    fake: FakeDiscord, settings: Settings, store: Store
) -> None:
    forbidden = {"message": "Missing Access", "code": 50001}
    fake.throwers.append(
        Thrower("GET", rf"/channels/{fake.general['id']}/messages", 403, forbidden)
    )

    with pytest.raises(ImportStopped, match="Read Message History"):
        await run_import(settings, store, fake.general)
