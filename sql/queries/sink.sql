-- Writes of the Sink stage. Every statement is an upsert on a natural key, so replaying a
-- block (a retried Ray task, a rerun after a crash) leaves the same rows.

-- name: upsert_artwork
INSERT INTO artworks (object_id, title, artist, date_text, year_start, year_end, medium, metadata)
VALUES (%(object_id)s, %(title)s, %(artist)s, %(date_text)s, %(year_start)s, %(year_end)s,
        %(medium)s, %(metadata)s)
ON CONFLICT (object_id) DO UPDATE SET
    title      = COALESCE(EXCLUDED.title, artworks.title),
    artist     = COALESCE(EXCLUDED.artist, artworks.artist),
    date_text  = COALESCE(EXCLUDED.date_text, artworks.date_text),
    year_start = COALESCE(EXCLUDED.year_start, artworks.year_start),
    year_end   = COALESCE(EXCLUDED.year_end, artworks.year_end),
    medium     = COALESCE(EXCLUDED.medium, artworks.medium),
    metadata   = artworks.metadata || EXCLUDED.metadata,
    updated_at = now()
RETURNING id

-- name: upsert_image
INSERT INTO images (uri, sha256, width, height, bytes, artwork_id, last_run_id)
VALUES (%(uri)s, %(sha256)s, %(width)s, %(height)s, %(bytes)s, %(artwork_id)s, %(run_id)s)
ON CONFLICT (uri) DO UPDATE SET
    sha256      = EXCLUDED.sha256,
    width       = EXCLUDED.width,
    height      = EXCLUDED.height,
    bytes       = EXCLUDED.bytes,
    artwork_id  = EXCLUDED.artwork_id,
    last_run_id = EXCLUDED.last_run_id,
    updated_at  = now()

-- name: retire_other_analyses
-- Before a new analysis becomes current, older ones of the same content and prompt name
-- become history.
UPDATE analyses SET is_current = false
WHERE image_sha256 = %(image_sha256)s
  AND prompt_name = %(prompt_name)s
  AND is_current
  AND (model_version, prompt_version) <> (%(model_version)s, %(prompt_version)s)

-- name: upsert_analysis
INSERT INTO analyses (image_sha256, model_version, prompt_version, prompt_name, text,
                      prompt_tokens, generated_tokens, inference_seconds, run_id, is_current)
VALUES (%(image_sha256)s, %(model_version)s, %(prompt_version)s, %(prompt_name)s, %(text)s,
        %(prompt_tokens)s, %(generated_tokens)s, %(inference_seconds)s, %(run_id)s, true)
ON CONFLICT (image_sha256, model_version, prompt_version) DO UPDATE SET
    is_current = true

-- name: record_failure
INSERT INTO failures (run_id, uri, sha256, reason, message)
VALUES (%(run_id)s, %(uri)s, %(sha256)s, %(reason)s, %(message)s)
ON CONFLICT (run_id, uri) DO UPDATE SET
    sha256 = EXCLUDED.sha256, reason = EXCLUDED.reason, message = EXCLUDED.message
