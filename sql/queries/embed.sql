-- Words embedded for semantic search from SQL (catalog_search_semantic_text, migration 0014).

-- name: remember_query_embedding
-- Stored under the words' normal form; embedding them again replaces the vector.
INSERT INTO query_embeddings (query, embedding, model)
VALUES (catalog_query_key(%(query)s), %(embedding)s::vector, %(model)s)
ON CONFLICT (query) DO UPDATE SET embedding = EXCLUDED.embedding, model = EXCLUDED.model,
    created_at = now()
RETURNING query
