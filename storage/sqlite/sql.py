"""The SQLite store's statements: one per intention, named for it.

They return the column names storage/rows.py maps, the same as storage/postgres/sql.py."""

from __future__ import annotations

from functools import cache

from storage.rows import RANKING_ORDER, post_select

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    # NORMAL in WAL mode: a commit survives a process crash (kill -9); only an OS crash or power
    # loss may drop the last transactions, never corrupt the file.
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)

CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (datetime('now'))
)"""
APPLIED_VERSIONS = "SELECT version FROM schema_migrations"

INSERT_WORKSPACE = (
    "INSERT INTO workspaces (platform, external_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
)
SELECT_WORKSPACE = "SELECT id FROM workspaces WHERE platform = ? AND external_id = ?"

# A question's (posts `{q}`) accepted answer's number and its live answers' count.
ACCEPTED_NUMBER = "(SELECT x.number FROM posts x WHERE x.id = {q}.accepted_answer_id)"
ANSWER_COUNT = "(SELECT COUNT(*) FROM posts x WHERE x.question_id = {q}.id AND x.removed = 0)"
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
_CHANGED = """MAX(p.created_ms, COALESCE(
    (SELECT MAX(x.created_ms) FROM posts x WHERE x.question_id = p.id AND x.removed = 0),
    0)) AS changed_ms, """
SELECT_QUESTION_AND_CHANGE = _select_post(_CHANGED)

# A live post by public id or by platform message (SELECT_POST and _SUBJECT name it `p`).
_BY_NUMBER = " WHERE p.workspace_id = ? AND p.kind = ? AND p.number = ? AND p.removed = 0"
_BY_MESSAGE = (
    " WHERE p.workspace_id = ? AND p.message_channel = ? AND p.message_id = ? AND p.removed = 0"
)
POST_BY_NUMBER = SELECT_POST + _BY_NUMBER
POST_BY_MESSAGE = SELECT_POST + _BY_MESSAGE
# A reaction's post: only what the vote needs (bot.domain.VoteSubject), not the whole row.
_SUBJECT = """
SELECT p.number AS number, p.author_id AS author_id, q.number AS question_number
FROM posts p LEFT JOIN posts q ON q.id = p.question_id"""
SUBJECT_BY_NUMBER = _SUBJECT + _BY_NUMBER
SUBJECT_BY_MESSAGE = _SUBJECT + _BY_MESSAGE
POST_BY_THREAD = f"{SELECT_POST} WHERE p.workspace_id = ? AND p.thread_key = ? AND p.removed = 0"
ANSWER_BY_MESSAGE = (
    f"{SELECT_POST} WHERE p.workspace_id = :ws AND p.message_channel = :mchannel"
    " AND p.message_id = :mid AND p.kind = 'A'"
)
LIVE_POST_ID = (
    "SELECT id FROM posts WHERE workspace_id = ? AND kind = ? AND number = ? AND removed = 0"
)

_RETURNING = """
RETURNING id, number, channel_id, author_id, author_name, body, tags, anonymous, created_ms,
    message_channel, message_id, thread_key, ups, downs, removed, channel_private"""

# Numbers come from the unique (workspace, kind, number) index; SQLite runs one writer at a time.
INSERT_QUESTION = f"""
INSERT INTO posts (workspace_id, kind, number, channel_id, channel_private, author_id, author_name,
                   body, tags, anonymous, created_ms)
VALUES (:ws, 'Q', (SELECT COALESCE(MAX(number), 0) + 1 FROM posts WHERE workspace_id = :ws
                   AND kind = 'Q'),
        :channel, :private, :author, :name, :body, :tags, :anonymous, :created)
{_RETURNING}, NULL AS accepted_number, 0 AS answer_count, NULL AS question_number"""
INSERT_TAG = "INSERT INTO question_tags (tag, question_id) VALUES (?, ?) ON CONFLICT DO NOTHING"

# The same platform message twice hits posts_by_message and inserts nothing.
INSERT_ANSWER = f"""
INSERT INTO posts (workspace_id, kind, number, question_id, channel_id, channel_private, author_id,
                   author_name, body, created_ms, message_channel, message_id)
SELECT :ws, 'A', (SELECT COALESCE(MAX(number), 0) + 1 FROM posts WHERE workspace_id = :ws
                  AND kind = 'A'),
       q.id, q.channel_id, q.channel_private, :author, :name, :body, :created, :mchannel, :mid
