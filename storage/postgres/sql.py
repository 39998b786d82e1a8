"""The PostgreSQL store's statements: one per intention, named for it, `$n` parameters.

They mirror storage/sqlite/sql.py and return the same column names, so storage/rows.py maps both.
"""

from __future__ import annotations

from typing import Any

from storage.rows import RANKING_ORDER, post_select

# One lock per schema: two processes starting together migrate one after the other.
MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(hashtext('qabot.migrate.' || current_schema()))"
CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""
APPLIED_VERSIONS = "SELECT version FROM schema_migrations"
RECORD_MIGRATION = "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)"

INSERT_WORKSPACE = """
INSERT INTO workspaces (platform, external_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"""
SELECT_WORKSPACE = "SELECT id FROM workspaces WHERE platform = $1 AND external_id = $2"

# A question's (posts `{q}`) accepted answer's number and its live answers' count.
ACCEPTED_NUMBER = "(SELECT x.number FROM posts x WHERE x.id = {q}.accepted_answer_id)"
ANSWER_COUNT = "(SELECT COUNT(*) FROM posts x WHERE x.question_id = {q}.id AND NOT x.removed)"
_QUESTION_EXTRAS = f"""
    {ACCEPTED_NUMBER} AS {{p}}accepted_number,
    {ANSWER_COUNT} AS {{p}}answer_count"""


def _select_post(extra: str = "") -> str:
    return f"""
SELECT {extra}{post_select("p", "")}, q.number AS question_number,
       {_QUESTION_EXTRAS.format(q="p", p="")}
FROM posts p LEFT JOIN posts q ON q.id = p.question_id"""


# Every column the row mappers read, of posts `p` (and `q`, its question, for an answer): add a
# WHERE on `p`. SELECT_POST_AND_KIND adds `kind`, for lists that mix questions and answers.
SELECT_POST = _select_post()
SELECT_POST_AND_KIND = _select_post("p.kind AS kind, ")
# A question with `changed_ms`, when its page last gained a post (its newest live answer, else
# itself): the sitemap's lastmod, read through posts_answers_of.
_CHANGED = """GREATEST(p.created_ms,
    (SELECT MAX(x.created_ms) FROM posts x WHERE x.question_id = p.id AND NOT x.removed))
    AS changed_ms, """
SELECT_QUESTION_AND_CHANGE = _select_post(_CHANGED)

POST_BY_NUMBER = (
    f"{SELECT_POST} WHERE p.workspace_id = $1 AND p.kind = $2 AND p.number = $3 AND NOT p.removed"
)
# Many lookups by number in one statement (storage/postgres/lookups.py), each answered by lookup_i.
POSTS_BY_NUMBER = f"""
SELECT k.i AS lookup_i, {post_select("p", "")}, q.number AS question_number,
       {_QUESTION_EXTRAS.format(q="p", p="")}
FROM unnest($1::bigint[], $2::text[], $3::bigint[]) WITH ORDINALITY AS k(ws, kind, number, i)
JOIN posts p ON p.workspace_id = k.ws AND p.kind = k.kind AND p.number = k.number
    AND NOT p.removed
LEFT JOIN posts q ON q.id = p.question_id"""
# The same for lookups by platform message (every reaction makes one). LATERAL with LIMIT 1 (the
# key is unique) keeps the plan one posts_by_message probe per key whatever the statistics say.
POSTS_BY_MESSAGE = f"""
SELECT k.i AS lookup_i, {post_select("p", "")}, q.number AS question_number,
       {_QUESTION_EXTRAS.format(q="p", p="")}
FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS k(ws, channel, message, i)
CROSS JOIN LATERAL (
    SELECT * FROM posts WHERE workspace_id = k.ws AND message_channel = k.channel
        AND message_id = k.message AND message_id IS NOT NULL AND NOT removed
    LIMIT 1) AS p
LEFT JOIN posts q ON q.id = p.question_id"""
POST_BY_THREAD = f"{SELECT_POST} WHERE p.workspace_id = $1 AND p.thread_key = $2 AND NOT p.removed"
ANSWER_BY_MESSAGE = (
    f"{SELECT_POST} WHERE p.workspace_id = $1 AND p.message_channel = $2 AND p.message_id = $3"
    " AND p.kind = 'A'"
)

