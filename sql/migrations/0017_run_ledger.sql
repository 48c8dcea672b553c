-- The run's ledger in the database (issue #17, streaming driver). Every image a run lists gets
-- one row: the reference the workers read (object id, fingerprint, manifest fields), the
-- position `seq` among the images it analyses (read tasks take ranges of it), and the outcome
-- that came back. A run balances when every listed row has exactly one outcome; the driver
-- checks that with a query instead of holding every URI in memory.
CREATE TABLE run_ledger (
    run_id      bigint  NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    uri         text    NOT NULL,
    seq         bigint,            -- 1..n over the images sent through the stages; else NULL
    object_id   text,
    fingerprint text,
    metadata    text,              -- the manifest row's fields as JSON text, as workers take it
    listed      boolean NOT NULL DEFAULT true,  -- false: an outcome for a URI nobody listed
    outcome     text,              -- ok / reused / failed / skipped; NULL: none came back yet
    reports     integer NOT NULL DEFAULT 0,     -- outcomes received; > 1 is a duplicate
    PRIMARY KEY (run_id, uri)
);

CREATE INDEX run_ledger_seq ON run_ledger (run_id, seq) WHERE seq IS NOT NULL;

COMMENT ON TABLE run_ledger IS
    'One row per image a run listed (and per stray outcome): its reference and outcome.';
COMMENT ON COLUMN run_ledger.seq IS
    'Order among the images sent through the stages: read tasks each take a range.';
COMMENT ON COLUMN run_ledger.reports IS
    'How many outcomes came back for this URI: 0 unaccounted, 1 settled, more duplicated.';