FROM posts q WHERE q.workspace_id = :ws AND q.kind = 'Q' AND q.number = :question AND q.removed = 0
ON CONFLICT DO NOTHING
{_RETURNING}, :question AS question_number"""

LINK_QUESTION = """
UPDATE posts SET message_channel = ?, message_id = ?, thread_key = ?
WHERE workspace_id = ? AND kind = 'Q' AND number = ?"""
LINK_ANSWER = """
UPDATE posts SET message_channel = ?, message_id = ?
WHERE workspace_id = ? AND kind = 'A' AND number = ?"""
EDIT_POST = """
UPDATE posts SET body = ? WHERE workspace_id = ? AND kind = ? AND number = ? AND removed = 0"""

# Removing a question hides its answers too; removing an answer hides only it.
REMOVE_POST = """
UPDATE posts SET removed = 1
WHERE workspace_id = :ws AND removed = 0 AND (
    (kind = :kind AND number = :number)
    OR question_id = (SELECT id FROM posts WHERE workspace_id = :ws AND kind = 'Q'
                      AND number = :number AND :kind = 'Q'))"""

# Accepting checks and writes in one statement: it changes the question only when the answer is
# live and answers it, so no removal can slip in between a check and the write.
ACCEPT_ANSWER = """
UPDATE posts SET accepted_answer_id = a.id
FROM (SELECT id, question_id FROM posts
      WHERE workspace_id = :ws AND kind = 'A' AND number = :answer AND removed = 0) AS a
WHERE posts.workspace_id = :ws AND posts.kind = 'Q' AND posts.number = :question
  AND posts.removed = 0 AND posts.id = a.question_id"""
CLEAR_ACCEPTED = """
UPDATE posts SET accepted_answer_id = NULL
WHERE workspace_id = :ws AND kind = 'Q' AND number = :question"""
# After REMOVE_POST, in its transaction: the question of the removed post stops naming a removed
# answer as accepted, so no question is ever left with an accepted answer that is gone.
UNACCEPT_REMOVED = """
UPDATE posts SET accepted_answer_id = NULL
WHERE id = (SELECT COALESCE(question_id, id) FROM posts
            WHERE workspace_id = :ws AND kind = :kind AND number = :number)
  AND (SELECT a.removed FROM posts a WHERE a.id = posts.accepted_answer_id) = 1"""

# The vote clock's value now (migration 0009): every vote row added and every live removal
# carries it, so catch-up can tell what changed after its watermark.
CLOCK = "(SELECT n FROM vote_clock WHERE id = 1)"
VOTE_WATERMARK = "UPDATE vote_clock SET n = n + 1 WHERE id = 1 RETURNING n"
# The newest removal of a key wins: the greatest clock value stays.
_KEEP_NEWEST_REMOVAL = (
    "ON CONFLICT (post_id, voter_id, emoji) DO UPDATE SET seq = max(seq, excluded.seq)"
)
RECORD_REMOVAL = f"""
INSERT INTO vote_removals (post_id, voter_id, emoji, seq) VALUES (?, ?, ?, {CLOCK})
{_KEEP_NEWEST_REMOVAL}"""

# A platform cleared a post's reactions (or one emoji's): the rows to drop are first recorded
# as removed, then dropped.
_CLEARED = "post_id = :post AND (:emoji IS NULL OR emoji = :emoji)"
RECORD_CLEARED = f"""
INSERT INTO vote_removals (post_id, voter_id, emoji, seq)
SELECT post_id, voter_id, emoji, {CLOCK} FROM votes WHERE {_CLEARED}
{_KEEP_NEWEST_REMOVAL}"""
CLEAR_VOTES = f"DELETE FROM votes WHERE {_CLEARED}"

# The vote rows of people who opted out in the post's workspace (one that raced forget-me, or
# came with a copied store); all workspaces when :ws is NULL. votes_by_voter finds the rows.
DROP_OPTED_OUT = """
DELETE FROM votes
WHERE voter_id IN (SELECT user_id FROM opt_outs WHERE :ws IS NULL OR workspace_id = :ws)
  AND EXISTS (SELECT 1 FROM posts p JOIN opt_outs o ON o.workspace_id = p.workspace_id
              WHERE p.id = votes.post_id AND o.user_id = votes.voter_id
                AND (:ws IS NULL OR p.workspace_id = :ws))"""

# A person's vote on a post is the sign of the sum of their mapped reactions.
_PER_VOTER = "SELECT post_id, SUM(weight) AS net FROM votes {where} GROUP BY post_id, voter_id"
_TALLY_COLUMNS = "COALESCE(SUM(v.net > 0), 0) AS ups, COALESCE(SUM(v.net < 0), 0) AS downs"

RETALLY_POST = f"""
UPDATE posts SET ups = t.ups, downs = t.downs, rank_score = wilson(t.ups, t.downs)
FROM (SELECT {_TALLY_COLUMNS} FROM ({_PER_VOTER.format(where="WHERE post_id = :post")}) AS v) AS t
WHERE posts.id = :post
RETURNING ups, downs"""

RECOUNT = f"""
UPDATE posts SET ups = t.ups, downs = t.downs, rank_score = wilson(t.ups, t.downs)
FROM (SELECT p.id AS post_id, {_TALLY_COLUMNS}
      FROM posts p LEFT JOIN ({_PER_VOTER.format(where="")}) AS v ON v.post_id = p.id
      WHERE :ws IS NULL OR p.workspace_id = :ws
      GROUP BY p.id) AS t
