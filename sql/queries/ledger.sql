-- The streaming driver (run/staging.py, run/ledger.py): a run's listing is staged in a
-- temporary table on the planner's connection, classified there by set-based queries, then
-- copied into run_ledger, where outcomes are counted. No query carries every URI as a
-- parameter, and the driver never holds them.

-- name: listing_create
-- One row per listed image, for one planning session (dropped with its connection).
CREATE TEMP TABLE IF NOT EXISTS listing (
    uri           text PRIMARY KEY,
    object_id     text NOT NULL,
    derived_id    boolean NOT NULL,
    fingerprint   text,
    metadata      text NOT NULL,
    metadata_hash text NOT NULL,
    class         text NOT NULL DEFAULT 'new',
    holder        text,
    known_sha     text
)

-- name: listing_copy
COPY listing (uri, object_id, derived_id, fingerprint, metadata, metadata_hash) FROM STDIN

-- name: listing_classify
-- run/plan.py's classes for URIs the database knows (the others stay 'new'): changed, stale,
-- metadata, unchanged. Conflicts are marked afterwards, over these.
UPDATE listing l
SET known_sha = i.sha256,
    class = CASE
        WHEN l.fingerprint IS NULL OR l.fingerprint IS DISTINCT FROM i.fingerprint THEN 'changed'
        WHEN NOT EXISTS (
            SELECT 1 FROM analyses a
            WHERE a.image_sha256 = i.sha256
              AND a.model_version = %(model_version)s
              AND a.prompt_version = %(prompt_version)s
              AND a.is_current
        ) THEN 'stale'
        WHEN i.metadata_hash IS DISTINCT FROM l.metadata_hash THEN 'metadata'
        ELSE 'unchanged'
    END
FROM images i
WHERE i.uri = l.uri

-- name: listing_conflicts_within
-- A path-derived object id held by another listed image: a manifest's id wins, then the first
-- URI in code-point order (as Python sorts).
UPDATE listing l
SET class = 'conflict', holder = r.holder
FROM (
    SELECT uri, first_value(uri) OVER (
        PARTITION BY object_id ORDER BY derived_id, uri COLLATE "C"
    ) AS holder
    FROM listing
) r
WHERE l.uri = r.uri AND l.derived_id AND r.holder <> l.uri

-- name: listing_conflicts_held
-- A path-derived object id of this collection held by an image under another source.
UPDATE listing l
SET class = 'conflict', holder = h.uri
FROM (
    SELECT DISTINCT ON (aw.object_id) aw.object_id, i.uri
    FROM artworks aw
    JOIN images i ON i.artwork_id = aw.id
    WHERE aw.collection = %(collection)s
      AND aw.object_id IN (SELECT object_id FROM listing WHERE derived_id)
      AND left(i.uri, length(%(root)s) + 1) <> %(root)s || '/'
    ORDER BY aw.object_id, i.uri
) h
WHERE l.derived_id AND l.class <> 'conflict' AND l.object_id = h.object_id

-- name: listing_counts
SELECT class, count(*) AS n FROM listing GROUP BY class

-- name: listing_to_confirm
-- Changed fingerprints of known images: `--plan` hashes these few files.
SELECT uri, known_sha
FROM listing WHERE class = 'changed' AND known_sha IS NOT NULL
ORDER BY uri

-- name: listing_reclassify
-- A changed fingerprint whose file hashed to the stored content: classified by its analysis and
-- manifest row, as if the fingerprint had not moved.
UPDATE listing l
SET class = CASE
        WHEN NOT EXISTS (
            SELECT 1 FROM analyses a
            WHERE a.image_sha256 = i.sha256
              AND a.model_version = %(model_version)s
              AND a.prompt_version = %(prompt_version)s
              AND a.is_current
        ) THEN 'stale'
        WHEN i.metadata_hash IS DISTINCT FROM l.metadata_hash THEN 'metadata'
        ELSE 'unchanged'
    END
FROM images i
WHERE i.uri = l.uri AND l.uri = %(uri)s

-- name: listing_page
-- One page of a plan class, in URI order after %(after)s (keyset pagination).
SELECT uri, object_id, derived_id, fingerprint, metadata, holder
FROM listing
WHERE class = ANY (%(classes)s::text[]) AND uri > %(after)s
ORDER BY uri
LIMIT %(limit)s

