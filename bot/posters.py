"""The port through which the core posts on its own initiative: digests and thread notices.

Each adapter that can post (Slack, Discord, the console) implements `Poster` and registers it for
its platform in the service's `Posters`; the scheduler and the surfacing rules only ever see this
port, never a platform client.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.domain import Question, WorkspaceRef
from bot.replies import Digest, HotAnswer, SimilarQuestions

__all__ = ["Notice", "Poster", "Posters"]

log = logging.getLogger("qabot.posters")

Notice = SimilarQuestions | HotAnswer


class Poster(Protocol):
    async def post_digest(self, workspace: WorkspaceRef, digest: Digest) -> None:
        """Post `digest` in its channel; raise if the platform refused."""

    async def post_notice(self, question: Question, notice: Notice) -> None:
        """Say `notice` in the question's thread (under its message where there is no thread)."""

    async def refresh_question(self, question: Question) -> None:
        """Show the question's message as it stands now (after forget-me: no asker's name)."""


class Posters:
    """One poster per platform, registered by the adapters as they start."""

    def __init__(self) -> None:
        self._by_platform: dict[str, Poster] = {}

    def register(self, platform: str, poster: Poster) -> None:
        self._by_platform[platform] = poster

    def get(self, platform: str) -> Poster | None:
        return self._by_platform.get(platform)

    async def notice(self, question: Question, notice: Notice) -> bool:
        """Post a notice if its platform has a poster; a failure is logged, never raised, so
        the vote or question that caused it still stands."""
        poster = self.get(question.workspace.platform)
        if poster is None:
            return False
        try:
            await poster.post_notice(question, notice)
        except Exception:
            log.exception("could not post %s in %s", type(notice).__name__, question.post_id)
            return False
        return True

    async def refresh(self, question: Question) -> bool:
        """Re-render a question's message if its platform has a poster; failures are logged."""
        poster = self.get(question.workspace.platform)
        if poster is None or question.message is None:
            return False
        try:
            await poster.refresh_question(question)
        except Exception:
            log.exception("could not refresh the message of %s", question.post_id)
            return False
        return True
