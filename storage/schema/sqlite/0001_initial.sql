-- qabot schema, version 1 (SQLite).
-- Questions and answers are both "posts" so that votes, search and removal treat them alike.

CREATE TABLE workspaces (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE posts (
    id                 INTEGER PRIMARY KEY,
    workspace_id       INTEGER NOT NULL REFERENCES workspaces (id),
    kind               TEXT    NOT NULL CHECK (kind IN ('Q', 'A')),
    number             INTEGER NOT NULL,           -- the public id: Q12, A7 (per workspace)
    question_id        INTEGER REFERENCES posts (id),  -- answers: their question
    channel_id         TEXT    NOT NULL,
    channel_private    INTEGER NOT NULL DEFAULT 0,
    author_id          TEXT    NOT NULL,
    author_name        TEXT    NOT NULL,
    body               TEXT    NOT NULL,
    tags               TEXT    NOT NULL DEFAULT '', -- questions: space-separated, for display
    anonymous          INTEGER NOT NULL DEFAULT 0,
    created_ms         INTEGER NOT NULL,
    message_channel    TEXT,
    message_id         TEXT,
    thread_key         TEXT,
    accepted_answer_id INTEGER REFERENCES posts (id),
    ups                INTEGER NOT NULL DEFAULT 0,  -- derived from votes, in the same transaction
    downs              INTEGER NOT NULL DEFAULT 0,
    rank_score         REAL    NOT NULL DEFAULT 0,  -- Wilson lower bound of ups/downs
    removed            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (workspace_id, kind, number)
);

-- A platform message is at most one post; the same delivery twice finds the first.
CREATE UNIQUE INDEX posts_by_message ON posts (workspace_id, message_channel, message_id)
    WHERE message_id IS NOT NULL;
CREATE UNIQUE INDEX posts_by_thread ON posts (workspace_id, thread_key)
    WHERE thread_key IS NOT NULL;
-- /top: a channel's live answers in a time window.
CREATE INDEX posts_top ON posts (workspace_id, kind, removed, channel_id, created_ms);
CREATE INDEX posts_answers_of ON posts (question_id) WHERE question_id IS NOT NULL;

CREATE TABLE question_tags (
    tag         TEXT    NOT NULL,
    question_id INTEGER NOT NULL REFERENCES posts (id),
    PRIMARY KEY (tag, question_id)
) WITHOUT ROWID;

-- The truth about votes: one row per (post, voter, emoji); counts on posts derive from these.
CREATE TABLE votes (
    post_id    INTEGER NOT NULL REFERENCES posts (id),
    voter_id   TEXT    NOT NULL,
    emoji      TEXT    NOT NULL,
    weight     INTEGER NOT NULL CHECK (weight IN (-1, 1)),
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (post_id, voter_id, emoji)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE posts_fts USING fts5 (
    body, content = 'posts', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF body ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO posts_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
