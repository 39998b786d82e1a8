-- Catch-up order: when catch-up replaces a post's votes with what the platform showed, a vote
-- change that reached qabot after the platform was read is the newer observation and wins.
-- The vote clock orders vote changes: catch-up takes a watermark (n + 1) before reading the
-- platform, and every vote row added and every live removal is stamped with the clock's value at
-- the time, so a stamp at or above the watermark came after it.
CREATE TABLE vote_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),  -- one row
    n  INTEGER NOT NULL
);
INSERT INTO vote_clock (id, n) VALUES (1, 0);

-- The clock's value when the row was written (rows from before the clock are older than any mark).
ALTER TABLE votes ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

-- The clock's value when a live event (a removed reaction, a cleared post) last dropped a vote.
CREATE TABLE vote_removals (
    post_id  INTEGER NOT NULL REFERENCES posts (id),
    voter_id TEXT    NOT NULL,
    emoji    TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    PRIMARY KEY (post_id, voter_id, emoji)
) WITHOUT ROWID;

-- People who asked to be forgotten (/qa forgetme): while the row stands, no vote of theirs is
-- stored in that workspace, whichever way it comes.
CREATE TABLE opt_outs (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    user_id      TEXT    NOT NULL,
    since_ms     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
) WITHOUT ROWID;