# Every vote write starts by locking its post: each later statement of the transaction then
# reads every vote committed before it (READ COMMITTED), so the recount cannot miss a racer's row.
VOTE = """
SELECT o_ups, o_downs, o_changed, o_net, o_limit, o_wait
FROM qabot_limited_vote($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"""
LOCK_LIVE_POST = """
SELECT id FROM posts WHERE workspace_id = $1 AND kind = $2 AND number = $3 AND NOT removed
FOR UPDATE"""

# The counter row stays locked until commit; a workspace's first post starts from the posts
# themselves, so a copied-in community continues its numbering.
NEXT_NUMBER = """
INSERT INTO post_counters AS c (workspace_id, kind, last_number)
VALUES ($1, $2, (SELECT COALESCE(MAX(number), 0) + 1 FROM posts WHERE workspace_id = $1
                 AND kind = $2))
ON CONFLICT (workspace_id, kind) DO UPDATE SET last_number = c.last_number + 1
RETURNING last_number"""

_RETURNING = """
RETURNING id, number, channel_id, author_id, author_name, body, tags, anonymous, created_ms,
    message_channel, message_id, thread_key, ups, downs, removed, channel_private"""

INSERT_QUESTION = f"""
INSERT INTO posts (workspace_id, kind, number, channel_id, channel_private, author_id, author_name,
                   body, tags, anonymous, created_ms)
VALUES ($1, 'Q', $2, $3, $4, $5, $6, $7, $8, $9, $10)
{_RETURNING}, NULL::bigint AS accepted_number, 0 AS answer_count, NULL::bigint AS question_number"""
INSERT_TAG = "INSERT INTO question_tags (tag, question_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"

# The same platform message twice hits posts_by_message and inserts nothing.
INSERT_ANSWER = f"""
INSERT INTO posts (workspace_id, kind, number, question_id, channel_id, channel_private, author_id,
                   author_name, body, created_ms, message_channel, message_id)
SELECT $1, 'A', $2, q.id, q.channel_id, q.channel_private, $4, $5, $6, $7, $8, $9
FROM posts q WHERE q.workspace_id = $1 AND q.kind = 'Q' AND q.number = $3 AND NOT q.removed
ON CONFLICT DO NOTHING
{_RETURNING}, $3::bigint AS question_number"""

LINK_QUESTION = """
UPDATE posts SET message_channel = $1, message_id = $2, thread_key = $3
WHERE workspace_id = $4 AND kind = 'Q' AND number = $5"""
LINK_ANSWER = """
UPDATE posts SET message_channel = $1, message_id = $2
WHERE workspace_id = $3 AND kind = 'A' AND number = $4"""
EDIT_POST = """
UPDATE posts SET body = $1 WHERE workspace_id = $2 AND kind = $3 AND number = $4 AND NOT removed"""

REMOVE_POST = """
UPDATE posts SET removed = true
WHERE workspace_id = $1 AND NOT removed AND (
    (kind = $2 AND number = $3)
    OR question_id = (SELECT id FROM posts WHERE workspace_id = $1 AND kind = 'Q'
                      AND number = $3 AND $2 = 'Q'))"""

# Accepting checks and writes in one statement: it changes the question only when the answer is
# live and answers it. The answer's row is locked (FOR SHARE) while the question is written: a
# removal that committed first makes it no longer match, and one that comes later waits for this
# transaction and then finds the acceptance (UNACCEPT_REMOVED).
ACCEPT_ANSWER = """
WITH a AS (
    SELECT id, question_id FROM posts
    WHERE workspace_id = $1 AND kind = 'A' AND number = $3 AND NOT removed
    FOR SHARE)
UPDATE posts q SET accepted_answer_id = a.id FROM a
WHERE q.workspace_id = $1 AND q.kind = 'Q' AND q.number = $2 AND NOT q.removed
  AND q.id = a.question_id"""
