-- Import of a community's history (qabot import): one row per platform thread whose import is
-- finished, written in the transaction that wrote the thread's posts, so a run killed midway
-- resumes after the last thread it committed and never reads a finished thread again.
CREATE TABLE import_checkpoints (
    workspace_id bigint NOT NULL REFERENCES workspaces (id),
    channel_id   text   NOT NULL,
    thread_id    text   NOT NULL,  -- the thread's first message (Slack ts, Discord snowflake)
    done_ms      bigint NOT NULL,
    PRIMARY KEY (workspace_id, channel_id, thread_id)
);
