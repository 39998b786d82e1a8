-- The abuse limits (bot/limits.py) of every process sharing this database. Each person's
-- accepted vote changes and questions are kept as long as a limit looks back (a question for an
-- hour; a vote change for the longer of a minute and the cooldown); older rows are deleted as
-- new ones come. The times are the bot's clock, in ms since the epoch. Unlogged: a vote's
-- write then costs no WAL for its limits, and a crash forgets the windows as a restart of a
-- one-process (SQLite) bot does, which is harmless.
CREATE UNLOGGED TABLE limit_vote_changes (
    workspace_id bigint NOT NULL,
    voter_id     text   NOT NULL,
    kind         text   NOT NULL,
    number       bigint NOT NULL,
    at_ms        bigint NOT NULL
);
CREATE INDEX limit_vote_changes_by_voter ON limit_vote_changes (workspace_id, voter_id, at_ms);

CREATE UNLOGGED TABLE limit_asks (
    workspace_id bigint NOT NULL,
    asker_id     text   NOT NULL,
    at_ms        bigint NOT NULL
);
CREATE INDEX limit_asks_by_asker ON limit_asks (workspace_id, asker_id, at_ms);

-- One person's limits are checked and counted under a lock of their own, held to the end of the
-- transaction: two processes acting for one person queue there, and the second sees what the
-- first counted. Taken before any post's row lock, voters in one order, so no two writers can
-- wait for each other.
CREATE FUNCTION qabot_limit_key(p_ws bigint, p_user text) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT hashtextextended(p_user, p_ws) $$;

-- qabot_vote (migration 0010) under the vote limits: refused (o_limit, o_wait) without writing
-- when over one, else written and, if it changed a vote, counted. Limits of 0 switch one off.
-- A limit of N refuses while its window holds N changes, for as long (o_wait, ms) as the N-th
-- newest stays in it; the per-post limit (within the cooldown) speaks first.
CREATE FUNCTION qabot_limited_vote(p_ws bigint, p_kind text, p_number bigint, p_voter text,
                                   p_emoji text, p_weight integer, p_ms bigint, p_now bigint,
                                   p_per_minute integer, p_per_post integer, p_cooldown bigint,
                                   OUT o_ups integer, OUT o_downs integer,
                                   OUT o_changed boolean, OUT o_net integer,
                                   OUT o_limit text, OUT o_wait bigint)
    LANGUAGE plpgsql AS $$
DECLARE
    v_limited   boolean := p_per_minute > 0 OR p_per_post > 0;
    v_on_post   bigint[];  -- the voter's changes within the windows, newest first
    v_in_minute bigint[];
BEGIN
    IF v_limited THEN
        PERFORM pg_advisory_xact_lock(qabot_limit_key(p_ws, p_voter));
        -- Both windows in one index scan, a statement whose generic plan PostgreSQL keeps
        -- (a LIMIT with an OFFSET of the limit would be planned anew for every vote).
        SELECT array_agg(c.at_ms ORDER BY c.at_ms DESC)
                   FILTER (WHERE c.kind = p_kind AND c.number = p_number
                           AND c.at_ms > p_now - p_cooldown),
               array_agg(c.at_ms ORDER BY c.at_ms DESC) FILTER (WHERE c.at_ms > p_now - 60000)
        INTO v_on_post, v_in_minute
        FROM limit_vote_changes c
        WHERE c.workspace_id = p_ws AND c.voter_id = p_voter
          AND c.at_ms > p_now - greatest(60000, p_cooldown);
        IF p_per_post > 0 AND cardinality(v_on_post) >= p_per_post THEN
            o_limit := 'vote_changes_per_post';
            o_wait := v_on_post[p_per_post] + p_cooldown - p_now;
        ELSIF p_per_minute > 0 AND cardinality(v_in_minute) >= p_per_minute THEN
            o_limit := 'votes_per_minute';
            o_wait := v_in_minute[p_per_minute] + 60000 - p_now;
        END IF;
        IF o_limit IS NOT NULL THEN
            o_ups := 0; o_downs := 0; o_changed := false;
            RETURN;
        END IF;
    END IF;
    SELECT v.o_ups, v.o_downs, v.o_changed, v.o_net INTO o_ups, o_downs, o_changed, o_net
    FROM qabot_vote(p_ws, p_kind, p_number, p_voter, p_emoji, p_weight, p_ms) AS v;
    IF v_limited AND o_changed THEN
        INSERT INTO limit_vote_changes (workspace_id, voter_id, kind, number, at_ms)
        VALUES (p_ws, p_voter, p_kind, p_number, p_now);
    END IF;
END $$;

-- qabot_vote_batch (migration 0010) under the vote limits, each event's own (all 0: none).
-- Every limited voter's lock is taken first, in key order, before any post is locked.
DROP FUNCTION qabot_vote_batch(bigint[], text[], bigint[], text[], text[], integer[], bigint[]);

CREATE FUNCTION qabot_vote_batch(p_ws bigint[], p_kind text[], p_number bigint[],
                                 p_voter text[], p_emoji text[], p_weight integer[],
                                 p_ms bigint[], p_now bigint[], p_per_minute integer[],
                                 p_per_post integer[], p_cooldown bigint[])
    RETURNS TABLE (b_i integer, b_ups integer, b_downs integer, b_changed boolean,
                   b_net integer, b_limit text, b_wait bigint, b_state text, b_error text)
    LANGUAGE plpgsql AS $$
DECLARE
    v_key bigint;
BEGIN
    FOR v_key IN
        SELECT DISTINCT qabot_limit_key(e.ws, e.voter)
        FROM unnest(p_ws, p_voter, p_per_minute, p_per_post) AS e(ws, voter, per_minute, per_post)
        WHERE e.per_minute > 0 OR e.per_post > 0
        ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(v_key);
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(p_ws, 1), 0) LOOP
        b_i := i; b_state := NULL; b_error := NULL;
        BEGIN
            SELECT v.o_ups, v.o_downs, v.o_changed, v.o_net, v.o_limit, v.o_wait
            INTO b_ups, b_downs, b_changed, b_net, b_limit, b_wait
            FROM qabot_limited_vote(p_ws[i], p_kind[i], p_number[i], p_voter[i], p_emoji[i],
                                    p_weight[i], p_ms[i], p_now[i], p_per_minute[i],
                                    p_per_post[i], p_cooldown[i]) AS v;
        EXCEPTION WHEN OTHERS THEN
            b_ups := NULL; b_downs := NULL; b_changed := NULL; b_net := NULL;
            b_limit := NULL; b_wait := NULL;
            b_state := SQLSTATE; b_error := SQLERRM;
        END;
        RETURN NEXT;
    END LOOP;
END $$;

-- Takes a place for one more question by the asker within the hour before `p_now`, or says how
-- long (ms) until there is one. The caller's transaction stores the question: a question that
-- fails to be stored rolls its place back with it.
CREATE FUNCTION qabot_take_ask(p_ws bigint, p_asker text, p_now bigint, p_per_hour integer)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    v_wait bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(qabot_limit_key(p_ws, p_asker));
    SELECT a.at_ms + 3600000 - p_now INTO v_wait FROM limit_asks a
    WHERE a.workspace_id = p_ws AND a.asker_id = p_asker AND a.at_ms > p_now - 3600000
    ORDER BY a.at_ms DESC OFFSET p_per_hour - 1 LIMIT 1;
    IF FOUND THEN
        RETURN v_wait;
    END IF;
    INSERT INTO limit_asks (workspace_id, asker_id, at_ms) VALUES (p_ws, p_asker, p_now);
    RETURN NULL;
END $$;
