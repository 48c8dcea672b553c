-- Writes of the catalog's structure, in the sink's transaction. Upserts on natural keys (the
-- analysis, the image content), so replaying a block leaves the same rows.

-- name: structure_create_staging
-- A block's structure, features and palette rows are COPied into these session-local tables
-- and merged set-based below; seq is the item's position, so the last of duplicates wins.
CREATE TEMP TABLE IF NOT EXISTS structure_staging (
    seq                integer NOT NULL,
    uri                text NOT NULL,
    sha256             text NOT NULL,
    model_version      text NOT NULL,
    prompt_version     text NOT NULL,
    aspects            jsonb NOT NULL,
    terms              text[] NOT NULL,
    vocabulary_version text NOT NULL,
    embedding          vector,
    embedding_model    text
) ON COMMIT DELETE ROWS

-- name: features_create_staging
CREATE TEMP TABLE IF NOT EXISTS features_staging (
    seq           integer NOT NULL,
    sha256        text NOT NULL,
    brightness    real NOT NULL,
    contrast      real NOT NULL,
    saturation    real NOT NULL,
    colourfulness real NOT NULL,
    warmth        real NOT NULL,
    palette       jsonb NOT NULL
) ON COMMIT DELETE ROWS

-- name: palette_create_staging
CREATE TEMP TABLE IF NOT EXISTS palette_staging (
    seq      integer NOT NULL,
    sha256   text NOT NULL,
    rank     smallint NOT NULL,
    share    real NOT NULL,
    hex      text NOT NULL,
    css_name text NOT NULL,
    l        real NOT NULL,
    a        real NOT NULL,
    b        real NOT NULL
) ON COMMIT DELETE ROWS

-- name: structure_copy_staging
COPY structure_staging (seq, uri, sha256, model_version, prompt_version, aspects, terms,
                        vocabulary_version, embedding, embedding_model)
FROM STDIN WITH (FORMAT BINARY)

-- name: features_copy_staging
COPY features_staging (seq, sha256, brightness, contrast, saturation, colourfulness, warmth,
                       palette)
FROM STDIN

-- name: palette_copy_staging
COPY palette_staging (seq, sha256, rank, share, hex, css_name, l, a, b) FROM STDIN

-- name: merge_structure
-- The weighted document: title and artist (A), art terms (B), analysis text (C), medium (D).
-- Structure belongs to an analysis already upserted by the sink (natural key: content, model,
-- prompt); the artwork comes from the item's own image row.
INSERT INTO analysis_structure (analysis_id, aspects, terms, vocabulary_version, search_doc,
                                embedding, embedding_model)
SELECT a.id, s.aspects, s.terms, s.vocabulary_version,
       setweight(to_tsvector('english', coalesce(aw.title, '') || ' ' || coalesce(aw.artist, '')), 'A')
       || setweight(to_tsvector('english', array_to_string(s.terms, ' ')), 'B')
       || setweight(to_tsvector('english', a.text), 'C')
       || setweight(to_tsvector('english', coalesce(aw.medium, '')), 'D'),
       s.embedding, s.embedding_model
FROM (
    SELECT DISTINCT ON (sha256, model_version, prompt_version) *
    FROM structure_staging
    ORDER BY sha256, model_version, prompt_version, seq DESC
) s
JOIN analyses a ON a.image_sha256 = s.sha256
               AND a.model_version = s.model_version
               AND a.prompt_version = s.prompt_version
LEFT JOIN images i ON i.uri = s.uri
LEFT JOIN artworks aw ON aw.id = i.artwork_id
ON CONFLICT (analysis_id) DO UPDATE SET
    aspects            = EXCLUDED.aspects,
    terms              = EXCLUDED.terms,
    vocabulary_version = EXCLUDED.vocabulary_version,
    search_doc         = EXCLUDED.search_doc,
    embedding          = EXCLUDED.embedding,
    embedding_model    = EXCLUDED.embedding_model,
    updated_at         = now()

-- name: merge_image_features
INSERT INTO image_features (image_sha256, brightness, contrast, saturation, colourfulness,
                            warmth, palette)
SELECT DISTINCT ON (sha256)
       sha256, brightness, contrast, saturation, colourfulness, warmth, palette
FROM features_staging
ORDER BY sha256, seq DESC
ON CONFLICT (image_sha256) DO UPDATE SET
    brightness    = EXCLUDED.brightness,
    contrast      = EXCLUDED.contrast,
    saturation    = EXCLUDED.saturation,
    colourfulness = EXCLUDED.colourfulness,
    warmth        = EXCLUDED.warmth,
    palette       = EXCLUDED.palette,
    updated_at    = now()

-- name: delete_staged_palettes
-- A measured palette replaces the content's previous one.
DELETE FROM palette_colors p
USING (SELECT DISTINCT sha256 FROM features_staging) f
WHERE p.image_sha256 = f.sha256

-- name: insert_staged_palettes
INSERT INTO palette_colors (image_sha256, rank, share, hex, css_name, l, a, b)
SELECT p.sha256, p.rank, p.share, p.hex, p.css_name, p.l, p.a, p.b
FROM palette_staging p
JOIN (SELECT sha256, max(seq) AS seq FROM features_staging GROUP BY sha256) f
  ON f.sha256 = p.sha256 AND f.seq = p.seq

-- name: catalog_object_exists
SELECT EXISTS (SELECT 1 FROM catalog_documents WHERE object_id = %(object_id)s) AS found

-- name: show_object
-- One object's current analyses (rejected ones too, labelled) with their structure and
-- measured features; views only, so the reader role can run it.
SELECT st.object_id, st.title, st.artist, aw.date_text, aw.medium, st.collection, st.uri,
       st.sha256, st.analysis_id, st.model_version, st.model_name, st.analysed_at, st.text,
       st.model_text, st.is_corrected, st.review_status, st.reviewer, st.reviewed_at,
       aw.aspects, aw.terms, aw.brightness, aw.contrast, aw.saturation, aw.colourfulness,
       aw.warmth
FROM catalog_analysis_status st
LEFT JOIN catalog_artworks aw ON aw.analysis_id = st.analysis_id AND aw.image_uri = st.uri
WHERE st.object_id = %(object_id)s
ORDER BY st.analysed_at DESC, st.analysis_id DESC

-- name: show_palette
SELECT rank, share, hex, css_name FROM catalog_palette
WHERE image_sha256 = %(sha256)s AND object_id = %(object_id)s
ORDER BY rank
