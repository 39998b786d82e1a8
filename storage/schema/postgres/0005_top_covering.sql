-- /top from the index alone: a channel's live answers in a time window carry their ranking keys
-- in the index (an index-only scan picks the top N); only the N winners are fetched.
-- It replaces posts_top, its prefix (every query that used posts_top can use this one).
CREATE INDEX posts_rank ON posts (workspace_id, kind, removed, channel_id, created_ms)
    INCLUDE (rank_score, ups, downs);
DROP INDEX posts_top;

-- One reaction added (p_weight given) or removed (p_weight NULL) in ONE statement, so a vote is
-- one round trip and PostgreSQL's own group commit batches concurrent ones. The post's row lock
-- orders racing voters; the counts move by the voter's net change (their net weight on the post
-- before and after), in the same transaction as the vote row, without rereading every vote on a
-- hot post. `recount` still rebuilds from all rows.
CREATE FUNCTION qabot_vote(p_ws bigint, p_kind text, p_number bigint, p_voter text,
                           p_emoji text, p_weight integer, p_ms bigint,
                           OUT o_ups integer, OUT o_downs integer, OUT o_changed boolean)
    LANGUAGE plpgsql AS $$
DECLARE
    v_post  bigint;
    v_delta integer := 0;
    v_net   integer;
BEGIN
    SELECT id INTO v_post FROM posts
    WHERE workspace_id = p_ws AND kind = p_kind AND number = p_number AND NOT removed
    FOR UPDATE;
    IF v_post IS NULL THEN
        o_ups := 0; o_downs := 0; o_changed := false;
        RETURN;
    END IF;
    IF p_weight IS NOT NULL THEN
        INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms)
        VALUES (v_post, p_voter, p_emoji, p_weight, p_ms) ON CONFLICT DO NOTHING;
        IF FOUND THEN v_delta := p_weight; END IF;
    ELSE
        DELETE FROM votes WHERE post_id = v_post AND voter_id = p_voter AND emoji = p_emoji
        RETURNING -weight INTO v_delta;
        v_delta := COALESCE(v_delta, 0);
    END IF;
    o_changed := v_delta <> 0;
    IF o_changed THEN
        SELECT COALESCE(SUM(weight), 0) INTO v_net FROM votes
        WHERE post_id = v_post AND voter_id = p_voter;
        UPDATE posts SET ups = ups + (v_net > 0)::int - (v_net - v_delta > 0)::int,
                         downs = downs + (v_net < 0)::int - (v_net - v_delta < 0)::int
        WHERE id = v_post RETURNING ups, downs INTO o_ups, o_downs;
    ELSE
        SELECT ups, downs INTO o_ups, o_downs FROM posts WHERE id = v_post;
    END IF;
END $$;
