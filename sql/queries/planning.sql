-- Planning: what the database already knows about the listed URIs.

-- name: known_images
-- One row per listed URI that has an image row: its content, its listing fingerprint, the hash
-- of the manifest row it was written from, and whether that content has a current analysis
-- from this model and prompt version.
SELECT l.uri, i.sha256, i.fingerprint, i.metadata_hash,
       EXISTS (
           SELECT 1 FROM analyses a
           WHERE a.image_sha256 = i.sha256
             AND a.model_version = %(model_version)s
             AND a.prompt_version = %(prompt_version)s
             AND a.is_current
       ) AS up_to_date
FROM unnest(%(uris)s::text[]) AS l (uri)
JOIN images i ON i.uri = l.uri

-- name: analysed_contents
-- Which of these contents already have an analysis from this model and prompt version.
SELECT DISTINCT image_sha256
FROM analyses
WHERE image_sha256 = ANY (%(shas)s::text[])
  AND model_version = %(model_version)s
  AND prompt_version = %(prompt_version)s

-- name: held_objects
-- Object ids of this collection already held by an image under another source: a second
-- source's file with the same path-derived id conflicts with it (run/plan.py).
SELECT DISTINCT ON (aw.object_id) aw.object_id, i.uri
FROM artworks aw
JOIN images i ON i.artwork_id = aw.id
WHERE aw.collection = %(collection)s
  AND aw.object_id = ANY (%(object_ids)s::text[])
  AND left(i.uri, length(%(root)s) + 1) <> %(root)s || '/'
ORDER BY aw.object_id, i.uri
