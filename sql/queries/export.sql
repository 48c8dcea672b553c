-- Exports (Linked Art, IIIF annotations, CSV): artworks through the export_artworks view.

-- name: export_artworks
-- NULL filters mean "any"; the same filters as search (artist, years, medium, aspect, term).
SELECT *
FROM export_artworks e
WHERE (%(artist)s::text IS NULL OR e.artist ILIKE '%%' || %(artist)s || '%%')
  AND (%(year_from)s::integer IS NULL OR e.year_end >= %(year_from)s)
  AND (%(year_to)s::integer IS NULL OR e.year_start <= %(year_to)s)
  AND (%(medium)s::text IS NULL OR e.medium ILIKE '%%' || %(medium)s || '%%')
  AND (%(aspect)s::text IS NULL OR e.aspects ? %(aspect)s)
  AND (%(term)s::text IS NULL OR e.terms @> ARRAY[%(term)s::text])
ORDER BY e.object_id
LIMIT %(limit)s