WHERE posts.id = t.post_id
  AND (posts.ups != t.ups OR posts.downs != t.downs
       OR posts.rank_score != wilson(t.ups, t.downs))"""

CLAIM = """
INSERT INTO claims (workspace_id, job, period, owner, claimed_ms) VALUES (?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING"""


def post_and_question(alias: str) -> str:
    """A post's columns, and its question's (the post itself for a question) prefixed `q_`."""
    return f"""
SELECT {post_select(alias, "")}, q.number AS question_number, {alias}.kind AS kind,
       {post_select("q", "q_")}, {_QUESTION_EXTRAS.format(q="q", p="q_")}"""


@cache  # sixteen shapes at most, and every /top asks for one: build each once
def top_answers(*, channel: bool, since: bool, tag: bool, question: bool) -> str:
    """Only the filters a query uses, so the planner can use posts_rank for each shape.

    The inner query picks the winners' ids from posts_rank alone (it holds the ranking keys: no
    table row is read for the hundreds of candidates); only those rows are then fetched."""
    # One question's answers come from posts_answers_of: `+` keeps the planner from preferring
    # posts_rank (covering, but all of the workspace's answers) for these terms.
    plain = "+" if question else ""
    where = [f"{plain}a.workspace_id = :ws", f"{plain}a.kind = 'A'", f"{plain}a.removed = 0"]
    if question:
        where.append(
            "a.question_id = (SELECT id FROM posts WHERE workspace_id = :ws AND kind = 'Q'"
            " AND number = :question)"
        )
    if channel:
        where.append("a.channel_id = :channel")
    if since:
        where.append("a.created_ms >= :since")
    if tag:
        where.append("a.question_id IN (SELECT question_id FROM question_tags WHERE tag = :tag)")
    # A channel's answers come from posts_rank, which narrows to the channel: without the
    # statistics of a large table the planner would rather read posts_ranked_workspace (already
    # in ranking order, but every channel of the workspace) to save the sort.
    answers = "posts a INDEXED BY posts_rank" if channel else "posts a"
    return f"""{post_and_question("p")}
FROM posts p JOIN posts q ON q.id = p.question_id
WHERE p.id IN (SELECT a.id FROM {answers} WHERE {" AND ".join(where)}
               ORDER BY {RANKING_ORDER.format(p="a")} LIMIT :limit)
ORDER BY {RANKING_ORDER.format(p="p")}"""


# Best match first (bm25), then the higher net score; the snippet marks matches with \x02 and
# \x03 (storage/snippets.py).
SEARCH = f"""
{post_and_question("p")}, snippet(posts_fts, 0, char(2), char(3), '', 24) AS snippet
FROM posts_fts f JOIN posts p ON p.id = f.rowid
JOIN posts q ON q.id = COALESCE(p.question_id, p.id)
WHERE posts_fts MATCH :match AND p.workspace_id = :ws AND p.removed = 0
ORDER BY f.rank, p.ups - p.downs DESC, p.id ASC
LIMIT :limit"""
