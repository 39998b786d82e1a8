-- Headlines (/qa headline): what a person says about themselves, shown next to their name.
-- forgetme deletes the row.
CREATE TABLE headlines (
    workspace_id bigint NOT NULL REFERENCES workspaces (id),
    user_id      text   NOT NULL,
    headline     text   NOT NULL CHECK (char_length(headline) BETWEEN 1 AND 80),
    PRIMARY KEY (workspace_id, user_id)
);

-- The web view (/qa web names on|off): a person's choice over [web] names, for themselves.
-- forgetme deletes the row.
CREATE TABLE web_names (
    workspace_id bigint  NOT NULL REFERENCES workspaces (id),
    user_id      text    NOT NULL,
    shown        boolean NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);

-- Questions kept off the web view (/qa web hide Q<n>) by their asker or a moderator.
CREATE TABLE web_hidden (
    workspace_id bigint NOT NULL REFERENCES workspaces (id),
    number       bigint NOT NULL,
    PRIMARY KEY (workspace_id, number)
);

-- The web view's lists: the newest public questions of a workspace, without a sort.
CREATE INDEX posts_web_newest ON posts (workspace_id, created_ms, id)
    WHERE kind = 'Q' AND NOT removed AND NOT channel_private;
