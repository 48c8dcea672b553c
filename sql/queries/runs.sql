-- Run bookkeeping and the summaries people read.

-- name: start_run
INSERT INTO runs (collection, source_uri, host, pid, model_version, prompt_version, settings)
VALUES (%(collection)s, %(source_uri)s, %(host)s, %(pid)s, %(model_version)s,
        %(prompt_version)s, %(settings)s)
RETURNING id

-- name: finish_run
UPDATE runs SET status = %(status)s, finished_at = now(), counts = %(counts)s,
                images_per_second = %(images_per_second)s, error = %(error)s
WHERE id = %(run_id)s

-- name: recent_runs
SELECT id, collection, status, started_at, finished_at, model_version, prompt_version,
       counts, images_per_second, error
FROM runs ORDER BY id DESC LIMIT %(limit)s

-- name: table_counts
SELECT (SELECT count(*) FROM artworks) AS artworks,
       (SELECT count(*) FROM images) AS images,
       (SELECT count(*) FROM analyses) AS analyses,
       (SELECT count(*) FROM analyses WHERE is_current) AS current_analyses,
       (SELECT count(*) FROM failures) AS failures,
       (SELECT count(*) FROM runs) AS runs
