-- Search that finds, and a voter's own net vote.

-- The text search configuration posts.search_vector is built with ([search] language); every
-- search reads it from here, so all processes stem a query as the posts were stemmed.
CREATE TABLE search_language (
    id       integer   PRIMARY KEY CHECK (id = 1),  -- one row
    language regconfig NOT NULL
);
INSERT INTO search_language (id, language) VALUES (1, 'simple');

-- Build posts.search_vector in `p_language`, unless it is built so already (false then): the
-- text stemmed in that configuration (english: "negotiating" finds "negotiate", stop words are
-- left out) at weight A, and the question's tags as they are ('simple') at weight B, so a
-- `#career` query matches the tag ('career':B) and a plain `career` matches either. Generated,
-- so every existing post is rebuilt here and each write of a post's text or tags updates it; a
-- vote never touches it.
CREATE FUNCTION qabot_use_search_language(p_language regconfig) RETURNS boolean
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search_language SET language = p_language WHERE id = 1 AND language <> p_language;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    ALTER TABLE posts DROP COLUMN search_vector;  -- and its index, posts_search
    EXECUTE format(
        'ALTER TABLE posts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ('
        '(setweight(to_tsvector(%L::regconfig, body), ''A'')'
        ' || setweight(to_tsvector(''simple''::regconfig, tags), ''B''))) STORED',
        p_language::text);
    CREATE INDEX posts_search ON posts USING gin (search_vector);
    RETURN true;
END $$;

SELECT qabot_use_search_language('english');

-- qabot_vote (migration 0009) also says the voter's net weight on the post after a write that
-- changed a row (o_net; NULL when nothing changed), so a reply can say that a person's 👍 and 👎
-- cancel out. Its result type changes, so it and the batch that calls it are made anew.
DROP FUNCTION qabot_vote_batch(bigint[], text[], bigint[], text[], text[], integer[], bigint[]);
DROP FUNCTION qabot_vote(bigint, text, bigint, text, text, integer, bigint);

CREATE FUNCTION qabot_vote(p_ws bigint, p_kind text, p_number bigint, p_voter text,
                           p_emoji text, p_weight integer, p_ms bigint,
                           OUT o_ups integer, OUT o_downs integer,
                           OUT o_changed boolean, OUT o_net integer)
    LANGUAGE plpgsql AS $$
DECLARE
    v_post  bigint;
    v_delta integer := 0;
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
        SELECT COALESCE(SUM(weight), 0) INTO o_net FROM votes
        WHERE post_id = v_post AND voter_id = p_voter;
        UPDATE posts SET ups = ups + (o_net > 0)::int - (o_net - v_delta > 0)::int,
                         downs = downs + (o_net < 0)::int - (o_net - v_delta < 0)::int
        WHERE id = v_post RETURNING ups, downs INTO o_ups, o_downs;
    ELSE
        SELECT ups, downs INTO o_ups, o_downs FROM posts WHERE id = v_post;
    END IF;
END $$;

-- qabot_vote_batch (migration 0006), with each event's b_net.
CREATE FUNCTION qabot_vote_batch(p_ws bigint[], p_kind text[], p_number bigint[],
                                 p_voter text[], p_emoji text[], p_weight integer[],
                                 p_ms bigint[])
    RETURNS TABLE (b_i integer, b_ups integer, b_downs integer, b_changed boolean,
                   b_net integer, b_state text, b_error text)
    LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_ws, 1), 0) LOOP
        b_i := i; b_state := NULL; b_error := NULL;
        BEGIN
            SELECT v.o_ups, v.o_downs, v.o_changed, v.o_net INTO b_ups, b_downs, b_changed, b_net
            FROM qabot_vote(p_ws[i], p_kind[i], p_number[i], p_voter[i], p_emoji[i],
                            p_weight[i], p_ms[i]) AS v;
        EXCEPTION WHEN OTHERS THEN
            b_ups := NULL; b_downs := NULL; b_changed := NULL; b_net := NULL;
            b_state := SQLSTATE; b_error := SQLERRM;
        END;
        RETURN NEXT;
    END LOOP;
END $$;
