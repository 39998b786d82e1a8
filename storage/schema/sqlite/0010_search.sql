-- Search that finds: English stemming (FTS5's porter tokenizer over unicode61, so "negotiating"
-- finds "negotiate"), and the question's tags as a column of their own, so `#career` matches a
-- tag and `career` matches the text or a tag. Rebuilt from every existing post.
DROP TRIGGER posts_fts_insert;
DROP TRIGGER posts_fts_update;
DROP TRIGGER posts_fts_delete;
DROP TABLE posts_fts;

CREATE VIRTUAL TABLE posts_fts USING fts5 (
    body, tags, content = 'posts', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
-- Only writes of a post's text or tags touch the index; votes update other columns.
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, body, tags) VALUES (new.id, new.body, new.tags);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF body, tags ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, body, tags) VALUES ('delete', old.id, old.body, old.tags);
    INSERT INTO posts_fts (rowid, body, tags) VALUES (new.id, new.body, new.tags);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, body, tags) VALUES ('delete', old.id, old.body, old.tags);
END;
INSERT INTO posts_fts (posts_fts) VALUES ('rebuild');
