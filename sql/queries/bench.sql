-- Queries of the benchmarks (bench/): a run to attach rows to, and the row-by-row baseline
-- that the Sink's COPY-and-merge is measured against.

-- name: bench_start_run
INSERT INTO runs (collection, source_uri, settings)
VALUES (%(collection)s, 'bench://synthetic', '{"benchmark": true}'::jsonb)
RETURNING id

-- name: bench_create_row_table
CREATE TEMP TABLE IF NOT EXISTS bench_rows (
    uri               text NOT NULL,
    object_id         text,
    sha256            text,
    width             integer,
    height            integer,
    bytes             bigint,
    metadata          jsonb,
    text              text,
    prompt_tokens     integer,
    generated_tokens  integer,
    model_version     text,
    prompt_version    text,
    run_id            bigint
)

-- name: bench_insert_row
INSERT INTO bench_rows (uri, object_id, sha256, width, height, bytes, metadata, text,
                        prompt_tokens, generated_tokens, model_version, prompt_version, run_id)
VALUES (%(uri)s, %(object_id)s, %(sha256)s, %(width)s, %(height)s, %(bytes)s, %(metadata)s,
        %(text)s, %(prompt_tokens)s, %(generated_tokens)s, %(model_version)s,
        %(prompt_version)s, %(run_id)s)

-- Loading the catalog benchmark (bench/catalog_load.py): COPY into the base tables with ids
-- chosen by the loader (artwork, image and analysis n share the number n + 1), secondary
-- indexes dropped for the load and built once afterwards, as a bulk import would.

-- name: bench_secondary_indexes
-- Indexes no constraint or ON CONFLICT needs: every non-unique index of the public schema.
SELECT ci.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
JOIN pg_class ci ON ci.oid = i.indexrelid
JOIN pg_class ct ON ct.oid = i.indrelid
WHERE ct.relnamespace = 'public'::regnamespace
  AND NOT i.indisunique
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY ci.relname

-- name: bench_copy_artworks
COPY artworks (id, collection, object_id, title, artist, date_text, year_start, year_end,
               medium, mapped_fields, last_run_id)
FROM STDIN

-- name: bench_copy_images
COPY images (id, uri, sha256, width, height, bytes, artwork_id, last_run_id, metadata_hash)
FROM STDIN

-- name: bench_fill_contents
INSERT INTO image_contents (uri, sha256, run_id)
SELECT uri, sha256, last_run_id FROM images WHERE id BETWEEN %(first)s AND %(last)s

-- name: bench_copy_analyses
COPY analyses (id, image_sha256, model_version, prompt_version, prompt_name, text,
               prompt_tokens, generated_tokens, run_id)
FROM STDIN

-- name: bench_create_structure_staging
CREATE TEMP TABLE IF NOT EXISTS bench_structure (
    analysis_id  bigint NOT NULL,
    terms        text[] NOT NULL,
    embedding    vector(384) NOT NULL
) ON COMMIT DELETE ROWS

-- name: bench_copy_structure
COPY bench_structure (analysis_id, terms, embedding) FROM STDIN WITH (FORMAT BINARY)

-- name: bench_merge_structure
-- The sink's document (catalog.sql, merge_structure), joined by the loader's shared ids.
INSERT INTO analysis_structure (analysis_id, aspects, terms, vocabulary_version, search_doc,
                                embedding, embedding_model)
SELECT s.analysis_id, '{"other": []}'::jsonb, s.terms, 'bench',
       setweight(to_tsvector('english', coalesce(aw.title, '') || ' ' || coalesce(aw.artist, '')), 'A')
       || setweight(to_tsvector('english', array_to_string(s.terms, ' ')), 'B')
       || setweight(to_tsvector('english', a.text), 'C')
       || setweight(to_tsvector('english', coalesce(aw.medium, '')), 'D'),
       s.embedding, 'bench'
FROM bench_structure s
JOIN analyses a ON a.id = s.analysis_id
JOIN images i ON i.id = s.analysis_id
JOIN artworks aw ON aw.id = i.artwork_id

-- name: bench_fill_features
INSERT INTO image_features (image_sha256, brightness, contrast, saturation, colourfulness,
                            warmth, palette)
SELECT sha256, 50, 20, 0.4, 30, 0, '[]'::jsonb FROM images WHERE id BETWEEN %(first)s AND %(last)s

-- name: bench_copy_palette
COPY palette_colors (image_sha256, rank, share, hex, css_name, l, a, b) FROM STDIN

-- name: bench_set_sequences
-- Ids were chosen by the loader: the sequences continue after them.
SELECT setval(pg_get_serial_sequence('artworks', 'id'), (SELECT max(id) FROM artworks)),
       setval(pg_get_serial_sequence('images', 'id'), (SELECT max(id) FROM images)),
       setval(pg_get_serial_sequence('analyses', 'id'), (SELECT max(id) FROM analyses))
