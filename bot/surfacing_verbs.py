"""`/qa leaderboard|unanswered|mydata|forgetme|rejoin|headline|web|link`: one dispatch that
every adapter shares.

An adapter parses `/qa` with bot.commands.parse_qa, hands a surfacing verb here, and renders the
value that comes back (text, Block Kit, an embed); the rules and the wording of refusals stay here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.commands import parse_window
from bot.domain import UserRef, Window
from bot.errors import InvalidInput
from bot.headlines import HeadlineChanged, change_headline
from bot.replies import (
    ForgetPrompt,
    Forgotten,
    Leaderboard,
    PersonalExport,
    Rejoined,
    Unanswered,
)
from bot.surfacing import FORGET_CONFIRM
from bot.web_verbs import WebReply, run_link, run_web

if TYPE_CHECKING:
    from bot.service import QAService

__all__ = ["SURFACING_VERBS", "SurfacingReply", "run_surfacing_verb"]

SURFACING_VERBS = (
    "leaderboard", "unanswered", "mydata", "forgetme", "rejoin", "headline", "web", "link",
)  # fmt: skip
SurfacingReply = (
    Leaderboard | Unanswered | PersonalExport | ForgetPrompt | Forgotten | Rejoined
    | HeadlineChanged | WebReply
)  # fmt: skip


async def run_surfacing_verb(
    service: QAService, *, verb: str, rest: str, user: UserRef, channel_id: str
) -> SurfacingReply:
    """Run one surfacing verb for `user` in `channel_id`; InvalidInput for stray words."""
    if verb == "leaderboard":
        window = parse_window(rest, default=Window.WEEK, verb=verb)
        return await service.leaderboard(workspace=user.workspace, window=window)
    if verb == "unanswered":
        window = parse_window(rest, default=Window.ALL, verb=verb)
        return await service.unanswered(
            workspace=user.workspace, channel_id=channel_id, window=window
        )
    if verb == "mydata":
        _nothing_after(verb, rest)
        return await service.my_data(user=user)
    if verb == "forgetme":
        confirm = FORGET_CONFIRM.split()[1]
        if rest.strip().lower() not in ("", confirm):
            raise InvalidInput(f"To be forgotten, type `{FORGET_CONFIRM}` exactly.")
        return await service.forget_me(user=user, confirmed=rest.strip().lower() == confirm)
    if verb == "rejoin":
        _nothing_after(verb, rest)
        return await service.rejoin(user=user)
    if verb == "headline":
        return await change_headline(service.store, user=user, rest=rest)
    if verb == "web":
        return await run_web(service, user=user, rest=rest)
    if verb == "link":
        return await run_link(service, user=user, rest=rest)
    raise InvalidInput(f"`{verb[:20]}` is not a surfacing command.")


def _nothing_after(verb: str, rest: str) -> None:
    if rest.strip():
        raise InvalidInput(f"`{verb}` takes nothing after it; try `{verb}` alone.")
