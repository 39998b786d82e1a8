"""`/qa web hide|show Q<n>`, `/qa web names on|off` and `/qa link Q<n>`: chat's side of the web
view, the same on every platform (bot/surfacing_verbs.py dispatches them here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.commands import parse_post_id
from bot.domain import PostKind, Question, UserRef
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.web_settings import base_url, is_published, question_path

if TYPE_CHECKING:
    from bot.service import QAService

__all__ = ["WEB_USAGE", "WebReply", "run_link", "run_web"]

WEB_USAGE = "Try `web hide Q12`, `web show Q12`, `web names on` or `web names off`."


@dataclass(frozen=True, slots=True)
class WebReply:
    """What a web verb did, in one sentence for the person who typed it."""

    sentence: str


async def run_web(service: QAService, *, user: UserRef, rest: str) -> WebReply:
    action, _, target = rest.strip().partition(" ")
    action, target = action.lower(), target.strip()
    if action in ("hide", "show") and target:
        return await _hide_or_show(service, user=user, hide=action == "hide", target=target)
    if action == "names" and target.lower() in ("on", "off"):
        shown = target.lower() == "on"
        await service.store.set_web_names(user.workspace, user.user_id, shown)
        if shown:
            return WebReply("The web view now shows your name with your headline.")
        return WebReply("The web view no longer shows your name; it shows your headline alone.")
    raise InvalidInput(f"I don't understand `web {rest.strip()[:40]}`. {WEB_USAGE}")


async def _hide_or_show(service: QAService, *, user: UserRef, hide: bool, target: str) -> WebReply:
    question = await _question(service, user, target)
    if question.asker_id != user.user_id and not service.is_moderator(user):
        raise NotAllowed("Only the asker or a moderator can hide or show a question on the web.")
    await service.store.set_web_hidden(user.workspace, question.number, hide)
    if hide:
        return WebReply(f"{question.post_id} is hidden from the web view.")
    return WebReply(f"{question.post_id} shows on the web view again, if its channel is published.")


async def run_link(service: QAService, *, user: UserRef, rest: str) -> WebReply:
    question = await _question(service, user, rest)
    web = service.settings.web
    shown = await service.store.web_question(user.workspace, question.number)
    if not web.enabled or shown is None or not is_published(web, shown, hidden=False):
        return WebReply(f"{question.post_id} is not published on the web.")
    return WebReply(f"{question.post_id}: {base_url(web)}{question_path(shown)}")


async def _question(service: QAService, user: UserRef, target: str) -> Question:
    post_id = parse_post_id(target, PostKind.QUESTION)
    post = await service.get(user.workspace, post_id)
    if not isinstance(post, Question):
        raise NotFound(f"There is no {post_id} here.")
    return post
