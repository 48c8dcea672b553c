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

-- name: bench_refresh_search
-- What 0015's statement triggers do after a sink block, once for a loaded chunk's images.
SELECT search_entries_refresh(ARRAY(SELECT uri FROM images
                                    WHERE id BETWEEN %(first)s AND %(last)s))

-- Measuring the catalog benchmark: each mode through the catalogers' SQL functions, and the
-- exact answer it is compared with. The exact queries are plain SQL over search_entries: every
-- match ranked by the same expression (ties by object id, collection, uri), or every distance
-- computed (an OFFSET 0 subquery, so no ORDER BY can reach an HNSW index). Filters are written
-- out again here (literal, case-insensitive substring; overlapping years) rather than taken
-- from catalog_entries.

-- name: bench_search_text
SELECT * FROM catalog_search_text(%(query)s, 10, %(artist)s, %(year_from)s, %(year_to)s,
                                  %(medium)s, %(aspect)s, %(term)s, p_offset => %(offset)s)

-- name: bench_exact_text
SELECT m.collection, m.object_id, m.uri
FROM (SELECT e.collection, e.object_id, e.uri,
             ts_rank(e.doc, websearch_to_tsquery('english', %(query)s)) AS rank
      FROM search_entries e
      WHERE e.doc @@ websearch_to_tsquery('english', %(query)s)
        AND (%(artist)s::text IS NULL OR strpos(lower(e.artist), lower(%(artist)s)) > 0)
        AND (%(year_from)s::integer IS NULL OR e.year_end >= %(year_from)s)
        AND (%(year_to)s::integer IS NULL OR e.year_start <= %(year_to)s)
        AND (%(medium)s::text IS NULL OR strpos(lower(e.medium), lower(%(medium)s)) > 0)
        AND (%(aspect)s::text IS NULL OR %(aspect)s = ANY (e.aspects))
        AND (%(term)s::text IS NULL OR %(term)s = ANY (e.terms))
      OFFSET 0) m
ORDER BY m.rank DESC, m.object_id, m.collection, m.uri
OFFSET %(offset)s LIMIT 10

-- name: bench_search_fuzzy
SELECT * FROM catalog_search_fuzzy(%(query)s, 10, %(artist)s, %(year_from)s, %(year_to)s,
                                   %(medium)s, %(aspect)s, %(term)s)

-- name: bench_exact_fuzzy
-- Fuzzy's match: the title or the artist within word similarity 0.5; its score the better.
SELECT m.collection, m.object_id, m.uri
FROM (SELECT e.collection, e.object_id, e.uri,
             greatest(word_similarity(%(query)s, e.title),
                      word_similarity(%(query)s, e.artist)) AS score
      FROM search_entries e
      WHERE (%(artist)s::text IS NULL OR strpos(lower(e.artist), lower(%(artist)s)) > 0)
        AND (%(year_from)s::integer IS NULL OR e.year_end >= %(year_from)s)
        AND (%(year_to)s::integer IS NULL OR e.year_start <= %(year_to)s)
        AND (%(medium)s::text IS NULL OR strpos(lower(e.medium), lower(%(medium)s)) > 0)
        AND (%(aspect)s::text IS NULL OR %(aspect)s = ANY (e.aspects))
        AND (%(term)s::text IS NULL OR %(term)s = ANY (e.terms))
      OFFSET 0) m
WHERE m.score >= 0.5
ORDER BY m.score DESC, m.object_id, m.collection, m.uri
LIMIT 10

-- name: bench_search_semantic
SELECT * FROM catalog_search_semantic(%(embedding)s, 10, %(artist)s, %(year_from)s,
                                      %(year_to)s, %(medium)s, %(aspect)s, %(term)s)

-- name: bench_exact_semantic
-- Exact k-NN: every distance computed (p_exclude: the artwork a "similar" search starts from).
SELECT m.collection, m.object_id, m.uri
FROM (SELECT e.collection, e.object_id, e.uri, e.embedding <=> %(embedding)s AS distance
      FROM search_entries e
      WHERE e.embedding IS NOT NULL
        AND (%(exclude)s::bigint IS NULL OR e.artwork_id IS DISTINCT FROM %(exclude)s)
        AND (%(artist)s::text IS NULL OR strpos(lower(e.artist), lower(%(artist)s)) > 0)
        AND (%(year_from)s::integer IS NULL OR e.year_end >= %(year_from)s)
        AND (%(year_to)s::integer IS NULL OR e.year_start <= %(year_to)s)
        AND (%(medium)s::text IS NULL OR strpos(lower(e.medium), lower(%(medium)s)) > 0)
        AND (%(aspect)s::text IS NULL OR %(aspect)s = ANY (e.aspects))
        AND (%(term)s::text IS NULL OR %(term)s = ANY (e.terms))
      OFFSET 0) m
