-- The front page of the web view: a workspace's best answers of the month across every channel,
-- read in ranking order from this index (posts_rank starts with the channel and the
-- time), stopping at the last one it needs inside the window.
CREATE INDEX posts_ranked_workspace ON posts (workspace_id, kind, removed, rank_score DESC,
                                              ups - downs DESC, created_ms, id);
