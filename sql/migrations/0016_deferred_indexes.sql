-- Bulk index mode (issue #17, item 2). Keeping an HNSW index up to date costs ~1.4 ms per
-- 384-d vector on a small server, building it after a load ~0.3 ms: a large run or a first
-- load drops the HNSW indexes on the tables it writes, loads the vectors unindexed and builds
-- the indexes again at the end. Each dropped index is recorded here first, in the transaction
-- that drops it, so a run that crashes in between leaves a row the next run (or `db migrate`,
-- `db status`) rebuilds from: an index is never missing silently. Search stays correct
-- meanwhile: without the index PostgreSQL scans the vectors exactly.
CREATE TABLE deferred_indexes (
    schema_name text        NOT NULL,
    index_name  text        NOT NULL,
    table_name  text        NOT NULL,
    definition  text        NOT NULL,
    run_id      bigint      REFERENCES runs (id) ON DELETE SET NULL,
    dropped_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schema_name, index_name)
);
COMMENT ON TABLE deferred_indexes IS 'HNSW indexes a bulk-mode run dropped and has not yet rebuilt; the next run or db command rebuilds any whose run is over.';
COMMENT ON COLUMN deferred_indexes.schema_name IS 'Schema of the dropped index.';
COMMENT ON COLUMN deferred_indexes.index_name IS 'Name of the dropped index.';
COMMENT ON COLUMN deferred_indexes.table_name IS 'Table the index was on.';
COMMENT ON COLUMN deferred_indexes.definition IS 'pg_get_indexdef of the index: the CREATE INDEX statement that rebuilds it.';
COMMENT ON COLUMN deferred_indexes.run_id IS 'The bulk-mode run that dropped it.';
COMMENT ON COLUMN deferred_indexes.dropped_at IS 'When it was dropped.';
