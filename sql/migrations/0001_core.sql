-- Core tables of the walking skeleton: runs, artworks, images, analyses, failures.
-- Natural keys make every write an upsert, so a rerun leaves the same rows.

CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE runs (
    id              bigserial PRIMARY KEY,
    collection      text        NOT NULL,
    source_uri      text        NOT NULL,
    status          text        NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    host            text,
    pid             integer,
    model_version   text,
    prompt_version  text,
    settings        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    counts          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    images_per_second double precision,
    error           text
);
CREATE INDEX runs_started_idx ON runs (started_at DESC);

CREATE TABLE artworks (
    id          bigserial PRIMARY KEY,
    object_id   text        NOT NULL UNIQUE,
    title       text,
    artist      text,
    date_text   text,
    year_start  integer,
    year_end    integer,
    medium      text,
    metadata    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per object key. sha256 is the content; the same bytes under two keys are two rows
-- sharing one analysis.
CREATE TABLE images (
    id           bigserial PRIMARY KEY,
    uri          text        NOT NULL UNIQUE,
    sha256       text        NOT NULL,
    width        integer,
    height       integer,
    bytes        bigint,
    artwork_id   bigint      REFERENCES artworks (id) ON DELETE SET NULL,
    last_run_id  bigint      REFERENCES runs (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX images_sha256_idx ON images (sha256);
CREATE INDEX images_artwork_idx ON images (artwork_id);

-- Keyed by content, model and prompt. Older analyses of the same content stay as history
-- with is_current = false; each prompt name has one current analysis per content.
CREATE TABLE analyses (
    id                bigserial PRIMARY KEY,
    image_sha256      text        NOT NULL,
    model_version     text        NOT NULL,
    prompt_version    text        NOT NULL,
    prompt_name       text        NOT NULL,
    text              text        NOT NULL,
    prompt_tokens     integer,
    generated_tokens  integer,
    inference_seconds double precision,
    run_id            bigint      REFERENCES runs (id) ON DELETE SET NULL,
    is_current        boolean     NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (image_sha256, model_version, prompt_version)
);
CREATE UNIQUE INDEX analyses_one_current_idx ON analyses (image_sha256, prompt_name) WHERE is_current;
CREATE INDEX analyses_fts_idx ON analyses USING gin (to_tsvector('english', text));

CREATE TABLE failures (
    id          bigserial PRIMARY KEY,
    run_id      bigint      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    uri         text        NOT NULL,
    sha256      text,
    reason      text        NOT NULL,
    message     text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (run_id, uri)
);
CREATE INDEX failures_uri_idx ON failures (uri);
