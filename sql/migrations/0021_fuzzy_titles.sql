-- Fuzzy title search at a million works (issue #16). 0015 took every title within word
-- similarity 0.5 from a GIN trigram index and ranked them all: a query made of common words
-- ('Light Gentle') shares trigrams with a tenth of the titles, and the recheck of those cost
-- 700 ms. A GiST trigram index returns titles in order of word-similarity distance (`<<->`),
-- so the function reads the best titles first and stops after the page: 1,000,000 generated
-- titles, 'Light Gentle' (1,056 titles tied at similarity 1) in 48-53 ms with a 256-byte
-- signature against 196-345 ms through GIN, 74 ms with 128 bytes, 89-104 ms with 512 and
-- 1024 (bigger pages, more to read); a misspelt name finds nothing in 0.1-0.4 ms either way.
--
-- A bulk-mode run that has the GIN index dropped right now (deferred_indexes) gets the new
-- definition and builds it itself when it ends; otherwise it is built here.
DO $$
DECLARE
    new_definition constant text := 'CREATE INDEX search_entries_title_trgm_idx ON public.search_entries '
        'USING gist (title extensions.gist_trgm_ops (siglen = 256))';
BEGIN
    UPDATE deferred_indexes d SET definition = new_definition
    WHERE d.schema_name = 'public' AND d.index_name = 'search_entries_title_trgm_idx';
    IF NOT FOUND THEN
        DROP INDEX IF EXISTS search_entries_title_trgm_idx;
        EXECUTE new_definition;
    END IF;
END
$$;

-- by_title reads titles nearest first and keeps the page: exact, because a work's score is at
-- least its title's similarity, so no work after the page's last title (ties by object id, as
-- the final order breaks them) can rank inside the page. by_artist was exact already.
CREATE OR REPLACE FUNCTION catalog_search_fuzzy(
    p_query text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_offset integer DEFAULT 0
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, distance double precision,
                 detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, extensions, pg_temp SET plan_cache_mode = force_custom_plan
SET pg_trgm.word_similarity_threshold = 0.5 AS $$
    WITH names AS (
        SELECT n.artist, word_similarity(p_query, n.artist) AS similarity
        FROM catalog_artist_names n
        WHERE p_query <% n.artist
    ),
    by_artist AS (
        SELECT w.*
        FROM names n
        CROSS JOIN LATERAL (
            SELECT e.collection, e.object_id, e.title, e.artist, e.date_text, e.medium, e.uri,
                   greatest(n.similarity, word_similarity(p_query, e.title)) AS score
            FROM catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect,
                                 p_term) e
            WHERE e.artist = n.artist
            ORDER BY e.object_id, e.collection, e.uri
            LIMIT least(greatest(p_limit, 0), 1000) + greatest(p_offset, 0)
        ) w
    ),
    by_title AS (
        SELECT e.collection, e.object_id, e.title, e.artist, e.date_text, e.medium, e.uri,
               greatest(word_similarity(p_query, e.title),
                        word_similarity(p_query, e.artist)) AS score
        FROM catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) e
        WHERE p_query <% e.title
        ORDER BY p_query <<-> e.title, e.object_id, e.collection, e.uri
        LIMIT least(greatest(p_limit, 0), 1000) + greatest(p_offset, 0)
    ),
    hits AS (
        SELECT DISTINCT ON (h.uri) h.*
        FROM (SELECT * FROM by_artist UNION ALL SELECT * FROM by_title) h
        ORDER BY h.uri, h.score DESC
    )
    SELECT h.collection, h.object_id, h.title, h.artist, h.date_text, h.medium, h.uri,
           h.score::float8, NULL::float8, NULL::text
    FROM hits h
    ORDER BY h.score DESC, h.object_id, h.collection, h.uri
    OFFSET greatest(p_offset, 0)
    LIMIT least(greatest(p_limit, 0), 1000)
$$;

COMMENT ON FUNCTION catalog_search_fuzzy IS 'Fuzzy artist or title (trigram word similarity >= 0.5): score = similarity 0..1, higher is better; ties by object_id, collection; page with p_offset.';
