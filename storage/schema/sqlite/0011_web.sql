-- Headlines (/qa headline): what a person says about themselves, shown next to their name.
-- forgetme deletes the row.
CREATE TABLE headlines (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    user_id      TEXT    NOT NULL,
    headline     TEXT    NOT NULL CHECK (length(headline) BETWEEN 1 AND 80),
    PRIMARY KEY (workspace_id, user_id)
) WITHOUT ROWID;

-- The web view (/qa web names on|off): a person's choice over [web] names, for themselves.
-- forgetme deletes the row.
CREATE TABLE web_names (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    user_id      TEXT    NOT NULL,
    shown        INTEGER NOT NULL CHECK (shown IN (0, 1)),
    PRIMARY KEY (workspace_id, user_id)
) WITHOUT ROWID;

-- Questions kept off the web view (/qa web hide Q<n>) by their asker or a moderator.
CREATE TABLE web_hidden (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    number       INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, number)
) WITHOUT ROWID;

-- The web view's lists: the newest public questions of a workspace, without a sort. A full index,
-- not a partial one on kind: SQLite re-plans every statement whose bound parameters could match a
-- partial index's condition, and every post lookup binds `kind`.
CREATE INDEX posts_web_newest ON posts (workspace_id, kind, removed, channel_private, created_ms);
