-- The web catalogue (`archive-analyzer serve`): reads over the documented views only, so the
-- read-only role can serve it.

-- name: web_facets
-- Counts by artist, decade and medium over the works a search returned (%(object_ids)s, in any
-- order, duplicates counted once). A NULL value is the "unknown" bucket.
WITH works AS (
    SELECT DISTINCT ON (a.object_id) a.object_id, a.artist, a.year_start, a.medium
    FROM catalog_artworks a
    WHERE a.object_id = ANY(%(object_ids)s::text[])
    ORDER BY a.object_id
)
SELECT 'artist' AS facet, w.artist AS value, NULL::integer AS decade, count(*) AS count
FROM works w GROUP BY w.artist
UNION ALL
SELECT 'decade', NULL, (floor(w.year_start / 10.0) * 10)::integer, count(*)
FROM works w GROUP BY 3
UNION ALL
SELECT 'medium', w.medium, NULL, count(*)
FROM works w GROUP BY w.medium
ORDER BY facet, count DESC, value NULLS LAST, decade NULLS LAST

-- name: web_object
-- One artwork with the analysis catalogers see (a correction, if any), its structure and
-- measured features. Hidden when its analysis was rejected: see web_rejected_object.
SELECT object_id, title, artist, date_text, year_start, year_end, medium, metadata, image_uri,
       sha256, analysis_id, analysis, model_text, is_corrected, review_status, reviewer,
       reviewed_at, model_version, model_name, prompt_name, analysed_at, aspects, terms,
       brightness, contrast, saturation, colourfulness, warmth, palette
FROM catalog_artworks
WHERE object_id = %(object_id)s

-- name: web_rejected_object
-- An artwork whose current analysis a cataloger rejected: out of search, still reviewable.
SELECT object_id, title, artist, NULL::text AS date_text, NULL::text AS medium,
       uri AS image_uri, sha256, analysis_id, text AS analysis, model_text, is_corrected,
       review_status, reviewer, reviewed_at, model_version, model_name, prompt_name,
       analysed_at, NULL::jsonb AS aspects, NULL::text[] AS terms, NULL::real AS brightness,
       NULL::jsonb AS palette
FROM catalog_analysis_status
WHERE object_id = %(object_id)s AND review_status = 'rejected'
ORDER BY analysed_at DESC, analysis_id DESC
LIMIT 1

-- name: web_image
-- Where an artwork's image lives and its content hash (the image cache's key); rejected
-- analyses' images too, so their pages still show the painting.
SELECT uri AS image_uri, sha256
FROM catalog_analysis_status
WHERE object_id = %(object_id)s
ORDER BY analysed_at DESC, analysis_id DESC
LIMIT 1
