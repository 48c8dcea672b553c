-- Search over current analyses: thin calls of the SQL functions in 0002_catalog.sql, so the
-- command line and psql run exactly the same search.

-- name: search_fulltext
SELECT * FROM catalog_search_text(%(query)s, %(limit)s, %(artist)s, %(year_from)s,
                                  %(year_to)s, %(medium)s, %(aspect)s, %(term)s)

-- name: search_fuzzy
SELECT * FROM catalog_search_fuzzy(%(query)s, %(limit)s, %(artist)s, %(year_from)s,
                                   %(year_to)s, %(medium)s, %(aspect)s, %(term)s)

-- name: search_semantic
SELECT * FROM catalog_search_semantic(%(embedding)s::vector, %(limit)s, %(artist)s,
                                      %(year_from)s, %(year_to)s, %(medium)s, %(aspect)s,
                                      %(term)s)

-- name: search_similar
SELECT * FROM catalog_search_similar(%(query)s, %(limit)s, %(artist)s, %(year_from)s,
                                     %(year_to)s, %(medium)s, %(aspect)s, %(term)s)

-- name: search_color
SELECT * FROM catalog_search_color(%(query)s, %(limit)s, %(artist)s, %(year_from)s,
                                   %(year_to)s, %(medium)s, %(aspect)s, %(term)s)
