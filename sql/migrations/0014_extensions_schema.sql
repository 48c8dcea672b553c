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
) RETURNS TABLE (object_id text, title text, artist text, date_text text, medium text,
                 uri text, score double precision, detail text)
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