CLEAR_ACCEPTED = """
UPDATE posts SET accepted_answer_id = NULL WHERE workspace_id = $1 AND kind = 'Q' AND number = $2"""
# After REMOVE_POST, in its transaction (a statement of its own, so it sees an acceptance that
# committed while the removal waited for the answer's row): the question of the removed post stops
# naming a removed answer as accepted.
UNACCEPT_REMOVED = """
UPDATE posts SET accepted_answer_id = NULL
WHERE id = (SELECT COALESCE(question_id, id) FROM posts
            WHERE workspace_id = $1 AND kind = $2 AND number = $3)
  AND (SELECT a.removed FROM posts a WHERE a.id = posts.accepted_answer_id)"""

# The vote clock's value now (migration 0009): every vote row added and every live removal
# carries it, so catch-up can tell what changed after its watermark. Taking the watermark locks
# the clock's row only for that statement; vote writes only read it.
CLOCK = "(SELECT n FROM vote_clock WHERE id = 1)"
VOTE_WATERMARK = "UPDATE vote_clock SET n = n + 1 WHERE id = 1 RETURNING n"

# A platform cleared a post's reactions (or one emoji's): the dropped rows are recorded as
# removed (the newest removal of a key wins); the count is of the rows dropped.
CLEAR_VOTES = f"""
WITH gone AS (
    DELETE FROM votes WHERE post_id = $1 AND ($2::text IS NULL OR emoji = $2)
    RETURNING post_id, voter_id, emoji)
INSERT INTO vote_removals AS r (post_id, voter_id, emoji, seq)
SELECT post_id, voter_id, emoji, {CLOCK} FROM gone
ON CONFLICT (post_id, voter_id, emoji) DO UPDATE SET seq = GREATEST(r.seq, EXCLUDED.seq)"""

# The vote rows of people who opted out in the post's workspace (one that raced forget-me, or
# came with a copied store); all workspaces when $1 is NULL. votes_by_voter finds the rows.
DROP_OPTED_OUT = """
DELETE FROM votes v USING posts p, opt_outs o
WHERE p.id = v.post_id AND o.workspace_id = p.workspace_id AND o.user_id = v.voter_id
  AND ($1::bigint IS NULL OR p.workspace_id = $1)"""

# A person's vote on a post is the sign of the sum of their mapped reactions.
_PER_VOTER = "SELECT post_id, SUM(weight) AS net FROM votes {where} GROUP BY post_id, voter_id"
_TALLY_COLUMNS = (
    "COUNT(*) FILTER (WHERE v.net > 0)::integer AS ups,"
    " COUNT(*) FILTER (WHERE v.net < 0)::integer AS downs"
)

# rank_score is a generated column: it follows ups and downs by itself.
RETALLY_POST = f"""
UPDATE posts SET ups = t.ups, downs = t.downs
FROM (SELECT {_TALLY_COLUMNS} FROM ({_PER_VOTER.format(where="WHERE post_id = $1")}) AS v) AS t
WHERE posts.id = $1
RETURNING posts.ups, posts.downs"""

# Lock the posts first, in id order, so a recount and a vote never write stale counts.
LOCK_POSTS = (
    "SELECT id FROM posts WHERE $1::bigint IS NULL OR workspace_id = $1 ORDER BY id FOR UPDATE"
)
RECOUNT = f"""
UPDATE posts SET ups = t.ups, downs = t.downs
FROM (SELECT p.id AS post_id, {_TALLY_COLUMNS}
      FROM posts p LEFT JOIN ({_PER_VOTER.format(where="")}) AS v ON v.post_id = p.id
      WHERE $1::bigint IS NULL OR p.workspace_id = $1
      GROUP BY p.id) AS t
WHERE posts.id = t.post_id AND (posts.ups != t.ups OR posts.downs != t.downs)"""

