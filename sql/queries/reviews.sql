-- Catalogers' reviews (archive_analyzer/catalog/reviews.py). Every query reads only what the
-- cataloger role may read (views) and writes only analysis_reviews, so the same calls work
-- logged in as archive_cataloger.

-- name: review_object_targets
-- The current analyses of an object's images (rejected ones too: they can be reviewed again),
-- newest first; collection narrows to images last seen by runs of that collection.
SELECT analysis_id, object_id, uri, collection, review_status
FROM catalog_analysis_status
WHERE object_id = %(object_id)s
  AND (%(collection)s::text IS NULL OR collection = %(collection)s::text)
ORDER BY analysed_at DESC, analysis_id DESC

-- name: review_analysis_exists
-- Current analyses, and earlier ones through their images' history.
SELECT analysis_id FROM catalog_analysis_status WHERE analysis_id = %(analysis_id)s
UNION
SELECT analysis_id FROM artwork_analysis_history WHERE analysis_id = %(analysis_id)s
LIMIT 1

-- name: review_insert
INSERT INTO analysis_reviews (analysis_id, verdict, corrected_text, reviewer, note)
VALUES (%(analysis_id)s, %(verdict)s, %(corrected_text)s, %(reviewer)s, %(note)s)
RETURNING id

-- name: review_by_id
SELECT review_id, analysis_id, object_id, uri, model_version, model_name, verdict,
       corrected_text, note, reviewer, created_at
FROM catalog_reviews WHERE review_id = %(review_id)s

-- name: review_queue
-- Oldest analyses first: the queue is worked through in the order analyses arrived.
SELECT q.analysis_id, q.object_id, q.title, q.artist, q.collection, q.uri, q.model_version,
       q.model_name, q.run_id, q.analysed_at, q.review_status, q.text, q.model_text
FROM catalog_review_queue q
WHERE (%(artist)s::text IS NULL OR q.artist ILIKE '%%' || replace(replace(replace(
          %(artist)s::text, '\', '\\'), '%%', '\%%'), '_', '\_') || '%%')
  AND (%(collection)s::text IS NULL OR q.collection = %(collection)s::text)
  AND (%(run_id)s::bigint IS NULL OR q.run_id = %(run_id)s::bigint)
  AND (%(status)s::text IS NULL OR q.review_status = %(status)s::text)
ORDER BY q.analysed_at, q.analysis_id
LIMIT %(limit)s

-- name: review_history_analyses
-- Every analysis an object's images have had.
SELECT analysis_id, uri, model_version, prompt_name, is_current, created_at, text
FROM artwork_analysis_history
WHERE object_id = %(object_id)s
ORDER BY created_at, analysis_id

-- name: review_history_reviews
SELECT review_id, analysis_id, object_id, uri, model_version, model_name, verdict,
       corrected_text, note, reviewer, created_at
FROM catalog_reviews
WHERE analysis_id = ANY(%(analysis_ids)s::bigint[])
ORDER BY created_at, review_id

-- name: remember_model
-- A model card's own name for its version (`name_source` card wins over every other).
INSERT INTO models (version, name, location, name_source)
VALUES (%(version)s, %(name)s, %(location)s, 'card')
ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, location = EXCLUDED.location,
                                    name_source = 'card'
