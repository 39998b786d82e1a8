-- Surfacing: /qa mydata and /qa forgetme find one person's votes and posts without a scan.
CREATE INDEX votes_by_voter ON votes (voter_id);
CREATE INDEX posts_by_author ON posts (workspace_id, author_id);
