-- Writes of the Sink stage. A block is COPied into a session-local staging table and merged
-- into the real tables by the statements below, all in one transaction: a block is written
-- entirely or not at all, and every merge is an upsert on a natural key, so replaying a block
-- (a retried Ray task, a rerun after a crash) leaves the same rows.

-- name: sink_create_staging
CREATE TEMP TABLE IF NOT EXISTS sink_staging (
    uri               text NOT NULL,
    object_id         text,
    fingerprint       text,
    status            text NOT NULL,
    reason            text,
    message           text,
    sha256            text,
    width             integer,
    height            integer,
    bytes             bigint,
    title             text,
    artist            text,
    date_text         text,
    year_start        integer,
    year_end          integer,
    medium            text,
    metadata          jsonb,
    text              text,
    prompt_tokens     integer,
    generated_tokens  integer,
    inference_seconds double precision,
    model_version     text,
    prompt_version    text,
    prompt_name       text,
    mapped_fields     text[],
    metadata_hash     text
) ON COMMIT DELETE ROWS

-- name: sink_copy_staging
COPY sink_staging (uri, object_id, fingerprint, status, reason, message, sha256, width, height,
                   bytes, title, artist, date_text, year_start, year_end, medium, metadata, text,
                   prompt_tokens, generated_tokens, inference_seconds, model_version,
                   prompt_version, prompt_name, mapped_fields, metadata_hash)
FROM STDIN

-- name: sink_merge_artworks
-- An artwork is (collection, object_id). The manifest is the truth for the fields it maps
-- (mapped_fields): a mapped blank clears the column, an unmapped field keeps its value.
-- The artworks_record_history trigger keeps every change, with last_run_id as its run.
INSERT INTO artworks (collection, object_id, title, artist, date_text, year_start, year_end,
                      medium, metadata, mapped_fields, last_run_id)
SELECT DISTINCT ON (object_id)
       %(collection)s, object_id, title, artist, date_text, year_start, year_end, medium,
       metadata, mapped_fields, %(run_id)s
FROM sink_staging
WHERE status IN ('ok', 'reused')
ORDER BY object_id, uri
ON CONFLICT (collection, object_id) DO UPDATE SET
    title      = CASE WHEN 'title' = ANY (EXCLUDED.mapped_fields)
                      THEN EXCLUDED.title ELSE artworks.title END,
    artist     = CASE WHEN 'artist' = ANY (EXCLUDED.mapped_fields)
                      THEN EXCLUDED.artist ELSE artworks.artist END,
    date_text  = CASE WHEN 'date_text' = ANY (EXCLUDED.mapped_fields)
                      THEN EXCLUDED.date_text ELSE artworks.date_text END,
    year_start = CASE WHEN 'date_text' = ANY (EXCLUDED.mapped_fields)
                      THEN EXCLUDED.year_start ELSE artworks.year_start END,
    year_end   = CASE WHEN 'date_text' = ANY (EXCLUDED.mapped_fields)
                      THEN EXCLUDED.year_end ELSE artworks.year_end END,
    medium     = CASE WHEN 'medium' = ANY (EXCLUDED.mapped_fields)
                      THEN EXCLUDED.medium ELSE artworks.medium END,
    metadata   = artworks.metadata || EXCLUDED.metadata,
    mapped_fields = EXCLUDED.mapped_fields,
    last_run_id = EXCLUDED.last_run_id,
    updated_at = now()

-- name: sink_merge_images
INSERT INTO images (uri, sha256, width, height, bytes, fingerprint, artwork_id, last_run_id,
                    metadata_hash)
SELECT s.uri, s.sha256, s.width, s.height, s.bytes, s.fingerprint, aw.id, %(run_id)s,
       s.metadata_hash
FROM sink_staging s
JOIN artworks aw ON aw.collection = %(collection)s AND aw.object_id = s.object_id
WHERE s.status IN ('ok', 'reused')
ON CONFLICT (uri) DO UPDATE SET
    sha256      = EXCLUDED.sha256,
    width       = EXCLUDED.width,
    height      = EXCLUDED.height,
    bytes       = EXCLUDED.bytes,
    fingerprint = EXCLUDED.fingerprint,
    artwork_id  = EXCLUDED.artwork_id,
    last_run_id = EXCLUDED.last_run_id,
    metadata_hash = EXCLUDED.metadata_hash,
    updated_at  = now()

-- name: sync_link_images
-- Metadata sync (no model call): the image, unchanged, points at its artwork as the manifest
-- now says and remembers the manifest row it was synced from.
UPDATE images i SET artwork_id = aw.id, metadata_hash = s.metadata_hash,
                    last_run_id = %(run_id)s, updated_at = now()
FROM sink_staging s
JOIN artworks aw ON aw.collection = %(collection)s AND aw.object_id = s.object_id
WHERE i.uri = s.uri

