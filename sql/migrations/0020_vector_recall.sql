-- Semantic search's recall at a million works (issue #16: recall@10 >= 0.95 against exact
-- nearest neighbours). With pgvector's default graph (m 16, ef_construction 64) recall@10 at
-- 1,000,000 topic-clustered vectors was 0.86-0.93 for any ef_search from 200 to 1000: the
-- graph, not the search width, was the limit. Built with ef_construction 128 the same million
-- reach 0.975 at ef_search 400 for a 1.7x build (bench/RESULTS.md, bench.halfvec); m 24 would
-- reach 0.985 but builds 2.3x slower and doubles what every live insert pays.
--
-- A bulk-mode run that has this index dropped right now (deferred_indexes) gets the new
-- definition and builds it itself when it ends; otherwise it is built here, with the memory
-- db/indexes.py would give it (about 4 kB a row, 64 MB to 1 GB), so the graph stays in memory.
DO $$
DECLARE
    new_definition constant text := 'CREATE INDEX search_entries_embedding_idx ON public.search_entries '
        'USING hnsw (embedding extensions.vector_cosine_ops) WITH (m = 16, ef_construction = 128)';
    entries bigint;
BEGIN
    UPDATE deferred_indexes d SET definition = new_definition
    WHERE d.schema_name = 'public' AND d.index_name = 'search_entries_embedding_idx';
    IF NOT FOUND THEN
        SELECT count(*) INTO entries FROM search_entries WHERE embedding IS NOT NULL;
        PERFORM set_config('maintenance_work_mem',
                           least(greatest(64 * 1024, entries * 4), 1024 * 1024) || 'kB', true);
        DROP INDEX IF EXISTS search_entries_embedding_idx;
        EXECUTE new_definition;
    END IF;
END
$$;

-- Searched 400 wide: 0.932 at 200 on the denser graph, 0.975 at 400, p95 20 ms either way.
ALTER FUNCTION catalog_search_semantic(extensions.vector, integer, text, integer, integer, text,
                                       text, text, bigint, integer)
    SET hnsw.ef_search = 400;

COMMENT ON FUNCTION catalog_search_semantic IS 'Cosine nearest neighbours of a 384-d embedding (HNSW, ef_search 400: recall@10 0.975 at 1M): score = 1 - distance, higher is better; distance = cosine distance; page with p_offset.';
