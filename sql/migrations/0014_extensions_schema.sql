-- SQL that explains itself (issue #19): extensions in their own schema, semantic search from
-- words in SQL, and a COMMENT on everything a cataloger reads. Run as a superuser (like 0009).

-- pgvector and pg_trgm put ~150 functions into public, so psql's \df listed theirs, not ours.
-- They move to `extensions`. Columns, indexes, views and the generated palette vector refer to
-- their types and operators by identity and keep working; function bodies are re-read at each
-- call under the function's own search_path, so every project function gets `extensions` on it.
CREATE SCHEMA IF NOT EXISTS extensions;
COMMENT ON SCHEMA extensions IS 'pgvector, pg_trgm and other extensions, kept out of public so \df lists the catalog''s own functions. SET search_path = public, extensions to use their operators directly.';
-- Everyone could use these objects while they lived in public; roles made earlier by
-- `db roles` (the writer's COPY into a vector column, above all) keep that.
GRANT USAGE ON SCHEMA extensions TO PUBLIC;

DO $$
DECLARE
    ext text;
BEGIN
    FOR ext IN
        SELECT e.extname FROM pg_extension e
        WHERE e.extnamespace = 'public'::regnamespace AND e.extrelocatable
    LOOP
        EXECUTE format('ALTER EXTENSION %I SET SCHEMA extensions', ext);
    END LOOP;
END
$$;

-- Every project function (not an extension's) whatever migration made it, this one's too
-- (so this runs again at the end). A function with its own search_path gets `extensions` on
-- it. A function without one that is plain SQL is left alone: PostgreSQL inlines those into
-- the caller's query (catalog_filtered inside the searches, where the indexes must be seen),
-- and a SET would stop that; they run under the caller's search_path, which the searches set.
CREATE PROCEDURE extensions_on_function_paths()
LANGUAGE plpgsql SET search_path = public, extensions, pg_temp AS $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN
        SELECT p.oid::regprocedure
        FROM pg_proc p
        JOIN pg_language l ON l.oid = p.prolang
        WHERE p.pronamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                            AND d.deptype = 'e')
          AND (EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
               OR l.lanname NOT IN ('sql', 'internal', 'c'))
    LOOP
        EXECUTE format('ALTER ROUTINE %s SET search_path = public, extensions, pg_temp', fn);
    END LOOP;
END
$$;
CALL extensions_on_function_paths();

-- psql sessions keep `"$user", public`: with `extensions` on it, \df lists pgvector's and
-- pg_trgm's functions again. The application adds it to its own connections
-- (archive_analyzer/db/database.py), `db roles` to the writer's.

-- Semantic search from words in SQL: SQL cannot run the embedding model, so the command line
-- embeds the words once (`archive-analyzer embed 'storm at sea'`) and stores them here, and
-- catalog_search_semantic_text finds them by their words.
CREATE FUNCTION catalog_query_key(p_query text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(regexp_replace(btrim(p_query), '\s+', ' ', 'g'));

CREATE TABLE query_embeddings (
    query      text        PRIMARY KEY CHECK (query = catalog_query_key(query) AND query <> ''),
    embedding  extensions.vector(384) NOT NULL,
    model      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION catalog_search_semantic_text(
    p_query text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL
) RETURNS TABLE (collection text, object_id text, title text, artist text, date_text text,
                 medium text, uri text, score double precision, detail text)
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
                                                       p_year_to, p_medium, p_aspect, p_term);
END
$$;
-- Like the other searches: only the roles `db roles` grants it to (and its owner) run it.
REVOKE EXECUTE ON FUNCTION catalog_search_semantic_text FROM PUBLIC;
GRANT SELECT ON query_embeddings TO archive_search_definer;
ALTER FUNCTION catalog_search_semantic_text OWNER TO archive_search_definer;

CALL extensions_on_function_paths();

-- What psql's \d+ and \df+ say, for what 0010 left undescribed.
COMMENT ON TABLE query_embeddings IS 'Words embedded by `archive-analyzer embed` (all-MiniLM-L6-v2, 384-d), found by catalog_search_semantic_text; query is lower-cased with single spaces.';
COMMENT ON COLUMN query_embeddings.query IS 'The words, lower-cased, spaces collapsed (catalog_query_key).';
COMMENT ON COLUMN query_embeddings.embedding IS 'Unit-length 384-d sentence embedding of the words.';
COMMENT ON COLUMN query_embeddings.model IS 'The embedding model (all-MiniLM-L6-v2), the same that embedded the analyses.';
COMMENT ON COLUMN query_embeddings.created_at IS 'When the words were embedded.';
COMMENT ON FUNCTION catalog_search_semantic_text IS 'Semantic search from words embedded before with `archive-analyzer embed ''words''` (else an error saying so); score = cosine similarity, higher is better.';
COMMENT ON FUNCTION catalog_query_key IS 'The form query_embeddings stores words in: lower case, spaces collapsed.';
COMMENT ON FUNCTION catalog_corrected_text IS 'The cataloger''s correction an analysis is shown with, or NULL when the model''s text stands.';
COMMENT ON FUNCTION catalog_search_document IS 'The weighted full-text document of an analysis (title and artist A, terms B, text C, medium D), with p_text in place of the model''s text when given.';
COMMENT ON PROCEDURE extensions_on_function_paths IS 'Puts the extensions schema on the search_path of every project function that has one (migration 0014; CALL it after creating functions by hand).';
COMMENT ON FUNCTION catalog_note_artist IS 'Trigger: keeps catalog_artist_names (what fuzzy artist search reads) in step with artworks.';
COMMENT ON FUNCTION catalog_structure_document IS 'Trigger: indexes the text catalogers see (a correction when one exists) in analysis_structure.search_doc.';
COMMENT ON FUNCTION catalog_review_reindex IS 'Trigger: a new review re-indexes the current analyses of the images it concerns (runs as archive_review_definer).';
COMMENT ON FUNCTION models_note_run IS 'Trigger: a run''s model version enters models, named after the last part of its location.';
COMMENT ON FUNCTION models_note_evaluation IS 'Trigger: an evaluation names its model version from the model card.';
COMMENT ON FUNCTION runs_model_name IS 'Trigger: runs.model_name follows the models table.';

-- Every column of the views README.md documents. One meaning per column name, except where a
-- view's column means something else; columns already described (0010) keep their comment.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        WITH meaning (view_name, column_name, description) AS (VALUES
            ('*', 'object_id', 'The museum''s object or accession number, from the manifest.'),
            ('*', 'title', 'Title of the work, from the manifest.'),
            ('*', 'artist', 'Artist as the manifest names them.'),
            ('*', 'date_text', 'The date as the museum wrote it (c.1837, 1840-5).'),
            ('*', 'year_start', 'First year the date allows (BCE negative); NULL when undated.'),
            ('*', 'year_end', 'Last year the date allows; a year filter keeps works whose range overlaps.'),
            ('*', 'medium', 'Medium and support, from the manifest.'),
            ('*', 'metadata', 'Every column of the manifest row, as given (JSON).'),
            ('*', 'artwork_id', 'Internal id of the artwork row.'),
            ('*', 'uri', 'Where the image is read from (file://, s3://, https://).'),
            ('*', 'image_uri', 'Where the image is read from (file://, s3://, https://).'),
            ('*', 'sha256', 'SHA-256 of the image bytes: the same picture under two names shares it.'),
            ('*', 'image_sha256', 'SHA-256 of the image bytes.'),
            ('*', 'analysis_id', 'Id of the analysis; `archive-analyzer review` and analysis_reviews take it.'),
            ('*', 'prompt_name', 'The question the model was asked (formal_analysis).'),
            ('*', 'prompt_version', 'Hash of the prompt text: a changed prompt is a new version.'),
            ('*', 'model_version', 'Hash of the model card; model_name is its readable name.'),
            ('*', 'model_name', 'Readable model name, from its card or its location (models table).'),
            ('*', 'analysed_at', 'When the analysis was written.'),
            ('*', 'created_at', 'When the analysis was written.'),
            ('*', 'run_id', 'The run that wrote the analysis (runs table).'),
            ('*', 'collection', 'The collection of the run that last read the image.'),
            ('*', 'aspects', 'Sentences of the model''s text by aspect (composition, colour, light_and_shadow, ...), as JSON.'),
            ('*', 'terms', 'Art vocabulary terms found in the model''s text.'),
            ('*', 'search_doc', 'Weighted full-text document (title and artist A, terms B, text C, medium D) of the text catalogers see.'),
            ('*', 'embedding', '384-d all-MiniLM-L6-v2 embedding of the model''s text (NULL when embedding was off).'),
            ('*', 'text', 'The text catalogers see: the correction when is_corrected, else the model''s text.'),
            ('*', 'model_text', 'The model''s own text, kept beside any correction.'),
            ('*', 'is_corrected', 'True when text is a cataloger''s correction (also while a new analysis awaits review).'),
            ('*', 'review_status', 'unreviewed, approved, corrected, rejected, or needs_review (a new analysis; the earlier correction still shows).'),
            ('*', 'review_id', 'The review that decides what is shown (analysis_reviews.id); NULL when unreviewed.'),
            ('*', 'reviewer', 'Who gave the verdict.'),
            ('*', 'reviewed_at', 'When the verdict was given.'),
            ('*', 'corrected_analysis_id', 'For needs_review: the earlier analysis whose correction is still shown.'),
            ('*', 'verdict', 'approved, corrected or rejected.'),
            ('*', 'corrected_text', 'The cataloger''s text, for a corrected verdict.'),
            ('*', 'note', 'The cataloger''s note on the verdict.'),
            ('*', 'is_current', 'True for the analysis catalogers see for this content (older model or prompt versions are false).'),
            ('*', 'is_current_content', 'True when the URI holds this content now (false: an earlier photograph).'),
            ('*', 'aspect', 'One of composition, colour, line, light_and_shadow, space_and_perspective, texture_and_brushwork, form, mood_and_effect, other.'),
            ('*', 'sentence_no', 'Position of the sentence in the model''s text, from 0.'),
            ('*', 'sentence', 'One sentence of the model''s text.'),
            ('*', 'rank', 'Palette rank: 1 is the largest share of the picture.'),
            ('*', 'share', 'Share of the picture, 0..1.'),
            ('*', 'hex', 'Colour as #rrggbb.'),
            ('*', 'css_name', 'Nearest CSS colour name (CIELAB distance).'),
            ('*', 'l', 'CIELAB L*: 0 black .. 100 white.'),
            ('*', 'a', 'CIELAB a*: negative green, positive red.'),
            ('*', 'b', 'CIELAB b*: negative blue, positive yellow.'),
            ('catalog_colors', 'name', 'CSS colour name, as catalog_search_color takes it.'),
            ('catalog_colors', 'hex', 'Its colour as #rrggbb.'),
            ('current_image_analyses', 'text', 'The model''s text (the text catalogers see: catalog_analysis_status).'),
            ('artwork_analysis_history', 'text', 'The model''s text of this analysis.'),
            ('catalog_reviews', 'created_at', 'When the verdict was given.'),
            ('catalog_reviews', 'model_text', 'The model''s text of the reviewed analysis.'),
            ('catalog_reviews', 'is_current', 'True while the reviewed analysis is the current one of its content.'),
            ('catalog_reviews', 'review_id', 'Id of the review (analysis_reviews.id).'),
            ('catalog_analysis_status', 'review_id', 'The review that decides what is shown (analysis_reviews.id); NULL when unreviewed.')
        )
        SELECT c.relname, a.attname, coalesce(own.description, any_view.description) AS description
        FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN meaning own ON own.view_name = c.relname AND own.column_name = a.attname
        LEFT JOIN meaning any_view ON any_view.view_name = '*' AND any_view.column_name = a.attname
        WHERE c.relnamespace = 'public'::regnamespace
          AND c.relname IN ('catalog_artworks', 'catalog_aspects', 'catalog_palette',
                            'catalog_documents', 'catalog_colors', 'current_image_analyses',
                            'artwork_analysis_history', 'catalog_analysis_status',
                            'catalog_reviews', 'catalog_review_queue')
          AND col_description(c.oid, a.attnum) IS NULL
    LOOP
        -- A column a later view gained and this list does not know stays undescribed;
        -- tests/test_sql_comments.py names it.
        CONTINUE WHEN r.description IS NULL;
        EXECUTE format('COMMENT ON COLUMN %I.%I IS %L', r.relname, r.attname, r.description);
    END LOOP;
END
$$;
