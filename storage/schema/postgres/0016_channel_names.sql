-- The web view names a channel `#name`, not by its id: the name an adapter last saw in a command
-- (Slack's channel_name, Discord's channel.name), never of a channel known to be private. A
-- channel with no row shows by its id. Channel names are nobody's personal data: forgetme leaves
-- them.
CREATE TABLE channel_names (
    workspace_id bigint NOT NULL REFERENCES workspaces (id),
    channel_id   text   NOT NULL,
    name         text   NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    PRIMARY KEY (workspace_id, channel_id)
);
