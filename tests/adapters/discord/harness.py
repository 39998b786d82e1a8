"""qabot's real Discord client, a real SQLite store and the fake Discord, wired like `qabot run`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.discord.client import QABotClient
from adapters.discord.runtime import build_discord_client
from bot.ports import Store
from bot.service import QAService
from bot.settings import Settings, load_settings
from storage import open_store

from .fake_discord import FakeDiscord

Json = dict[str, Any]

DEFAULT_TOML = """
[discord]
enabled = true
message_content = {message_content}
guild_ids = [{guild_ids}]
"""


async def eventually(check: Callable[[], Awaitable[bool] | bool], *, within: float = 5) -> None:
    """Wait until ``check`` holds: the bot handles gateway events in its own time."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@dataclass
class Asked:
    interaction_id: str
    reply: Json  # the ephemeral reply the asker sees
    message: Json  # the question as posted
    thread: Json  # where answers go


@dataclass
class Harness:
    fake: FakeDiscord
    settings: Settings
    store: Store
    service: QAService
    client: QABotClient
    task: asyncio.Task[None]

    @classmethod
    def settings_for(
        cls,
        fake: FakeDiscord,
        path: Path,
        *,
        message_content: bool,
        extra_toml: str = "",
        storage_url: str = "",
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        guild_ids = ", ".join(f'"{guild_id}"' for guild_id in fake.guild_ids)
        toml = DEFAULT_TOML.format(
            message_content=str(message_content).lower(), guild_ids=guild_ids
        )
        config = path.with_suffix(".toml")
        config.write_text(toml + extra_toml, encoding="utf-8")
        env = {
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_BASE_URL": fake.api_url,
            "DISCORD_GATEWAY_URL": str(fake.gateway_url),
            "QABOT_STORAGE_URL": storage_url or f"sqlite:///{path}",
            **(env or {}),
        }
        return load_settings(config, env)

    @classmethod
    async def start(
        cls,
        fake: FakeDiscord,
        path: Path,
        *,
        message_content: bool = True,
        extra_toml: str = "",
        storage_url: str = "",
        env: Mapping[str, str] | None = None,
        identify_spacing: float = 0.05,
    ) -> Harness:
        settings = cls.settings_for(
            fake, path, message_content=message_content, extra_toml=extra_toml,
            storage_url=storage_url, env=env,
        )  # fmt: skip
        store = await open_store(settings.storage.url)
        service = QAService(store=store, settings=settings)
        client = build_discord_client(
            settings=settings, service=service, guild_ready_timeout=0.05,
            identify_spacing=identify_spacing,
        )  # fmt: skip
        task = asyncio.create_task(client.start(settings.secrets.discord_token))
        ready = asyncio.create_task(client.wait_until_ready())
        await asyncio.wait({task, ready}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            await store.close()
            task.result()  # raises what stopped the start
        assert ready.done(), "the bot did not get ready"
        return cls(fake, settings, store, service, client, task)

    async def stop(self) -> None:
        await self.client.close()
        await asyncio.wait_for(self.task, 5)
        await self.store.close()

    # ----------------------------------------------------------------- user actions
    async def reply(self, interaction_id: str) -> Json:
        """The ephemeral reply once the bot has finished (its "thinking..." edited away)."""

        def finished() -> bool:
            original = self.fake.interactions[interaction_id].original
            return original is not None and not int(original.get("flags") or 0) & 128

        await eventually(finished)
        original = self.fake.original(interaction_id)
        assert original is not None
        return original

    async def ask(
        self, user: Json, question: str, *, channel: Json | None = None, **options: Any
    ) -> Asked:
        iid = await self.fake.slash(user, "ask", channel=channel, question=question, **options)
        reply = await self.reply(iid)
        match = re.search(r"Q(\d+)", reply["content"] or "")
        assert match, reply["content"]
        custom_id = f"qabot:answer:{match[1]}"
        message = next(
            m
            for m in reversed(self.fake.messages.values())
            if any(
                c.get("custom_id") == custom_id
                for row in m["components"]
                for c in row["components"]
            )
        )
        thread = self.fake.channels[message["id"]]  # a thread shares its starter message's id
        return Asked(iid, reply, message, thread)

    async def top(self, user: Json, **options: Any) -> Json:
        iid = await self.fake.slash(user, "top", **options)
        reply = await self.reply(iid)
        return reply

    async def ranking(self, user: Json, **options: Any) -> list[str]:
        """/top as a user reads it: one "score author" line per answer, best first."""
        embed = (await self.top(user, **options))["embeds"][0]
        lines = []
        for field in embed.get("fields", []):
            _, score, who = field["name"].split(" · ")
            lines.append(f"{score} {who.split(' by ')[1]}")
        return lines

    async def ranked_as(
        self, user: Json, expected: list[str], *, within: float = 5, **options: Any
    ) -> None:
        """Wait until /top shows ``expected``; votes arrive as gateway events, handled async."""
        seen: list[str] = []

        async def check() -> bool:
            seen[:] = await self.ranking(user, **options)
            return seen == expected

        try:
            await eventually(check, within=within)
        except AssertionError:
            raise AssertionError(f"/top shows {seen}, expected {expected}") from None

    async def answer(self, user: Json, asked: Asked, text: str) -> Json:
        """An answer written in the question's thread, once the bot has stored it."""
        guild_id = asked.message["guild_id"]
        before = await self._answers(guild_id)
        message = await self.fake.user_message(asked.thread, user, text)
        await eventually(lambda: self._more_answers(guild_id, before))
        return message

    async def _answers(self, guild_id: str) -> int:
        hits = await self.service.top(workspace=_workspace(guild_id), query=_all_query())
        return len(hits)

    async def _more_answers(self, guild_id: str, before: int) -> bool:
        return await self._answers(guild_id) > before


def _workspace(guild_id: str) -> Any:
    from adapters.discord.translate import workspace

    return workspace(guild_id)


def _all_query() -> Any:
    from bot.domain import TopQuery, Window

    return TopQuery(channel_id=None, window=Window.ALL, limit=1000)
