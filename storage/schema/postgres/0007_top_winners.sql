-- /top picks its winners from the index alone: posts_rank also carries each answer's id and
-- question id, so the inner query of the top statement (ranking keys, then LIMIT) is an
-- index-only scan, also with a tag filter; only the N winners' rows are then read.
-- It replaces posts_rank (the same key columns, so every query that used it can use this one).
CREATE INDEX posts_rank_ids ON posts (workspace_id, kind, removed, channel_id, created_ms)
    INCLUDE (rank_score, ups, downs, id, question_id);
DROP INDEX posts_rank;
