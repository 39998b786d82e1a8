-- qabot_vote_batch (migration 0014) checks and counts its vote limits once for the whole batch
-- instead of once per event: the limited voters' locks in one statement, their windows as the
-- database holds them in one more, and every counted change in one insert at the end. In between,
-- each event adds the changes that the batch's earlier events counted for its voter (kept in
-- arrays, not yet in the table), so every event sees exactly what it saw when each event read
-- and wrote the table itself: no other writer can change a locked voter's rows meanwhile. Each
-- event's vote is qabot_vote (migration 0010) itself, without qabot_limited_vote around it;
-- qabot_limited_vote remains the one-event path (retries).

-- Per event of a vote batch: its voter's changes in the table within its windows (on its post in
-- the cooldown, and in the minute), and the batch's previous event by the same voter. The voter
-- index is used whatever the statistics say: a plan made while the table was empty (vacuumed
-- so) scans the whole table, and a connection keeps its plan as the table grows.
CREATE FUNCTION qabot_vote_windows(p_ws bigint[], p_kind text[], p_number bigint[],
                                   p_voter text[], p_now bigint[], p_per_minute integer[],
                                   p_per_post integer[], p_cooldown bigint[],
                                   OUT o_on_post bigint[], OUT o_in_min bigint[],
                                   OUT o_earlier integer[])
    LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    SELECT array_agg(w.on_post ORDER BY e.i), array_agg(w.in_min ORDER BY e.i),
           array_agg(e.earlier ORDER BY e.i)
    INTO o_on_post, o_in_min, o_earlier
    FROM (SELECT u.*, lag(u.i) OVER (PARTITION BY u.ws, u.voter ORDER BY u.i) AS earlier
          FROM unnest(p_ws, p_kind, p_number, p_voter, p_now, p_per_minute, p_per_post,
                      p_cooldown)
               WITH ORDINALITY AS u(ws, kind, number, voter, now, minute, post, cooldown, i)
         ) AS e
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE c.kind = e.kind AND c.number = e.number
                                AND c.at_ms > e.now - e.cooldown) AS on_post,
               count(*) FILTER (WHERE c.at_ms > e.now - 60000) AS in_min
        FROM limit_vote_changes c
        WHERE (e.minute > 0 OR e.post > 0)
          AND c.workspace_id = e.ws AND c.voter_id = e.voter
          AND c.at_ms > e.now - greatest(60000, e.cooldown)) AS w;
END $$;

CREATE OR REPLACE FUNCTION qabot_vote_batch(p_ws bigint[], p_kind text[], p_number bigint[],
                                            p_voter text[], p_emoji text[], p_weight integer[],
                                            p_ms bigint[], p_now bigint[],
                                            p_per_minute integer[], p_per_post integer[],
                                            p_cooldown bigint[])
    RETURNS TABLE (b_i integer, b_ups integer, b_downs integer, b_changed boolean,
                   b_net integer, b_limit text, b_wait bigint, b_state text, b_error text)
    LANGUAGE plpgsql AS $$
DECLARE
    v_n        integer := coalesce(array_length(p_ws, 1), 0);
    v_on_post  bigint[];   -- per event: the table's changes by its voter on its post in the cooldown
    v_in_min   bigint[];   -- per event: the table's changes by its voter in the minute
    v_earlier  integer[];  -- per event: the batch's previous event by the same voter, or NULL
    v_counted  boolean[];  -- per event: a change this batch counts (inserted at the end)
    v_post_ms  bigint[];   -- this event's: the batch's counted changes in its windows
    v_min_ms   bigint[];
    v_limited  boolean;
    j          integer;
