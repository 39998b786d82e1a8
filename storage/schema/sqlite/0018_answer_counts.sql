-- A question's live answers counted from this index alone: every question a page lists shows
-- its answer count (SELECT_POST's `x.question_id = p.id AND x.removed = 0`), which read each
-- answer's table row for its `removed` flag. Same name and use as before, one column more.
DROP INDEX posts_answers_of;
CREATE INDEX posts_answers_of ON posts (question_id, removed) WHERE question_id IS NOT NULL;
