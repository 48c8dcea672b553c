-- Search over current analyses.

-- name: search_fulltext
SELECT aw.object_id, aw.title, aw.artist, i.uri,
       ts_rank(to_tsvector('english', a.text), q) AS rank,
       ts_headline('english', a.text, q, 'MaxFragments=1, MaxWords=25, MinWords=10') AS snippet
FROM analyses a
JOIN images i ON i.sha256 = a.image_sha256
LEFT JOIN artworks aw ON aw.id = i.artwork_id,
     websearch_to_tsquery('english', %(query)s) AS q
WHERE a.is_current AND to_tsvector('english', a.text) @@ q
ORDER BY rank DESC, aw.object_id
LIMIT %(limit)s
