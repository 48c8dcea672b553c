"""The catalog: structured analyses (aspects, art terms, visual features, embeddings) and search.

Stages in archive_analyzer.stages.features / .structure compute the structure in the pipeline;
`store` writes it in the sink's transaction; `search` runs the SQL search functions of
sql/migrations/0002_catalog.sql.
"""
