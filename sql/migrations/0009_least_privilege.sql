-- Least privilege (issue #15): what a read-only login can no longer do, and who the search
-- functions run as. Run as a superuser (the embedded server's `postgres`): only a superuser can
-- revoke from PUBLIC what pg_catalog grants it, and create the definer role. Per-role grants
-- (writer, reader, cataloger) are `archive-analyzer db roles`' job (sql/queries/roles.sql).

-- Advisory locks are the run guard's and the migrator's: a reader holding a collection's key
-- made the next run exit 75 "busy", holding the migration key made `db migrate` wait forever.
-- Every signature, exclusive and shared, lock and unlock; the owner running migrations keeps
-- them (a superuser has them anyway), `db roles` grants them to the writer.
REVOKE EXECUTE ON FUNCTION
    pg_advisory_lock(bigint), pg_advisory_lock(integer, integer),
    pg_advisory_lock_shared(bigint), pg_advisory_lock_shared(integer, integer),
    pg_try_advisory_lock(bigint), pg_try_advisory_lock(integer, integer),
    pg_try_advisory_lock_shared(bigint), pg_try_advisory_lock_shared(integer, integer),
    pg_advisory_xact_lock(bigint), pg_advisory_xact_lock(integer, integer),
    pg_advisory_xact_lock_shared(bigint), pg_advisory_xact_lock_shared(integer, integer),
    pg_try_advisory_xact_lock(bigint), pg_try_advisory_xact_lock(integer, integer),
    pg_try_advisory_xact_lock_shared(bigint), pg_try_advisory_xact_lock_shared(integer, integer),
    pg_advisory_unlock(bigint), pg_advisory_unlock(integer, integer),
    pg_advisory_unlock_shared(bigint), pg_advisory_unlock_shared(integer, integer),
    pg_advisory_unlock_all()
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    pg_advisory_lock(bigint), pg_advisory_lock(integer, integer),
    pg_advisory_lock_shared(bigint), pg_advisory_lock_shared(integer, integer),
    pg_try_advisory_lock(bigint), pg_try_advisory_lock(integer, integer),
    pg_try_advisory_lock_shared(bigint), pg_try_advisory_lock_shared(integer, integer),
    pg_advisory_xact_lock(bigint), pg_advisory_xact_lock(integer, integer),
    pg_advisory_xact_lock_shared(bigint), pg_advisory_xact_lock_shared(integer, integer),
    pg_try_advisory_xact_lock(bigint), pg_try_advisory_xact_lock(integer, integer),
    pg_try_advisory_xact_lock_shared(bigint), pg_try_advisory_xact_lock_shared(integer, integer),
    pg_advisory_unlock(bigint), pg_advisory_unlock(integer, integer),
    pg_advisory_unlock_shared(bigint), pg_advisory_unlock_shared(integer, integer),
    pg_advisory_unlock_all()
TO CURRENT_USER;

-- Filters match text literally: `--artist %` or `_` is a character to find, not a wildcard.
-- Backslash is LIKE's default escape (standard_conforming_strings: '\' is one backslash).
CREATE OR REPLACE FUNCTION catalog_filtered(
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL
) RETURNS SETOF catalog_documents
LANGUAGE sql STABLE AS $$
    SELECT d.* FROM catalog_documents d
    WHERE (p_artist IS NULL OR d.artist ILIKE
           '%' || replace(replace(replace(p_artist, '\', '\\'), '%', '\%'), '_', '\_') || '%')
      AND (p_year_from IS NULL OR d.year_end >= p_year_from)
      AND (p_year_to IS NULL OR d.year_start <= p_year_to)
      AND (p_medium IS NULL OR d.medium ILIKE
           '%' || replace(replace(replace(p_medium, '\', '\\'), '%', '\%'), '_', '\_') || '%')
      AND (p_aspect IS NULL OR d.aspects ? p_aspect)
      AND (p_term IS NULL OR d.terms @> ARRAY[p_term])
$$;

-- Limits are clamped where psql users reach them too: p_limit to 0..1000 (colour's
-- `p_limit * 5` overflowed integer at 500,000,000), p_candidates to 1..10,000 (unbounded, it let
-- one query rank every matching row of the archive). A negative limit returns nothing.
CREATE OR REPLACE FUNCTION catalog_search_fuzzy(
    p_query text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL
) RETURNS TABLE (object_id text, title text, artist text, date_text text, medium text,
                 uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET pg_trgm.word_similarity_threshold = 0.5 AS $$
    WITH names AS (
        SELECT n.artist, word_similarity(p_query, n.artist) AS similarity
        FROM catalog_artist_names n
        WHERE p_query <% n.artist
    ),
    -- All works of one painter share the artist's score, so the first p_limit in object order
    -- are the only ones that can rank; a work whose title scores higher is found below too.
    by_artist AS (
        SELECT w.*
        FROM names n
        CROSS JOIN LATERAL (
            SELECT d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
                   greatest(n.similarity, word_similarity(p_query, d.title)) AS score
            FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect,
                                  p_term) d
            WHERE d.artist = n.artist
            ORDER BY d.object_id
            LIMIT least(greatest(p_limit, 0), 1000)
        ) w
    ),
    by_title AS (
        SELECT d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
               greatest(word_similarity(p_query, d.title),
                        word_similarity(p_query, d.artist)) AS score
        FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d
        WHERE p_query <% d.title
    ),
    hits AS (
        SELECT DISTINCT ON (h.object_id, h.uri) h.*
        FROM (SELECT * FROM by_artist UNION ALL SELECT * FROM by_title) h
        ORDER BY h.object_id, h.uri, h.score DESC
    )
    SELECT h.object_id, h.title, h.artist, h.date_text, h.medium, h.uri, h.score::float8,
           NULL::text
    FROM hits h
    ORDER BY h.score DESC, h.object_id
    LIMIT least(greatest(p_limit, 0), 1000)
$$;

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
              LIMIT least(greatest(p_candidates, 1), 10000)) c
        ORDER BY c.rank DESC
        FETCH FIRST least(greatest(p_limit, 0), 1000) ROWS WITH TIES
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
         LIMIT least(greatest(p_candidates, 1), 10000))
    ),
    top AS (SELECT * FROM candidates c ORDER BY c.rank DESC, c.object_id
            LIMIT least(greatest(p_limit, 0), 1000))
    SELECT t.object_id, t.title, t.artist, t.date_text, t.medium, t.uri, t.rank::float8,
           ts_headline('english', t.text, websearch_to_tsquery('english', p_query),
                       'MaxFragments=1, MaxWords=25, MinWords=10')
    FROM top t
    ORDER BY t.rank DESC, t.object_id
$$;

CREATE OR REPLACE FUNCTION catalog_search_semantic(
    p_embedding vector, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_exclude_object text DEFAULT NULL
) RETURNS TABLE (object_id text, title text, artist text, date_text text, medium text,
                 uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET hnsw.iterative_scan = relaxed_order SET hnsw.ef_search = 80 AS $$
    SELECT n.object_id, n.title, n.artist, n.date_text, n.medium, n.uri, 1 - n.distance, NULL
    FROM (
        SELECT d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
               (d.embedding <=> p_embedding)::float8 AS distance
        FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d
        WHERE p_exclude_object IS NULL OR d.object_id IS DISTINCT FROM p_exclude_object
        ORDER BY d.embedding <=> p_embedding
        LIMIT least(greatest(p_limit, 0), 1000)
    ) n
    ORDER BY n.distance, n.object_id
$$;

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
        LIMIT least(greatest(p_limit, 0), 1000) * 5
    ),
    best AS (
        SELECT DISTINCT ON (n.analysis_id) n.*
        FROM near n ORDER BY n.analysis_id, n.distance, n.share DESC
    )
    SELECT b.object_id, b.title, b.artist, b.date_text, b.medium, b.uri, b.distance,
           b.hex || ' (' || round(b.share * 100) || '%)'
    FROM best b
    ORDER BY b.distance, b.object_id
    LIMIT least(greatest(p_limit, 0), 1000)
$$;

-- The SECURITY DEFINER searches ran as `postgres`, a superuser: one flaw in them was a
-- superuser's flaw. They now run as a role that cannot log in and may read exactly what they
-- read (catalog_search_similar reaches the rest through catalog_search_semantic).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'archive_search_definer') THEN
        CREATE ROLE archive_search_definer NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO archive_search_definer;
GRANT SELECT ON catalog_documents, catalog_colors, analysis_structure, analyses,
    catalog_artist_names, palette_colors TO archive_search_definer;
ALTER FUNCTION catalog_search_text OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_fuzzy OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_semantic OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_similar OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_color OWNER TO archive_search_definer;
