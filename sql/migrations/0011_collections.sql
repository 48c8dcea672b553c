-- Collections (issue #13): an artwork's identity is (collection, object_id), so two shoots'
-- IMG_0001.jpg, or object 0001 of two museums, are two artworks instead of one silently merged
-- row. Metadata sync: each image keeps the hash of the manifest row it was written from, each
-- artwork the fields its manifest maps (a blank mapped value clears, an unmapped one is left),
-- and every change of a field is kept in artwork_metadata_history.

-- Existing artworks take the collection of the run that last wrote one of their images (runs
-- record their collection since 0001), or 'default' when no run wrote any.
ALTER TABLE artworks ADD COLUMN collection text;
UPDATE artworks aw SET collection = coalesce(
    (SELECT r.collection FROM images i JOIN runs r ON r.id = i.last_run_id
     WHERE i.artwork_id = aw.id ORDER BY r.id DESC LIMIT 1),
    'default');
ALTER TABLE artworks ALTER COLUMN collection SET DEFAULT 'default';
ALTER TABLE artworks ALTER COLUMN collection SET NOT NULL;
ALTER TABLE artworks DROP CONSTRAINT artworks_object_id_key;
ALTER TABLE artworks ADD CONSTRAINT artworks_collection_object_key UNIQUE (collection, object_id);

-- The fields (title, artist, date_text, medium) the last manifest row mapped, and the run that
-- last wrote the row (the history trigger records it).
ALTER TABLE artworks ADD COLUMN mapped_fields text[] NOT NULL DEFAULT '{}';
ALTER TABLE artworks ADD COLUMN last_run_id bigint REFERENCES runs (id) ON DELETE SET NULL;

-- sha256 of the manifest row (object id and every column) the image was last written from:
-- planning compares it to spot corrected metadata without reading the image. NULL: unknown.
ALTER TABLE images ADD COLUMN metadata_hash text;

CREATE TABLE artwork_metadata_history (
    id          bigserial PRIMARY KEY,
    artwork_id  bigint      NOT NULL REFERENCES artworks (id) ON DELETE CASCADE,
    run_id      bigint      REFERENCES runs (id) ON DELETE SET NULL,
    field       text        NOT NULL,
    old_value   text,
    new_value   text,
    changed_by  text        NOT NULL DEFAULT current_user,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX artwork_metadata_history_artwork_idx ON artwork_metadata_history (artwork_id);

-- Kept by the table itself, so every writer (sink, metadata sync, a cataloger's UPDATE) is
-- recorded with its database role. A run's writes set last_run_id and updated_at; an edit that
-- sets neither is no run's (run_id NULL).
CREATE FUNCTION artworks_record_history() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    run bigint := CASE WHEN NEW.last_run_id IS DISTINCT FROM OLD.last_run_id
                         OR NEW.updated_at IS DISTINCT FROM OLD.updated_at
                       THEN NEW.last_run_id END;
BEGIN
    INSERT INTO artwork_metadata_history (artwork_id, run_id, field, old_value, new_value)
    SELECT NEW.id, run, c.field, c.old_value, c.new_value
    FROM (VALUES ('title', OLD.title, NEW.title),
                 ('artist', OLD.artist, NEW.artist),
                 ('date_text', OLD.date_text, NEW.date_text),
                 ('medium', OLD.medium, NEW.medium)) AS c (field, old_value, new_value)
    WHERE c.old_value IS DISTINCT FROM c.new_value;
    RETURN NULL;
END
$$;
CREATE TRIGGER artworks_record_history AFTER UPDATE OF title, artist, date_text, medium
    ON artworks FOR EACH ROW EXECUTE FUNCTION artworks_record_history();

-- Views that name an object name its collection too. catalog_analysis_status (0010) took a
-- collection from the image's last run; the artwork's own is the truth now. Columns are only
-- appended or re-defined with their type kept: CREATE OR REPLACE keeps every dependent view,
-- function, owner and grant. catalog_artworks reads its collection from the status view.
CREATE OR REPLACE VIEW catalog_analysis_status AS
SELECT aw.object_id, aw.title, aw.artist, aw.id AS artwork_id, aw.collection, i.uri, i.sha256,
       a.id AS analysis_id, a.model_version, m.name AS model_name, a.prompt_name,
       a.run_id, a.created_at AS analysed_at,
       CASE WHEN v.verdict = 'corrected' THEN v.corrected_text
            WHEN v.id IS NULL AND c.verdict = 'corrected' THEN c.corrected_text
            ELSE a.text END AS text,
       a.text AS model_text,
       coalesce(v.verdict = 'corrected', c.verdict = 'corrected', false) AS is_corrected,
       CASE WHEN v.id IS NOT NULL THEN v.verdict
            WHEN c.verdict = 'corrected' THEN 'needs_review'
            ELSE 'unreviewed' END AS review_status,
       CASE WHEN v.id IS NOT NULL THEN v.id WHEN c.verdict = 'corrected' THEN c.id END
           AS review_id,
       CASE WHEN v.id IS NOT NULL THEN v.reviewer
            WHEN c.verdict = 'corrected' THEN c.reviewer END AS reviewer,
       CASE WHEN v.id IS NOT NULL THEN v.created_at
            WHEN c.verdict = 'corrected' THEN c.created_at END AS reviewed_at,
       CASE WHEN v.id IS NULL AND c.verdict = 'corrected' THEN c.analysis_id END
           AS corrected_analysis_id
FROM images i
JOIN analyses a ON a.image_sha256 = i.sha256 AND a.is_current
LEFT JOIN artworks aw ON aw.id = i.artwork_id
LEFT JOIN models m ON m.version = a.model_version
LEFT JOIN LATERAL (
    SELECT r.id, r.verdict, r.corrected_text, r.reviewer, r.created_at
    FROM analysis_reviews r WHERE r.analysis_id = a.id
    ORDER BY r.created_at DESC, r.id DESC LIMIT 1
) v ON true
LEFT JOIN LATERAL (
    SELECT r.id, r.analysis_id, r.verdict, r.corrected_text, r.reviewer, r.created_at
    FROM image_contents ic
    JOIN analyses o ON o.image_sha256 = ic.sha256 AND o.prompt_name = a.prompt_name
                   AND o.id <> a.id
    JOIN analysis_reviews r ON r.analysis_id = o.id
    WHERE ic.uri = i.uri AND v.id IS NULL
    ORDER BY r.created_at DESC, r.id DESC LIMIT 1
) c ON true;

CREATE OR REPLACE VIEW catalog_documents AS
SELECT st.analysis_id, st.artwork_id, st.object_id, aw.title, aw.artist, aw.date_text,
       aw.year_start, aw.year_end, aw.medium, st.uri, st.sha256, st.text, s.aspects, s.terms,
       s.search_doc, s.embedding, st.model_text, st.is_corrected, st.review_status,
       st.model_version, st.model_name, st.collection
FROM catalog_analysis_status st
JOIN analysis_structure s ON s.analysis_id = st.analysis_id
LEFT JOIN artworks aw ON aw.id = st.artwork_id
WHERE st.review_status <> 'rejected';

CREATE OR REPLACE VIEW catalog_aspects AS
SELECT d.analysis_id, d.object_id, d.title, d.artist, e.key AS aspect,
       s.ordinality::integer AS sentence_no, s.sentence, d.collection
FROM catalog_documents d
CROSS JOIN LATERAL jsonb_each(d.aspects) AS e
CROSS JOIN LATERAL jsonb_array_elements_text(e.value) WITH ORDINALITY AS s (sentence, ordinality);

CREATE OR REPLACE VIEW catalog_palette AS
SELECT aw.object_id, aw.title, aw.artist, i.uri AS image_uri, p.image_sha256, p.rank, p.share,
       p.hex, p.css_name, p.l, p.a, p.b, aw.collection
FROM palette_colors p
JOIN images i ON i.sha256 = p.image_sha256
LEFT JOIN artworks aw ON aw.id = i.artwork_id;

CREATE OR REPLACE VIEW current_image_analyses AS
SELECT aw.object_id, aw.title, aw.artist, i.uri, i.sha256, a.id AS analysis_id,
       a.prompt_name, a.model_version, a.prompt_version, a.text, a.run_id, a.created_at,
       aw.collection
FROM images i
JOIN analyses a ON a.image_sha256 = i.sha256 AND a.is_current
LEFT JOIN artworks aw ON aw.id = i.artwork_id;

CREATE OR REPLACE VIEW artwork_analysis_history AS
SELECT aw.object_id, c.uri, c.sha256, c.sha256 = i.sha256 AS is_current_content,
       a.id AS analysis_id, a.prompt_name, a.model_version, a.prompt_version,
       a.is_current AND c.sha256 = i.sha256 AS is_current,
       a.text, a.run_id, a.created_at, aw.collection
FROM image_contents c
JOIN images i ON i.uri = c.uri
LEFT JOIN artworks aw ON aw.id = i.artwork_id
JOIN analyses a ON a.image_sha256 = c.sha256;

-- The search functions return the collection first. A changed result type needs DROP and
-- CREATE; each keeps what 0009_least_privilege.sql gave it: literal LIKE filters (through
-- catalog_filtered), clamped limits, SECURITY DEFINER owned by archive_search_definer, a fixed
-- search_path. catalog_search_similar calls catalog_search_semantic, so it goes first.
DROP FUNCTION catalog_search_similar(text, integer, text, integer, integer, text, text, text);
DROP FUNCTION catalog_search_semantic(vector, integer, text, integer, integer, text, text, text,
                                      text);
DROP FUNCTION catalog_search_text(text, integer, text, integer, integer, text, text, text,
                                  integer);
DROP FUNCTION catalog_search_fuzzy(text, integer, text, integer, integer, text, text, text);
DROP FUNCTION catalog_search_color(text, integer, text, integer, integer, text, text, text, real);

CREATE FUNCTION catalog_search_fuzzy(
    p_query text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
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
            SELECT d.collection, d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
                   greatest(n.similarity, word_similarity(p_query, d.title)) AS score
            FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect,
                                  p_term) d
            WHERE d.artist = n.artist
            ORDER BY d.object_id
            LIMIT least(greatest(p_limit, 0), 1000)
        ) w
    ),
    by_title AS (
        SELECT d.collection, d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
               greatest(word_similarity(p_query, d.title),
                        word_similarity(p_query, d.artist)) AS score
        FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d
        WHERE p_query <% d.title
    ),
    hits AS (
        SELECT DISTINCT ON (h.uri) h.*
        FROM (SELECT * FROM by_artist UNION ALL SELECT * FROM by_title) h
        ORDER BY h.uri, h.score DESC
    )
    SELECT h.collection, h.object_id, h.title, h.artist, h.date_text, h.medium, h.uri,
           h.score::float8, NULL::text
    FROM hits h
    ORDER BY h.score DESC, h.object_id, h.collection
    LIMIT least(greatest(p_limit, 0), 1000)
$$;

CREATE FUNCTION catalog_search_text(
    p_query text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_candidates integer DEFAULT 1000
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
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
        (SELECT d.collection, d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
                d.text, u.rank
         FROM unfiltered u
         JOIN catalog_documents d ON d.analysis_id = u.analysis_id)
        UNION ALL
        (SELECT d.collection, d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
                d.text, ts_rank(d.search_doc, websearch_to_tsquery('english', p_query)) AS rank
         FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d
         WHERE num_nonnulls(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) > 0
           AND d.search_doc @@ websearch_to_tsquery('english', p_query)
         LIMIT least(greatest(p_candidates, 1), 10000))
    ),
    top AS (SELECT * FROM candidates c ORDER BY c.rank DESC, c.object_id, c.collection
            LIMIT least(greatest(p_limit, 0), 1000))
    SELECT t.collection, t.object_id, t.title, t.artist, t.date_text, t.medium, t.uri,
           t.rank::float8,
           ts_headline('english', t.text, websearch_to_tsquery('english', p_query),
                       'MaxFragments=1, MaxWords=25, MinWords=10')
    FROM top t
    ORDER BY t.rank DESC, t.object_id, t.collection
$$;

-- p_exclude_artwork: the artwork a "similar" search starts from (an object id alone would
-- also exclude its namesakes in other collections).
CREATE FUNCTION catalog_search_semantic(
    p_embedding vector, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_exclude_artwork bigint DEFAULT NULL
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET hnsw.iterative_scan = relaxed_order SET hnsw.ef_search = 80 AS $$
    SELECT n.collection, n.object_id, n.title, n.artist, n.date_text, n.medium, n.uri,
           1 - n.distance, NULL
    FROM (
        SELECT d.collection, d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
               (d.embedding <=> p_embedding)::float8 AS distance
        FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d
        WHERE p_exclude_artwork IS NULL OR d.artwork_id IS DISTINCT FROM p_exclude_artwork
        ORDER BY d.embedding <=> p_embedding
        LIMIT least(greatest(p_limit, 0), 1000)
    ) n
    ORDER BY n.distance, n.object_id, n.collection
$$;

-- Works like this one: the newest analysed artwork with this object id (any collection) is
-- the query, itself excluded.
CREATE FUNCTION catalog_search_similar(
    p_object_id text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.*
    FROM (SELECT d.embedding, d.artwork_id FROM catalog_documents d
          WHERE d.object_id = p_object_id AND d.embedding IS NOT NULL
          ORDER BY d.analysis_id DESC LIMIT 1) src
    CROSS JOIN LATERAL catalog_search_semantic(
        src.embedding, p_limit, p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term,
        src.artwork_id) s
$$;

CREATE FUNCTION catalog_search_color(
    p_color text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_min_share real DEFAULT 0.05
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET hnsw.iterative_scan = relaxed_order SET hnsw.ef_search = 80 AS $$
    WITH near AS (
        SELECT d.analysis_id, d.collection, d.object_id, d.title, d.artist, d.date_text,
               d.medium, d.uri, (p.lab <-> catalog_color_lab(p_color))::float8 AS distance,
               p.hex, p.share
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
    SELECT b.collection, b.object_id, b.title, b.artist, b.date_text, b.medium, b.uri,
           b.distance, b.hex || ' (' || round(b.share * 100) || '%)'
    FROM best b
    ORDER BY b.distance, b.object_id, b.collection
    LIMIT least(greatest(p_limit, 0), 1000)
$$;

ALTER FUNCTION catalog_search_text OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_fuzzy OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_semantic OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_similar OWNER TO archive_search_definer;
ALTER FUNCTION catalog_search_color OWNER TO archive_search_definer;

-- What psql's \df+ says: the recreated functions keep 0010's descriptions.
COMMENT ON FUNCTION catalog_search_text IS 'Ranked full text (websearch syntax) over the text catalogers see; score = ts_rank, higher is better; detail = matching fragment with <b> marks.';
COMMENT ON FUNCTION catalog_search_fuzzy IS 'Artist or title with typos; score = trigram word similarity 0..1, higher is better.';
COMMENT ON FUNCTION catalog_search_semantic IS 'Cosine kNN from a 384-d all-MiniLM-L6-v2 vector (archive-analyzer search --semantic embeds words); score = cosine similarity, higher is better.';
COMMENT ON FUNCTION catalog_search_similar IS 'Works like the given object id (its analysis embedding as the query), itself excluded; score = cosine similarity, higher is better.';
COMMENT ON FUNCTION catalog_search_color IS 'Works whose palette holds a colour near #rrggbb or a CSS name; score = CIE76 distance in CIELAB, LOWER is nearer; detail = hex and share.';
COMMENT ON FUNCTION artworks_record_history IS 'Trigger: every change of an artwork''s title, artist, date or medium goes into artwork_metadata_history with the role and run that made it.';
