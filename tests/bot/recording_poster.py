"""A Poster that remembers what the core asked it to post: the platform edge, faked."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain import Question, WorkspaceRef
from bot.posters import Notice
from bot.replies import Digest


@dataclass
class RecordingPoster:
    digests: list[tuple[WorkspaceRef, Digest]] = field(default_factory=list)
    notices: list[tuple[Question, Notice]] = field(default_factory=list)
    refreshed: list[Question] = field(default_factory=list)
    fail: bool = False

    async def post_digest(self, workspace: WorkspaceRef, digest: Digest) -> None:
        if self.fail:
            raise RuntimeError("the platform refused")
        self.digests.append((workspace, digest))

    async def post_notice(self, question: Question, notice: Notice) -> None:
        if self.fail:
            raise RuntimeError("the platform refused")
        self.notices.append((question, notice))

    async def refresh_question(self, question: Question) -> None:
        if self.fail:
            raise RuntimeError("the platform refused")
        self.refreshed.append(question)
