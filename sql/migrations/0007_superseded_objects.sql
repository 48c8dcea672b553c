-- Databases migrated with earlier texts of 0002 and 0006 end with the schema the current texts
-- build. Those texts were edited after release (sql/migrations/superseded.txt lists them, with
-- their commits); `db migrate` accepts a database that applied one, and this migration ships
-- the objects the edits changed. On a database built from the current texts it changes nothing.
--
--   7d3de4e  0002: catalog_search_color orders by a stable target, so the HNSW index serves it.
--   6ff983c  0002: catalog_search_text takes 1,000 candidates (was 2,000) in two branches.
--   03a0471  0002: palette_colors_lab_idx uses a smaller HNSW graph (m = 8, ef_construction = 32).
--   7ba2f23  0006, released as 0006_fuzzy_names.sql, became 0006_search_speed.sql and gained the
--            catalog_search_text below.
--
-- Every statement is idempotent: CREATE OR REPLACE keeps each function's owner and grants.

-- 0002's current text.
CREATE OR REPLACE FUNCTION catalog_search_color(
    p_color text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_min_share real DEFAULT 0.05
) RETURNS TABLE (object_id text, title text, artist text, date_text text, medium text,
                 uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET hnsw.iterative_scan = relaxed_order SET hnsw.ef_search = 80 AS $$
    -- An image has at most 5 palette rows, so the nearest 5 * limit rows hold the nearest
    -- `limit` images. The target is a stable function call, so the HNSW index orders by it.
    WITH near AS (
        SELECT d.analysis_id, d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
               (p.lab <-> catalog_color_lab(p_color))::float8 AS distance, p.hex, p.share
        FROM palette_colors p
        JOIN catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d
          ON d.sha256 = p.image_sha256
        WHERE p.share >= p_min_share
        ORDER BY p.lab <-> catalog_color_lab(p_color)
        LIMIT p_limit * 5
    ),
    best AS (
        SELECT DISTINCT ON (n.analysis_id) n.*
        FROM near n ORDER BY n.analysis_id, n.distance, n.share DESC
    )
    SELECT b.object_id, b.title, b.artist, b.date_text, b.medium, b.uri, b.distance,
           b.hex || ' (' || round(b.share * 100) || '%)'
    FROM best b
    ORDER BY b.distance, b.object_id
    LIMIT p_limit
$$;

-- 0006_search_speed.sql's text.
CREATE OR REPLACE FUNCTION catalog_search_text(
    p_query text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_candidates integer DEFAULT 1000
) RETURNS TABLE (object_id text, title text, artist text, date_text text, medium text,
                 uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
    -- Plans are custom (constant parameters), so the branch whose condition is false never runs.
    WITH unfiltered AS (
        SELECT c.analysis_id, c.rank
        FROM (SELECT s.analysis_id,
                     ts_rank(s.search_doc, websearch_to_tsquery('english', p_query)) AS rank
              FROM analysis_structure s
              WHERE s.search_doc @@ websearch_to_tsquery('english', p_query)
                AND EXISTS (SELECT 1 FROM analyses a WHERE a.id = s.analysis_id AND a.is_current)
                AND num_nonnulls(p_artist, p_year_from, p_year_to, p_medium, p_aspect,
                                 p_term) = 0
              LIMIT p_candidates) c
        ORDER BY c.rank DESC
        FETCH FIRST p_limit ROWS WITH TIES
    ),
    candidates AS (
        (SELECT d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri, d.text, u.rank
         FROM unfiltered u
         JOIN catalog_documents d ON d.analysis_id = u.analysis_id)
        UNION ALL
        (SELECT d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri, d.text,
                ts_rank(d.search_doc, websearch_to_tsquery('english', p_query)) AS rank
         FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d
         WHERE num_nonnulls(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) > 0
           AND d.search_doc @@ websearch_to_tsquery('english', p_query)
         LIMIT p_candidates)
    ),
    top AS (SELECT * FROM candidates c ORDER BY c.rank DESC, c.object_id LIMIT p_limit)
    SELECT t.object_id, t.title, t.artist, t.date_text, t.medium, t.uri, t.rank::float8,
           ts_headline('english', t.text, websearch_to_tsquery('english', p_query),
                       'MaxFragments=1, MaxWords=25, MinWords=10')
    FROM top t
    ORDER BY t.rank DESC, t.object_id
$$;

-- Rebuilt only where it was built with the earlier options: a rebuild reads every palette row.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_class
        WHERE oid = to_regclass('palette_colors_lab_idx')
          AND reloptions @> ARRAY['m=8', 'ef_construction=32']
    ) THEN
        DROP INDEX IF EXISTS palette_colors_lab_idx;
        CREATE INDEX palette_colors_lab_idx ON palette_colors USING hnsw (lab vector_l2_ops)
            WITH (m = 8, ef_construction = 32);
    END IF;
END
$$;
