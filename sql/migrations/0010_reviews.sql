-- The catalogers' workbench (issue #19): reviews that count, model names beside versions.
--
-- A correction is what catalogers see and search (views and the full-text documents); the
-- model's text stays beside it, labelled. A rejection hides the analysis from the catalog
-- until a new analysis exists. A new model's analysis of an image whose earlier analysis was
-- corrected does not replace the correction: it shows as `needs_review`, still with the
-- correction, until a cataloger reviews it. Run as a superuser (like 0009): it creates a role.

-- Model versions are hashes; people know models by their card's name. Filled from the runs
-- and evaluations that name a version (a trigger on each) and by `remember_model` with the
-- card's own name (sql/queries/reviews.sql).
CREATE TABLE models (
    version     text        PRIMARY KEY,
    name        text        NOT NULL,
    location    text,
    name_source text        NOT NULL DEFAULT 'location'
                CHECK (name_source IN ('card', 'location', 'evaluation')),
    first_seen  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO models (version, name, location, name_source)
SELECT DISTINCT ON (model_version) model_version, model_name, model_location, 'evaluation'
FROM evaluations ORDER BY model_version, created_at DESC
ON CONFLICT DO NOTHING;

-- A run stores its model's location in settings (none: the built-in tiny demo model, whose
-- card is named tiny-random-llava); its last path segment names the model until a card does.
CREATE FUNCTION models_note_run() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    location text := NEW.settings ->> 'model';
BEGIN
    IF NEW.model_version IS NOT NULL THEN
        INSERT INTO models (version, name, location)
        VALUES (NEW.model_version,
                coalesce(nullif(regexp_replace(rtrim(location, '/'), '^.*/', ''), ''),
                         'tiny-random-llava'),
                location)
        ON CONFLICT (version) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER runs_note_model AFTER INSERT OR UPDATE OF model_version ON runs
    FOR EACH ROW EXECUTE FUNCTION models_note_run();

INSERT INTO models (version, name, location)
SELECT DISTINCT ON (model_version) model_version,
       coalesce(nullif(regexp_replace(rtrim(settings ->> 'model', '/'), '^.*/', ''), ''),
                'tiny-random-llava'),
       settings ->> 'model'
FROM runs WHERE model_version IS NOT NULL ORDER BY model_version, id DESC
ON CONFLICT DO NOTHING;

-- An evaluation knows the card's name: it wins over a name taken from a location.
CREATE FUNCTION models_note_evaluation() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO models (version, name, location, name_source)
    VALUES (NEW.model_version, NEW.model_name, NEW.model_location, 'evaluation')
    ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, name_source = 'evaluation'
    WHERE models.name_source = 'location';
    RETURN NULL;
END
$$;
CREATE TRIGGER evaluations_note_model AFTER INSERT OR UPDATE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION models_note_evaluation();

ALTER TABLE runs ADD COLUMN model_name text;
UPDATE runs r SET model_name = m.name FROM models m WHERE m.version = r.model_version;
-- runs.model_name follows the models table, so `SELECT * FROM runs` shows names too.
CREATE FUNCTION runs_model_name() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE runs SET model_name = NEW.name
    WHERE model_version = NEW.version AND model_name IS DISTINCT FROM NEW.name;
    RETURN NULL;
END
$$;
CREATE TRIGGER models_name_runs AFTER INSERT OR UPDATE OF name ON models
    FOR EACH ROW EXECUTE FUNCTION runs_model_name();

-- The newest review of one analysis decides it; reviews are read newest first.
CREATE INDEX analysis_reviews_created_idx ON analysis_reviews (created_at DESC, id DESC);

