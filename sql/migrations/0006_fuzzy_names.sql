-- Fuzzy artist search that scores each painter once, not each of their works.
--
-- A museum holds hundreds of works per painter, so a misspelt name ('Vermer') matched tens of
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
