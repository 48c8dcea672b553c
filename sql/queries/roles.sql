-- Roles for `archive-analyzer db roles`. Identifiers ({writer}, {reader}, {database}) are
-- composed with psycopg.sql.Identifier, passwords with psycopg.sql.Literal: never pasted text.
-- What each role may do is listed in README.md, "Security".

-- name: role_exists
SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %(name)s) AS found

-- name: grant_writer
-- Jobs read and write every table (and those later migrations add), nothing more: no DDL.
-- Runs hold a collection's advisory lock (0009 revoked those functions from PUBLIC).
GRANT CONNECT ON DATABASE {database} TO {writer};
GRANT USAGE ON SCHEMA public TO {writer};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {writer};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {writer};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {writer};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {writer};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {writer};
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
TO {writer};
-- pgvector's and pg_trgm's types and operators by their plain names (0014 moved them to the
-- extensions schema), for jobs and tools that connect as the writer without our connections.
ALTER ROLE {writer} SET search_path = public, extensions;

-- name: grant_reader
-- Catalogers read the views README.md documents and run the search functions; the tables
-- stay out of reach. Used for the reader and, unchanged, for the cataloger. Their search_path
-- stays `"$user", public`, so psql's \df lists the catalog's functions, not pgvector's
-- (README "For catalogers" says how to add `extensions` for a session).
GRANT CONNECT ON DATABASE {database} TO {reader};
GRANT USAGE ON SCHEMA public TO {reader};
GRANT SELECT ON catalog_artworks, catalog_aspects, catalog_palette, catalog_colors,
    catalog_documents, current_image_analyses, artwork_analysis_history,
    catalog_analysis_status, catalog_reviews, catalog_review_queue TO {reader};
GRANT EXECUTE ON FUNCTION catalog_search_text, catalog_search_fuzzy, catalog_search_semantic,
    catalog_search_similar, catalog_search_color, catalog_search_facets, catalog_color_lab,
    catalog_hex_lab,
    catalog_filtered, catalog_search_semantic_text, catalog_query_key TO {reader};

-- name: grant_cataloger
-- On top of the reader's grants: record a review. SELECT on the id column only, because
-- `dataset review` reads back the new review's id (INSERT ... RETURNING id).
GRANT INSERT, SELECT (id) ON analysis_reviews TO {cataloger};
GRANT USAGE ON SEQUENCE analysis_reviews_id_seq TO {cataloger};

-- name: reader_can_lock
-- True where 0009 could not revoke the advisory locks (it needs a superuser).
SELECT has_function_privilege(%(name)s, 'pg_try_advisory_lock(bigint)', 'EXECUTE') AS found
