-- The sink's write path (issue #17): what every written analysis paid for and nobody reads.
--
-- Since 0015 every search reads search_entries, which holds its own copy of the document, the
-- facets and the embedding with their own indexes. The indexes on the tables behind it served
-- only the searches 0015 replaced, yet each analysis still paid for them on insert: a second
-- HNSW insert of its vector (~1.4 ms), a to_tsvector of the whole text for analyses_fts_idx
-- (0001, unused since 0002), and three GIN entries. Exports filter analysis_structure by
-- aspect and term as a scan of what they export, not through these indexes.
DROP INDEX IF EXISTS analyses_fts_idx;
DROP INDEX IF EXISTS analysis_structure_embedding_idx;
DROP INDEX IF EXISTS analysis_structure_doc_idx;
DROP INDEX IF EXISTS analysis_structure_aspects_idx;
DROP INDEX IF EXISTS analysis_structure_terms_idx;
-- A bulk run that died before its rebuild would otherwise bring one back.
DELETE FROM deferred_indexes
WHERE index_name IN ('analysis_structure_embedding_idx', 'analysis_structure_doc_idx');

-- catalog_analysis_status, as 0011 wrote it, but with the carried-over review (c) looked up by
-- index whatever the statistics say. On a catalog whose statistics still say "empty" (a first
-- load, before autovacuum has analysed it) the planner joined every analysis to the reviews
-- for each image the sink refreshed: O(rows) per image, 2.8 ms each at 6,000 analyses and
-- growing. OFFSET 0 keeps each step a lookup: the image's contents, their analyses by content
-- (the unique key leads with it), their reviews by analysis.
CREATE OR REPLACE VIEW catalog_analysis_status AS
SELECT aw.object_id, aw.title, aw.artist, aw.id AS artwork_id, aw.collection, i.uri, i.sha256,
       a.id AS analysis_id, a.model_version, m.name AS model_name, a.prompt_name,
       a.run_id, a.created_at AS analysed_at,
       CASE WHEN v.verdict = 'corrected' THEN v.corrected_text
            WHEN v.id IS NULL AND c.verdict = 'corrected' THEN c.corrected_text
            ELSE a.text END AS text,
       a.text AS model_text,
       coalesce(v.verdict = 'corrected', c.verdict = 'corrected', false) AS is_corrected,
       CASE WHEN v.id IS NOT NULL THEN v.verdict
            WHEN c.verdict = 'corrected' THEN 'needs_review'
            ELSE 'unreviewed' END AS review_status,
       CASE WHEN v.id IS NOT NULL THEN v.id WHEN c.verdict = 'corrected' THEN c.id END
           AS review_id,
       CASE WHEN v.id IS NOT NULL THEN v.reviewer
            WHEN c.verdict = 'corrected' THEN c.reviewer END AS reviewer,
       CASE WHEN v.id IS NOT NULL THEN v.created_at
            WHEN c.verdict = 'corrected' THEN c.created_at END AS reviewed_at,
       CASE WHEN v.id IS NULL AND c.verdict = 'corrected' THEN c.analysis_id END
           AS corrected_analysis_id
FROM images i
JOIN analyses a ON a.image_sha256 = i.sha256 AND a.is_current
LEFT JOIN artworks aw ON aw.id = i.artwork_id
LEFT JOIN models m ON m.version = a.model_version
LEFT JOIN LATERAL (
    SELECT r.id, r.verdict, r.corrected_text, r.reviewer, r.created_at
    FROM analysis_reviews r WHERE r.analysis_id = a.id
    ORDER BY r.created_at DESC, r.id DESC LIMIT 1
) v ON true
LEFT JOIN LATERAL (
    SELECT r.id, r.analysis_id, r.verdict, r.corrected_text, r.reviewer, r.created_at
    FROM image_contents ic
    CROSS JOIN LATERAL (
        SELECT o.id FROM analyses o
        WHERE o.image_sha256 = ic.sha256 AND o.prompt_name = a.prompt_name AND o.id <> a.id
        OFFSET 0
    ) o
    CROSS JOIN LATERAL (
        SELECT r.* FROM analysis_reviews r WHERE r.analysis_id = o.id OFFSET 0
    ) r
    WHERE ic.uri = i.uri AND v.id IS NULL
    ORDER BY r.created_at DESC, r.id DESC LIMIT 1
) c ON true;

-- Statistics that keep up with a first load. Autovacuum analyses a table a minute or more after
-- it grew by a tenth; until then the planner believes a catalog that went from empty to 20,000
-- analyses is still empty, and the sink's merges and search-entry refresh scan whole tables
-- per block (3 ms a row at 20,000 and growing). The sink calls this each time the rows it has
-- written double from 1,000: a few ANALYZEs (each samples 30,000 rows) per run, at most.
-- SECURITY DEFINER, owned by a role that cannot log in and holds MAINTAIN on these tables
-- only: the writer may refresh statistics through it, never vacuum, reindex or lock.
CREATE FUNCTION sink_refresh_statistics() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, extensions, pg_temp AS $$
BEGIN
    ANALYZE artworks, images, image_contents, analyses, analysis_structure, search_entries,
            failures;
END
$$;
COMMENT ON FUNCTION sink_refresh_statistics() IS 'Refreshes the planner statistics of the tables the sink writes; the sink calls it as its writes double.';
REVOKE EXECUTE ON FUNCTION sink_refresh_statistics FROM PUBLIC;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'archive_statistics_definer') THEN
        CREATE ROLE archive_statistics_definer NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO archive_statistics_definer;
GRANT MAINTAIN ON artworks, images, image_contents, analyses, analysis_structure, search_entries,
    failures TO archive_statistics_definer;
ALTER FUNCTION sink_refresh_statistics OWNER TO archive_statistics_definer;
