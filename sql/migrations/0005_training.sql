-- Fine-tuning and evaluation: catalogers' reviews of analyses (approvals and corrections become
-- training pairs through `dataset export`) and the scores of model versions on test sets.

-- Append-only: the newest review of an analysis is its verdict, earlier ones stay as history.
CREATE TABLE analysis_reviews (
    id              bigserial PRIMARY KEY,
    analysis_id     bigint      NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    verdict         text        NOT NULL CHECK (verdict IN ('approved', 'corrected', 'rejected')),
    corrected_text  text,
    reviewer        text,
    note            text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((verdict = 'corrected') = (corrected_text IS NOT NULL AND corrected_text <> ''))
);
CREATE INDEX analysis_reviews_latest_idx ON analysis_reviews (analysis_id, created_at DESC, id DESC);

-- One row per model version, test set (by content hash) and generation length; rerunning an
-- evaluation replaces its scores. Scores are fractions (CIDEr-D on its own 0-10 scale).
CREATE TABLE evaluations (
    id              bigserial PRIMARY KEY,
    model_version   text        NOT NULL,
    model_name      text        NOT NULL,
    model_location  text        NOT NULL,
    dataset         text        NOT NULL,
    dataset_sha256  text        NOT NULL,
    examples        integer     NOT NULL,
    max_new_tokens  integer     NOT NULL,
    bleu4           double precision NOT NULL,
    gleu            double precision NOT NULL,
    meteor          double precision NOT NULL,
    rouge_l         double precision NOT NULL,
    cider           double precision NOT NULL,
    details         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model_version, dataset_sha256, max_new_tokens)
);
CREATE INDEX evaluations_model_idx ON evaluations (model_version, created_at DESC);