-- One row per image and its current analysis, with what catalogers see: the analysis' own
-- newest verdict, or else a correction carried from an earlier analysis of the same image.
CREATE VIEW catalog_analysis_status AS
SELECT aw.object_id, aw.title, aw.artist, aw.id AS artwork_id, ru.collection, i.uri, i.sha256,
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
LEFT JOIN runs ru ON ru.id = i.last_run_id
LEFT JOIN models m ON m.version = a.model_version
LEFT JOIN LATERAL (
    SELECT r.id, r.verdict, r.corrected_text, r.reviewer, r.created_at
    FROM analysis_reviews r WHERE r.analysis_id = a.id
    ORDER BY r.created_at DESC, r.id DESC LIMIT 1
) v ON true
-- The newest review of any other analysis this image URI has had (older model or prompt
-- versions, earlier photographs); it counts only while this analysis has none of its own.
LEFT JOIN LATERAL (
    SELECT r.id, r.analysis_id, r.verdict, r.corrected_text, r.reviewer, r.created_at
    FROM image_contents ic
    JOIN analyses o ON o.image_sha256 = ic.sha256 AND o.prompt_name = a.prompt_name
                   AND o.id <> a.id
    JOIN analysis_reviews r ON r.analysis_id = o.id
    WHERE ic.uri = i.uri AND v.id IS NULL
    ORDER BY r.created_at DESC, r.id DESC LIMIT 1
) c ON true;

-- Every review with its analysis and object: the review history.
CREATE VIEW catalog_reviews AS
SELECT r.id AS review_id, r.analysis_id, o.object_id, o.uri, a.model_version,
       m.name AS model_name, r.verdict, r.corrected_text, r.note, r.reviewer, r.created_at,
       a.text AS model_text, a.is_current
FROM analysis_reviews r
JOIN analyses a ON a.id = r.analysis_id
LEFT JOIN models m ON m.version = a.model_version
LEFT JOIN LATERAL (
    SELECT aw.object_id, i.uri FROM images i LEFT JOIN artworks aw ON aw.id = i.artwork_id
    WHERE i.sha256 = a.image_sha256 ORDER BY i.id LIMIT 1
) o ON true;

-- Current analyses waiting for a cataloger: never reviewed, or a new model's analysis of an
-- image whose earlier analysis was corrected.
CREATE VIEW catalog_review_queue AS
SELECT s.object_id, s.title, s.artist, s.collection, s.uri, s.analysis_id, s.model_version,
       s.model_name, s.run_id, s.analysed_at, s.review_status, s.text, s.model_text
FROM catalog_analysis_status s
WHERE s.review_status IN ('unreviewed', 'needs_review');

