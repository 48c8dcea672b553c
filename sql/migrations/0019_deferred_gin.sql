-- Bulk index mode defers GIN indexes too (issue #17): kept up row by row the search entries'
-- GIN index (document, trigrams, years, aspects, terms) costs ~0.13 ms per row, a quarter of
-- the sink's write; built after the load it costs microseconds a row. db/indexes.py finds them
-- by access method, as it finds HNSW indexes; the table only says so now.
COMMENT ON TABLE deferred_indexes IS 'HNSW and GIN indexes a bulk-mode run dropped and has not yet rebuilt; the next run or db command rebuilds any whose run is over.';
