-- Ten questions catalogers ask, in SQL. Each runs as archive_reader (or archive_cataloger) in
-- psql, with the default search_path: the views and catalog_* functions are all they need.
-- `\d+ catalog_artworks` and `\df+ catalog_search_*` say what every column and score means.
-- tests/test_sql_examples.py runs every one of them on a small analysed catalog.

-- name: full_text_search
-- Which works does an analysis (or a cataloger's correction) call chiaroscuro? Best first;
-- the score is ts_rank (higher is better), the detail the matching words in <b>..</b>.
SELECT object_id, title, artist, round(score::numeric, 3) AS score, detail
FROM catalog_search_text('chiaroscuro', 20);

-- name: works_by_an_artist
-- Turner's works, oldest first, each with the analysis catalogers see: the correction where
-- one was made (is_corrected), else the model's text, and the model's name.
SELECT object_id, title, date_text, medium, model_name, review_status, is_corrected, analysis
FROM catalog_artworks
WHERE artist ILIKE '%turner%'
ORDER BY year_start, object_id;

-- name: review_queue
-- What is waiting for a cataloger: analyses never reviewed, and new models' analyses of works
-- whose earlier analysis was corrected (needs_review), oldest first.
SELECT object_id, title, artist, collection, model_name, review_status, analysed_at
FROM catalog_review_queue
ORDER BY review_status DESC, analysed_at, object_id
LIMIT 50;

-- name: corrected_analyses
-- Every correction in force, beside the model's original text, with who made it and when.
SELECT object_id, title, reviewer, reviewed_at, analysis AS correction, model_text
FROM catalog_artworks
WHERE is_corrected
ORDER BY reviewed_at DESC;

-- name: navy_works
-- Works with navy in their palette (at least 5% of the picture, within CIELAB distance 25):
-- the score weighs closeness by share (higher is better: mostly navy beats a touch of it);
-- distance is the nearest palette colour's; the detail that colour and its share.
SELECT object_id, title, artist, round(score::numeric, 3) AS score,
       round(distance::numeric, 1) AS distance, detail
FROM catalog_search_color('navy', 20);

-- name: semantic_search_from_words
-- Works whose analysis means "a storm at sea", whatever words it uses. Embed the words once
-- first: `archive-analyzer embed 'a storm at sea'`. Score: cosine similarity, higher is nearer.
SELECT object_id, title, artist, round(score::numeric, 3) AS similarity
FROM catalog_search_semantic_text('a storm at sea', 10);

-- name: history_of_an_object
-- Every analysis one object's images have had, across models, prompts and re-photographs,
-- with the verdicts catalogers gave each one.
SELECT h.created_at, h.model_version, h.prompt_name, h.is_current, r.verdict, r.reviewer,
       left(h.text, 80) AS text
FROM artwork_analysis_history h
LEFT JOIN catalog_reviews r ON r.analysis_id = h.analysis_id
WHERE h.object_id = 'N00530'
ORDER BY h.created_at, r.created_at;

-- name: palette_of_a_work
-- The five colours measured in one work's image, largest first: share of the picture,
-- hex code and the nearest CSS colour name.
SELECT rank, hex, css_name, round(share::numeric * 100) AS percent
FROM catalog_palette
WHERE object_id = 'N00530'
ORDER BY rank;

-- name: facets_of_a_search
-- How the works an analysis calls "light" divide by artist, decade and medium (counts), to
-- narrow a search with p_artist, p_year_from/p_year_to or p_medium.
WITH hits AS (
    SELECT a.artist, a.year_start, a.medium
    FROM catalog_search_text('light', 1000) s
    JOIN catalog_artworks a ON a.object_id = s.object_id
)
SELECT 'artist' AS facet, coalesce(artist, '(unknown)') AS value, count(*) AS works
FROM hits GROUP BY artist
UNION ALL
SELECT 'decade', coalesce((year_start / 10 * 10)::text || 's', '(undated)'), count(*)
FROM hits GROUP BY year_start / 10
UNION ALL
SELECT 'medium', coalesce(medium, '(unknown)'), count(*)
FROM hits GROUP BY medium
ORDER BY facet, works DESC, value;

-- name: runs_of_the_last_week
-- The runs of the last seven days that wrote analyses still current, with the model's name
-- and how many analyses each wrote.
SELECT run_id, collection, model_name, model_version, count(*) AS analyses,
       min(analysed_at) AS first_analysis, max(analysed_at) AS last_analysis
FROM catalog_analysis_status
WHERE analysed_at > now() - interval '7 days'
GROUP BY run_id, collection, model_name, model_version
ORDER BY run_id DESC;
