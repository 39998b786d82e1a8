-- Platform event ids (Slack's event_id) handled by any process sharing this database: a
-- redelivery that reaches another process is skipped there. Kept for at least an hour, longer
-- than Slack retries; older rows are deleted as new ones come.
CREATE TABLE event_claims (
    platform   text   NOT NULL,
    event_id   text   NOT NULL,
    claimed_ms bigint NOT NULL,
    PRIMARY KEY (platform, event_id)
);
CREATE INDEX event_claims_by_age ON event_claims (claimed_ms);