CLAIM = """
INSERT INTO claims (workspace_id, job, period, owner, claimed_ms) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING"""

# Many claims in one statement (storage/postgres/lookups.py): the rows it inserted are the wins.
CLAIMS = """
INSERT INTO claims (workspace_id, job, period, owner, claimed_ms)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[])
ON CONFLICT DO NOTHING
RETURNING workspace_id, job, period, owner, claimed_ms"""


def post_and_question(alias: str) -> str:
    return f"""
SELECT {post_select(alias, "")}, q.number AS question_number, {alias}.kind AS kind,
       {post_select("q", "q_")}, {_QUESTION_EXTRAS.format(q="q", p="q_")}"""


def top_answers(
    *, ws: int, channel: str | None, since: int | None, tag: str | None, question: int | None,
    limit: int,
) -> tuple[str, list[Any]]:  # fmt: skip
    """Only the filters a query uses, so the planner can use posts_ranked for each shape.

    The inner query picks the winners' ids from posts_ranked alone: a channel's answers in
    ranking order, the window checked inside the index, stopping at the last winner (the
    candidates are never joined, fetched or sorted); only those rows and their questions are then
    read. Its ORDER BY is the index's order."""
    args: list[Any] = [ws]
    where = ["a.workspace_id = $1", "a.kind = 'A'", "NOT a.removed"]

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if question is not None:
        where.append(
            "a.question_id = (SELECT id FROM posts WHERE workspace_id = $1 AND kind = 'Q'"
            f" AND number = {arg(question)})"
        )
    if channel is not None:
        where.append(f"a.channel_id = {arg(channel)}")
    if since is not None:
        where.append(f"a.created_ms >= {arg(since)}")
    if tag is not None:
        where.append(
            f"a.question_id IN (SELECT question_id FROM question_tags WHERE tag = {arg(tag)})"
        )
    statement = f"""{post_and_question("p")}
FROM (SELECT a.id FROM posts a WHERE {" AND ".join(where)}
      ORDER BY {RANKING_ORDER.format(p="a")} LIMIT {arg(limit)}) AS w
JOIN posts p ON p.id = w.id JOIN posts q ON q.id = p.question_id
ORDER BY {RANKING_ORDER.format(p="p")}"""
    return statement, args


# Rebuilds the search rows (post_search) only when the language changes (migrations 0010, 0019).
USE_SEARCH_LANGUAGE = "SELECT qabot_use_search_language($1::regconfig) AS rebuilt"

# $1: the words, for the search language (table search_language), $2: the tags, for 'simple'
# (storage/postgres/search_terms.py). Best match first, then the higher net score; only the hits
# get a snippet (ts_headline reads the text again), its matches marked with \x02 and \x03
# (storage/snippets.py).
SEARCH = f"""
{post_and_question("p")},
       ts_headline(w.language, p.body, w.query, $5) AS snippet
FROM (SELECT p.id, x.language, x.query, ts_rank(s.search_vector, x.query) AS relevance,
             p.ups - p.downs AS net
      FROM post_search s JOIN posts p ON p.id = s.post_id,
           (SELECT l.language, to_tsquery(l.language, $1) && to_tsquery('simple', $2) AS query
            FROM (SELECT (SELECT language FROM search_language WHERE id = 1) AS language) AS l)
           AS x
      WHERE s.search_vector @@ x.query AND p.workspace_id = $3 AND NOT p.removed
      ORDER BY relevance DESC, net DESC, p.id ASC
      LIMIT $4) AS w
JOIN posts p ON p.id = w.id JOIN posts q ON q.id = COALESCE(p.question_id, p.id)
ORDER BY w.relevance DESC, w.net DESC, p.id ASC"""
