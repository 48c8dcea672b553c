-- Writes of the catalog's structure, in the sink's transaction. Upserts on natural keys (the
-- analysis, the image content), so replaying a block leaves the same rows.

-- name: upsert_structure
-- The weighted document: title and artist (A), art terms (B), analysis text (C), medium (D).
INSERT INTO analysis_structure (analysis_id, aspects, terms, vocabulary_version, search_doc,
                                embedding, embedding_model)
SELECT a.id, %(aspects)s::jsonb, %(terms)s::text[], %(vocabulary_version)s,
       setweight(to_tsvector('english', coalesce(aw.title, '') || ' ' || coalesce(aw.artist, '')), 'A')
       || setweight(to_tsvector('english', array_to_string(%(terms)s::text[], ' ')), 'B')
       || setweight(to_tsvector('english', a.text), 'C')
       || setweight(to_tsvector('english', coalesce(aw.medium, '')), 'D'),
       %(embedding)s::vector, %(embedding_model)s
FROM analyses a
LEFT JOIN images i ON i.uri = %(uri)s
LEFT JOIN artworks aw ON aw.id = i.artwork_id
WHERE a.image_sha256 = %(sha256)s
  AND a.model_version = %(model_version)s
  AND a.prompt_version = %(prompt_version)s
ON CONFLICT (analysis_id) DO UPDATE SET
    aspects            = EXCLUDED.aspects,
    terms              = EXCLUDED.terms,
    vocabulary_version = EXCLUDED.vocabulary_version,
    search_doc         = EXCLUDED.search_doc,
    embedding          = EXCLUDED.embedding,
    embedding_model    = EXCLUDED.embedding_model,
    updated_at         = now()

-- name: upsert_image_features
INSERT INTO image_features (image_sha256, brightness, contrast, saturation, colourfulness,
                            warmth, palette)
VALUES (%(sha256)s, %(brightness)s, %(contrast)s, %(saturation)s, %(colourfulness)s,
        %(warmth)s, %(palette)s)
ON CONFLICT (image_sha256) DO UPDATE SET
    brightness    = EXCLUDED.brightness,
    contrast      = EXCLUDED.contrast,
    saturation    = EXCLUDED.saturation,
    colourfulness = EXCLUDED.colourfulness,
    warmth        = EXCLUDED.warmth,
    palette       = EXCLUDED.palette,
    updated_at    = now()

-- name: delete_palette
DELETE FROM palette_colors WHERE image_sha256 = %(sha256)s

-- name: insert_palette_color
INSERT INTO palette_colors (image_sha256, rank, share, hex, css_name, l, a, b)
VALUES (%(sha256)s, %(rank)s, %(share)s, %(hex)s, %(css_name)s, %(l)s, %(a)s, %(b)s)

-- name: catalog_object_exists
SELECT EXISTS (SELECT 1 FROM catalog_documents WHERE object_id = %(object_id)s) AS found
