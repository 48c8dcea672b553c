-- What `export` writes: one row per artwork with its current analysis, structure, palette and
-- the analysis's provenance (model, prompt version, run). `analysis` is the text catalogers
-- see: a later migration (reviews) may redefine this view so that a cataloger's correction
-- replaces the model's text, and every export format follows without code changes.
CREATE VIEW export_artworks AS
SELECT c.artwork_id, c.object_id, c.title, c.artist, c.date_text, c.year_start, c.year_end,
       c.medium, c.metadata, c.image_uri, c.sha256, c.analysis_id, c.analysis,
       c.model_version, c.prompt_name, a.prompt_version, a.run_id, c.analysed_at,
       r.settings ->> 'model' AS model_location, c.aspects, c.terms, c.palette
FROM catalog_artworks c
JOIN analyses a ON a.id = c.analysis_id
LEFT JOIN runs r ON r.id = a.run_id;
