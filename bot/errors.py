"""Errors the core raises. Only a `QAError` ever reaches a user, as its friendly message.

QAError                  a sentence safe to show the person who acted
├── InvalidInput         empty, too long, control characters, malformed command or id
├── NotFound             unknown id, or an id from another workspace (the same thing, by design)
├── NotAllowed           accept by someone who is neither asker nor moderator; remove by a
│                        non-moderator
├── VoteIgnored          own post, bot voter, unmapped emoji: adapters of reaction events drop
│                        these quietly, the console says why
├── RateLimited          a per-person limit or the vote cooldown was hit: says when to go on
└── StoreUnavailable     the store failed (disk full, locked, database down); nothing was written

SettingsError            start-up configuration is wrong; one line naming the key (not a QAError:
                         it stops the process, it never reaches a chat)
"""

from __future__ import annotations

__all__ = [
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "QAError",
    "RateLimited",
    "SettingsError",
    "StoreUnavailable",
    "VoteIgnored",
]


class QAError(Exception):
    """A failure whose message is a friendly sentence for the person who acted."""

    @property
    def message(self) -> str:
        return str(self)


class InvalidInput(QAError):
    pass


class NotFound(QAError):
    pass


class NotAllowed(QAError):
    pass


class VoteIgnored(QAError):
    """`reason` says why, for metrics: "self", "bot", "unmapped", or "" (none of those)."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class RateLimited(QAError):
    """`limit` names the setting that refused the action (`votes_per_minute`, ...)."""

    def __init__(self, message: str, *, limit: str = "") -> None:
        super().__init__(message)
        self.limit = limit


class StoreUnavailable(QAError):
    pass


class SettingsError(Exception):
    """Configuration that cannot start: the message names the key and what is wrong."""