-- name: sync_search_docs
-- Title, artist and medium are part of an analysis' search document (catalog.sql's
-- merge_structure): rebuilt for the synced images' current analyses, with the same weights.
UPDATE analysis_structure st
SET search_doc = setweight(to_tsvector('english', coalesce(aw.title, '') || ' '
                                       || coalesce(aw.artist, '')), 'A')
       || setweight(to_tsvector('english', array_to_string(st.terms, ' ')), 'B')
       || setweight(to_tsvector('english', a.text), 'C')
       || setweight(to_tsvector('english', coalesce(aw.medium, '')), 'D'),
    updated_at = now()
FROM sink_staging s
JOIN images i ON i.uri = s.uri
JOIN artworks aw ON aw.id = i.artwork_id
JOIN analyses a ON a.image_sha256 = i.sha256 AND a.is_current
WHERE st.analysis_id = a.id

-- name: sink_merge_contents
INSERT INTO image_contents (uri, sha256, run_id)
SELECT uri, sha256, %(run_id)s FROM sink_staging WHERE status IN ('ok', 'reused')
ON CONFLICT (uri, sha256) DO NOTHING

-- name: sink_retire_analyses
-- Before an analysis becomes current, the other versions' analyses of the same content and
-- prompt name become history (never deleted).
UPDATE analyses a SET is_current = false
FROM (
    SELECT DISTINCT sha256, prompt_name, model_version, prompt_version
    FROM sink_staging WHERE status IN ('ok', 'reused')
) s
WHERE a.image_sha256 = s.sha256
  AND a.prompt_name = s.prompt_name
  AND a.is_current
  AND (a.model_version, a.prompt_version) <> (s.model_version, s.prompt_version)

-- name: sink_merge_analyses
-- The same bytes under two keys in one block give one analysis (DISTINCT ON the content).
INSERT INTO analyses (image_sha256, model_version, prompt_version, prompt_name, text,
                      prompt_tokens, generated_tokens, inference_seconds, run_id, is_current)
SELECT DISTINCT ON (sha256)
       sha256, model_version, prompt_version, prompt_name, text, prompt_tokens,
       generated_tokens, inference_seconds, %(run_id)s, true
FROM sink_staging
WHERE status = 'ok'
ORDER BY sha256, uri
ON CONFLICT (image_sha256, model_version, prompt_version) DO UPDATE SET
    text              = EXCLUDED.text,
    prompt_tokens     = EXCLUDED.prompt_tokens,
    generated_tokens  = EXCLUDED.generated_tokens,
    inference_seconds = EXCLUDED.inference_seconds,
    run_id            = EXCLUDED.run_id,
    is_current        = true

-- name: sink_revive_reused
-- Content whose analysis by this model and prompt exists already: that analysis is current.
UPDATE analyses a SET is_current = true
FROM (
    SELECT DISTINCT sha256, model_version, prompt_version
    FROM sink_staging WHERE status = 'reused'
) s
WHERE a.image_sha256 = s.sha256
  AND a.model_version = s.model_version
  AND a.prompt_version = s.prompt_version
  AND NOT a.is_current

-- name: sink_merge_failures
INSERT INTO failures (run_id, uri, sha256, reason, message)
SELECT %(run_id)s, uri, sha256, reason, message
FROM sink_staging
WHERE status NOT IN ('ok', 'reused')
ON CONFLICT (run_id, uri) DO UPDATE SET
    sha256 = EXCLUDED.sha256, reason = EXCLUDED.reason, message = EXCLUDED.message

-- name: record_failure
INSERT INTO failures (run_id, uri, sha256, reason, message)
VALUES (%(run_id)s, %(uri)s, %(sha256)s, %(reason)s, %(message)s)
ON CONFLICT (run_id, uri) DO UPDATE SET
    sha256 = EXCLUDED.sha256, reason = EXCLUDED.reason, message = EXCLUDED.message

-- name: sink_clear_staging
-- Empty at the start of a transaction (ON COMMIT DELETE ROWS); a block written in halves after
-- a refused row clears it before each part, whose merges have run already.
DELETE FROM sink_staging

-- name: sink_lock_contents
-- One transaction-level advisory lock per content, taken in one fixed (sorted) order so two
-- sinks never deadlock: a sink writing a content under another model or prompt version waits
-- for this transaction, then sees its analysis and retires it instead of colliding on
-- analyses_one_current_idx. Released at commit or rollback.
SELECT pg_advisory_xact_lock(key)
FROM (
    SELECT DISTINCT hashtextextended('archive-analyzer:content:' || sha, 0) AS key
    FROM unnest(%(shas)s::text[]) AS sha
    ORDER BY key
) AS keys

-- name: sink_refresh_statistics
-- ANALYZE of the tables the sink writes, as their definer (0018): the writer may not ANALYZE.
SELECT sink_refresh_statistics()
