-- Fencing for runs (issue #13, part 5). A run's collection lock is a session-level advisory
-- lock: a database restart or failover drops it while the run's workers keep writing, and a
-- second run can then take the collection. The lease row says which run owns a collection;
-- its token grows by one at every takeover, and the sink checks it (FOR SHARE, in each write
-- transaction), so a run that lost its collection can no longer write, and a takeover waits
-- for the writes in flight to commit.
CREATE TABLE collection_leases (
    collection   text        PRIMARY KEY,
    run_id       bigint      REFERENCES runs (id) ON DELETE SET NULL,
    token        bigint      NOT NULL DEFAULT 1,
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);
