-- A question's live answers counted from this index (SELECT_POST's `x.question_id = p.id AND
-- NOT x.removed`), without a heap row per answer for its `removed` flag wherever the table's
-- pages are all-visible. Same name and use as before, one column more.
DROP INDEX posts_answers_of;
CREATE INDEX posts_answers_of ON posts (question_id, removed) WHERE question_id IS NOT NULL;