-- name: ledger_open
-- The run's ledger from its plan: images the run sends through the stages get a seq and no
-- outcome yet; conflicts are failed and skipped classes skipped, each once.
INSERT INTO run_ledger (run_id, uri, seq, object_id, fingerprint, metadata, outcome, reports)
SELECT %(run_id)s, uri,
       CASE WHEN class = ANY (%(sent)s::text[])
            THEN row_number() OVER (
                PARTITION BY class = ANY (%(sent)s::text[]) ORDER BY uri COLLATE "C")
       END,
       object_id, fingerprint, metadata,
       CASE WHEN class = 'conflict' THEN 'failed'
            WHEN class = ANY (%(sent)s::text[]) THEN NULL
            ELSE 'skipped' END,
       CASE WHEN class = ANY (%(sent)s::text[]) THEN 0 ELSE 1 END
FROM listing

-- name: ledger_missing
-- Manifest URIs not found under the source: listed, and failed.
INSERT INTO run_ledger (run_id, uri, outcome, reports)
SELECT %(run_id)s, uri, 'failed', 1 FROM unnest(%(uris)s::text[]) AS m (uri)
ON CONFLICT (run_id, uri) DO UPDATE SET reports = run_ledger.reports + 1

-- name: ledger_record
-- One batch of outcomes (a URI twice in it counts twice; the last outcome stands); a URI
-- nobody listed is kept as a stray (listed = false).
INSERT INTO run_ledger AS r (run_id, uri, listed, outcome, reports)
SELECT %(run_id)s, b.uri, false, (array_agg(b.outcome ORDER BY b.n DESC))[1], count(*)
FROM unnest(%(uris)s::text[], %(outcomes)s::text[]) WITH ORDINALITY AS b (uri, outcome, n)
GROUP BY b.uri
ON CONFLICT (run_id, uri) DO UPDATE
SET outcome = excluded.outcome, reports = r.reports + excluded.reports

-- name: ledger_orphans
-- Images this run linked as reused whose content has no analysis by this model and prompt
-- after all (their twin failed): the driver sends them through the stages again.
SELECT r.uri, r.object_id, r.metadata, r.fingerprint
FROM run_ledger r
JOIN images i ON i.uri = r.uri
WHERE r.run_id = %(run_id)s AND r.outcome = 'reused'
  AND NOT EXISTS (
      SELECT 1 FROM analyses a
      WHERE a.image_sha256 = i.sha256
        AND a.model_version = %(model_version)s
        AND a.prompt_version = %(prompt_version)s
  )
ORDER BY r.uri

-- name: ledger_reopen
-- Forget these URIs' outcomes: they go through the stages again, counted by what comes back.
UPDATE run_ledger SET outcome = NULL, reports = 0
WHERE run_id = %(run_id)s AND uri = ANY (%(uris)s::text[])

-- name: ledger_chunk
-- The references of one read task: images %(first)s..%(last)s of the run's analysed range.
SELECT uri, object_id, metadata, fingerprint
FROM run_ledger
WHERE run_id = %(run_id)s AND seq BETWEEN %(first)s AND %(last)s
ORDER BY seq

-- name: ledger_sent
SELECT count(*) AS n FROM run_ledger WHERE run_id = %(run_id)s AND seq IS NOT NULL

-- name: ledger_totals
SELECT count(*) FILTER (WHERE listed) AS listed,
       count(*) FILTER (WHERE listed AND reports = 0) AS unaccounted,
       count(*) FILTER (WHERE reports > 1 OR NOT listed) AS duplicated
FROM run_ledger WHERE run_id = %(run_id)s

-- name: ledger_unaccounted
SELECT uri FROM run_ledger
WHERE run_id = %(run_id)s AND listed AND reports = 0
ORDER BY uri COLLATE "C" LIMIT %(limit)s

-- name: ledger_duplicated
SELECT uri FROM run_ledger
WHERE run_id = %(run_id)s AND (reports > 1 OR NOT listed)
ORDER BY listed DESC, uri COLLATE "C" LIMIT %(limit)s

-- name: ledger_prune
-- A balanced run's ledger has said what it had to: its counts stay on the run.
DELETE FROM run_ledger WHERE run_id = %(run_id)s
