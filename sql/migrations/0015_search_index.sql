-- Search at a million works (issue #16). Every search reads one denormalised table,
-- search_entries: one row per image and current, non-rejected analysis, carrying its own
-- artwork's fields, so the filters sit in the same GIN index as the words (btree_gin) and a
-- broad word with broad filters is one index scan, not a join of two 10^5-row sets. Rows come
-- from catalog_documents (the truth) and are kept current by triggers on the tables it reads.
-- Full text ranks every match (no candidate cut), colour has a distance cut-off and weighs
-- closeness by share, every score is higher-is-better with the raw distance beside it, and
-- every search pages with p_offset in a stable order. Run as a superuser (like 0009, 0014).

CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA extensions;

CREATE TABLE search_entries (
    uri         text    NOT NULL,
    analysis_id bigint  NOT NULL,
    artwork_id  bigint,
    collection  text,
    object_id   text,
    title       text,
    artist      text,
    date_text   text,
    year_start  integer,
    year_end    integer,
    decade      integer GENERATED ALWAYS AS ((floor(year_start / 10.0) * 10)::integer) STORED,
    medium      text,
    sha256      text    NOT NULL,
    aspects     text[]  NOT NULL,
    terms       text[]  NOT NULL,
    text        text    NOT NULL,
    doc         tsvector NOT NULL,
    embedding   extensions.vector(384),
    PRIMARY KEY (uri, analysis_id)
);
-- One scan answers words and filters together: GIN keeps a posting list per lexeme, trigram,
-- year, aspect and term, and intersects them inside the index.
CREATE INDEX search_entries_match_idx ON search_entries USING gin (
    doc, artist extensions.gin_trgm_ops, medium extensions.gin_trgm_ops, year_start, year_end,
    aspects, terms);
CREATE INDEX search_entries_embedding_idx
    ON search_entries USING hnsw (embedding extensions.vector_cosine_ops);
CREATE INDEX search_entries_sha_idx ON search_entries (sha256);
CREATE INDEX search_entries_artwork_idx ON search_entries (artwork_id);
CREATE INDEX search_entries_object_idx ON search_entries (object_id, collection, uri);
CREATE INDEX search_entries_artist_idx ON search_entries (artist, object_id);
CREATE INDEX search_entries_title_trgm_idx
    ON search_entries USING gin (title extensions.gin_trgm_ops);

-- The weighted document of one entry: its own artwork's title and artist (A) and medium (D)
-- around the terms (B) and text (C) of the structure's document, which already indexes the
-- text catalogers see (0010's trigger): no second to_tsvector of the whole text per entry.
CREATE FUNCTION catalog_entry_document(p_title text, p_artist text, p_medium text,
                                       p_structure_doc tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector('english', coalesce(p_title, '') || ' ' || coalesce(p_artist, '')),
                 'A')
       || ts_filter(p_structure_doc, '{b,c}')
       || setweight(to_tsvector('english', coalesce(p_medium, '')), 'D');

-- Rebuilds the entries of these images from catalog_documents (rejected analyses and images
-- without a current analysis leave). Upserts, so two writers refreshing one image both end
-- with what catalog_documents says.
CREATE FUNCTION search_entries_refresh(p_uris text[]) RETURNS void
LANGUAGE sql SET search_path = public, extensions, pg_temp AS $$
    DELETE FROM search_entries e
    WHERE e.uri = ANY (p_uris)
      AND NOT EXISTS (SELECT 1 FROM catalog_documents d
                      WHERE d.uri = e.uri AND d.analysis_id = e.analysis_id);
    INSERT INTO search_entries (uri, analysis_id, artwork_id, collection, object_id, title,
                                artist, date_text, year_start, year_end, medium, sha256,
                                aspects, terms, text, doc, embedding)
    SELECT d.uri, d.analysis_id, d.artwork_id, d.collection, d.object_id, d.title, d.artist,
           d.date_text, d.year_start, d.year_end, d.medium, d.sha256,
           ARRAY(SELECT jsonb_object_keys(d.aspects)), d.terms, d.text,
           catalog_entry_document(d.title, d.artist, d.medium, d.search_doc), d.embedding
    FROM catalog_documents d
    WHERE d.uri = ANY (p_uris)
    ON CONFLICT (uri, analysis_id) DO UPDATE SET
        artwork_id = EXCLUDED.artwork_id, collection = EXCLUDED.collection,
        object_id = EXCLUDED.object_id, title = EXCLUDED.title, artist = EXCLUDED.artist,
        date_text = EXCLUDED.date_text, year_start = EXCLUDED.year_start,
        year_end = EXCLUDED.year_end, medium = EXCLUDED.medium, sha256 = EXCLUDED.sha256,
        aspects = EXCLUDED.aspects, terms = EXCLUDED.terms, text = EXCLUDED.text,
        doc = EXCLUDED.doc, embedding = EXCLUDED.embedding;
$$;
REVOKE EXECUTE ON FUNCTION search_entries_refresh FROM PUBLIC;

-- Statement-level triggers (one refresh per statement, however many rows: the sink writes a
-- block at a time). SECURITY DEFINER: the review trigger runs as archive_review_definer, which
-- may not write this table itself.
CREATE FUNCTION search_entries_note_structure() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
BEGIN
    PERFORM search_entries_refresh(ARRAY(
        SELECT DISTINCT i.uri FROM changed c
        JOIN analyses a ON a.id = c.analysis_id
        JOIN images i ON i.sha256 = a.image_sha256));
    RETURN NULL;
END
$$;
CREATE TRIGGER search_entries_structure_insert AFTER INSERT ON analysis_structure
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_entries_note_structure();
CREATE TRIGGER search_entries_structure_update AFTER UPDATE ON analysis_structure
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_entries_note_structure();
CREATE TRIGGER search_entries_structure_delete AFTER DELETE ON analysis_structure
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_entries_note_structure();

-- An analysis retired or revived (a reused content makes its analysis current without a
-- structure write) or its text rewritten.
CREATE FUNCTION search_entries_note_analyses() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
BEGIN
    PERFORM search_entries_refresh(ARRAY(
        SELECT DISTINCT i.uri FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        JOIN images i ON i.sha256 = n.image_sha256
        WHERE (o.is_current, o.text) IS DISTINCT FROM (n.is_current, n.text)));
    RETURN NULL;
END
$$;
CREATE TRIGGER search_entries_analyses_update AFTER UPDATE ON analyses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_entries_note_analyses();

-- An image written, re-pointed at another artwork, given new bytes, or removed.
CREATE FUNCTION search_entries_note_images() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM search_entries_refresh(ARRAY(SELECT n.uri FROM new_rows n));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM search_entries_refresh(ARRAY(SELECT o.uri FROM old_rows o));
    ELSE
        PERFORM search_entries_refresh(ARRAY(
            SELECT n.uri FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.uri, o.sha256, o.artwork_id) IS DISTINCT FROM (n.uri, n.sha256, n.artwork_id)
            UNION SELECT o.uri FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.uri <> n.uri));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER search_entries_images_insert AFTER INSERT ON images
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_entries_note_images();
CREATE TRIGGER search_entries_images_update AFTER UPDATE ON images
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_entries_note_images();
CREATE TRIGGER search_entries_images_delete AFTER DELETE ON images
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_entries_note_images();

-- Title, artist, date, medium, collection or object id changed (the sink's merge, metadata
-- sync, a cataloger's UPDATE): only the artworks whose searched fields differ are refreshed.
CREATE FUNCTION search_entries_note_artworks() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
BEGIN
    PERFORM search_entries_refresh(ARRAY(
        SELECT i.uri FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        JOIN images i ON i.artwork_id = n.id
        WHERE (o.title, o.artist, o.date_text, o.year_start, o.year_end, o.medium,
               o.collection, o.object_id)
              IS DISTINCT FROM (n.title, n.artist, n.date_text, n.year_start, n.year_end,
                                n.medium, n.collection, n.object_id)));
    RETURN NULL;
END
$$;
CREATE TRIGGER search_entries_artworks_update AFTER UPDATE ON artworks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_entries_note_artworks();

-- Every image as catalog_documents shows it now.
SELECT search_entries_refresh(ARRAY(SELECT uri FROM images));

-- The filters every search combines with, as catalog_filtered has them (NULL = any; artist
-- and medium contain the text, taken literally; year ranges overlap), over search_entries.
-- Plain SQL without SET, so PostgreSQL inlines it into each search and sees the index.
CREATE FUNCTION catalog_entries(
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL
) RETURNS SETOF search_entries
LANGUAGE sql STABLE AS $$
    SELECT e.* FROM search_entries e
    WHERE (p_artist IS NULL OR e.artist ILIKE
           '%' || replace(replace(replace(p_artist, '\', '\\'), '%', '\%'), '_', '\_') || '%')
      AND (p_year_from IS NULL OR e.year_end >= p_year_from)
      AND (p_year_to IS NULL OR e.year_start <= p_year_to)
      AND (p_medium IS NULL OR e.medium ILIKE
           '%' || replace(replace(replace(p_medium, '\', '\\'), '%', '\%'), '_', '\_') || '%')
      AND (p_aspect IS NULL OR e.aspects @> ARRAY[p_aspect])
      AND (p_term IS NULL OR e.terms @> ARRAY[p_term])
$$;

-- New parameters (p_offset, p_max_distance) and a new result column (distance): DROP and
-- CREATE. catalog_search_similar calls catalog_search_semantic, so it goes first.
DROP FUNCTION catalog_search_semantic_text(text, integer, text, integer, integer, text, text,
                                           text);
DROP FUNCTION catalog_search_similar(text, integer, text, integer, integer, text, text, text);
DROP FUNCTION catalog_search_semantic(extensions.vector, integer, text, integer, integer, text,
                                      text, text, bigint);
DROP FUNCTION catalog_search_text(text, integer, text, integer, integer, text, text, text,
                                  integer);
DROP FUNCTION catalog_search_fuzzy(text, integer, text, integer, integer, text, text, text);
DROP FUNCTION catalog_search_color(text, integer, text, integer, integer, text, text, text, real);

-- Ranked full text over every match: the top k is the top k of ranking all of them (ties by
-- object id, collection, uri), so a common word's best works are never cut away unread.
-- p_candidates is kept for callers of the old signature and no longer limits anything.
CREATE FUNCTION catalog_search_text(
    p_query text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_candidates integer DEFAULT 1000, p_offset integer DEFAULT 0
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, distance double precision,
                 detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, extensions, pg_temp SET plan_cache_mode = force_custom_plan AS $$
    WITH top AS (
        SELECT e.collection, e.object_id, e.title, e.artist, e.date_text, e.medium, e.uri,
               e.text, ts_rank(e.doc, websearch_to_tsquery('english', p_query)) AS rank
        FROM catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) e
        WHERE e.doc @@ websearch_to_tsquery('english', p_query)
        ORDER BY rank DESC, e.object_id, e.collection, e.uri
        OFFSET greatest(p_offset, 0)
        LIMIT least(greatest(p_limit, 0), 1000)
    )
    SELECT t.collection, t.object_id, t.title, t.artist, t.date_text, t.medium, t.uri,
           t.rank::float8, NULL::float8,
           ts_headline('english', t.text, websearch_to_tsquery('english', p_query),
                       'MaxFragments=1, MaxWords=25, MinWords=10')
    FROM top t
    ORDER BY t.rank DESC, t.object_id, t.collection, t.uri
$$;

-- Fuzzy artist/title (0006's shape over search_entries): the distinct painters are scored,
-- each matching one's first works in object order come from an index.
CREATE FUNCTION catalog_search_fuzzy(
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

-- Cosine kNN. ef_search 200 with iterative scans gave recall@10 >= 0.95 against exact kNN
-- (README, "Search"); filters are checked inside the scan, which goes on until enough pass.
CREATE FUNCTION catalog_search_semantic(
    p_embedding extensions.vector, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_exclude_artwork bigint DEFAULT NULL, p_offset integer DEFAULT 0
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, distance double precision,
                 detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, extensions, pg_temp SET plan_cache_mode = force_custom_plan
SET hnsw.iterative_scan = relaxed_order SET hnsw.ef_search = 200 AS $$
    SELECT n.collection, n.object_id, n.title, n.artist, n.date_text, n.medium, n.uri,
           1 - n.distance, n.distance, NULL
    FROM (
        SELECT e.collection, e.object_id, e.title, e.artist, e.date_text, e.medium, e.uri,
               (e.embedding <=> p_embedding)::float8 AS distance
        FROM catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) e
        WHERE p_exclude_artwork IS NULL OR e.artwork_id IS DISTINCT FROM p_exclude_artwork
        ORDER BY e.embedding <=> p_embedding
        LIMIT least(greatest(p_limit, 0), 1000) + greatest(p_offset, 0)
    ) n
    ORDER BY n.distance, n.object_id, n.collection, n.uri
    OFFSET greatest(p_offset, 0)
$$;

-- Works like this one: the newest analysed artwork with this object id (any collection) is
-- the query, itself excluded.
CREATE FUNCTION catalog_search_similar(
    p_object_id text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_offset integer DEFAULT 0
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, distance double precision,
                 detail text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
    SELECT s.*
    FROM (SELECT e.embedding, e.artwork_id FROM search_entries e
          WHERE e.object_id = p_object_id AND e.embedding IS NOT NULL
          ORDER BY e.analysis_id DESC, e.uri LIMIT 1) src
    CROSS JOIN LATERAL catalog_search_semantic(
        src.embedding, p_limit, p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term,
        src.artwork_id, p_offset) s
$$;

-- Colour: works whose palette holds colours within p_max_distance (CIE76, CIELAB Euclidean)
-- of the given one, among palette colours of at least p_min_share of the picture. A work
-- scores the sum over those colours of share x closeness (1 - distance / p_max_distance), so
-- a painting that is mostly blue beats one with a touch of exactly that blue. The nearest
-- palette rows are read from the HNSW index (20 per result asked, at least 2,000).
CREATE FUNCTION catalog_search_color(
    p_color text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_min_share real DEFAULT 0.05, p_max_distance real DEFAULT 25, p_offset integer DEFAULT 0
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, distance double precision,
                 detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, extensions, pg_temp SET plan_cache_mode = force_custom_plan
SET hnsw.iterative_scan = relaxed_order SET hnsw.ef_search = 200 AS $$
    WITH near AS MATERIALIZED (
        SELECT e.collection, e.object_id, e.title, e.artist, e.date_text, e.medium, e.uri,
               (p.lab <-> catalog_color_lab(p_color))::float8 AS distance, p.hex, p.share
        FROM palette_colors p
        JOIN catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) e
          ON e.sha256 = p.image_sha256
        WHERE p.share >= p_min_share
        ORDER BY p.lab <-> catalog_color_lab(p_color)
        LIMIT greatest(2000, (least(greatest(p_limit, 0), 1000) + greatest(p_offset, 0)) * 20)
    ),
    scored AS (
        SELECT n.collection, n.object_id, n.title, n.artist, n.date_text, n.medium, n.uri,
               sum(n.share * (1 - n.distance / p_max_distance)) AS score,
               min(n.distance) AS distance,
               (array_agg(n.hex || ' (' || round(n.share * 100) || '%)'
                          ORDER BY n.distance))[1] AS detail
        FROM near n
        WHERE n.distance <= p_max_distance
        GROUP BY n.collection, n.object_id, n.title, n.artist, n.date_text, n.medium, n.uri
    )
    SELECT s.collection, s.object_id, s.title, s.artist, s.date_text, s.medium, s.uri,
           s.score, s.distance, s.detail
    FROM scored s
    ORDER BY s.score DESC, s.object_id, s.collection, s.uri
    OFFSET greatest(p_offset, 0)
    LIMIT least(greatest(p_limit, 0), 1000)
$$;

CREATE FUNCTION catalog_search_semantic_text(
    p_query text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_offset integer DEFAULT 0
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, distance double precision,
                 detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
DECLARE
    found extensions.vector;
BEGIN
    SELECT q.embedding INTO found FROM query_embeddings q
    WHERE q.query = catalog_query_key(p_query);
    IF found IS NULL THEN
        RAISE EXCEPTION 'no embedding stored for "%": embed these words first: archive-analyzer embed %',
            p_query, quote_literal(p_query)
            USING ERRCODE = 'no_data_found',
                  HINT = 'Words are embedded outside SQL, by the model that embedded the analyses.';
    END IF;
    RETURN QUERY SELECT * FROM catalog_search_semantic(found, p_limit, p_artist, p_year_from,
                                                       p_year_to, p_medium, p_aspect, p_term,
                                                       NULL, p_offset);
END
$$;
REVOKE EXECUTE ON FUNCTION catalog_search_semantic_text FROM PUBLIC;

-- Counts per artist, decade, medium, aspect and term of every full-text match of p_query
-- (NULL: every entry) under the filters: exact, from the same index scan as the search.
CREATE FUNCTION catalog_search_facets(
    p_query text, p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL,
    p_year_to integer DEFAULT NULL, p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL,
    p_term text DEFAULT NULL, p_top integer DEFAULT 10
) RETURNS TABLE (facet text, value text, count bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, extensions, pg_temp SET plan_cache_mode = force_custom_plan AS $$
    WITH matches AS MATERIALIZED (
        SELECT e.artist, e.decade, e.medium, e.aspects, e.terms
        FROM catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) e
        WHERE p_query IS NULL OR e.doc @@ websearch_to_tsquery('english', p_query)
    ),
    counted AS (
        SELECT 'artist' AS facet, m.artist AS value, count(*) AS count
        FROM matches m GROUP BY m.artist
        UNION ALL
        SELECT 'decade', m.decade::text, count(*) FROM matches m GROUP BY m.decade
        UNION ALL
        SELECT 'medium', m.medium, count(*) FROM matches m GROUP BY m.medium
        UNION ALL
        SELECT 'aspect', a.value, count(*) FROM matches m, unnest(m.aspects) AS a (value)
        GROUP BY a.value
        UNION ALL
        SELECT 'term', t.value, count(*) FROM matches m, unnest(m.terms) AS t (value)
        GROUP BY t.value
    ),
    ranked AS (
        SELECT c.*, row_number() OVER (PARTITION BY c.facet
                                       ORDER BY c.count DESC, c.value NULLS LAST) AS n
        FROM counted c
    )
    SELECT r.facet, r.value, r.count FROM ranked r
    WHERE r.n <= least(greatest(p_top, 0), 1000)
    ORDER BY r.facet, r.count DESC, r.value NULLS LAST
$$;

-- Like 0002 had it: only the roles `db roles` grants them to (and their owner) run them.
REVOKE EXECUTE ON FUNCTION catalog_search_text, catalog_search_fuzzy, catalog_search_semantic,
    catalog_search_similar, catalog_search_color, catalog_search_facets FROM PUBLIC;
GRANT SELECT ON search_entries, query_embeddings TO archive_search_definer;
ALTER FUNCTION catalog_search_text OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_fuzzy OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_semantic OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_similar OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_color OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_semantic_text OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_facets OWNER TO archive_search_definer;

CALL extensions_on_function_paths();

COMMENT ON TABLE search_entries IS 'What every search reads: one row per image and current, non-rejected analysis, with its own artwork''s fields (kept current by triggers from catalog_documents).';
COMMENT ON COLUMN search_entries.uri IS 'Where the image is read from (file://, s3://, https://).';
COMMENT ON COLUMN search_entries.analysis_id IS 'The current analysis of the image''s content.';
COMMENT ON COLUMN search_entries.artwork_id IS 'Internal id of the image''s artwork row.';
COMMENT ON COLUMN search_entries.collection IS 'The artwork''s collection.';
COMMENT ON COLUMN search_entries.object_id IS 'The museum''s object or accession number.';
COMMENT ON COLUMN search_entries.title IS 'Title of this image''s own artwork.';
COMMENT ON COLUMN search_entries.artist IS 'Artist of this image''s own artwork.';
COMMENT ON COLUMN search_entries.date_text IS 'The date as the museum wrote it.';
COMMENT ON COLUMN search_entries.year_start IS 'First year the date allows; NULL when undated.';
COMMENT ON COLUMN search_entries.year_end IS 'Last year the date allows.';
COMMENT ON COLUMN search_entries.decade IS 'Decade of year_start (1780 for 1784), the decade facet.';
COMMENT ON COLUMN search_entries.medium IS 'Medium and support, from the manifest.';
COMMENT ON COLUMN search_entries.sha256 IS 'SHA-256 of the image bytes (palette_colors joins on it).';
COMMENT ON COLUMN search_entries.aspects IS 'The aspects the analysis speaks of (keys of analysis_structure.aspects).';
COMMENT ON COLUMN search_entries.terms IS 'Art vocabulary terms found in the text.';
COMMENT ON COLUMN search_entries.text IS 'The text catalogers see: a correction when one exists, else the model''s.';
COMMENT ON COLUMN search_entries.doc IS 'Weighted full-text document: title and artist A, terms B, text C, medium D.';
COMMENT ON COLUMN search_entries.embedding IS '384-d embedding of the model''s text (NULL when embedding was off).';
COMMENT ON FUNCTION catalog_entry_document IS 'An entry''s weighted document: its own title and artist (A) and medium (D) around the terms and text of the structure''s document.';
COMMENT ON FUNCTION search_entries_refresh IS 'Rebuilds the search_entries rows of these image URIs from catalog_documents.';
COMMENT ON FUNCTION search_entries_note_structure IS 'Trigger: a written, reviewed or removed structure refreshes the search entries of its images.';
COMMENT ON FUNCTION search_entries_note_analyses IS 'Trigger: an analysis retired, revived or rewritten refreshes the search entries of its images.';
COMMENT ON FUNCTION search_entries_note_images IS 'Trigger: an image written, moved to another artwork or content, or removed refreshes its search entries.';
COMMENT ON FUNCTION search_entries_note_artworks IS 'Trigger: a changed title, artist, date, medium, collection or object id refreshes the artwork''s search entries.';
COMMENT ON FUNCTION catalog_entries IS 'search_entries under the filters every search combines with (NULL = any): artist and medium contain the text, year ranges overlap, aspect, vocabulary term.';
COMMENT ON FUNCTION catalog_search_text IS 'Ranked full text (websearch syntax) over every match: score = ts_rank, higher is better; ties by object_id, collection; page with p_offset. p_candidates is ignored (kept for old callers).';
COMMENT ON FUNCTION catalog_search_fuzzy IS 'Fuzzy artist or title (trigram word similarity): score = similarity 0..1, higher is better; page with p_offset.';
COMMENT ON FUNCTION catalog_search_semantic IS 'Cosine nearest neighbours of a 384-d embedding: score = 1 - distance, higher is better; distance = cosine distance; page with p_offset.';
COMMENT ON FUNCTION catalog_search_similar IS 'Works like this object (its newest analysis as the query, itself excluded): score = 1 - cosine distance, higher is better.';
COMMENT ON FUNCTION catalog_search_color IS 'Works with palette colours within p_max_distance (CIELAB) of a colour (#rrggbb or CSS name): score = sum of share x (1 - distance / p_max_distance), HIGHER is better (mostly that colour beats a touch of it); distance = the nearest palette colour''s, lower is nearer.';
COMMENT ON FUNCTION catalog_search_semantic_text IS 'Semantic search from words embedded before with `archive-analyzer embed ''words''` (else an error saying so); score = cosine similarity, higher is better.';
COMMENT ON FUNCTION catalog_search_facets IS 'Exact counts per artist, decade, medium, aspect and term (p_top each) of every full-text match of p_query (NULL: every work) under the filters.';
