-- Search at a million analyses.
--
-- Fuzzy artist search scores each painter once, not each of their works. A museum holds hundreds of works per painter, so a misspelt name ('Vermer') matched tens of
-- thousands of artworks at a million rows, each joined and scored before the top ten could be
-- chosen (2.4 s). Names are few: score the distinct names, then take each matching name's
-- first works in object order straight from an index.

CREATE TABLE catalog_artist_names (
    artist  text PRIMARY KEY
);
CREATE INDEX catalog_artist_names_trgm_idx ON catalog_artist_names USING gin (artist gin_trgm_ops);
INSERT INTO catalog_artist_names (artist)
SELECT DISTINCT artist FROM artworks WHERE artist IS NOT NULL;

-- Kept by the artworks themselves, so every writer (sink, manifests, imports) keeps it. A name
-- no work carries any more stays: it only costs a lookup that finds nothing.
CREATE FUNCTION catalog_note_artist() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.artist IS NOT NULL THEN
        INSERT INTO catalog_artist_names (artist) VALUES (NEW.artist) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER artworks_note_artist AFTER INSERT OR UPDATE OF artist ON artworks
    FOR EACH ROW EXECUTE FUNCTION catalog_note_artist();

-- A painter's works in object order: the first few of each matching name, without a sort.
CREATE INDEX artworks_artist_object_idx ON artworks (artist, object_id);

-- Fuzzy artist/title: trigram word similarity, so 'Turnr' finds 'Joseph Mallord William Turner'.
-- A work scores the better of its title's and its artist's similarity; ties go by object id.
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
            LIMIT p_limit
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
    LIMIT p_limit
$$;

-- Ranked full text (websearch syntax: words, "phrases", -excluded, or). Ranking reads at most
-- p_candidates matching rows: exact for selective queries, bounded cost for common words.
-- Without filters the candidates are ranked on their structure rows alone and only the best
-- are joined to their images and artworks (joining all 1,000 cost more than finding them).
-- The query is written out where it is used rather than shared through a CTE: as a constant
-- the planner sees how common its words are and picks the plan (3-4x faster at 1M rows).
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
