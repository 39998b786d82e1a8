"""Small in-memory state the Slack listeners share: who a user is, and which events were handled."""

from __future__ import annotations

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
    """`users.info`, cached: names for posts, `is_bot` for votes, `is_admin` for moderation."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, UserRef]] = {}

    async def get(
        self, workspace: WorkspaceRef, user_id: str, *, fallback_name: str = "", fresh: bool = False
    ) -> UserRef:
        """`fresh` asks Slack even when cached: rights for a privileged action are read as they
        are at that moment (someone demoted a minute ago is no longer an admin)."""
        key = (workspace.workspace_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > self._clock() and not fresh:
            return cached[1]
        try:
            response = await self._client.users_info(user=user_id)
        except SlackApiError as error:
            # Never the user id: it could be an anonymous asker's.
            log.warning(
                "users.info failed (%s); using what the payload says", error.response.get("error")
            )
            return UserRef(workspace, user_id, display_name=fallback_name)
        user = response.get("user") or {}
        ref = _to_user_ref(workspace, user_id, user, fallback_name)
        self._cache[key] = (self._clock() + self._ttl, ref)
        return ref


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
