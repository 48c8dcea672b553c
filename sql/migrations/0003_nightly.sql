-- Nightly re-analysis: listing fingerprints for planning, what each run planned and who runs
-- it (for the overlap guard's liveness check), every content an image URI has had (history),
-- and views over current analyses and their history.

-- size + ETag/mtime as listed: planning compares it without reading the bytes.
ALTER TABLE images ADD COLUMN fingerprint text;

ALTER TABLE runs ADD COLUMN prompt_name text;
-- new / changed / stale / unchanged counts decided before inference.
ALTER TABLE runs ADD COLUMN plan jsonb NOT NULL DEFAULT '{}'::jsonb;
-- The PostgreSQL session holding the run's collection lock: when it is gone, so is the run.
ALTER TABLE runs ADD COLUMN backend_pid integer;
CREATE INDEX runs_running_idx ON runs (collection) WHERE status = 'running';

-- Every content (sha256) an image URI has pointed at, so an artwork's history survives
-- re-photography: analyses are keyed by content, and this links old content to the object.
CREATE TABLE image_contents (
    uri         text        NOT NULL,
    sha256      text        NOT NULL,
    run_id      bigint      REFERENCES runs (id) ON DELETE SET NULL,
    first_seen  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (uri, sha256)
);
CREATE INDEX image_contents_sha256_idx ON image_contents (sha256);

INSERT INTO image_contents (uri, sha256, run_id)
SELECT uri, sha256, last_run_id FROM images
ON CONFLICT DO NOTHING;

-- What a cataloger reads: one row per image URI and its current analysis.
CREATE VIEW current_image_analyses AS
SELECT aw.object_id, aw.title, aw.artist, i.uri, i.sha256, a.id AS analysis_id,
       a.prompt_name, a.model_version, a.prompt_version, a.text, a.run_id, a.created_at
FROM images i
JOIN analyses a ON a.image_sha256 = i.sha256 AND a.is_current
LEFT JOIN artworks aw ON aw.id = i.artwork_id;

-- Every analysis an object's images have had, across model/prompt versions and re-shot
-- photographs; is_current: the analysis the current-analysis view shows for this image now.
CREATE VIEW artwork_analysis_history AS
SELECT aw.object_id, c.uri, c.sha256, c.sha256 = i.sha256 AS is_current_content,
       a.id AS analysis_id, a.prompt_name, a.model_version, a.prompt_version,
       a.is_current AND c.sha256 = i.sha256 AS is_current,
       a.text, a.run_id, a.created_at
FROM image_contents c
JOIN images i ON i.uri = c.uri
LEFT JOIN artworks aw ON aw.id = i.artwork_id
JOIN analyses a ON a.image_sha256 = c.sha256;
