-- Catch-up order: when catch-up replaces a post's votes with what the platform showed, a vote
-- change that reached qabot after the platform was read is the newer observation and wins.
-- The vote clock orders vote changes: catch-up takes a watermark (n + 1) before reading the
-- platform, and every vote row added and every live removal is stamped with the clock's value at
-- the time, so a stamp at or above the watermark came after it.
CREATE TABLE vote_clock (
    id integer PRIMARY KEY CHECK (id = 1),  -- one row
    n  bigint  NOT NULL
);
INSERT INTO vote_clock (id, n) VALUES (1, 0);

-- The clock's value when the row was written (rows from before the clock are older than any mark).
ALTER TABLE votes ADD COLUMN seq bigint NOT NULL DEFAULT 0;

-- The clock's value when a live event (a removed reaction, a cleared post) last dropped a vote.
CREATE TABLE vote_removals (
    post_id  bigint NOT NULL REFERENCES posts (id),
    voter_id text   NOT NULL,
    emoji    text   NOT NULL,
    seq      bigint NOT NULL,
    PRIMARY KEY (post_id, voter_id, emoji)
);

-- People who asked to be forgotten (/qa forgetme): while the row stands, no vote of theirs is
-- stored in that workspace, whichever way it comes.
CREATE TABLE opt_outs (
    workspace_id bigint NOT NULL REFERENCES workspaces (id),
    user_id      text   NOT NULL,
    since_ms     bigint NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);

-- qabot_vote (migration 0005) again, with the clock and the opt-outs: an added row carries the
-- clock's value and is not written for a person who opted out (o_changed false, as for a row
-- already there); a removal records the clock's value in vote_removals, whether or not a row was
-- there (the reaction may have been added while qabot was not listening).
CREATE OR REPLACE FUNCTION qabot_vote(p_ws bigint, p_kind text, p_number bigint, p_voter text,
                                      p_emoji text, p_weight integer, p_ms bigint,
                                      OUT o_ups integer, OUT o_downs integer,
                                      OUT o_changed boolean)
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
        INSERT INTO votes (post_id, voter_id, emoji, weight, created_ms, seq)
        SELECT v_post, p_voter, p_emoji, p_weight, p_ms, (SELECT n FROM vote_clock WHERE id = 1)
        WHERE NOT EXISTS (SELECT 1 FROM opt_outs WHERE workspace_id = p_ws AND user_id = p_voter)
        ON CONFLICT DO NOTHING;
        IF FOUND THEN v_delta := p_weight; END IF;
    ELSE
        DELETE FROM votes WHERE post_id = v_post AND voter_id = p_voter AND emoji = p_emoji
        RETURNING -weight INTO v_delta;
        v_delta := COALESCE(v_delta, 0);
        INSERT INTO vote_removals AS r (post_id, voter_id, emoji, seq)
        VALUES (v_post, p_voter, p_emoji, (SELECT n FROM vote_clock WHERE id = 1))
        ON CONFLICT (post_id, voter_id, emoji) DO UPDATE SET seq = GREATEST(r.seq, EXCLUDED.seq);
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
