-- A batch of reaction events in ONE statement (one round trip, one commit): the store's vote
-- batcher (storage/postgres/vote_batch.py) sends every vote waiting in the process at once.
-- Each event runs qabot_vote in its own subtransaction (the EXCEPTION block), so a refused one
-- rolls back alone and reports its SQLSTATE and message instead of failing the batch. Events
-- come in the order given; the caller sorts them by post so two processes' batches lock posts
-- in one order.
CREATE FUNCTION qabot_vote_batch(p_ws bigint[], p_kind text[], p_number bigint[],
                                 p_voter text[], p_emoji text[], p_weight integer[],
                                 p_ms bigint[])
    RETURNS TABLE (b_i integer, b_ups integer, b_downs integer, b_changed boolean,
                   b_state text, b_error text)
    LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_ws, 1), 0) LOOP
        b_i := i; b_state := NULL; b_error := NULL;
        BEGIN
            SELECT v.o_ups, v.o_downs, v.o_changed INTO b_ups, b_downs, b_changed
            FROM qabot_vote(p_ws[i], p_kind[i], p_number[i], p_voter[i], p_emoji[i],
                            p_weight[i], p_ms[i]) AS v;
        EXCEPTION WHEN OTHERS THEN
            b_ups := NULL; b_downs := NULL; b_changed := NULL;
            b_state := SQLSTATE; b_error := SQLERRM;
        END;
        RETURN NEXT;
    END LOOP;
END $$;
