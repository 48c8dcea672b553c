-- Run bookkeeping, the overlap guard, and the summaries people read.

-- name: start_run
-- backend_pid is this session's: while it holds the collection lock, the run is alive.
INSERT INTO runs (collection, source_uri, host, pid, model_version, prompt_version, prompt_name,
                  settings, plan, backend_pid)
VALUES (%(collection)s, %(source_uri)s, %(host)s, %(pid)s, %(model_version)s,
        %(prompt_version)s, %(prompt_name)s, %(settings)s, %(plan)s, pg_backend_pid())
RETURNING id

-- name: finish_run
-- Only a run still running is finished: one marked interrupted by a later run (its lock was
-- lost) keeps that status. RETURNING tells the driver whether it finished the run.
UPDATE runs SET status = %(status)s, finished_at = now(), counts = %(counts)s,
                images_per_second = %(images_per_second)s, error = %(error)s
WHERE id = %(run_id)s AND status = 'running'
RETURNING status

-- name: run_status
SELECT status, error FROM runs WHERE id = %(run_id)s

-- name: latest_run
SELECT max(id) AS id FROM runs

-- name: claim_lease
-- Called holding the collection lock, after start_run: this run owns the collection now. The
-- token grows at every claim, which fences off the writes of any run that owned it before;
-- the update waits for that run's write transactions in flight (they hold the row FOR SHARE).
INSERT INTO collection_leases AS l (collection, run_id)
VALUES (%(collection)s, %(run_id)s)
ON CONFLICT (collection) DO UPDATE SET
    run_id = EXCLUDED.run_id, token = l.token + 1, heartbeat_at = now()
RETURNING token

-- name: renew_lease
-- The driver, between blocks, on its (possibly new) lock session: the lease is still this
-- run's, the run is still running; its session is recorded so liveness checks see it alive.
WITH lease AS (
    UPDATE collection_leases SET heartbeat_at = now()
    WHERE collection = %(collection)s AND run_id = %(run_id)s AND token = %(token)s
    RETURNING run_id
)
UPDATE runs r SET backend_pid = pg_backend_pid()
FROM lease
WHERE r.id = lease.run_id AND r.status = 'running'
RETURNING r.id

-- name: check_lease
-- In each write transaction of the sink: the run still owns its collection. FOR SHARE keeps
-- a takeover (claim_lease) or an interruption (runs.status) waiting until this write commits.
SELECT l.token
FROM collection_leases l
JOIN runs r ON r.id = l.run_id
WHERE l.collection = %(collection)s AND l.run_id = %(run_id)s AND l.token = %(token)s
  AND r.status = 'running'
FOR SHARE OF l, r

-- name: try_collection_lock
-- Session-level advisory lock, one per collection: released when the run's session ends,
-- including when its process is killed.
SELECT pg_try_advisory_lock(hashtextextended('archive-analyzer:' || %(collection)s, 0)) AS locked

-- name: running_run
SELECT id, host, pid, started_at FROM runs
WHERE collection = %(collection)s AND status = 'running'
ORDER BY id DESC LIMIT 1

-- name: interrupt_runs_of_collection
-- Called while holding the collection's lock: no other live run of it exists, so any run
-- still marked running was killed.
UPDATE runs SET status = 'interrupted',
                error = 'found still running at ' || now()::text
                        || ' by a later run: its driver ended without finishing'
WHERE collection = %(collection)s AND status = 'running'
RETURNING id

-- name: interrupt_dead_runs
-- A run is alive only while its session holds an advisory lock.
UPDATE runs r SET status = 'interrupted',
                  error = 'found at ' || now()::text
                          || ' with its database session gone: its driver ended without finishing'
WHERE r.status = 'running'
  AND r.backend_pid IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.pid = r.backend_pid AND l.granted
  )
RETURNING id

-- name: recent_runs
SELECT id, collection, status, started_at, finished_at, model_version, prompt_version,
       counts, plan, images_per_second, error
FROM runs ORDER BY id DESC LIMIT %(limit)s

-- name: run_by_id
SELECT id, collection, source_uri, status, started_at, finished_at,
       finished_at - started_at AS duration, host, pid, model_version, prompt_version,
       prompt_name, settings, plan, counts, images_per_second, error
FROM runs WHERE id = %(run_id)s

-- name: run_failures
SELECT reason, uri, message FROM failures
WHERE run_id = %(run_id)s ORDER BY reason, uri LIMIT %(limit)s

-- name: analysis_history
-- Every analysis an object's images have had, newest first, across model and prompt versions.
SELECT uri, sha256, is_current_content, prompt_name, model_version, prompt_version,
       is_current, run_id, created_at, text
FROM artwork_analysis_history
WHERE object_id = %(object_id)s
ORDER BY created_at DESC, analysis_id DESC

-- name: table_counts
SELECT (SELECT count(*) FROM artworks) AS artworks,
       (SELECT count(*) FROM images) AS images,
       (SELECT count(*) FROM analyses) AS analyses,
       (SELECT count(*) FROM analyses WHERE is_current) AS current_analyses,
       (SELECT count(*) FROM failures) AS failures,
       (SELECT count(*) FROM runs) AS runs

-- name: reused_without_analysis
-- Images a run linked as "reused" whose content has no analysis by this model and prompt
-- after all (their identical twin failed): the driver analyses them again.
SELECT i.uri
FROM images i
WHERE i.uri = ANY (%(uris)s::text[])
  AND NOT EXISTS (
      SELECT 1 FROM analyses a
      WHERE a.image_sha256 = i.sha256
        AND a.model_version = %(model_version)s
        AND a.prompt_version = %(prompt_version)s
  )
ORDER BY i.uri
