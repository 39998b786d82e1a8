-- A question's web page lists up to five questions like it. Finding them searches the questions'
-- index and ranks up to fifty candidates, which cost a page more than all its other reads; a
-- page is read far more often than a question is asked or edited, so the list is made then (or
-- at the page's first view) and kept. `made_for` names the published channels it was made for
-- (bot/similar_lists.py): a list made for other channels is made again. Its entries are ranked
-- by similarity; questions removed or hidden since are skipped when read.
CREATE TABLE similar_lists (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    number       INTEGER NOT NULL,
    made_for     TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, number)
) WITHOUT ROWID;
CREATE TABLE similar_entries (
    workspace_id   INTEGER NOT NULL REFERENCES workspaces (id),
    number         INTEGER NOT NULL,
    similar_number INTEGER NOT NULL,
    similarity     REAL    NOT NULL,
    PRIMARY KEY (workspace_id, number, similar_number)
) WITHOUT ROWID;
