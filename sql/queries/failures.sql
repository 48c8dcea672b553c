-- Failure rows of a run, for `archive-analyzer failures [RUN]`.

-- name: latest_run_id
SELECT max(id) AS id FROM runs

-- name: failures_of_run
SELECT reason, uri, sha256, message
FROM failures WHERE run_id = %(run_id)s
ORDER BY reason, uri

-- name: run_exists
SELECT id FROM runs WHERE id = %(run_id)s
