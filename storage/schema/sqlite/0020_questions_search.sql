-- The searches for similar questions (the web view's page and chat's list at /ask) look among
-- questions only: an index of their own, without the answers (ten to one in a busy workspace),
-- whose postings the search otherwise merged for every common word and then dropped. The same
-- text and tags and tokenizer as posts_fts (migration 0010). It indexes the questions only, so
-- it is filled by these triggers and never by 'rebuild', which would index every post.
CREATE VIRTUAL TABLE questions_fts USING fts5 (
    body, tags, content = 'posts', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER questions_fts_insert AFTER INSERT ON posts WHEN new.kind = 'Q' BEGIN
    INSERT INTO questions_fts (rowid, body, tags) VALUES (new.id, new.body, new.tags);
END;
CREATE TRIGGER questions_fts_update AFTER UPDATE OF body, tags ON posts WHEN new.kind = 'Q' BEGIN
    INSERT INTO questions_fts (questions_fts, rowid, body, tags)
        VALUES ('delete', old.id, old.body, old.tags);
    INSERT INTO questions_fts (rowid, body, tags) VALUES (new.id, new.body, new.tags);
END;
CREATE TRIGGER questions_fts_delete AFTER DELETE ON posts WHEN old.kind = 'Q' BEGIN
    INSERT INTO questions_fts (questions_fts, rowid, body, tags)
        VALUES ('delete', old.id, old.body, old.tags);
END;
INSERT INTO questions_fts (rowid, body, tags) SELECT id, body, tags FROM posts WHERE kind = 'Q';
