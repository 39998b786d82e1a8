-- Work done once per community and period (a digest, a reconcile): the first process to insert
-- the row does it; every other process sees the key taken.
CREATE TABLE claims (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    job          TEXT    NOT NULL,
    period       TEXT    NOT NULL,
    owner        TEXT    NOT NULL,
    claimed_ms   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, job, period)
) WITHOUT ROWID;
