-- The web view names a channel `#name`, not by its id: the name an adapter last saw in a command
-- (Slack's channel_name, Discord's channel.name), never of a channel known to be private. A
-- channel with no row shows by its id. Channel names are nobody's personal data: forgetme leaves
-- them.
CREATE TABLE channel_names (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    channel_id   TEXT    NOT NULL,
    name         TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    PRIMARY KEY (workspace_id, channel_id)
) WITHOUT ROWID;
