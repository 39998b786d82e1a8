"""How the web view shows people and chat text.

The display rule: an anonymous asker, and anyone who ran forgetme, is "Anonymous". Anyone else is
shown as `[web] names` says, unless they chose otherwise with `/qa web names on|off`:
`headline` shows their headline (else "A member"), `name` their name and headline, `none` "A
member". Chat mentions become plain words, so no user id ever reaches a page.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.domain import Answer, Question, WorkspaceRef
from bot.ports import Store, WebNames
from bot.replies import FORGOTTEN_NAME

__all__ = ["ANONYMOUS", "MEMBER", "Namer", "people_of", "plain_text"]

ANONYMOUS = "Anonymous"
MEMBER = "A member"

# <@U123>, <@!123>, <@&123> (people and roles), <#C123|name> or <#123> (channels), <!here>,
# and <https://x|label> links, as Slack and Discord write them.
_USER = re.compile(r"<@[!&]?[A-Za-z0-9]+(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[A-Za-z0-9]+(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|([^>]*))?>")
_CUSTOM_EMOJI = re.compile(r"<a?:([A-Za-z0-9_]+):[0-9]+>")


def plain_text(text: str) -> str:
    """Chat markup as a reader sees it: `@member`, `#channel`, a link's label, `:emoji:`."""
    if "<" not in text:  # every kind of markup starts with one; most texts have none
        return text
    text = _USER.sub("@member", text)
    text = _CHANNEL.sub(lambda m: f"#{m[1] or 'channel'}", text)
    text = _SPECIAL.sub(lambda m: f"@{m[1]}", text)
    text = _LINK.sub(lambda m: m[2] or m[1], text)
    return _CUSTOM_EMOJI.sub(lambda m: f":{m[1]}:", text)


@dataclass(frozen=True, slots=True)
class Namer:
    """The names of the people on one page, looked up once."""

    default: str
    headlines: Mapping[str, str]
    choices: Mapping[str, bool]

    @classmethod
    async def load(
        cls, store: Store, workspace: WorkspaceRef, people: Collection[str], *, default: str
    ) -> Namer:
        return cls.of(await store.web_names(workspace, people), default=default)

    @classmethod
    def of(cls, names: WebNames, *, default: str) -> Namer:
        return cls(default, names.headlines, names.choices)

    def asker(self, question: Question) -> str:
        if question.anonymous:
            return ANONYMOUS
        return self._shown(question.asker_id, question.asker_name)

    def author(self, answer: Answer) -> str:
        return self._shown(answer.author_id, answer.author_name)

    def _shown(self, user_id: str, name: str) -> str:
        if name == FORGOTTEN_NAME:
            return ANONYMOUS
        headline = self.headlines.get(user_id, "")
        choice = self.choices.get(user_id)
        rule = self.default if choice is None else ("name" if choice else "headline")
        if rule == "name":
            return f"{plain_text(name)} ({headline})" if headline else plain_text(name)
        if rule == "headline" and headline:
            return headline
        return MEMBER


def people_of(questions: Collection[Question], answers: Collection[Answer]) -> set[str]:
    """Whose names a page may show: never an anonymous asker's."""
    found = {q.asker_id for q in questions if not q.anonymous}
    return found | {a.author_id for a in answers}
