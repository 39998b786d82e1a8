"""Small in-memory state the Slack listeners share: who a user is, and which events were handled."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import UserRef, WorkspaceRef

__all__ = ["RecentEvents", "UserDirectory"]

log = logging.getLogger("qabot.slack")


class RecentEvents:
    """Event ids handled (or being handled) lately, oldest forgotten first.

    Slack retries for a few minutes at most, so a bounded window is enough; a restart forgets
    it, which is safe because the store's writes are idempotent.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def claim(self, event_id: str) -> bool:
        """True the first time an id is seen (the caller handles it), False for a redelivery."""
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True

    def release(self, event_id: str) -> None:
        """Handling failed: let a redelivery try again."""
        self._ids.pop(event_id, None)


class UserDirectory:
    """`users.info`, cached: names for posts, `is_bot` for votes, `is_admin` for moderation.

    One lookup per user at a time: a burst of events from someone not cached yet (a new voter
    reacting on several answers) waits for the one call in flight instead of making its own.
    The cache keeps the `size` users seen most recently.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl: float = 600.0,
        size: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._cache: OrderedDict[tuple[str, str], tuple[float, UserRef]] = OrderedDict()
        self._pending: dict[tuple[str, str], asyncio.Task[dict[str, object] | None]] = {}

    def __len__(self) -> int:
        return len(self._cache)

    async def get(
        self, workspace: WorkspaceRef, user_id: str, *, fallback_name: str = "", fresh: bool = False
    ) -> UserRef:
        """`fresh` asks Slack even when cached: rights for a privileged action are read as they
        are at that moment (someone demoted a minute ago is no longer an admin)."""
        key = (workspace.workspace_id, user_id)
        if not fresh:
            cached = self._cache.get(key)
            if cached is not None and cached[0] > self._clock():
                self._cache.move_to_end(key)
                return cached[1]
        lookup = None if fresh else self._pending.get(key)
        if lookup is None:
            lookup = asyncio.ensure_future(self._users_info(user_id))
            if not fresh:
                self._pending[key] = lookup
                lookup.add_done_callback(lambda done: self._settled(key, done))
        # Shielded: one waiter cancelled (its request abandoned) does not cancel the others'.
        user = await asyncio.shield(lookup)
        if user is None:
            return UserRef(workspace, user_id, display_name=fallback_name)
        ref = _to_user_ref(workspace, user_id, user, fallback_name)
        self._remember(key, ref)
        return ref

    def _settled(self, key: tuple[str, str], done: asyncio.Task[dict[str, object] | None]) -> None:
        self._pending.pop(key, None)
        if not done.cancelled():
            done.exception()  # retrieved here too: every waiter may have been cancelled

    def _remember(self, key: tuple[str, str], ref: UserRef) -> None:
        self._cache[key] = (self._clock() + self._ttl, ref)
        self._cache.move_to_end(key)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)

    async def _users_info(self, user_id: str) -> dict[str, object] | None:
        """The user's object, or None when Slack refuses (the caller uses the payload's name)."""
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as error:
            # Never the user id: it could be an anonymous asker's.
            log.warning(
                "users.info failed (%s); using what the payload says", error.response.get("error")
            )
            return None
        user = response.get("user")
        return user if isinstance(user, dict) else {}


def _to_user_ref(
    workspace: WorkspaceRef, user_id: str, user: dict[str, object], fallback: str
) -> UserRef:
    profile = user.get("profile")
    names = profile if isinstance(profile, dict) else {}
    display = (
        names.get("display_name") or names.get("real_name") or user.get("real_name") or fallback
    )
    return UserRef(
        workspace,
        user_id,
        display_name=str(display or user.get("name") or ""),
        is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
    )