BEGIN
    IF 0 < ANY (p_per_minute) OR 0 < ANY (p_per_post) THEN
        -- Every limited voter's lock, in key order, before any post is locked.
        PERFORM pg_advisory_xact_lock(s.k)
        FROM (SELECT DISTINCT qabot_limit_key(e.ws, e.voter) AS k
              FROM unnest(p_ws, p_voter, p_per_minute, p_per_post) AS e(ws, voter, minute, post)
              WHERE e.minute > 0 OR e.post > 0
              ORDER BY 1) AS s;
        -- A statement of its own, after the locks: its snapshot sees what each lock's previous
        -- holder committed.
        SELECT w.o_on_post, w.o_in_min, w.o_earlier INTO v_on_post, v_in_min, v_earlier
        FROM qabot_vote_windows(p_ws, p_kind, p_number, p_voter, p_now, p_per_minute,
                                p_per_post, p_cooldown) AS w;
        v_counted := array_fill(false, ARRAY[v_n]);
    END IF;
    FOR i IN 1 .. v_n LOOP
        b_i := i; b_limit := NULL; b_wait := NULL; b_state := NULL; b_error := NULL;
        v_limited := p_per_minute[i] > 0 OR p_per_post[i] > 0;
        IF v_limited THEN
            v_post_ms := '{}'; v_min_ms := '{}';
            j := v_earlier[i];
            WHILE j IS NOT NULL LOOP
                IF v_counted[j] THEN
                    IF p_now[j] > p_now[i] - 60000 THEN
                        v_min_ms := v_min_ms || p_now[j];
                    END IF;
                    IF p_kind[j] = p_kind[i] AND p_number[j] = p_number[i]
                       AND p_now[j] > p_now[i] - p_cooldown[i] THEN
                        v_post_ms := v_post_ms || p_now[j];
                    END IF;
                END IF;
                j := v_earlier[j];
            END LOOP;
            IF p_per_post[i] > 0 AND v_on_post[i] + cardinality(v_post_ms) >= p_per_post[i] THEN
                b_limit := 'vote_changes_per_post';
                b_wait := qabot_nth_change(p_ws[i], p_voter[i], p_kind[i], p_number[i],
                                           p_now[i] - p_cooldown[i], v_post_ms, p_per_post[i])
                          + p_cooldown[i] - p_now[i];
            ELSIF p_per_minute[i] > 0
                  AND v_in_min[i] + cardinality(v_min_ms) >= p_per_minute[i] THEN
                b_limit := 'votes_per_minute';
                b_wait := qabot_nth_change(p_ws[i], p_voter[i], NULL, NULL, p_now[i] - 60000,
                                           v_min_ms, p_per_minute[i])
                          + 60000 - p_now[i];
            END IF;
        END IF;
        IF b_limit IS NOT NULL THEN
            b_ups := 0; b_downs := 0; b_changed := false; b_net := NULL;
        ELSE
            BEGIN
                SELECT v.o_ups, v.o_downs, v.o_changed, v.o_net
                INTO b_ups, b_downs, b_changed, b_net
                FROM qabot_vote(p_ws[i], p_kind[i], p_number[i], p_voter[i], p_emoji[i],
                                p_weight[i], p_ms[i]) AS v;
            EXCEPTION WHEN OTHERS THEN
                b_ups := NULL; b_downs := NULL; b_changed := NULL; b_net := NULL;
                b_state := SQLSTATE; b_error := SQLERRM;
            END;
            IF v_limited AND b_changed THEN
                v_counted[i] := true;
            END IF;
        END IF;
        RETURN NEXT;
    END LOOP;
    IF true = ANY (v_counted) THEN
        INSERT INTO limit_vote_changes (workspace_id, voter_id, kind, number, at_ms)
        SELECT e.ws, e.voter, e.kind, e.number, e.now
        FROM unnest(p_ws, p_voter, p_kind, p_number, p_now, v_counted)
             AS e(ws, voter, kind, number, now, counted)
        WHERE e.counted;
    END IF;
END $$;

-- The `p_nth` newest of a voter's changes after `p_after_ms` (on one post, or any with a NULL
-- kind): the table's and the batch's own not yet inserted (`p_batch_ms`). Only a refusal asks,
-- to say how long to wait.
CREATE FUNCTION qabot_nth_change(p_ws bigint, p_voter text, p_kind text, p_number bigint,
                                 p_after_ms bigint, p_batch_ms bigint[], p_nth integer)
    RETURNS bigint
    LANGUAGE sql STABLE AS $$
    SELECT t.at_ms
    FROM (SELECT c.at_ms FROM limit_vote_changes c
          WHERE c.workspace_id = p_ws AND c.voter_id = p_voter AND c.at_ms > p_after_ms
            AND (p_kind IS NULL OR (c.kind = p_kind AND c.number = p_number))
          UNION ALL
          SELECT unnest(p_batch_ms)) AS t(at_ms)
    ORDER BY t.at_ms DESC
    OFFSET p_nth - 1 LIMIT 1
$$;

-- The one-event vote (retries) and the question's place read the same tables: planned for each
-- call, with the table as it is, never with a plan kept from when it was empty.
ALTER FUNCTION qabot_limited_vote(bigint, text, bigint, text, text, integer, bigint, bigint,
                                  integer, integer, bigint)
    SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION qabot_take_ask(bigint, text, bigint, integer)
    SET plan_cache_mode = force_custom_plan;