-- What catalogers see of one analysis: its correction, or NULL when the model's text stands.
CREATE FUNCTION catalog_corrected_text(p_analysis_id bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT s.text FROM catalog_analysis_status s
    WHERE s.analysis_id = p_analysis_id AND s.is_corrected
    ORDER BY s.reviewed_at DESC LIMIT 1
$$;

-- The weighted full-text document of an analysis, as the sink builds it (title and artist A,
-- art terms B, text C, medium D), with p_text in place of the model's text when given.
CREATE FUNCTION catalog_search_document(p_analysis_id bigint, p_terms text[], p_text text)
RETURNS tsvector
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT setweight(to_tsvector('english', coalesce(aw.title, '') || ' '
                                            || coalesce(aw.artist, '')), 'A')
           || setweight(to_tsvector('english', array_to_string(p_terms, ' ')), 'B')
           || setweight(to_tsvector('english', coalesce(p_text, a.text)), 'C')
           || setweight(to_tsvector('english', coalesce(aw.medium, '')), 'D')
    FROM analyses a
    LEFT JOIN LATERAL (
        SELECT artwork_id FROM images WHERE sha256 = a.image_sha256 ORDER BY id LIMIT 1
    ) i ON true
    LEFT JOIN artworks aw ON aw.id = i.artwork_id
    WHERE a.id = p_analysis_id
$$;

-- Every write of a structure row (the sink's, or a review's touch below) indexes the text
-- catalogers see: a correction, or a correction carried over to a new model's analysis.
CREATE FUNCTION catalog_structure_document() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    corrected text := catalog_corrected_text(NEW.analysis_id);
BEGIN
    -- An insert without a correction keeps the sink's document (the same words): no second
    -- to_tsvector per analysis in the pipeline's hot path.
    IF corrected IS NOT NULL OR TG_OP = 'UPDATE' THEN
        NEW.search_doc := catalog_search_document(NEW.analysis_id, NEW.terms, corrected);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER analysis_structure_document BEFORE INSERT OR UPDATE ON analysis_structure
    FOR EACH ROW EXECUTE FUNCTION catalog_structure_document();

-- A review re-indexes the current analyses of every image that held the reviewed content.
-- SECURITY DEFINER: a cataloger may only insert reviews, yet the index must follow them. It
-- runs as a role that cannot log in and may touch only the structure rows' documents.
CREATE FUNCTION catalog_review_reindex() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE analysis_structure s SET updated_at = now()
    WHERE s.analysis_id IN (
        SELECT st.analysis_id
        FROM analyses o
        JOIN image_contents ic ON ic.sha256 = o.image_sha256
        JOIN catalog_analysis_status st ON st.uri = ic.uri
        WHERE o.id = NEW.analysis_id
        UNION SELECT NEW.analysis_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER analysis_reviews_reindex AFTER INSERT ON analysis_reviews
    FOR EACH ROW EXECUTE FUNCTION catalog_review_reindex();

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'archive_review_definer') THEN
        CREATE ROLE archive_review_definer NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO archive_review_definer;
GRANT SELECT ON analyses, analysis_reviews, images, image_contents, artworks, runs, models,
    analysis_structure, catalog_analysis_status TO archive_review_definer;
GRANT UPDATE (search_doc, updated_at) ON analysis_structure TO archive_review_definer;
ALTER FUNCTION catalog_review_reindex OWNER TO archive_review_definer;

-- Documents already indexed follow the reviews made before this migration.
UPDATE analysis_structure s SET updated_at = s.updated_at
WHERE EXISTS (SELECT 1 FROM catalog_analysis_status st
              WHERE st.analysis_id = s.analysis_id AND st.is_corrected);

-- What the searches read: current analyses that are not rejected, with the text catalogers
-- see (columns after `embedding` are new; the earlier ones keep their meaning).
CREATE OR REPLACE VIEW catalog_documents AS
SELECT st.analysis_id, st.artwork_id, st.object_id, aw.title, aw.artist, aw.date_text,
       aw.year_start, aw.year_end, aw.medium, st.uri, st.sha256, st.text, s.aspects, s.terms,
       s.search_doc, s.embedding, st.model_text, st.is_corrected, st.review_status,
       st.model_version, st.model_name
FROM catalog_analysis_status st
JOIN analysis_structure s ON s.analysis_id = st.analysis_id
LEFT JOIN artworks aw ON aw.id = st.artwork_id
WHERE st.review_status <> 'rejected';

CREATE OR REPLACE VIEW catalog_artworks AS
SELECT DISTINCT ON (aw.id)
       aw.id AS artwork_id, aw.object_id, aw.title, aw.artist, aw.date_text, aw.year_start,
       aw.year_end, aw.medium, aw.metadata, st.uri AS image_uri, st.sha256, st.analysis_id,
       st.text AS analysis, st.model_version, st.prompt_name, st.analysed_at,
       s.aspects, s.terms, f.brightness, f.contrast, f.saturation, f.colourfulness, f.warmth,
       f.palette, st.model_text, st.is_corrected, st.review_status, st.model_name,
       st.reviewer, st.reviewed_at, st.collection
FROM artworks aw
JOIN catalog_analysis_status st ON st.artwork_id = aw.id
LEFT JOIN analysis_structure s ON s.analysis_id = st.analysis_id
LEFT JOIN image_features f ON f.image_sha256 = st.sha256
WHERE st.review_status <> 'rejected'
ORDER BY aw.id, st.analysed_at DESC, st.analysis_id DESC;
