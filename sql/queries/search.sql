-- Search over current analyses: thin calls of the SQL functions (0015_search_index.sql), so the
-- command line and psql run exactly the same search. %(offset)s pages (0 = the first page).

-- name: search_fulltext
SELECT * FROM catalog_search_text(%(query)s, %(limit)s, %(artist)s, %(year_from)s,
                                  %(year_to)s, %(medium)s, %(aspect)s, %(term)s,
                                  p_offset => %(offset)s)

-- name: search_fuzzy
SELECT * FROM catalog_search_fuzzy(%(query)s, %(limit)s, %(artist)s, %(year_from)s,
                                   %(year_to)s, %(medium)s, %(aspect)s, %(term)s,
                                   p_offset => %(offset)s)

-- name: search_semantic
SELECT * FROM catalog_search_semantic(%(embedding)s::vector, %(limit)s, %(artist)s,
                                      %(year_from)s, %(year_to)s, %(medium)s, %(aspect)s,
                                      %(term)s, p_offset => %(offset)s)

-- name: search_similar
SELECT * FROM catalog_search_similar(%(query)s, %(limit)s, %(artist)s, %(year_from)s,
                                     %(year_to)s, %(medium)s, %(aspect)s, %(term)s,
                                     p_offset => %(offset)s)

-- name: search_color
SELECT * FROM catalog_search_color(%(query)s, %(limit)s, %(artist)s, %(year_from)s,
                                   %(year_to)s, %(medium)s, %(aspect)s, %(term)s,
                                   p_offset => %(offset)s)

-- name: search_facets
-- Counts per artist, decade, medium, aspect and term of every match (query NULL: every work).
SELECT * FROM catalog_search_facets(%(query)s, %(artist)s, %(year_from)s, %(year_to)s,
                                    %(medium)s, %(aspect)s, %(term)s, %(top)s)
