-- The catalog: structured analyses (aspects, art terms, weighted full text, embeddings), measured
-- visual features with their palettes, cataloger views, and search functions that work from psql.
--
-- Search functions are SECURITY DEFINER with a fixed search_path, so the read-only cataloger role
-- needs only EXECUTE on them and SELECT on the views, never on the tables.

CREATE TABLE analysis_structure (
    analysis_id         bigint      PRIMARY KEY REFERENCES analyses (id) ON DELETE CASCADE,
    -- {"composition": ["sentence", ...], "colour": [...], ..., "other": [...]}
    aspects             jsonb       NOT NULL DEFAULT '{}'::jsonb,
    terms               text[]      NOT NULL DEFAULT '{}',
    vocabulary_version  text        NOT NULL,
    -- title and artist (A), art terms (B), analysis text (C), medium (D)
    search_doc          tsvector    NOT NULL,
    embedding           vector(384),
    embedding_model     text,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analysis_structure_doc_idx ON analysis_structure USING gin (search_doc);
CREATE INDEX analysis_structure_terms_idx ON analysis_structure USING gin (terms);
CREATE INDEX analysis_structure_aspects_idx ON analysis_structure USING gin (aspects);
CREATE INDEX analysis_structure_embedding_idx
    ON analysis_structure USING hnsw (embedding vector_cosine_ops);

-- Measured from the pixels, so keyed by content: the same bytes have the same features.
CREATE TABLE image_features (
    image_sha256    text        PRIMARY KEY,
    brightness      real        NOT NULL,  -- mean CIELAB L*, 0..100
    contrast        real        NOT NULL,  -- RMS contrast: standard deviation of L*
    saturation      real        NOT NULL,  -- mean HSV saturation, 0..1
    colourfulness   real        NOT NULL,  -- Hasler & Suesstrunk
    warmth          real        NOT NULL,  -- -1 cool .. +1 warm
    palette         jsonb       NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE palette_colors (
    image_sha256    text        NOT NULL REFERENCES image_features (image_sha256) ON DELETE CASCADE,
    rank            smallint    NOT NULL,  -- 1 = largest share
    share           real        NOT NULL,
    hex             text        NOT NULL,
    css_name        text        NOT NULL,
    l               real        NOT NULL,
    a               real        NOT NULL,
    b               real        NOT NULL,
    -- CIELAB as a vector: Euclidean distance is the CIE76 colour difference.
    lab             vector(3)   GENERATED ALWAYS AS (ARRAY[l, a, b]::vector(3)) STORED,
    PRIMARY KEY (image_sha256, rank)
);
CREATE INDEX palette_colors_css_name_idx ON palette_colors (css_name);
-- Three dimensions need a far smaller graph than 384: builds 3x faster at the same recall.
CREATE INDEX palette_colors_lab_idx ON palette_colors USING hnsw (lab vector_l2_ops)
    WITH (m = 8, ef_construction = 32);

CREATE INDEX artworks_title_trgm_idx ON artworks USING gin (title gin_trgm_ops);
CREATE INDEX artworks_artist_trgm_idx ON artworks USING gin (artist gin_trgm_ops);
CREATE INDEX artworks_medium_trgm_idx ON artworks USING gin (medium gin_trgm_ops);
CREATE INDEX artworks_years_idx ON artworks (year_start, year_end);

-- CSS named colours, as a view so a database built from the schema dump has them too.
CREATE VIEW catalog_colors (name, hex) AS
SELECT * FROM (VALUES
    ('aliceblue', '#f0f8ff'), ('antiquewhite', '#faebd7'), ('aqua', '#00ffff'), ('aquamarine', '#7fffd4'), ('azure', '#f0ffff'),
    ('beige', '#f5f5dc'), ('bisque', '#ffe4c4'), ('black', '#000000'), ('blanchedalmond', '#ffebcd'), ('blue', '#0000ff'),
    ('blueviolet', '#8a2be2'), ('brown', '#a52a2a'), ('burlywood', '#deb887'), ('cadetblue', '#5f9ea0'), ('chartreuse', '#7fff00'),
    ('chocolate', '#d2691e'), ('coral', '#ff7f50'), ('cornflowerblue', '#6495ed'), ('cornsilk', '#fff8dc'), ('crimson', '#dc143c'),
    ('cyan', '#00ffff'), ('darkblue', '#00008b'), ('darkcyan', '#008b8b'), ('darkgoldenrod', '#b8860b'), ('darkgray', '#a9a9a9'),
    ('darkgreen', '#006400'), ('darkgrey', '#a9a9a9'), ('darkkhaki', '#bdb76b'), ('darkmagenta', '#8b008b'), ('darkolivegreen', '#556b2f'),
    ('darkorange', '#ff8c00'), ('darkorchid', '#9932cc'), ('darkred', '#8b0000'), ('darksalmon', '#e9967a'), ('darkseagreen', '#8fbc8f'),
    ('darkslateblue', '#483d8b'), ('darkslategray', '#2f4f4f'), ('darkslategrey', '#2f4f4f'), ('darkturquoise', '#00ced1'), ('darkviolet', '#9400d3'),
    ('deeppink', '#ff1493'), ('deepskyblue', '#00bfff'), ('dimgray', '#696969'), ('dimgrey', '#696969'), ('dodgerblue', '#1e90ff'),
    ('firebrick', '#b22222'), ('floralwhite', '#fffaf0'), ('forestgreen', '#228b22'), ('fuchsia', '#ff00ff'), ('gainsboro', '#dcdcdc'),
    ('ghostwhite', '#f8f8ff'), ('gold', '#ffd700'), ('goldenrod', '#daa520'), ('gray', '#808080'), ('green', '#008000'),
    ('greenyellow', '#adff2f'), ('grey', '#808080'), ('honeydew', '#f0fff0'), ('hotpink', '#ff69b4'), ('indianred', '#cd5c5c'),
    ('indigo', '#4b0082'), ('ivory', '#fffff0'), ('khaki', '#f0e68c'), ('lavender', '#e6e6fa'), ('lavenderblush', '#fff0f5'),
    ('lawngreen', '#7cfc00'), ('lemonchiffon', '#fffacd'), ('lightblue', '#add8e6'), ('lightcoral', '#f08080'), ('lightcyan', '#e0ffff'),
    ('lightgoldenrodyellow', '#fafad2'), ('lightgray', '#d3d3d3'), ('lightgreen', '#90ee90'), ('lightgrey', '#d3d3d3'), ('lightpink', '#ffb6c1'),
    ('lightsalmon', '#ffa07a'), ('lightseagreen', '#20b2aa'), ('lightskyblue', '#87cefa'), ('lightslategray', '#778899'), ('lightslategrey', '#778899'),
    ('lightsteelblue', '#b0c4de'), ('lightyellow', '#ffffe0'), ('lime', '#00ff00'), ('limegreen', '#32cd32'), ('linen', '#faf0e6'),
    ('magenta', '#ff00ff'), ('maroon', '#800000'), ('mediumaquamarine', '#66cdaa'), ('mediumblue', '#0000cd'), ('mediumorchid', '#ba55d3'),
    ('mediumpurple', '#9370db'), ('mediumseagreen', '#3cb371'), ('mediumslateblue', '#7b68ee'), ('mediumspringgreen', '#00fa9a'), ('mediumturquoise', '#48d1cc'),
    ('mediumvioletred', '#c71585'), ('midnightblue', '#191970'), ('mintcream', '#f5fffa'), ('mistyrose', '#ffe4e1'), ('moccasin', '#ffe4b5'),
    ('navajowhite', '#ffdead'), ('navy', '#000080'), ('oldlace', '#fdf5e6'), ('olive', '#808000'), ('olivedrab', '#6b8e23'),
    ('orange', '#ffa500'), ('orangered', '#ff4500'), ('orchid', '#da70d6'), ('palegoldenrod', '#eee8aa'), ('palegreen', '#98fb98'),
    ('paleturquoise', '#afeeee'), ('palevioletred', '#db7093'), ('papayawhip', '#ffefd5'), ('peachpuff', '#ffdab9'), ('peru', '#cd853f'),
    ('pink', '#ffc0cb'), ('plum', '#dda0dd'), ('powderblue', '#b0e0e6'), ('purple', '#800080'), ('rebeccapurple', '#663399'),
    ('red', '#ff0000'), ('rosybrown', '#bc8f8f'), ('royalblue', '#4169e1'), ('saddlebrown', '#8b4513'), ('salmon', '#fa8072'),
    ('sandybrown', '#f4a460'), ('seagreen', '#2e8b57'), ('seashell', '#fff5ee'), ('sienna', '#a0522d'), ('silver', '#c0c0c0'),
    ('skyblue', '#87ceeb'), ('slateblue', '#6a5acd'), ('slategray', '#708090'), ('slategrey', '#708090'), ('snow', '#fffafa'),
    ('springgreen', '#00ff7f'), ('steelblue', '#4682b4'), ('tan', '#d2b48c'), ('teal', '#008080'), ('thistle', '#d8bfd8'),
    ('tomato', '#ff6347'), ('turquoise', '#40e0d0'), ('violet', '#ee82ee'), ('wheat', '#f5deb3'), ('white', '#ffffff'),
    ('whitesmoke', '#f5f5f5'), ('yellow', '#ffff00'), ('yellowgreen', '#9acd32')
) AS v;

-- Every current analysis with its structure, image and artwork: what search functions read.
CREATE VIEW catalog_documents AS
SELECT a.id AS analysis_id, aw.id AS artwork_id, aw.object_id, aw.title, aw.artist,
       aw.date_text, aw.year_start, aw.year_end, aw.medium, i.uri, i.sha256, a.text,
       s.aspects, s.terms, s.search_doc, s.embedding
FROM analysis_structure s
JOIN analyses a ON a.id = s.analysis_id AND a.is_current
JOIN images i ON i.sha256 = a.image_sha256
LEFT JOIN artworks aw ON aw.id = i.artwork_id;

-- One row per artwork: its metadata, current analysis, structure and measured features.
CREATE VIEW catalog_artworks AS
SELECT DISTINCT ON (aw.id)
       aw.id AS artwork_id, aw.object_id, aw.title, aw.artist, aw.date_text, aw.year_start,
       aw.year_end, aw.medium, aw.metadata, i.uri AS image_uri, i.sha256, a.id AS analysis_id,
       a.text AS analysis, a.model_version, a.prompt_name, a.created_at AS analysed_at,
       s.aspects, s.terms, f.brightness, f.contrast, f.saturation, f.colourfulness, f.warmth,
       f.palette
FROM artworks aw
JOIN images i ON i.artwork_id = aw.id
JOIN analyses a ON a.image_sha256 = i.sha256 AND a.is_current
LEFT JOIN analysis_structure s ON s.analysis_id = a.id
LEFT JOIN image_features f ON f.image_sha256 = i.sha256
ORDER BY aw.id, a.created_at DESC, a.id DESC;

-- Aspects in long form: one row per (analysis, aspect, sentence).
CREATE VIEW catalog_aspects AS
SELECT d.analysis_id, d.object_id, d.title, d.artist, e.key AS aspect,
       s.ordinality::integer AS sentence_no, s.sentence
FROM catalog_documents d
CROSS JOIN LATERAL jsonb_each(d.aspects) AS e
CROSS JOIN LATERAL jsonb_array_elements_text(e.value) WITH ORDINALITY AS s (sentence, ordinality);

-- Palette colours of every analysed image, with its artwork.
CREATE VIEW catalog_palette AS
SELECT aw.object_id, aw.title, aw.artist, i.uri AS image_uri, p.image_sha256, p.rank, p.share,
       p.hex, p.css_name, p.l, p.a, p.b
FROM palette_colors p
JOIN images i ON i.sha256 = p.image_sha256
LEFT JOIN artworks aw ON aw.id = i.artwork_id;

-- '#rrggbb' -> CIELAB (D65), the same arithmetic as archive_analyzer.catalog.colors.
CREATE FUNCTION catalog_hex_lab(p_hex text) RETURNS vector
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    rgb float8[] := ARRAY[
        ('x' || substr(p_hex, 2, 2))::bit(8)::integer / 255.0,
        ('x' || substr(p_hex, 4, 2))::bit(8)::integer / 255.0,
        ('x' || substr(p_hex, 6, 2))::bit(8)::integer / 255.0];
    lin float8[] := '{}';
    f float8[] := '{}';
    xyz float8[];
    c float8;
BEGIN
    FOREACH c IN ARRAY rgb LOOP
        lin := lin || CASE WHEN c <= 0.04045 THEN c / 12.92 ELSE ((c + 0.055) / 1.055) ^ 2.4 END;
    END LOOP;
    xyz := ARRAY[
        (0.4124564 * lin[1] + 0.3575761 * lin[2] + 0.1804375 * lin[3]) / 0.95047,
        (0.2126729 * lin[1] + 0.7151522 * lin[2] + 0.0721750 * lin[3]) / 1.0,
        (0.0193339 * lin[1] + 0.1191920 * lin[2] + 0.9503041 * lin[3]) / 1.08883];
    FOREACH c IN ARRAY xyz LOOP
        f := f || CASE WHEN c > (6.0 / 29) ^ 3 THEN cbrt(c) ELSE c / (3 * (6.0 / 29) ^ 2) + 4.0 / 29 END;
    END LOOP;
    RETURN ARRAY[116 * f[2] - 16, 500 * (f[1] - f[2]), 200 * (f[2] - f[3])]::vector(3);
END
$$;

-- A typed colour ('#1f3a93', '1f3a93', 'navy', 'Dark Blue') -> CIELAB; unknown names raise.
CREATE FUNCTION catalog_color_lab(p_color text) RETURNS vector
LANGUAGE plpgsql STABLE STRICT SET search_path = public, pg_temp AS $$
DECLARE
    key text := lower(regexp_replace(p_color, '[\s_-]', '', 'g'));
    found text;
BEGIN
    SELECT c.hex INTO found FROM catalog_colors c WHERE c.name = key;
    IF found IS NULL THEN
        IF key !~ '^#?[0-9a-f]{6}$' THEN
            RAISE EXCEPTION 'unknown colour %: give #rrggbb or a CSS colour name such as navy',
                quote_literal(p_color) USING ERRCODE = 'invalid_parameter_value';
        END IF;
        found := '#' || ltrim(key, '#');
    END IF;
    RETURN catalog_hex_lab(found);
END
$$;

-- The filters every search mode combines with; NULL means "any". Inlined into each search.
CREATE FUNCTION catalog_filtered(
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL
) RETURNS SETOF catalog_documents
LANGUAGE sql STABLE AS $$
    SELECT d.* FROM catalog_documents d
    WHERE (p_artist IS NULL OR d.artist ILIKE '%' || p_artist || '%')
      AND (p_year_from IS NULL OR d.year_end >= p_year_from)
      AND (p_year_to IS NULL OR d.year_start <= p_year_to)
      AND (p_medium IS NULL OR d.medium ILIKE '%' || p_medium || '%')
      AND (p_aspect IS NULL OR d.aspects ? p_aspect)
      AND (p_term IS NULL OR d.terms @> ARRAY[p_term])
$$;

-- Ranked full text (websearch syntax: words, "phrases", -excluded, or). Ranking reads at most
-- p_candidates matching rows: exact for selective queries, bounded cost for common words.
CREATE FUNCTION catalog_search_text(
    p_query text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_candidates integer DEFAULT 1000
) RETURNS TABLE (object_id text, title text, artist text, date_text text, medium text,
                 uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
    WITH q AS (SELECT websearch_to_tsquery('english', p_query) AS tq),
    -- Without filters, candidates come straight from the GIN index and only they are joined;
    -- with filters, the planner may start from whichever filter is most selective. Plans are
    -- custom (constant parameters), so the branch whose condition is false never runs.
    candidates AS (
        (SELECT d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri, d.text,
                ts_rank(d.search_doc, q.tq) AS rank
         FROM (SELECT s.analysis_id FROM analysis_structure s, q
               WHERE s.search_doc @@ q.tq LIMIT p_candidates) c
         JOIN catalog_documents d ON d.analysis_id = c.analysis_id, q
         WHERE num_nonnulls(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) = 0)
        UNION ALL
        (SELECT d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri, d.text,
                ts_rank(d.search_doc, q.tq) AS rank
         FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d, q
         WHERE num_nonnulls(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) > 0
           AND d.search_doc @@ q.tq
         LIMIT p_candidates)
    ),
    top AS (SELECT * FROM candidates c ORDER BY c.rank DESC, c.object_id LIMIT p_limit)
    SELECT t.object_id, t.title, t.artist, t.date_text, t.medium, t.uri, t.rank::float8,
           ts_headline('english', t.text, q.tq, 'MaxFragments=1, MaxWords=25, MinWords=10')
    FROM top t, q
    ORDER BY t.rank DESC, t.object_id
$$;

-- Fuzzy artist/title: trigram word similarity, so 'Turnr' finds 'Joseph Mallord William Turner'.
CREATE FUNCTION catalog_search_fuzzy(
    p_query text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL
) RETURNS TABLE (object_id text, title text, artist text, date_text text, medium text,
                 uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET pg_trgm.word_similarity_threshold = 0.5 AS $$
    SELECT d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
           greatest(word_similarity(p_query, d.title), word_similarity(p_query, d.artist))::float8,
           NULL::text
    FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d
    WHERE p_query <% d.title OR p_query <% d.artist
    ORDER BY 7 DESC, d.object_id
    LIMIT p_limit
$$;

-- Cosine kNN over analysis embeddings (embed the query with the same model first). HNSW's
-- iterative scan keeps returning neighbours until the filters are satisfied.
CREATE FUNCTION catalog_search_semantic(
    p_embedding vector, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_exclude_object text DEFAULT NULL
) RETURNS TABLE (object_id text, title text, artist text, date_text text, medium text,
                 uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET hnsw.iterative_scan = relaxed_order SET hnsw.ef_search = 80 AS $$
    SELECT n.object_id, n.title, n.artist, n.date_text, n.medium, n.uri, 1 - n.distance, NULL
    FROM (
        SELECT d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
               (d.embedding <=> p_embedding)::float8 AS distance
        FROM catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d
        WHERE p_exclude_object IS NULL OR d.object_id IS DISTINCT FROM p_exclude_object
        ORDER BY d.embedding <=> p_embedding
        LIMIT p_limit
    ) n
    ORDER BY n.distance, n.object_id
$$;

-- Works like this one: its current analysis' embedding as the query, itself excluded.
CREATE FUNCTION catalog_search_similar(
    p_object_id text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL
) RETURNS TABLE (object_id text, title text, artist text, date_text text, medium text,
                 uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.*
    FROM (SELECT d.embedding FROM catalog_documents d
          WHERE d.object_id = p_object_id AND d.embedding IS NOT NULL
          ORDER BY d.analysis_id DESC LIMIT 1) src
    CROSS JOIN LATERAL catalog_search_semantic(
        src.embedding, p_limit, p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term,
        p_object_id) s
$$;

-- Colour: artworks whose palette holds a colour near the given one (CIE76 distance in CIELAB),
-- counting palette colours with at least p_min_share of the picture.
CREATE FUNCTION catalog_search_color(
    p_color text, p_limit integer DEFAULT 10,
    p_artist text DEFAULT NULL, p_year_from integer DEFAULT NULL, p_year_to integer DEFAULT NULL,
    p_medium text DEFAULT NULL, p_aspect text DEFAULT NULL, p_term text DEFAULT NULL,
    p_min_share real DEFAULT 0.05
) RETURNS TABLE (object_id text, title text, artist text, date_text text, medium text,
                 uri text, score double precision, detail text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
SET hnsw.iterative_scan = relaxed_order SET hnsw.ef_search = 80 AS $$
    -- An image has at most 5 palette rows, so the nearest 5 * limit rows hold the nearest
    -- `limit` images. The target is a stable function call, so the HNSW index orders by it.
    WITH near AS (
        SELECT d.analysis_id, d.object_id, d.title, d.artist, d.date_text, d.medium, d.uri,
               (p.lab <-> catalog_color_lab(p_color))::float8 AS distance, p.hex, p.share
        FROM palette_colors p
        JOIN catalog_filtered(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) d
          ON d.sha256 = p.image_sha256
        WHERE p.share >= p_min_share
        ORDER BY p.lab <-> catalog_color_lab(p_color)
        LIMIT p_limit * 5
    ),
    best AS (
        SELECT DISTINCT ON (n.analysis_id) n.*
        FROM near n ORDER BY n.analysis_id, n.distance, n.share DESC
    )
    SELECT b.object_id, b.title, b.artist, b.date_text, b.medium, b.uri, b.distance,
           b.hex || ' (' || round(b.share * 100) || '%)'
    FROM best b
    ORDER BY b.distance, b.object_id
    LIMIT p_limit
$$;

-- Only roles granted by `archive-analyzer db roles` (and the owner) may run the searches.
REVOKE EXECUTE ON FUNCTION catalog_search_text, catalog_search_fuzzy, catalog_search_semantic,
    catalog_search_similar, catalog_search_color FROM PUBLIC;
