-- Full-text search in a table of its own, written only when a post's text or tags are.
--
-- A vote rewrites its post's row (the counts, and the rank that posts_ranked orders by, so the
-- update is never HOT), and PostgreSQL adds an entry for the new row version to every index of
-- the table. With the search vector on posts, its GIN index took the post's lexemes again on
-- every vote, into the index's pending list, which every search then reads through until it is
-- merged: a similar-question search took 5 ms with the list a vote burst left, 0.5 ms merged.
CREATE TABLE post_search (
    post_id       bigint   PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    kind          text     NOT NULL,  -- the post's; a question search skips answers' rows
    search_vector tsvector NOT NULL
);
INSERT INTO post_search (post_id, kind, search_vector) SELECT id, kind, search_vector FROM posts;
CREATE INDEX post_search_vector ON post_search USING gin (search_vector);
-- Similar questions search questions only: without the answers (ten to one in a busy
-- workspace) a common word's postings are a tenth as long to merge.
CREATE INDEX post_search_questions ON post_search USING gin (search_vector) WHERE kind = 'Q';
ALTER TABLE posts DROP COLUMN search_vector;  -- and its index, posts_search

-- The text stemmed in the search language at weight A, and the tags as they are ('simple') at
-- weight B, as migration 0010 built posts.search_vector.
CREATE FUNCTION qabot_search_vector(p_language regconfig, p_body text, p_tags text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT setweight(to_tsvector(p_language, p_body), 'A')
           || setweight(to_tsvector('simple'::regconfig, p_tags), 'B') $$;

-- New posts get their search rows once per statement: an import inserts many in one.
CREATE FUNCTION qabot_search_new_posts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO post_search (post_id, kind, search_vector)
    SELECT n.id, n.kind, qabot_search_vector(l.language, n.body, n.tags)
    FROM added AS n, search_language AS l WHERE l.id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER posts_search_new AFTER INSERT ON posts REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION qabot_search_new_posts();

-- An edit's new text or tags; a vote's UPDATE names neither column, so it never fires this.
CREATE FUNCTION qabot_search_edited_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE post_search SET search_vector = qabot_search_vector(
        (SELECT language FROM search_language WHERE id = 1), NEW.body, NEW.tags)
    WHERE post_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER posts_search_edited AFTER UPDATE OF body, tags ON posts FOR EACH ROW
    WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.tags IS DISTINCT FROM NEW.tags)
    EXECUTE FUNCTION qabot_search_edited_post();

-- Rebuild the search rows only when the language changes (migration 0010's contract).
CREATE OR REPLACE FUNCTION qabot_use_search_language(p_language regconfig) RETURNS boolean
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search_language SET language = p_language WHERE id = 1 AND language <> p_language;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE post_search s SET search_vector = qabot_search_vector(p_language, p.body, p.tags)
    FROM posts p WHERE p.id = s.post_id;
    RETURN true;
END $$;
