-- Bulk index mode (db/indexes.py): find the HNSW and GIN indexes, record and drop them,
-- rebuild them.

-- name: deferrable_indexes
-- Every HNSW, GIN and GiST index outside the system schemas, found by access method, so that
-- an index a later migration adds is covered without naming it here: each costs far more kept
-- up row by row than built in one pass. B-tree indexes stay (the upserts' unique keys need
-- them), and so does any index a constraint owns. rows: the table's row estimate.
SELECT n.nspname AS schema_name, ic.relname AS index_name, t.relname AS table_name,
       pg_get_indexdef(ic.oid) AS definition, greatest(t.reltuples, 0)::bigint AS rows
FROM pg_index x
JOIN pg_class ic ON ic.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_am am ON am.oid = ic.relam
JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE am.amname IN ('hnsw', 'gin', 'gist') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY 1, 2

-- name: record_deferred_index
INSERT INTO deferred_indexes (schema_name, index_name, table_name, definition, run_id)
VALUES (%(schema_name)s, %(index_name)s, %(table_name)s, %(definition)s, %(run_id)s)
ON CONFLICT (schema_name, index_name) DO NOTHING

-- name: drop_index
-- DDL takes no parameters: db/indexes.py fills {index} with a quoted identifier.
DROP INDEX IF EXISTS {index}

-- name: deferred_to_rebuild
-- Indexes whose dropping run is over (finished, failed, interrupted, or gone), oldest first;
-- FOR UPDATE SKIP LOCKED: two commands finishing at once never build one index twice.
SELECT d.schema_name, d.index_name, d.table_name, d.definition
FROM deferred_indexes d
LEFT JOIN runs r ON r.id = d.run_id
WHERE r.id IS NULL OR r.status <> 'running' OR r.id = %(run_id)s
ORDER BY d.dropped_at
FOR UPDATE OF d SKIP LOCKED

-- name: index_exists
SELECT to_regclass(format('%%I.%%I', %(schema_name)s::text, %(index_name)s::text)) IS NOT NULL
       AS present

-- name: table_rows
-- DDL-like: db/indexes.py fills {table} with a quoted identifier. Exact, and it reads the
-- table into the cache that the build then reads it from.
SELECT count(*) AS rows FROM {table}

-- name: forget_deferred_index
DELETE FROM deferred_indexes WHERE schema_name = %(schema_name)s AND index_name = %(index_name)s

-- name: index_build_settings
SELECT set_config('maintenance_work_mem', %(memory)s, true),
       set_config('max_parallel_maintenance_workers', %(workers)s, true)
