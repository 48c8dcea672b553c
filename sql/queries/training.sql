-- Reviews that feed fine-tuning, and evaluation scores per model version.

-- name: reviewed_pairs
-- The newest review of each analysis; approved ones keep the model's text, corrected ones
-- the cataloger's. The image is any URI currently holding the analysed content.
SELECT latest.analysis_id, latest.verdict, latest.text, latest.prompt_name,
       latest.custom_prompt, latest.uri, latest.object_id
FROM (
    SELECT DISTINCT ON (r.analysis_id)
           r.analysis_id, r.verdict, COALESCE(r.corrected_text, a.text) AS text,
           a.prompt_name, ru.settings ->> 'custom_prompt' AS custom_prompt,
           i.uri, aw.object_id
    FROM analysis_reviews r
    JOIN analyses a ON a.id = r.analysis_id
    LEFT JOIN runs ru ON ru.id = a.run_id
    JOIN LATERAL (
        SELECT uri, artwork_id FROM images WHERE sha256 = a.image_sha256 ORDER BY id LIMIT 1
    ) i ON true
    LEFT JOIN artworks aw ON aw.id = i.artwork_id
    ORDER BY r.analysis_id, r.created_at DESC, r.id DESC
) latest
WHERE latest.verdict IN ('approved', 'corrected') AND btrim(latest.text) <> ''
ORDER BY latest.analysis_id

-- name: upsert_evaluation
INSERT INTO evaluations (model_version, model_name, model_location, dataset, dataset_sha256,
                         examples, max_new_tokens, bleu4, gleu, meteor, rouge_l, cider, details)
VALUES (%(model_version)s, %(model_name)s, %(model_location)s, %(dataset)s, %(dataset_sha256)s,
        %(examples)s, %(max_new_tokens)s, %(bleu4)s, %(gleu)s, %(meteor)s, %(rouge_l)s,
        %(cider)s, %(details)s)
ON CONFLICT (model_version, dataset_sha256, max_new_tokens) DO UPDATE SET
    model_name = EXCLUDED.model_name, model_location = EXCLUDED.model_location,
    dataset = EXCLUDED.dataset, examples = EXCLUDED.examples, bleu4 = EXCLUDED.bleu4,
    gleu = EXCLUDED.gleu, meteor = EXCLUDED.meteor, rouge_l = EXCLUDED.rouge_l,
    cider = EXCLUDED.cider, details = EXCLUDED.details, created_at = now()
RETURNING id

-- name: latest_evaluation
-- A model named by its version, its card name or its location; the newest evaluation wins.
SELECT * FROM evaluations
WHERE model_version = %(model)s OR model_name = %(model)s OR model_location = %(model)s
ORDER BY created_at DESC, id DESC
LIMIT 1

-- name: recent_evaluations
SELECT id, model_name, model_version, dataset, examples, bleu4, gleu, meteor, rouge_l, cider,
       created_at
FROM evaluations ORDER BY created_at DESC, id DESC LIMIT %(limit)s
