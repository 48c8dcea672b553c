-- Roles for `archive-analyzer db roles`. Identifiers ({writer}, {reader}, {database}) are
-- composed with psycopg.sql.Identifier, passwords with psycopg.sql.Literal: never pasted text.

-- name: role_exists
SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %(name)s) AS found

-- name: grant_writer
-- Jobs read and write every table (and those later migrations add), nothing more: no DDL.
GRANT CONNECT ON DATABASE {database} TO {writer};
GRANT USAGE ON SCHEMA public TO {writer};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {writer};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {writer};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {writer};
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {writer};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {writer};

-- name: grant_reader
-- Catalogers read the views and run the search functions; the tables stay out of reach.
GRANT CONNECT ON DATABASE {database} TO {reader};
GRANT USAGE ON SCHEMA public TO {reader};
GRANT SELECT ON catalog_artworks, catalog_aspects, catalog_palette, catalog_colors,
    catalog_documents TO {reader};
GRANT EXECUTE ON FUNCTION catalog_search_text, catalog_search_fuzzy, catalog_search_semantic,
    catalog_search_similar, catalog_search_color, catalog_color_lab, catalog_hex_lab,
    catalog_filtered TO {reader};
