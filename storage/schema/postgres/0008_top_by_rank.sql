-- /top reads a channel's answers in ranking order and stops at the N-th one inside the window:
-- the window (created_ms) is checked inside the index, so only the winners' rows are visited.
-- posts_rank_ids (0007) held the window's candidates in time order instead; every one of them
-- was visited (for visibility) and sorted: thousands in a busy channel's week, all of a
-- channel's answers for `all`. The ORDER BY of the top statement is this index's order.
CREATE INDEX posts_ranked ON posts (workspace_id, kind, removed, channel_id, rank_score DESC,
                                    (ups - downs) DESC, created_ms, id)
    INCLUDE (ups, downs, question_id);
DROP INDEX posts_rank_ids;