ORDER BY m.distance, m.object_id, m.collection, m.uri
LIMIT 10

-- name: bench_search_similar
SELECT * FROM catalog_search_similar(%(query)s, 10, %(artist)s, %(year_from)s, %(year_to)s,
                                     %(medium)s, %(aspect)s, %(term)s)

-- name: bench_similar_source
-- What "similar" starts from: the newest analysis of that object id.
SELECT e.embedding, e.artwork_id FROM search_entries e
WHERE e.object_id = %(query)s AND e.embedding IS NOT NULL
ORDER BY e.analysis_id DESC, e.uri LIMIT 1

-- name: bench_sample_objects
SELECT object_id FROM search_entries WHERE analysis_id = ANY (%(ids)s) ORDER BY analysis_id

-- name: bench_search_color
SELECT * FROM catalog_search_color(%(query)s, 10, %(artist)s, %(year_from)s, %(year_to)s,
                                   %(medium)s, %(aspect)s, %(term)s)

-- name: bench_exact_color
-- Every palette colour of at least 5%% within 25 (CIE76) of the colour, summed per work as
-- share x closeness: catalog_search_color's defaults, over all palette rows.
SELECT m.collection, m.object_id, m.uri
FROM (SELECT e.collection, e.object_id, e.uri,
             sum(p.share * (1 - (p.lab <-> catalog_color_lab(%(query)s)) / 25)) AS score
      FROM palette_colors p
      JOIN search_entries e ON e.sha256 = p.image_sha256
      WHERE p.share >= 0.05 AND p.lab <-> catalog_color_lab(%(query)s) <= 25
        AND (%(artist)s::text IS NULL OR strpos(lower(e.artist), lower(%(artist)s)) > 0)
        AND (%(year_from)s::integer IS NULL OR e.year_end >= %(year_from)s)
        AND (%(year_to)s::integer IS NULL OR e.year_start <= %(year_to)s)
        AND (%(medium)s::text IS NULL OR strpos(lower(e.medium), lower(%(medium)s)) > 0)
        AND (%(aspect)s::text IS NULL OR %(aspect)s = ANY (e.aspects))
        AND (%(term)s::text IS NULL OR %(term)s = ANY (e.terms))
      GROUP BY e.collection, e.object_id, e.uri
      OFFSET 0) m
ORDER BY m.score DESC, m.object_id, m.collection, m.uri
LIMIT 10

-- name: bench_search_facets
SELECT facet, value, count
FROM catalog_search_facets(%(query)s, %(artist)s, %(year_from)s, %(year_to)s, %(medium)s,
                           %(aspect)s, %(term)s, 10)

-- name: bench_exact_facets
-- Counts of every match per facet by GROUP BY; the 10 largest of each (ties by value).
WITH matches AS MATERIALIZED (
    SELECT e.artist, (floor(e.year_start / 10.0) * 10)::integer::text AS decade, e.medium,
           e.aspects, e.terms
    FROM search_entries e
    WHERE e.doc @@ websearch_to_tsquery('english', %(query)s)
      AND (%(artist)s::text IS NULL OR strpos(lower(e.artist), lower(%(artist)s)) > 0)
      AND (%(year_from)s::integer IS NULL OR e.year_end >= %(year_from)s)
      AND (%(year_to)s::integer IS NULL OR e.year_start <= %(year_to)s)
      AND (%(medium)s::text IS NULL OR strpos(lower(e.medium), lower(%(medium)s)) > 0)
      AND (%(aspect)s::text IS NULL OR %(aspect)s = ANY (e.aspects))
      AND (%(term)s::text IS NULL OR %(term)s = ANY (e.terms))
),
counted AS (
    SELECT 'artist' AS facet, artist AS value, count(*) AS count FROM matches GROUP BY 2
    UNION ALL SELECT 'decade', decade, count(*) FROM matches GROUP BY 2
    UNION ALL SELECT 'medium', medium, count(*) FROM matches GROUP BY 2
    UNION ALL SELECT 'aspect', a, count(*) FROM matches, unnest(aspects) a GROUP BY 2
    UNION ALL SELECT 'term', t, count(*) FROM matches, unnest(terms) t GROUP BY 2
)
SELECT facet, value, count
FROM (SELECT c.*, row_number() OVER (PARTITION BY facet ORDER BY count DESC, value) AS n
      FROM counted c) r
WHERE n <= 10
