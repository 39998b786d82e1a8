-- /top from the index alone: a channel's live answers in a time window carry their ranking keys
-- in the index (an index-only scan picks the top N); only the N winners are fetched.
-- It replaces posts_top, its prefix (every query that used posts_top can use this one).
CREATE INDEX posts_rank ON posts (workspace_id, kind, removed, channel_id, created_ms)
    INCLUDE (rank_score, ups, downs);
DROP INDEX posts_top;
