-- Queries of the benchmarks (bench/): a run to attach rows to, and the row-by-row baseline
-- that the Sink's COPY-and-merge is measured against.

-- name: bench_start_run
INSERT INTO runs (collection, source_uri, settings)
VALUES (%(collection)s, 'bench://synthetic', '{"benchmark": true}'::jsonb)
RETURNING id

-- name: bench_create_row_table
CREATE TEMP TABLE IF NOT EXISTS bench_rows (
    uri               text NOT NULL,
    object_id         text,
    sha256            text,
    width             integer,
    height            integer,
    bytes             bigint,
    metadata          jsonb,
    text              text,
    prompt_tokens     integer,
    generated_tokens  integer,
    model_version     text,
    prompt_version    text,
    run_id            bigint
)

-- name: bench_insert_row
INSERT INTO bench_rows (uri, object_id, sha256, width, height, bytes, metadata, text,
                        prompt_tokens, generated_tokens, model_version, prompt_version, run_id)
VALUES (%(uri)s, %(object_id)s, %(sha256)s, %(width)s, %(height)s, %(bytes)s, %(metadata)s,
        %(text)s, %(prompt_tokens)s, %(generated_tokens)s, %(model_version)s,
        %(prompt_version)s, %(run_id)s)
