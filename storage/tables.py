"""The tables copy-store moves, in load order, and the batches the stores dump and load."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["NOT_CARRIED", "TABLES", "TableBatch", "TargetNotEmpty"]

# (table, columns, order): parents first, so every reference points at a row already loaded.
TABLES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("workspaces", ("id", "platform", "external_id"), "id"),
    (
        "posts",
        (
            "id", "workspace_id", "kind", "number", "question_id", "channel_id",
            "channel_private", "author_id", "author_name", "body", "tags", "anonymous",
            "created_ms", "message_channel", "message_id", "thread_key", "accepted_answer_id",
            "ups", "downs", "removed",
        ),
        "id",
    ),
    ("question_tags", ("tag", "question_id"), "question_id, tag"),
    ("votes", ("post_id", "voter_id", "emoji", "weight", "created_ms"),
     "post_id, voter_id, emoji"),
    ("claims", ("workspace_id", "job", "period", "owner", "claimed_ms"),
     "workspace_id, job, period"),
    ("opt_outs", ("workspace_id", "user_id", "since_ms"), "workspace_id, user_id"),
    ("import_checkpoints", ("workspace_id", "channel_id", "thread_id", "done_ms"),
     "workspace_id, channel_id, thread_id"),
    ("headlines", ("workspace_id", "user_id", "headline"), "workspace_id, user_id"),
    ("web_names", ("workspace_id", "user_id", "shown"), "workspace_id, user_id"),
    ("web_hidden", ("workspace_id", "number"), "workspace_id, number"),
    ("channel_names", ("workspace_id", "channel_id", "name"), "workspace_id, channel_id"),
)  # fmt: skip

# Tables a load empties but never fills: live removals only order vote changes against a catch-up
# watermark of the store they happened in (copied vote rows start older than any watermark); the
# kept lists of similar questions are made again at each page's first view (bot/similar_lists.py).
NOT_CARRIED = ("vote_removals", "similar_entries", "similar_lists")

# One batch of one table's rows: (table, columns, rows).
TableBatch = tuple[str, Sequence[str], list[tuple[Any, ...]]]


class TargetNotEmpty(Exception):
    """The target store already holds a community; copy-store only replaces it when forced."""
