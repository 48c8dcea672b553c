--
-- PostgreSQL database dump
--


-- Dumped from database version 18.6
-- Dumped by pg_dump version 18.6

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: extensions; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA extensions;


--
-- Name: SCHEMA extensions; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA extensions IS 'pgvector, pg_trgm and other extensions, kept out of public so \df lists the catalog''s own functions. SET search_path = public, extensions to use their operators directly.';


--
-- Name: btree_gin; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA extensions;


--
-- Name: EXTENSION btree_gin; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION btree_gin IS 'support for indexing common datatypes in GIN';


--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;


--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';


--
-- Name: vector; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA extensions;


--
-- Name: EXTENSION vector; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION vector IS 'vector data type and ivfflat and hnsw access methods';


--
-- Name: artworks_record_history(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.artworks_record_history() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
DECLARE
    run bigint := CASE WHEN NEW.last_run_id IS DISTINCT FROM OLD.last_run_id
                         OR NEW.updated_at IS DISTINCT FROM OLD.updated_at
                       THEN NEW.last_run_id END;
BEGIN
    INSERT INTO artwork_metadata_history (artwork_id, run_id, field, old_value, new_value)
    SELECT NEW.id, run, c.field, c.old_value, c.new_value
    FROM (VALUES ('title', OLD.title, NEW.title),
                 ('artist', OLD.artist, NEW.artist),
                 ('date_text', OLD.date_text, NEW.date_text),
                 ('medium', OLD.medium, NEW.medium)) AS c (field, old_value, new_value)
    WHERE c.old_value IS DISTINCT FROM c.new_value;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION artworks_record_history(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.artworks_record_history() IS 'Trigger: records every change of an artwork''s title, artist, date or medium in artwork_metadata_history, with the run that made it.';


--
-- Name: catalog_color_key(real, real, real, real); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_color_key(p_l real, p_a real, p_b real, p_share real) RETURNS extensions.vector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT ARRAY[p_l, p_a, p_b, 15 * (1 - p_share)]::extensions.vector(4)
$$;


--
-- Name: FUNCTION catalog_color_key(p_l real, p_a real, p_b real, p_share real); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_color_key(p_l real, p_a real, p_b real, p_share real) IS 'Where a palette colour sits for colour search: CIELAB L, a, b and 15 x (1 - share), so a large share close to the query colour is near (L, a, b, 0).';


--
-- Name: catalog_color_lab(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_color_lab(p_color text) RETURNS extensions.vector
    LANGUAGE plpgsql STABLE STRICT
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $_$
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
$_$;


--
-- Name: FUNCTION catalog_color_lab(p_color text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_color_lab(p_color text) IS 'A typed colour (#rrggbb or CSS name) as a CIELAB vector.';


--
-- Name: catalog_corrected_text(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_corrected_text(p_analysis_id bigint) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
    SELECT s.text FROM catalog_analysis_status s
    WHERE s.analysis_id = p_analysis_id AND s.is_corrected
    ORDER BY s.reviewed_at DESC LIMIT 1
$$;


--
-- Name: FUNCTION catalog_corrected_text(p_analysis_id bigint); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_corrected_text(p_analysis_id bigint) IS 'The cataloger''s correction an analysis is shown with, or NULL when the model''s text stands.';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: search_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_entries (
    uri text NOT NULL,
    analysis_id bigint NOT NULL,
    artwork_id bigint,
    collection text,
    object_id text,
    title text,
    artist text,
    date_text text,
    year_start integer,
    year_end integer,
    decade integer GENERATED ALWAYS AS (((floor(((year_start)::numeric / 10.0)) * (10)::numeric))::integer) STORED,
    medium text,
    sha256 text NOT NULL,
    aspects text[] NOT NULL,
    terms text[] NOT NULL,
    text text NOT NULL,
    doc tsvector NOT NULL,
    embedding extensions.vector(384)
);


--
-- Name: TABLE search_entries; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.search_entries IS 'What every search reads: one row per image and current, non-rejected analysis, with its own artwork''s fields (kept current by triggers from catalog_documents).';


--
-- Name: COLUMN search_entries.uri; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.uri IS 'Where the image is read from (file://, s3://, https://).';


--
-- Name: COLUMN search_entries.analysis_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.analysis_id IS 'The current analysis of the image''s content.';


--
-- Name: COLUMN search_entries.artwork_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.artwork_id IS 'Internal id of the image''s artwork row.';


--
-- Name: COLUMN search_entries.collection; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.collection IS 'The artwork''s collection.';


--
-- Name: COLUMN search_entries.object_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.object_id IS 'The museum''s object or accession number.';


--
-- Name: COLUMN search_entries.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.title IS 'Title of this image''s own artwork.';


--
-- Name: COLUMN search_entries.artist; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.artist IS 'Artist of this image''s own artwork.';


--
-- Name: COLUMN search_entries.date_text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.date_text IS 'The date as the museum wrote it.';


--
-- Name: COLUMN search_entries.year_start; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.year_start IS 'First year the date allows; NULL when undated.';


--
-- Name: COLUMN search_entries.year_end; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.year_end IS 'Last year the date allows.';


--
-- Name: COLUMN search_entries.decade; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.decade IS 'Decade of year_start (1780 for 1784), the decade facet.';


--
-- Name: COLUMN search_entries.medium; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.medium IS 'Medium and support, from the manifest.';


--
-- Name: COLUMN search_entries.sha256; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.sha256 IS 'SHA-256 of the image bytes (palette_colors joins on it).';


--
-- Name: COLUMN search_entries.aspects; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.aspects IS 'The aspects the analysis speaks of (keys of analysis_structure.aspects).';


--
-- Name: COLUMN search_entries.terms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.terms IS 'Art vocabulary terms found in the text.';


--
-- Name: COLUMN search_entries.text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.text IS 'The text catalogers see: a correction when one exists, else the model''s.';


--
-- Name: COLUMN search_entries.doc; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.doc IS 'Weighted full-text document: title and artist A, terms B, text C, medium D.';


--
-- Name: COLUMN search_entries.embedding; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.search_entries.embedding IS '384-d embedding of the model''s text (NULL when embedding was off).';


--
-- Name: catalog_entries(text, integer, integer, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_entries(p_artist text DEFAULT NULL::text, p_year_from integer DEFAULT NULL::integer, p_year_to integer DEFAULT NULL::integer, p_medium text DEFAULT NULL::text, p_aspect text DEFAULT NULL::text, p_term text DEFAULT NULL::text) RETURNS SETOF public.search_entries
    LANGUAGE sql STABLE
    AS $$
    SELECT e.* FROM search_entries e
    WHERE (p_artist IS NULL OR e.artist ILIKE
           '%' || replace(replace(replace(p_artist, '\', '\\'), '%', '\%'), '_', '\_') || '%')
      AND (p_year_from IS NULL OR e.year_end >= p_year_from)
      AND (p_year_to IS NULL OR e.year_start <= p_year_to)
      AND (p_medium IS NULL OR e.medium ILIKE
           '%' || replace(replace(replace(p_medium, '\', '\\'), '%', '\%'), '_', '\_') || '%')
      AND (p_aspect IS NULL OR e.aspects @> ARRAY[p_aspect])
      AND (p_term IS NULL OR e.terms @> ARRAY[p_term])
$$;


--
-- Name: FUNCTION catalog_entries(p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_entries(p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text) IS 'search_entries under the filters every search combines with (NULL = any): artist and medium contain the text, year ranges overlap, aspect, vocabulary term.';


--
-- Name: catalog_entry_document(text, text, text, tsvector); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_entry_document(p_title text, p_artist text, p_medium text, p_structure_doc tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((setweight(to_tsvector('english'::regconfig, ((COALESCE(p_title, ''::text) || ' '::text) || COALESCE(p_artist, ''::text))), 'A'::"char") || ts_filter(p_structure_doc, '{b,c}'::"char"[])) || setweight(to_tsvector('english'::regconfig, COALESCE(p_medium, ''::text)), 'D'::"char"));


--
-- Name: FUNCTION catalog_entry_document(p_title text, p_artist text, p_medium text, p_structure_doc tsvector); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_entry_document(p_title text, p_artist text, p_medium text, p_structure_doc tsvector) IS 'An entry''s weighted document: its own title and artist (A) and medium (D) around the terms and text of the structure''s document.';


--
-- Name: analyses; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.analyses (
    id bigint NOT NULL,
    image_sha256 text NOT NULL,
    model_version text NOT NULL,
    prompt_version text NOT NULL,
    prompt_name text NOT NULL,
    text text NOT NULL,
    prompt_tokens integer,
    generated_tokens integer,
    inference_seconds double precision,
    run_id bigint,
    is_current boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: analysis_reviews; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.analysis_reviews (
    id bigint NOT NULL,
    analysis_id bigint NOT NULL,
    verdict text NOT NULL,
    corrected_text text,
    reviewer text,
    note text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT analysis_reviews_check CHECK (((verdict = 'corrected'::text) = ((corrected_text IS NOT NULL) AND (corrected_text <> ''::text)))),
    CONSTRAINT analysis_reviews_verdict_check CHECK ((verdict = ANY (ARRAY['approved'::text, 'corrected'::text, 'rejected'::text])))
);


--
-- Name: TABLE analysis_reviews; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.analysis_reviews IS 'Catalogers'' verdicts, append-only; the newest per analysis counts. archive_cataloger may insert.';


--
-- Name: analysis_structure; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.analysis_structure (
    analysis_id bigint NOT NULL,
    aspects jsonb DEFAULT '{}'::jsonb NOT NULL,
    terms text[] DEFAULT '{}'::text[] NOT NULL,
    vocabulary_version text NOT NULL,
    search_doc tsvector NOT NULL,
    embedding extensions.vector(384),
    embedding_model text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: artworks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.artworks (
    id bigint NOT NULL,
    object_id text NOT NULL,
    title text,
    artist text,
    date_text text,
    year_start integer,
    year_end integer,
    medium text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    collection text DEFAULT 'default'::text NOT NULL,
    mapped_fields text[] DEFAULT '{}'::text[] NOT NULL,
    last_run_id bigint
);


--
-- Name: image_contents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.image_contents (
    uri text NOT NULL,
    sha256 text NOT NULL,
    run_id bigint,
    first_seen timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: images; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.images (
    id bigint NOT NULL,
    uri text NOT NULL,
    sha256 text NOT NULL,
    width integer,
    height integer,
    bytes bigint,
    artwork_id bigint,
    last_run_id bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    fingerprint text,
    metadata_hash text
);


--
-- Name: models; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.models (
    version text NOT NULL,
    name text NOT NULL,
    location text,
    name_source text DEFAULT 'location'::text NOT NULL,
    first_seen timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT models_name_source_check CHECK ((name_source = ANY (ARRAY['card'::text, 'location'::text, 'evaluation'::text])))
);


--
-- Name: TABLE models; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.models IS 'Model versions (hashes of the model card) and their readable names.';


--
-- Name: catalog_analysis_status; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.catalog_analysis_status AS
 SELECT aw.object_id,
    aw.title,
    aw.artist,
    aw.id AS artwork_id,
    aw.collection,
    i.uri,
    i.sha256,
    a.id AS analysis_id,
    a.model_version,
    m.name AS model_name,
    a.prompt_name,
    a.run_id,
    a.created_at AS analysed_at,
        CASE
            WHEN (v.verdict = 'corrected'::text) THEN v.corrected_text
            WHEN ((v.id IS NULL) AND (c.verdict = 'corrected'::text)) THEN c.corrected_text
            ELSE a.text
        END AS text,
    a.text AS model_text,
    COALESCE((v.verdict = 'corrected'::text), (c.verdict = 'corrected'::text), false) AS is_corrected,
        CASE
            WHEN (v.id IS NOT NULL) THEN v.verdict
            WHEN (c.verdict = 'corrected'::text) THEN 'needs_review'::text
            ELSE 'unreviewed'::text
        END AS review_status,
        CASE
            WHEN (v.id IS NOT NULL) THEN v.id
            WHEN (c.verdict = 'corrected'::text) THEN c.id
            ELSE NULL::bigint
        END AS review_id,
        CASE
            WHEN (v.id IS NOT NULL) THEN v.reviewer
            WHEN (c.verdict = 'corrected'::text) THEN c.reviewer
            ELSE NULL::text
        END AS reviewer,
        CASE
            WHEN (v.id IS NOT NULL) THEN v.created_at
            WHEN (c.verdict = 'corrected'::text) THEN c.created_at
            ELSE NULL::timestamp with time zone
        END AS reviewed_at,
        CASE
            WHEN ((v.id IS NULL) AND (c.verdict = 'corrected'::text)) THEN c.analysis_id
            ELSE NULL::bigint
        END AS corrected_analysis_id
   FROM (((((public.images i
     JOIN public.analyses a ON (((a.image_sha256 = i.sha256) AND a.is_current)))
     LEFT JOIN public.artworks aw ON ((aw.id = i.artwork_id)))
     LEFT JOIN public.models m ON ((m.version = a.model_version)))
     LEFT JOIN LATERAL ( SELECT r.id,
            r.verdict,
            r.corrected_text,
            r.reviewer,
            r.created_at
           FROM public.analysis_reviews r
          WHERE (r.analysis_id = a.id)
          ORDER BY r.created_at DESC, r.id DESC
         LIMIT 1) v ON (true))
     LEFT JOIN LATERAL ( SELECT r.id,
            r.analysis_id,
            r.verdict,
            r.corrected_text,
            r.reviewer,
            r.created_at
           FROM ((public.image_contents ic
             CROSS JOIN LATERAL ( SELECT o_1.id
                   FROM public.analyses o_1
                  WHERE ((o_1.image_sha256 = ic.sha256) AND (o_1.prompt_name = a.prompt_name) AND (o_1.id <> a.id))
                 OFFSET 0) o)
             CROSS JOIN LATERAL ( SELECT r_1.id,
                    r_1.analysis_id,
                    r_1.verdict,
                    r_1.corrected_text,
                    r_1.reviewer,
                    r_1.note,
                    r_1.created_at
                   FROM public.analysis_reviews r_1
                  WHERE (r_1.analysis_id = o.id)
                 OFFSET 0) r)
          WHERE ((ic.uri = i.uri) AND (v.id IS NULL))
          ORDER BY r.created_at DESC, r.id DESC
         LIMIT 1) c ON (true));


--
-- Name: VIEW catalog_analysis_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.catalog_analysis_status IS 'Each image and its current analysis, rejected ones too: the text catalogers see, the model''s text, and the review status.';


--
-- Name: COLUMN catalog_analysis_status.object_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.object_id IS 'The museum''s object or accession number, from the manifest.';


--
-- Name: COLUMN catalog_analysis_status.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.title IS 'Title of the work, from the manifest.';


--
-- Name: COLUMN catalog_analysis_status.artist; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.artist IS 'Artist as the manifest names them.';


--
-- Name: COLUMN catalog_analysis_status.artwork_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.artwork_id IS 'Internal id of the artwork row.';


--
-- Name: COLUMN catalog_analysis_status.collection; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.collection IS 'The collection of the run that last read the image.';


--
-- Name: COLUMN catalog_analysis_status.uri; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.uri IS 'Where the image is read from (file://, s3://, https://).';


--
-- Name: COLUMN catalog_analysis_status.sha256; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.sha256 IS 'SHA-256 of the image bytes: the same picture under two names shares it.';


--
-- Name: COLUMN catalog_analysis_status.analysis_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.analysis_id IS 'Id of the analysis; `archive-analyzer review` and analysis_reviews take it.';


--
-- Name: COLUMN catalog_analysis_status.model_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.model_version IS 'Hash of the model card; model_name is its readable name.';


--
-- Name: COLUMN catalog_analysis_status.model_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.model_name IS 'Readable model name, from its card or its location (models table).';


--
-- Name: COLUMN catalog_analysis_status.prompt_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.prompt_name IS 'The question the model was asked (formal_analysis).';


--
-- Name: COLUMN catalog_analysis_status.run_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.run_id IS 'The run that wrote the analysis (runs table).';


--
-- Name: COLUMN catalog_analysis_status.analysed_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.analysed_at IS 'When the analysis was written.';


--
-- Name: COLUMN catalog_analysis_status.text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.text IS 'The text catalogers see: the correction when is_corrected, else the model''s text.';


--
-- Name: COLUMN catalog_analysis_status.model_text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.model_text IS 'The model''s own text, kept beside any correction.';


--
-- Name: COLUMN catalog_analysis_status.is_corrected; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.is_corrected IS 'True when text is a cataloger''s correction (also while a new analysis awaits review).';


--
-- Name: COLUMN catalog_analysis_status.review_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.review_status IS 'unreviewed, approved, corrected, rejected, or needs_review (a new analysis; the earlier correction still shows).';


--
-- Name: COLUMN catalog_analysis_status.review_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.review_id IS 'The review that decides what is shown (analysis_reviews.id); NULL when unreviewed.';


--
-- Name: COLUMN catalog_analysis_status.reviewer; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.reviewer IS 'Who gave the verdict.';


--
-- Name: COLUMN catalog_analysis_status.reviewed_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.reviewed_at IS 'When the verdict was given.';


--
-- Name: COLUMN catalog_analysis_status.corrected_analysis_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_analysis_status.corrected_analysis_id IS 'For needs_review: the earlier analysis whose correction is still shown.';


--
-- Name: catalog_documents; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.catalog_documents AS
 SELECT st.analysis_id,
    st.artwork_id,
    st.object_id,
    aw.title,
    aw.artist,
    aw.date_text,
    aw.year_start,
    aw.year_end,
    aw.medium,
    st.uri,
    st.sha256,
    st.text,
    s.aspects,
    s.terms,
    s.search_doc,
    s.embedding,
    st.model_text,
    st.is_corrected,
    st.review_status,
    st.model_version,
    st.model_name,
    st.collection
   FROM ((public.catalog_analysis_status st
     JOIN public.analysis_structure s ON ((s.analysis_id = st.analysis_id)))
     LEFT JOIN public.artworks aw ON ((aw.id = st.artwork_id)))
  WHERE (st.review_status <> 'rejected'::text);


--
-- Name: VIEW catalog_documents; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.catalog_documents IS 'Current, not rejected analyses with their artwork: what every search function reads. text is what catalogers see; model_text the model''s.';


--
-- Name: COLUMN catalog_documents.analysis_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.analysis_id IS 'Id of the analysis; `archive-analyzer review` and analysis_reviews take it.';


--
-- Name: COLUMN catalog_documents.artwork_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.artwork_id IS 'Internal id of the artwork row.';


--
-- Name: COLUMN catalog_documents.object_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.object_id IS 'The museum''s object or accession number, from the manifest.';


--
-- Name: COLUMN catalog_documents.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.title IS 'Title of the work, from the manifest.';


--
-- Name: COLUMN catalog_documents.artist; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.artist IS 'Artist as the manifest names them.';


--
-- Name: COLUMN catalog_documents.date_text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.date_text IS 'The date as the museum wrote it (c.1837, 1840-5).';


--
-- Name: COLUMN catalog_documents.year_start; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.year_start IS 'First year the date allows (BCE negative); NULL when undated.';


--
-- Name: COLUMN catalog_documents.year_end; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.year_end IS 'Last year the date allows; a year filter keeps works whose range overlaps.';


--
-- Name: COLUMN catalog_documents.medium; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.medium IS 'Medium and support, from the manifest.';


--
-- Name: COLUMN catalog_documents.uri; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.uri IS 'Where the image is read from (file://, s3://, https://).';


--
-- Name: COLUMN catalog_documents.sha256; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.sha256 IS 'SHA-256 of the image bytes: the same picture under two names shares it.';


--
-- Name: COLUMN catalog_documents.text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.text IS 'The text catalogers see: the correction when is_corrected, else the model''s text.';


--
-- Name: COLUMN catalog_documents.aspects; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.aspects IS 'Sentences of the model''s text by aspect (composition, colour, light_and_shadow, ...), as JSON.';


--
-- Name: COLUMN catalog_documents.terms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.terms IS 'Art vocabulary terms found in the model''s text.';


--
-- Name: COLUMN catalog_documents.search_doc; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.search_doc IS 'Weighted full-text document (title and artist A, terms B, text C, medium D) of the text catalogers see.';


--
-- Name: COLUMN catalog_documents.embedding; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.embedding IS '384-d all-MiniLM-L6-v2 embedding of the model''s text (NULL when embedding was off).';


--
-- Name: COLUMN catalog_documents.model_text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.model_text IS 'The model''s own text, kept beside any correction.';


--
-- Name: COLUMN catalog_documents.is_corrected; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.is_corrected IS 'True when text is a cataloger''s correction (also while a new analysis awaits review).';


--
-- Name: COLUMN catalog_documents.review_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.review_status IS 'unreviewed, approved, corrected, rejected, or needs_review (a new analysis; the earlier correction still shows).';


--
-- Name: COLUMN catalog_documents.model_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.model_version IS 'Hash of the model card; model_name is its readable name.';


--
-- Name: COLUMN catalog_documents.model_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.model_name IS 'Readable model name, from its card or its location (models table).';


--
-- Name: COLUMN catalog_documents.collection; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_documents.collection IS 'The collection of the run that last read the image.';


--
-- Name: catalog_filtered(text, integer, integer, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_filtered(p_artist text DEFAULT NULL::text, p_year_from integer DEFAULT NULL::integer, p_year_to integer DEFAULT NULL::integer, p_medium text DEFAULT NULL::text, p_aspect text DEFAULT NULL::text, p_term text DEFAULT NULL::text) RETURNS SETOF public.catalog_documents
    LANGUAGE sql STABLE
    AS $$
    SELECT d.* FROM catalog_documents d
    WHERE (p_artist IS NULL OR d.artist ILIKE
           '%' || replace(replace(replace(p_artist, '\', '\\'), '%', '\%'), '_', '\_') || '%')
      AND (p_year_from IS NULL OR d.year_end >= p_year_from)
      AND (p_year_to IS NULL OR d.year_start <= p_year_to)
      AND (p_medium IS NULL OR d.medium ILIKE
           '%' || replace(replace(replace(p_medium, '\', '\\'), '%', '\%'), '_', '\_') || '%')
      AND (p_aspect IS NULL OR d.aspects ? p_aspect)
      AND (p_term IS NULL OR d.terms @> ARRAY[p_term])
$$;


--
-- Name: FUNCTION catalog_filtered(p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_filtered(p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text) IS 'The filters every search combines with (NULL = any): artist and medium contain the text, year ranges overlap, aspect, vocabulary term.';


--
-- Name: catalog_hex_lab(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_hex_lab(p_hex text) RETURNS extensions.vector
    LANGUAGE plpgsql IMMUTABLE STRICT
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
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


--
-- Name: FUNCTION catalog_hex_lab(p_hex text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_hex_lab(p_hex text) IS '#rrggbb as a CIELAB (D65) vector.';


--
-- Name: catalog_note_artist(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_note_artist() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
BEGIN
    IF NEW.artist IS NOT NULL THEN
        INSERT INTO catalog_artist_names (artist) VALUES (NEW.artist) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION catalog_note_artist(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_note_artist() IS 'Trigger: keeps catalog_artist_names (what fuzzy artist search reads) in step with artworks.';


--
-- Name: catalog_query_key(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_query_key(p_query text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN lower(regexp_replace(btrim(p_query), '\s+'::text, ' '::text, 'g'::text));


--
-- Name: FUNCTION catalog_query_key(p_query text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_query_key(p_query text) IS 'The form query_embeddings stores words in: lower case, spaces collapsed.';


--
-- Name: catalog_review_reindex(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_review_reindex() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
BEGIN
    UPDATE analysis_structure s SET updated_at = now()
    WHERE s.analysis_id IN (
        SELECT st.analysis_id
        FROM analyses o
        JOIN image_contents ic ON ic.sha256 = o.image_sha256
        JOIN catalog_analysis_status st ON st.uri = ic.uri
        WHERE o.id = NEW.analysis_id
        UNION SELECT NEW.analysis_id);
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION catalog_review_reindex(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_review_reindex() IS 'Trigger: a new review re-indexes the current analyses of the images it concerns (runs as archive_review_definer).';


--
-- Name: catalog_search_color(text, integer, text, integer, integer, text, text, text, real, real, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_search_color(p_color text, p_limit integer DEFAULT 10, p_artist text DEFAULT NULL::text, p_year_from integer DEFAULT NULL::integer, p_year_to integer DEFAULT NULL::integer, p_medium text DEFAULT NULL::text, p_aspect text DEFAULT NULL::text, p_term text DEFAULT NULL::text, p_min_share real DEFAULT 0.05, p_max_distance real DEFAULT 25, p_offset integer DEFAULT 0) RETURNS TABLE(collection text, object_id text, title text, artist text, date_text text, medium text, uri text, score double precision, distance double precision, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    SET plan_cache_mode TO 'force_custom_plan'
    SET "hnsw.iterative_scan" TO 'relaxed_order'
    SET "hnsw.ef_search" TO '200'
    AS $$
    WITH candidates AS MATERIALIZED (
        SELECT e.collection, e.object_id, e.title, e.artist, e.date_text, e.medium, e.uri,
               e.sha256
        FROM palette_colors p
        JOIN catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) e
          ON e.sha256 = p.image_sha256
        WHERE p.share >= p_min_share
        ORDER BY catalog_color_key(p.l, p.a, p.b, p.share)::extensions.vector(4)
                 <-> (catalog_color_lab(p_color)::real[] || ARRAY[0::real])::extensions.vector(4)
        LIMIT greatest(300, (least(greatest(p_limit, 0), 1000) + greatest(p_offset, 0)) * 30)
    ),
    query AS MATERIALIZED (SELECT catalog_color_lab(p_color) AS lab),
    near AS (
        SELECT c.collection, c.object_id, c.title, c.artist, c.date_text, c.medium, c.uri,
               (p.lab <-> q.lab)::float8 AS distance, p.hex, p.share
        FROM (SELECT DISTINCT * FROM candidates) c
        JOIN palette_colors p ON p.image_sha256 = c.sha256
        CROSS JOIN query q
        WHERE p.share >= p_min_share
    ),
    scored AS (
        SELECT n.collection, n.object_id, n.title, n.artist, n.date_text, n.medium, n.uri,
               sum(n.share * (1 - n.distance / p_max_distance)) AS score,
               min(n.distance) AS distance,
               (array_agg(n.hex || ' (' || round(n.share * 100) || '%)'
                          ORDER BY n.distance))[1] AS detail
        FROM near n
        WHERE n.distance <= p_max_distance
        GROUP BY n.collection, n.object_id, n.title, n.artist, n.date_text, n.medium, n.uri
    )
    SELECT s.collection, s.object_id, s.title, s.artist, s.date_text, s.medium, s.uri,
           s.score, s.distance, s.detail
    FROM scored s
    ORDER BY s.score DESC, s.object_id, s.collection, s.uri
    OFFSET greatest(p_offset, 0)
    LIMIT least(greatest(p_limit, 0), 1000)
$$;


--
-- Name: FUNCTION catalog_search_color(p_color text, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_min_share real, p_max_distance real, p_offset integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_search_color(p_color text, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_min_share real, p_max_distance real, p_offset integer) IS 'Works with palette colours within p_max_distance (CIELAB) of a colour (#rrggbb or CSS name), among the works of the 300 palette colours nearest by colour and share: score = sum of share x (1 - distance / p_max_distance), HIGHER is better (mostly that colour beats a touch of it); distance = the nearest palette colour''s, lower is nearer.';


--
-- Name: catalog_search_document(bigint, text[], text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_search_document(p_analysis_id bigint, p_terms text[], p_text text) RETURNS tsvector
    LANGUAGE sql STABLE
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
    SELECT setweight(to_tsvector('english', coalesce(aw.title, '') || ' '
                                            || coalesce(aw.artist, '')), 'A')
           || setweight(to_tsvector('english', array_to_string(p_terms, ' ')), 'B')
           || setweight(to_tsvector('english', coalesce(p_text, a.text)), 'C')
           || setweight(to_tsvector('english', coalesce(aw.medium, '')), 'D')
    FROM analyses a
    LEFT JOIN LATERAL (
        SELECT artwork_id FROM images WHERE sha256 = a.image_sha256 ORDER BY id LIMIT 1
    ) i ON true
    LEFT JOIN artworks aw ON aw.id = i.artwork_id
    WHERE a.id = p_analysis_id
$$;


--
-- Name: FUNCTION catalog_search_document(p_analysis_id bigint, p_terms text[], p_text text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_search_document(p_analysis_id bigint, p_terms text[], p_text text) IS 'The weighted full-text document of an analysis (title and artist A, terms B, text C, medium D), with p_text in place of the model''s text when given.';


--
-- Name: catalog_search_facets(text, text, integer, integer, text, text, text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_search_facets(p_query text, p_artist text DEFAULT NULL::text, p_year_from integer DEFAULT NULL::integer, p_year_to integer DEFAULT NULL::integer, p_medium text DEFAULT NULL::text, p_aspect text DEFAULT NULL::text, p_term text DEFAULT NULL::text, p_top integer DEFAULT 10) RETURNS TABLE(facet text, value text, count bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    SET plan_cache_mode TO 'force_custom_plan'
    AS $$
    WITH matches AS MATERIALIZED (
        SELECT e.artist, e.decade, e.medium, e.aspects, e.terms
        FROM catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) e
        WHERE p_query IS NULL OR e.doc @@ websearch_to_tsquery('english', p_query)
    ),
    counted AS (
        SELECT 'artist' AS facet, m.artist AS value, count(*) AS count
        FROM matches m GROUP BY m.artist
        UNION ALL
        SELECT 'decade', m.decade::text, count(*) FROM matches m GROUP BY m.decade
        UNION ALL
        SELECT 'medium', m.medium, count(*) FROM matches m GROUP BY m.medium
        UNION ALL
        SELECT 'aspect', a.value, count(*) FROM matches m, unnest(m.aspects) AS a (value)
        GROUP BY a.value
        UNION ALL
        SELECT 'term', t.value, count(*) FROM matches m, unnest(m.terms) AS t (value)
        GROUP BY t.value
    ),
    ranked AS (
        SELECT c.*, row_number() OVER (PARTITION BY c.facet
                                       ORDER BY c.count DESC, c.value NULLS LAST) AS n
        FROM counted c
    )
    SELECT r.facet, r.value, r.count FROM ranked r
    WHERE r.n <= least(greatest(p_top, 0), 1000)
    ORDER BY r.facet, r.count DESC, r.value NULLS LAST
$$;


--
-- Name: FUNCTION catalog_search_facets(p_query text, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_top integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_search_facets(p_query text, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_top integer) IS 'Exact counts per artist, decade, medium, aspect and term (p_top each) of every full-text match of p_query (NULL: every work) under the filters.';


--
-- Name: catalog_search_fuzzy(text, integer, text, integer, integer, text, text, text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_search_fuzzy(p_query text, p_limit integer DEFAULT 10, p_artist text DEFAULT NULL::text, p_year_from integer DEFAULT NULL::integer, p_year_to integer DEFAULT NULL::integer, p_medium text DEFAULT NULL::text, p_aspect text DEFAULT NULL::text, p_term text DEFAULT NULL::text, p_offset integer DEFAULT 0) RETURNS TABLE(collection text, object_id text, title text, artist text, date_text text, medium text, uri text, score double precision, distance double precision, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    SET plan_cache_mode TO 'force_custom_plan'
    SET "pg_trgm.word_similarity_threshold" TO '0.5'
    AS $$
    WITH names AS (
        SELECT n.artist, word_similarity(p_query, n.artist) AS similarity
        FROM catalog_artist_names n
        WHERE p_query <% n.artist
    ),
    by_artist AS (
        SELECT w.*
        FROM names n
        CROSS JOIN LATERAL (
            SELECT e.collection, e.object_id, e.title, e.artist, e.date_text, e.medium, e.uri,
                   greatest(n.similarity, word_similarity(p_query, e.title)) AS score
            FROM catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect,
                                 p_term) e
            WHERE e.artist = n.artist
            ORDER BY e.object_id, e.collection, e.uri
            LIMIT least(greatest(p_limit, 0), 1000) + greatest(p_offset, 0)
        ) w
    ),
    by_title AS (
        SELECT e.collection, e.object_id, e.title, e.artist, e.date_text, e.medium, e.uri,
               greatest(word_similarity(p_query, e.title),
                        word_similarity(p_query, e.artist)) AS score
        FROM catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) e
        WHERE p_query <% e.title
        ORDER BY p_query <<-> e.title, e.object_id, e.collection, e.uri
        LIMIT least(greatest(p_limit, 0), 1000) + greatest(p_offset, 0)
    ),
    hits AS (
        SELECT DISTINCT ON (h.uri) h.*
        FROM (SELECT * FROM by_artist UNION ALL SELECT * FROM by_title) h
        ORDER BY h.uri, h.score DESC
    )
    SELECT h.collection, h.object_id, h.title, h.artist, h.date_text, h.medium, h.uri,
           h.score::float8, NULL::float8, NULL::text
    FROM hits h
    ORDER BY h.score DESC, h.object_id, h.collection, h.uri
    OFFSET greatest(p_offset, 0)
    LIMIT least(greatest(p_limit, 0), 1000)
$$;


--
-- Name: FUNCTION catalog_search_fuzzy(p_query text, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_offset integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_search_fuzzy(p_query text, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_offset integer) IS 'Fuzzy artist or title (trigram word similarity >= 0.5): score = similarity 0..1, higher is better; ties by object_id, collection; page with p_offset.';


--
-- Name: catalog_search_semantic(extensions.vector, integer, text, integer, integer, text, text, text, bigint, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_search_semantic(p_embedding extensions.vector, p_limit integer DEFAULT 10, p_artist text DEFAULT NULL::text, p_year_from integer DEFAULT NULL::integer, p_year_to integer DEFAULT NULL::integer, p_medium text DEFAULT NULL::text, p_aspect text DEFAULT NULL::text, p_term text DEFAULT NULL::text, p_exclude_artwork bigint DEFAULT NULL::bigint, p_offset integer DEFAULT 0) RETURNS TABLE(collection text, object_id text, title text, artist text, date_text text, medium text, uri text, score double precision, distance double precision, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    SET plan_cache_mode TO 'force_custom_plan'
    SET "hnsw.iterative_scan" TO 'relaxed_order'
    SET "hnsw.ef_search" TO '400'
    AS $$
    SELECT n.collection, n.object_id, n.title, n.artist, n.date_text, n.medium, n.uri,
           1 - n.distance, n.distance, NULL
    FROM (
        SELECT e.collection, e.object_id, e.title, e.artist, e.date_text, e.medium, e.uri,
               (e.embedding <=> p_embedding)::float8 AS distance
        FROM catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) e
        WHERE p_exclude_artwork IS NULL OR e.artwork_id IS DISTINCT FROM p_exclude_artwork
        ORDER BY e.embedding <=> p_embedding
        LIMIT least(greatest(p_limit, 0), 1000) + greatest(p_offset, 0)
    ) n
    ORDER BY n.distance, n.object_id, n.collection, n.uri
    OFFSET greatest(p_offset, 0)
$$;


--
-- Name: FUNCTION catalog_search_semantic(p_embedding extensions.vector, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_exclude_artwork bigint, p_offset integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_search_semantic(p_embedding extensions.vector, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_exclude_artwork bigint, p_offset integer) IS 'Cosine nearest neighbours of a 384-d embedding (HNSW, ef_search 400: recall@10 0.975 at 1M): score = 1 - distance, higher is better; distance = cosine distance; page with p_offset.';


--
-- Name: catalog_search_semantic_text(text, integer, text, integer, integer, text, text, text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_search_semantic_text(p_query text, p_limit integer DEFAULT 10, p_artist text DEFAULT NULL::text, p_year_from integer DEFAULT NULL::integer, p_year_to integer DEFAULT NULL::integer, p_medium text DEFAULT NULL::text, p_aspect text DEFAULT NULL::text, p_term text DEFAULT NULL::text, p_offset integer DEFAULT 0) RETURNS TABLE(collection text, object_id text, title text, artist text, date_text text, medium text, uri text, score double precision, distance double precision, detail text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
DECLARE
    found extensions.vector;
BEGIN
    SELECT q.embedding INTO found FROM query_embeddings q
    WHERE q.query = catalog_query_key(p_query);
    IF found IS NULL THEN
        RAISE EXCEPTION 'no embedding stored for "%": embed these words first: archive-analyzer embed %',
            p_query, quote_literal(p_query)
            USING ERRCODE = 'no_data_found',
                  HINT = 'Words are embedded outside SQL, by the model that embedded the analyses.';
    END IF;
    RETURN QUERY SELECT * FROM catalog_search_semantic(found, p_limit, p_artist, p_year_from,
                                                       p_year_to, p_medium, p_aspect, p_term,
                                                       NULL, p_offset);
END
$$;


--
-- Name: FUNCTION catalog_search_semantic_text(p_query text, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_offset integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_search_semantic_text(p_query text, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_offset integer) IS 'Semantic search from words embedded before with `archive-analyzer embed ''words''` (else an error saying so); score = cosine similarity, higher is better.';


--
-- Name: catalog_search_similar(text, integer, text, integer, integer, text, text, text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_search_similar(p_object_id text, p_limit integer DEFAULT 10, p_artist text DEFAULT NULL::text, p_year_from integer DEFAULT NULL::integer, p_year_to integer DEFAULT NULL::integer, p_medium text DEFAULT NULL::text, p_aspect text DEFAULT NULL::text, p_term text DEFAULT NULL::text, p_offset integer DEFAULT 0) RETURNS TABLE(collection text, object_id text, title text, artist text, date_text text, medium text, uri text, score double precision, distance double precision, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
    SELECT s.*
    FROM (SELECT e.embedding, e.artwork_id FROM search_entries e
          WHERE e.object_id = p_object_id AND e.embedding IS NOT NULL
          ORDER BY e.analysis_id DESC, e.uri LIMIT 1) src
    CROSS JOIN LATERAL catalog_search_semantic(
        src.embedding, p_limit, p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term,
        src.artwork_id, p_offset) s
$$;


--
-- Name: FUNCTION catalog_search_similar(p_object_id text, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_offset integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_search_similar(p_object_id text, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_offset integer) IS 'Works like this object (its newest analysis as the query, itself excluded): score = 1 - cosine distance, higher is better.';


--
-- Name: catalog_search_text(text, integer, text, integer, integer, text, text, text, integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_search_text(p_query text, p_limit integer DEFAULT 10, p_artist text DEFAULT NULL::text, p_year_from integer DEFAULT NULL::integer, p_year_to integer DEFAULT NULL::integer, p_medium text DEFAULT NULL::text, p_aspect text DEFAULT NULL::text, p_term text DEFAULT NULL::text, p_candidates integer DEFAULT 1000, p_offset integer DEFAULT 0) RETURNS TABLE(collection text, object_id text, title text, artist text, date_text text, medium text, uri text, score double precision, distance double precision, detail text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    SET plan_cache_mode TO 'force_custom_plan'
    AS $$
    WITH top AS (
        SELECT e.collection, e.object_id, e.title, e.artist, e.date_text, e.medium, e.uri,
               e.text, ts_rank(e.doc, websearch_to_tsquery('english', p_query)) AS rank
        FROM catalog_entries(p_artist, p_year_from, p_year_to, p_medium, p_aspect, p_term) e
        WHERE e.doc @@ websearch_to_tsquery('english', p_query)
        ORDER BY rank DESC, e.object_id, e.collection, e.uri
        OFFSET greatest(p_offset, 0)
        LIMIT least(greatest(p_limit, 0), 1000)
    )
    SELECT t.collection, t.object_id, t.title, t.artist, t.date_text, t.medium, t.uri,
           t.rank::float8, NULL::float8,
           ts_headline('english', t.text, websearch_to_tsquery('english', p_query),
                       'MaxFragments=1, MaxWords=25, MinWords=10')
    FROM top t
    ORDER BY t.rank DESC, t.object_id, t.collection, t.uri
$$;


--
-- Name: FUNCTION catalog_search_text(p_query text, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_candidates integer, p_offset integer); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_search_text(p_query text, p_limit integer, p_artist text, p_year_from integer, p_year_to integer, p_medium text, p_aspect text, p_term text, p_candidates integer, p_offset integer) IS 'Ranked full text (websearch syntax) over every match: score = ts_rank, higher is better; ties by object_id, collection; page with p_offset. p_candidates is ignored (kept for old callers).';


--
-- Name: catalog_structure_document(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.catalog_structure_document() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
DECLARE
    corrected text := catalog_corrected_text(NEW.analysis_id);
BEGIN
    -- An insert without a correction keeps the sink's document (the same words): no second
    -- to_tsvector per analysis in the pipeline's hot path.
    IF corrected IS NOT NULL OR TG_OP = 'UPDATE' THEN
        NEW.search_doc := catalog_search_document(NEW.analysis_id, NEW.terms, corrected);
    END IF;
    RETURN NEW;
END
$$;


--
-- Name: FUNCTION catalog_structure_document(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.catalog_structure_document() IS 'Trigger: indexes the text catalogers see (a correction when one exists) in analysis_structure.search_doc.';


--
-- Name: extensions_on_function_paths(); Type: PROCEDURE; Schema: public; Owner: -
--

CREATE PROCEDURE public.extensions_on_function_paths()
    LANGUAGE plpgsql
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN
        SELECT p.oid::regprocedure
        FROM pg_proc p
        JOIN pg_language l ON l.oid = p.prolang
        WHERE p.pronamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                            AND d.deptype = 'e')
          AND (EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
               OR l.lanname NOT IN ('sql', 'internal', 'c'))
    LOOP
        EXECUTE format('ALTER ROUTINE %s SET search_path = public, extensions, pg_temp', fn);
    END LOOP;
END
$$;


--
-- Name: PROCEDURE extensions_on_function_paths(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON PROCEDURE public.extensions_on_function_paths() IS 'Puts the extensions schema on the search_path of every project function that has one (migration 0014; CALL it after creating functions by hand).';


--
-- Name: models_note_evaluation(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.models_note_evaluation() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
BEGIN
    INSERT INTO models (version, name, location, name_source)
    VALUES (NEW.model_version, NEW.model_name, NEW.model_location, 'evaluation')
    ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, name_source = 'evaluation'
    WHERE models.name_source = 'location';
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION models_note_evaluation(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.models_note_evaluation() IS 'Trigger: an evaluation names its model version from the model card.';


--
-- Name: models_note_run(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.models_note_run() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
DECLARE
    location text := NEW.settings ->> 'model';
BEGIN
    IF NEW.model_version IS NOT NULL THEN
        INSERT INTO models (version, name, location)
        VALUES (NEW.model_version,
                coalesce(nullif(regexp_replace(rtrim(location, '/'), '^.*/', ''), ''),
                         'tiny-random-llava'),
                location)
        ON CONFLICT (version) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION models_note_run(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.models_note_run() IS 'Trigger: a run''s model version enters models, named after the last part of its location.';


--
-- Name: runs_model_name(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.runs_model_name() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
BEGIN
    UPDATE runs SET model_name = NEW.name
    WHERE model_version = NEW.version AND model_name IS DISTINCT FROM NEW.name;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION runs_model_name(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.runs_model_name() IS 'Trigger: runs.model_name follows the models table.';


--
-- Name: search_entries_note_analyses(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.search_entries_note_analyses() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
BEGIN
    PERFORM search_entries_refresh(ARRAY(
        SELECT DISTINCT i.uri FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        JOIN images i ON i.sha256 = n.image_sha256
        WHERE (o.is_current, o.text) IS DISTINCT FROM (n.is_current, n.text)));
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION search_entries_note_analyses(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.search_entries_note_analyses() IS 'Trigger: an analysis retired, revived or rewritten refreshes the search entries of its images.';


--
-- Name: search_entries_note_artworks(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.search_entries_note_artworks() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
BEGIN
    PERFORM search_entries_refresh(ARRAY(
        SELECT i.uri FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        JOIN images i ON i.artwork_id = n.id
        WHERE (o.title, o.artist, o.date_text, o.year_start, o.year_end, o.medium,
               o.collection, o.object_id)
              IS DISTINCT FROM (n.title, n.artist, n.date_text, n.year_start, n.year_end,
                                n.medium, n.collection, n.object_id)));
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION search_entries_note_artworks(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.search_entries_note_artworks() IS 'Trigger: a changed title, artist, date, medium, collection or object id refreshes the artwork''s search entries.';


--
-- Name: search_entries_note_images(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.search_entries_note_images() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM search_entries_refresh(ARRAY(SELECT n.uri FROM new_rows n));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM search_entries_refresh(ARRAY(SELECT o.uri FROM old_rows o));
    ELSE
        PERFORM search_entries_refresh(ARRAY(
            SELECT n.uri FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.uri, o.sha256, o.artwork_id) IS DISTINCT FROM (n.uri, n.sha256, n.artwork_id)
            UNION SELECT o.uri FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.uri <> n.uri));
    END IF;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION search_entries_note_images(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.search_entries_note_images() IS 'Trigger: an image written, moved to another artwork or content, or removed refreshes its search entries.';


--
-- Name: search_entries_note_structure(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.search_entries_note_structure() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
BEGIN
    PERFORM search_entries_refresh(ARRAY(
        SELECT DISTINCT i.uri FROM changed c
        JOIN analyses a ON a.id = c.analysis_id
        JOIN images i ON i.sha256 = a.image_sha256));
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION search_entries_note_structure(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.search_entries_note_structure() IS 'Trigger: a written, reviewed or removed structure refreshes the search entries of its images.';


--
-- Name: search_entries_refresh(text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.search_entries_refresh(p_uris text[]) RETURNS void
    LANGUAGE sql
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
    DELETE FROM search_entries e
    WHERE e.uri = ANY (p_uris)
      AND NOT EXISTS (SELECT 1 FROM catalog_documents d
                      WHERE d.uri = e.uri AND d.analysis_id = e.analysis_id);
    INSERT INTO search_entries (uri, analysis_id, artwork_id, collection, object_id, title,
                                artist, date_text, year_start, year_end, medium, sha256,
                                aspects, terms, text, doc, embedding)
    SELECT d.uri, d.analysis_id, d.artwork_id, d.collection, d.object_id, d.title, d.artist,
           d.date_text, d.year_start, d.year_end, d.medium, d.sha256,
           ARRAY(SELECT jsonb_object_keys(d.aspects)), d.terms, d.text,
           catalog_entry_document(d.title, d.artist, d.medium, d.search_doc), d.embedding
    FROM catalog_documents d
    WHERE d.uri = ANY (p_uris)
    ON CONFLICT (uri, analysis_id) DO UPDATE SET
        artwork_id = EXCLUDED.artwork_id, collection = EXCLUDED.collection,
        object_id = EXCLUDED.object_id, title = EXCLUDED.title, artist = EXCLUDED.artist,
        date_text = EXCLUDED.date_text, year_start = EXCLUDED.year_start,
        year_end = EXCLUDED.year_end, medium = EXCLUDED.medium, sha256 = EXCLUDED.sha256,
        aspects = EXCLUDED.aspects, terms = EXCLUDED.terms, text = EXCLUDED.text,
        doc = EXCLUDED.doc, embedding = EXCLUDED.embedding;
$$;


--
-- Name: FUNCTION search_entries_refresh(p_uris text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.search_entries_refresh(p_uris text[]) IS 'Rebuilds the search_entries rows of these image URIs from catalog_documents.';


--
-- Name: sink_refresh_statistics(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.sink_refresh_statistics() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'extensions', 'pg_temp'
    AS $$
BEGIN
    ANALYZE artworks, images, image_contents, analyses, analysis_structure, search_entries,
            failures;
END
$$;


--
-- Name: FUNCTION sink_refresh_statistics(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.sink_refresh_statistics() IS 'Refreshes the planner statistics of the tables the sink writes; the sink calls it as its writes double.';


--
-- Name: analyses_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.analyses_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: analyses_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.analyses_id_seq OWNED BY public.analyses.id;


--
-- Name: analysis_reviews_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.analysis_reviews_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: analysis_reviews_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.analysis_reviews_id_seq OWNED BY public.analysis_reviews.id;


--
-- Name: artwork_analysis_history; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.artwork_analysis_history AS
 SELECT aw.object_id,
    c.uri,
    c.sha256,
    (c.sha256 = i.sha256) AS is_current_content,
    a.id AS analysis_id,
    a.prompt_name,
    a.model_version,
    a.prompt_version,
    (a.is_current AND (c.sha256 = i.sha256)) AS is_current,
    a.text,
    a.run_id,
    a.created_at,
    aw.collection
   FROM (((public.image_contents c
     JOIN public.images i ON ((i.uri = c.uri)))
     LEFT JOIN public.artworks aw ON ((aw.id = i.artwork_id)))
     JOIN public.analyses a ON ((a.image_sha256 = c.sha256)));


--
-- Name: VIEW artwork_analysis_history; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.artwork_analysis_history IS 'Every analysis an object''s images have had, across model and prompt versions and re-shot photographs.';


--
-- Name: COLUMN artwork_analysis_history.object_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.object_id IS 'The museum''s object or accession number, from the manifest.';


--
-- Name: COLUMN artwork_analysis_history.uri; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.uri IS 'Where the image is read from (file://, s3://, https://).';


--
-- Name: COLUMN artwork_analysis_history.sha256; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.sha256 IS 'SHA-256 of the image bytes: the same picture under two names shares it.';


--
-- Name: COLUMN artwork_analysis_history.is_current_content; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.is_current_content IS 'True when the URI holds this content now (false: an earlier photograph).';


--
-- Name: COLUMN artwork_analysis_history.analysis_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.analysis_id IS 'Id of the analysis; `archive-analyzer review` and analysis_reviews take it.';


--
-- Name: COLUMN artwork_analysis_history.prompt_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.prompt_name IS 'The question the model was asked (formal_analysis).';


--
-- Name: COLUMN artwork_analysis_history.model_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.model_version IS 'Hash of the model card; model_name is its readable name.';


--
-- Name: COLUMN artwork_analysis_history.prompt_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.prompt_version IS 'Hash of the prompt text: a changed prompt is a new version.';


--
-- Name: COLUMN artwork_analysis_history.is_current; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.is_current IS 'True for the analysis catalogers see for this content (older model or prompt versions are false).';


--
-- Name: COLUMN artwork_analysis_history.text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.text IS 'The model''s text of this analysis.';


--
-- Name: COLUMN artwork_analysis_history.run_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.run_id IS 'The run that wrote the analysis (runs table).';


--
-- Name: COLUMN artwork_analysis_history.created_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.created_at IS 'When the analysis was written.';


--
-- Name: COLUMN artwork_analysis_history.collection; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.artwork_analysis_history.collection IS 'The collection of the run that last read the image.';


--
-- Name: artwork_metadata_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.artwork_metadata_history (
    id bigint NOT NULL,
    artwork_id bigint NOT NULL,
    run_id bigint,
    field text NOT NULL,
    old_value text,
    new_value text,
    changed_by text DEFAULT CURRENT_USER NOT NULL,
    changed_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: artwork_metadata_history_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.artwork_metadata_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: artwork_metadata_history_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.artwork_metadata_history_id_seq OWNED BY public.artwork_metadata_history.id;


--
-- Name: artworks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.artworks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: artworks_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.artworks_id_seq OWNED BY public.artworks.id;


--
-- Name: catalog_artist_names; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.catalog_artist_names (
    artist text NOT NULL
);


--
-- Name: image_features; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.image_features (
    image_sha256 text NOT NULL,
    brightness real NOT NULL,
    contrast real NOT NULL,
    saturation real NOT NULL,
    colourfulness real NOT NULL,
    warmth real NOT NULL,
    palette jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: catalog_artworks; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.catalog_artworks AS
 SELECT DISTINCT ON (aw.id) aw.id AS artwork_id,
    aw.object_id,
    aw.title,
    aw.artist,
    aw.date_text,
    aw.year_start,
    aw.year_end,
    aw.medium,
    aw.metadata,
    st.uri AS image_uri,
    st.sha256,
    st.analysis_id,
    st.text AS analysis,
    st.model_version,
    st.prompt_name,
    st.analysed_at,
    s.aspects,
    s.terms,
    f.brightness,
    f.contrast,
    f.saturation,
    f.colourfulness,
    f.warmth,
    f.palette,
    st.model_text,
    st.is_corrected,
    st.review_status,
    st.model_name,
    st.reviewer,
    st.reviewed_at,
    st.collection
   FROM (((public.artworks aw
     JOIN public.catalog_analysis_status st ON ((st.artwork_id = aw.id)))
     LEFT JOIN public.analysis_structure s ON ((s.analysis_id = st.analysis_id)))
     LEFT JOIN public.image_features f ON ((f.image_sha256 = st.sha256)))
  WHERE (st.review_status <> 'rejected'::text)
  ORDER BY aw.id, st.analysed_at DESC, st.analysis_id DESC;


--
-- Name: VIEW catalog_artworks; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.catalog_artworks IS 'One row per artwork: metadata, the analysis catalogers see (a correction when one exists), aspects, terms, measured features and palette. Rejected analyses are left out.';


--
-- Name: COLUMN catalog_artworks.artwork_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.artwork_id IS 'Internal id of the artwork row.';


--
-- Name: COLUMN catalog_artworks.object_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.object_id IS 'The museum''s object or accession number, from the manifest.';


--
-- Name: COLUMN catalog_artworks.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.title IS 'Title of the work, from the manifest.';


--
-- Name: COLUMN catalog_artworks.artist; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.artist IS 'Artist as the manifest names them.';


--
-- Name: COLUMN catalog_artworks.date_text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.date_text IS 'The date as the museum wrote it (c.1837, 1840-5).';


--
-- Name: COLUMN catalog_artworks.year_start; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.year_start IS 'First year the date allows (BCE negative); NULL when undated.';


--
-- Name: COLUMN catalog_artworks.year_end; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.year_end IS 'Last year the date allows; a year filter keeps works whose range overlaps.';


--
-- Name: COLUMN catalog_artworks.medium; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.medium IS 'Medium and support, from the manifest.';


--
-- Name: COLUMN catalog_artworks.metadata; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.metadata IS 'Every column of the manifest row, as given (JSON).';


--
-- Name: COLUMN catalog_artworks.image_uri; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.image_uri IS 'Where the image is read from (file://, s3://, https://).';


--
-- Name: COLUMN catalog_artworks.sha256; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.sha256 IS 'SHA-256 of the image bytes: the same picture under two names shares it.';


--
-- Name: COLUMN catalog_artworks.analysis_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.analysis_id IS 'Id of the analysis; `archive-analyzer review` and analysis_reviews take it.';


--
-- Name: COLUMN catalog_artworks.analysis; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.analysis IS 'The text catalogers see: the cataloger''s correction when is_corrected, else the model''s text.';


--
-- Name: COLUMN catalog_artworks.model_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.model_version IS 'Hash of the model card; model_name is its readable name.';


--
-- Name: COLUMN catalog_artworks.prompt_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.prompt_name IS 'The question the model was asked (formal_analysis).';


--
-- Name: COLUMN catalog_artworks.analysed_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.analysed_at IS 'When the analysis was written.';


--
-- Name: COLUMN catalog_artworks.aspects; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.aspects IS 'Sentences of the model''s text by aspect (composition, colour, light_and_shadow, ...), as JSON.';


--
-- Name: COLUMN catalog_artworks.terms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.terms IS 'Art vocabulary terms found in the model''s text.';


--
-- Name: COLUMN catalog_artworks.brightness; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.brightness IS 'Mean CIELAB L*, 0 (black) .. 100 (white).';


--
-- Name: COLUMN catalog_artworks.contrast; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.contrast IS 'RMS contrast: standard deviation of L*; higher is more contrast.';


--
-- Name: COLUMN catalog_artworks.saturation; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.saturation IS 'Mean HSV saturation, 0 (grey) .. 1 (vivid).';


--
-- Name: COLUMN catalog_artworks.colourfulness; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.colourfulness IS 'Hasler and Suesstrunk colourfulness; above about 60 is very colourful.';


--
-- Name: COLUMN catalog_artworks.warmth; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.warmth IS 'Warm/cool balance, -1 (cool) .. +1 (warm).';


--
-- Name: COLUMN catalog_artworks.palette; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.palette IS 'Five colours by k-means in CIELAB: share (0..1 of the picture), hex, nearest CSS name.';


--
-- Name: COLUMN catalog_artworks.model_text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.model_text IS 'The model''s own text, kept beside any correction.';


--
-- Name: COLUMN catalog_artworks.is_corrected; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.is_corrected IS 'True when analysis is a cataloger''s correction (also while a new analysis awaits review).';


--
-- Name: COLUMN catalog_artworks.review_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.review_status IS 'unreviewed, approved, corrected, or needs_review (a new analysis; the earlier correction still shows).';


--
-- Name: COLUMN catalog_artworks.model_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.model_name IS 'Readable model name, from its card or its location (models table).';


--
-- Name: COLUMN catalog_artworks.reviewer; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.reviewer IS 'Who gave the verdict.';


--
-- Name: COLUMN catalog_artworks.reviewed_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.reviewed_at IS 'When the verdict was given.';


--
-- Name: COLUMN catalog_artworks.collection; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_artworks.collection IS 'The collection of the run that last read the image.';


--
-- Name: catalog_aspects; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.catalog_aspects AS
 SELECT d.analysis_id,
    d.object_id,
    d.title,
    d.artist,
    e.key AS aspect,
    (s.ordinality)::integer AS sentence_no,
    s.sentence,
    d.collection
   FROM ((public.catalog_documents d
     CROSS JOIN LATERAL jsonb_each(d.aspects) e(key, value))
     CROSS JOIN LATERAL jsonb_array_elements_text(e.value) WITH ORDINALITY s(sentence, ordinality));


--
-- Name: VIEW catalog_aspects; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.catalog_aspects IS 'Aspects in long form: one row per (analysis, aspect, sentence) of the model''s text.';


--
-- Name: COLUMN catalog_aspects.analysis_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_aspects.analysis_id IS 'Id of the analysis; `archive-analyzer review` and analysis_reviews take it.';


--
-- Name: COLUMN catalog_aspects.object_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_aspects.object_id IS 'The museum''s object or accession number, from the manifest.';


--
-- Name: COLUMN catalog_aspects.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_aspects.title IS 'Title of the work, from the manifest.';


--
-- Name: COLUMN catalog_aspects.artist; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_aspects.artist IS 'Artist as the manifest names them.';


--
-- Name: COLUMN catalog_aspects.aspect; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_aspects.aspect IS 'One of composition, colour, line, light_and_shadow, space_and_perspective, texture_and_brushwork, form, mood_and_effect, other.';


--
-- Name: COLUMN catalog_aspects.sentence_no; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_aspects.sentence_no IS 'Position of the sentence in the model''s text, from 0.';


--
-- Name: COLUMN catalog_aspects.sentence; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_aspects.sentence IS 'One sentence of the model''s text.';


--
-- Name: COLUMN catalog_aspects.collection; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_aspects.collection IS 'The collection of the run that last read the image.';


--
-- Name: catalog_colors; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.catalog_colors AS
 SELECT column1 AS name,
    column2 AS hex
   FROM ( VALUES ('aliceblue'::text,'#f0f8ff'::text), ('antiquewhite'::text,'#faebd7'::text), ('aqua'::text,'#00ffff'::text), ('aquamarine'::text,'#7fffd4'::text), ('azure'::text,'#f0ffff'::text), ('beige'::text,'#f5f5dc'::text), ('bisque'::text,'#ffe4c4'::text), ('black'::text,'#000000'::text), ('blanchedalmond'::text,'#ffebcd'::text), ('blue'::text,'#0000ff'::text), ('blueviolet'::text,'#8a2be2'::text), ('brown'::text,'#a52a2a'::text), ('burlywood'::text,'#deb887'::text), ('cadetblue'::text,'#5f9ea0'::text), ('chartreuse'::text,'#7fff00'::text), ('chocolate'::text,'#d2691e'::text), ('coral'::text,'#ff7f50'::text), ('cornflowerblue'::text,'#6495ed'::text), ('cornsilk'::text,'#fff8dc'::text), ('crimson'::text,'#dc143c'::text), ('cyan'::text,'#00ffff'::text), ('darkblue'::text,'#00008b'::text), ('darkcyan'::text,'#008b8b'::text), ('darkgoldenrod'::text,'#b8860b'::text), ('darkgray'::text,'#a9a9a9'::text), ('darkgreen'::text,'#006400'::text), ('darkgrey'::text,'#a9a9a9'::text), ('darkkhaki'::text,'#bdb76b'::text), ('darkmagenta'::text,'#8b008b'::text), ('darkolivegreen'::text,'#556b2f'::text), ('darkorange'::text,'#ff8c00'::text), ('darkorchid'::text,'#9932cc'::text), ('darkred'::text,'#8b0000'::text), ('darksalmon'::text,'#e9967a'::text), ('darkseagreen'::text,'#8fbc8f'::text), ('darkslateblue'::text,'#483d8b'::text), ('darkslategray'::text,'#2f4f4f'::text), ('darkslategrey'::text,'#2f4f4f'::text), ('darkturquoise'::text,'#00ced1'::text), ('darkviolet'::text,'#9400d3'::text), ('deeppink'::text,'#ff1493'::text), ('deepskyblue'::text,'#00bfff'::text), ('dimgray'::text,'#696969'::text), ('dimgrey'::text,'#696969'::text), ('dodgerblue'::text,'#1e90ff'::text), ('firebrick'::text,'#b22222'::text), ('floralwhite'::text,'#fffaf0'::text), ('forestgreen'::text,'#228b22'::text), ('fuchsia'::text,'#ff00ff'::text), ('gainsboro'::text,'#dcdcdc'::text), ('ghostwhite'::text,'#f8f8ff'::text), ('gold'::text,'#ffd700'::text), ('goldenrod'::text,'#daa520'::text), ('gray'::text,'#808080'::text), ('green'::text,'#008000'::text), ('greenyellow'::text,'#adff2f'::text), ('grey'::text,'#808080'::text), ('honeydew'::text,'#f0fff0'::text), ('hotpink'::text,'#ff69b4'::text), ('indianred'::text,'#cd5c5c'::text), ('indigo'::text,'#4b0082'::text), ('ivory'::text,'#fffff0'::text), ('khaki'::text,'#f0e68c'::text), ('lavender'::text,'#e6e6fa'::text), ('lavenderblush'::text,'#fff0f5'::text), ('lawngreen'::text,'#7cfc00'::text), ('lemonchiffon'::text,'#fffacd'::text), ('lightblue'::text,'#add8e6'::text), ('lightcoral'::text,'#f08080'::text), ('lightcyan'::text,'#e0ffff'::text), ('lightgoldenrodyellow'::text,'#fafad2'::text), ('lightgray'::text,'#d3d3d3'::text), ('lightgreen'::text,'#90ee90'::text), ('lightgrey'::text,'#d3d3d3'::text), ('lightpink'::text,'#ffb6c1'::text), ('lightsalmon'::text,'#ffa07a'::text), ('lightseagreen'::text,'#20b2aa'::text), ('lightskyblue'::text,'#87cefa'::text), ('lightslategray'::text,'#778899'::text), ('lightslategrey'::text,'#778899'::text), ('lightsteelblue'::text,'#b0c4de'::text), ('lightyellow'::text,'#ffffe0'::text), ('lime'::text,'#00ff00'::text), ('limegreen'::text,'#32cd32'::text), ('linen'::text,'#faf0e6'::text), ('magenta'::text,'#ff00ff'::text), ('maroon'::text,'#800000'::text), ('mediumaquamarine'::text,'#66cdaa'::text), ('mediumblue'::text,'#0000cd'::text), ('mediumorchid'::text,'#ba55d3'::text), ('mediumpurple'::text,'#9370db'::text), ('mediumseagreen'::text,'#3cb371'::text), ('mediumslateblue'::text,'#7b68ee'::text), ('mediumspringgreen'::text,'#00fa9a'::text), ('mediumturquoise'::text,'#48d1cc'::text), ('mediumvioletred'::text,'#c71585'::text), ('midnightblue'::text,'#191970'::text), ('mintcream'::text,'#f5fffa'::text), ('mistyrose'::text,'#ffe4e1'::text), ('moccasin'::text,'#ffe4b5'::text), ('navajowhite'::text,'#ffdead'::text), ('navy'::text,'#000080'::text), ('oldlace'::text,'#fdf5e6'::text), ('olive'::text,'#808000'::text), ('olivedrab'::text,'#6b8e23'::text), ('orange'::text,'#ffa500'::text), ('orangered'::text,'#ff4500'::text), ('orchid'::text,'#da70d6'::text), ('palegoldenrod'::text,'#eee8aa'::text), ('palegreen'::text,'#98fb98'::text), ('paleturquoise'::text,'#afeeee'::text), ('palevioletred'::text,'#db7093'::text), ('papayawhip'::text,'#ffefd5'::text), ('peachpuff'::text,'#ffdab9'::text), ('peru'::text,'#cd853f'::text), ('pink'::text,'#ffc0cb'::text), ('plum'::text,'#dda0dd'::text), ('powderblue'::text,'#b0e0e6'::text), ('purple'::text,'#800080'::text), ('rebeccapurple'::text,'#663399'::text), ('red'::text,'#ff0000'::text), ('rosybrown'::text,'#bc8f8f'::text), ('royalblue'::text,'#4169e1'::text), ('saddlebrown'::text,'#8b4513'::text), ('salmon'::text,'#fa8072'::text), ('sandybrown'::text,'#f4a460'::text), ('seagreen'::text,'#2e8b57'::text), ('seashell'::text,'#fff5ee'::text), ('sienna'::text,'#a0522d'::text), ('silver'::text,'#c0c0c0'::text), ('skyblue'::text,'#87ceeb'::text), ('slateblue'::text,'#6a5acd'::text), ('slategray'::text,'#708090'::text), ('slategrey'::text,'#708090'::text), ('snow'::text,'#fffafa'::text), ('springgreen'::text,'#00ff7f'::text), ('steelblue'::text,'#4682b4'::text), ('tan'::text,'#d2b48c'::text), ('teal'::text,'#008080'::text), ('thistle'::text,'#d8bfd8'::text), ('tomato'::text,'#ff6347'::text), ('turquoise'::text,'#40e0d0'::text), ('violet'::text,'#ee82ee'::text), ('wheat'::text,'#f5deb3'::text), ('white'::text,'#ffffff'::text), ('whitesmoke'::text,'#f5f5f5'::text), ('yellow'::text,'#ffff00'::text), ('yellowgreen'::text,'#9acd32'::text)) v;


--
-- Name: VIEW catalog_colors; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.catalog_colors IS 'CSS colour names and their hex codes, for colour search.';


--
-- Name: COLUMN catalog_colors.name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_colors.name IS 'CSS colour name, as catalog_search_color takes it.';


--
-- Name: COLUMN catalog_colors.hex; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_colors.hex IS 'Its colour as #rrggbb.';


--
-- Name: palette_colors; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.palette_colors (
    image_sha256 text NOT NULL,
    rank smallint NOT NULL,
    share real NOT NULL,
    hex text NOT NULL,
    css_name text NOT NULL,
    l real NOT NULL,
    a real NOT NULL,
    b real NOT NULL,
    lab extensions.vector(3) GENERATED ALWAYS AS ((ARRAY[l, a, b])::extensions.vector(3)) STORED
);


--
-- Name: catalog_palette; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.catalog_palette AS
 SELECT aw.object_id,
    aw.title,
    aw.artist,
    i.uri AS image_uri,
    p.image_sha256,
    p.rank,
    p.share,
    p.hex,
    p.css_name,
    p.l,
    p.a,
    p.b,
    aw.collection
   FROM ((public.palette_colors p
     JOIN public.images i ON ((i.sha256 = p.image_sha256)))
     LEFT JOIN public.artworks aw ON ((aw.id = i.artwork_id)));


--
-- Name: VIEW catalog_palette; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.catalog_palette IS 'Palette colours of analysed images: rank 1 = largest share (0..1); l, a, b in CIELAB.';


--
-- Name: COLUMN catalog_palette.object_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.object_id IS 'The museum''s object or accession number, from the manifest.';


--
-- Name: COLUMN catalog_palette.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.title IS 'Title of the work, from the manifest.';


--
-- Name: COLUMN catalog_palette.artist; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.artist IS 'Artist as the manifest names them.';


--
-- Name: COLUMN catalog_palette.image_uri; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.image_uri IS 'Where the image is read from (file://, s3://, https://).';


--
-- Name: COLUMN catalog_palette.image_sha256; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.image_sha256 IS 'SHA-256 of the image bytes.';


--
-- Name: COLUMN catalog_palette.rank; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.rank IS 'Palette rank: 1 is the largest share of the picture.';


--
-- Name: COLUMN catalog_palette.share; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.share IS 'Share of the picture, 0..1.';


--
-- Name: COLUMN catalog_palette.hex; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.hex IS 'Colour as #rrggbb.';


--
-- Name: COLUMN catalog_palette.css_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.css_name IS 'Nearest CSS colour name (CIELAB distance).';


--
-- Name: COLUMN catalog_palette.l; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.l IS 'CIELAB L*: 0 black .. 100 white.';


--
-- Name: COLUMN catalog_palette.a; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.a IS 'CIELAB a*: negative green, positive red.';


--
-- Name: COLUMN catalog_palette.b; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.b IS 'CIELAB b*: negative blue, positive yellow.';


--
-- Name: COLUMN catalog_palette.collection; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_palette.collection IS 'The collection of the run that last read the image.';


--
-- Name: catalog_review_queue; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.catalog_review_queue AS
 SELECT object_id,
    title,
    artist,
    collection,
    uri,
    analysis_id,
    model_version,
    model_name,
    run_id,
    analysed_at,
    review_status,
    text,
    model_text
   FROM public.catalog_analysis_status s
  WHERE (review_status = ANY (ARRAY['unreviewed'::text, 'needs_review'::text]));


--
-- Name: VIEW catalog_review_queue; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.catalog_review_queue IS 'Current analyses waiting for a cataloger: unreviewed, or needs_review (a new model''s analysis of a corrected image).';


--
-- Name: COLUMN catalog_review_queue.object_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.object_id IS 'The museum''s object or accession number, from the manifest.';


--
-- Name: COLUMN catalog_review_queue.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.title IS 'Title of the work, from the manifest.';


--
-- Name: COLUMN catalog_review_queue.artist; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.artist IS 'Artist as the manifest names them.';


--
-- Name: COLUMN catalog_review_queue.collection; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.collection IS 'The collection of the run that last read the image.';


--
-- Name: COLUMN catalog_review_queue.uri; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.uri IS 'Where the image is read from (file://, s3://, https://).';


--
-- Name: COLUMN catalog_review_queue.analysis_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.analysis_id IS 'Id of the analysis; `archive-analyzer review` and analysis_reviews take it.';


--
-- Name: COLUMN catalog_review_queue.model_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.model_version IS 'Hash of the model card; model_name is its readable name.';


--
-- Name: COLUMN catalog_review_queue.model_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.model_name IS 'Readable model name, from its card or its location (models table).';


--
-- Name: COLUMN catalog_review_queue.run_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.run_id IS 'The run that wrote the analysis (runs table).';


--
-- Name: COLUMN catalog_review_queue.analysed_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.analysed_at IS 'When the analysis was written.';


--
-- Name: COLUMN catalog_review_queue.review_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.review_status IS 'unreviewed, approved, corrected, rejected, or needs_review (a new analysis; the earlier correction still shows).';


--
-- Name: COLUMN catalog_review_queue.text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.text IS 'The text catalogers see: the correction when is_corrected, else the model''s text.';


--
-- Name: COLUMN catalog_review_queue.model_text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_review_queue.model_text IS 'The model''s own text, kept beside any correction.';


--
-- Name: catalog_reviews; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.catalog_reviews AS
 SELECT r.id AS review_id,
    r.analysis_id,
    o.object_id,
    o.uri,
    a.model_version,
    m.name AS model_name,
    r.verdict,
    r.corrected_text,
    r.note,
    r.reviewer,
    r.created_at,
    a.text AS model_text,
    a.is_current
   FROM (((public.analysis_reviews r
     JOIN public.analyses a ON ((a.id = r.analysis_id)))
     LEFT JOIN public.models m ON ((m.version = a.model_version)))
     LEFT JOIN LATERAL ( SELECT aw.object_id,
            i.uri
           FROM (public.images i
             LEFT JOIN public.artworks aw ON ((aw.id = i.artwork_id)))
          WHERE (i.sha256 = a.image_sha256)
          ORDER BY i.id
         LIMIT 1) o ON (true));


--
-- Name: VIEW catalog_reviews; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.catalog_reviews IS 'Every review, newest verdict per analysis counts: approved, corrected (corrected_text) or rejected.';


--
-- Name: COLUMN catalog_reviews.review_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.review_id IS 'Id of the review (analysis_reviews.id).';


--
-- Name: COLUMN catalog_reviews.analysis_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.analysis_id IS 'Id of the analysis; `archive-analyzer review` and analysis_reviews take it.';


--
-- Name: COLUMN catalog_reviews.object_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.object_id IS 'The museum''s object or accession number, from the manifest.';


--
-- Name: COLUMN catalog_reviews.uri; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.uri IS 'Where the image is read from (file://, s3://, https://).';


--
-- Name: COLUMN catalog_reviews.model_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.model_version IS 'Hash of the model card; model_name is its readable name.';


--
-- Name: COLUMN catalog_reviews.model_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.model_name IS 'Readable model name, from its card or its location (models table).';


--
-- Name: COLUMN catalog_reviews.verdict; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.verdict IS 'approved, corrected or rejected.';


--
-- Name: COLUMN catalog_reviews.corrected_text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.corrected_text IS 'The cataloger''s text, for a corrected verdict.';


--
-- Name: COLUMN catalog_reviews.note; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.note IS 'The cataloger''s note on the verdict.';


--
-- Name: COLUMN catalog_reviews.reviewer; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.reviewer IS 'Who gave the verdict.';


--
-- Name: COLUMN catalog_reviews.created_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.created_at IS 'When the verdict was given.';


--
-- Name: COLUMN catalog_reviews.model_text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.model_text IS 'The model''s text of the reviewed analysis.';


--
-- Name: COLUMN catalog_reviews.is_current; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.catalog_reviews.is_current IS 'True while the reviewed analysis is the current one of its content.';


--
-- Name: collection_leases; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.collection_leases (
    collection text NOT NULL,
    run_id bigint,
    token bigint DEFAULT 1 NOT NULL,
    heartbeat_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: current_image_analyses; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.current_image_analyses AS
 SELECT aw.object_id,
    aw.title,
    aw.artist,
    i.uri,
    i.sha256,
    a.id AS analysis_id,
    a.prompt_name,
    a.model_version,
    a.prompt_version,
    a.text,
    a.run_id,
    a.created_at,
    aw.collection
   FROM ((public.images i
     JOIN public.analyses a ON (((a.image_sha256 = i.sha256) AND a.is_current)))
     LEFT JOIN public.artworks aw ON ((aw.id = i.artwork_id)));


--
-- Name: VIEW current_image_analyses; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.current_image_analyses IS 'Each image URI and its current analysis as the model wrote it (reviews: catalog_analysis_status).';


--
-- Name: COLUMN current_image_analyses.object_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.object_id IS 'The museum''s object or accession number, from the manifest.';


--
-- Name: COLUMN current_image_analyses.title; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.title IS 'Title of the work, from the manifest.';


--
-- Name: COLUMN current_image_analyses.artist; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.artist IS 'Artist as the manifest names them.';


--
-- Name: COLUMN current_image_analyses.uri; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.uri IS 'Where the image is read from (file://, s3://, https://).';


--
-- Name: COLUMN current_image_analyses.sha256; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.sha256 IS 'SHA-256 of the image bytes: the same picture under two names shares it.';


--
-- Name: COLUMN current_image_analyses.analysis_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.analysis_id IS 'Id of the analysis; `archive-analyzer review` and analysis_reviews take it.';


--
-- Name: COLUMN current_image_analyses.prompt_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.prompt_name IS 'The question the model was asked (formal_analysis).';


--
-- Name: COLUMN current_image_analyses.model_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.model_version IS 'Hash of the model card; model_name is its readable name.';


--
-- Name: COLUMN current_image_analyses.prompt_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.prompt_version IS 'Hash of the prompt text: a changed prompt is a new version.';


--
-- Name: COLUMN current_image_analyses.text; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.text IS 'The model''s text (the text catalogers see: catalog_analysis_status).';


--
-- Name: COLUMN current_image_analyses.run_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.run_id IS 'The run that wrote the analysis (runs table).';


--
-- Name: COLUMN current_image_analyses.created_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.created_at IS 'When the analysis was written.';


--
-- Name: COLUMN current_image_analyses.collection; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.current_image_analyses.collection IS 'The collection of the run that last read the image.';


--
-- Name: deferred_indexes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deferred_indexes (
    schema_name text NOT NULL,
    index_name text NOT NULL,
    table_name text NOT NULL,
    definition text NOT NULL,
    run_id bigint,
    dropped_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE deferred_indexes; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.deferred_indexes IS 'HNSW and GIN indexes a bulk-mode run dropped and has not yet rebuilt; the next run or db command rebuilds any whose run is over.';


--
-- Name: COLUMN deferred_indexes.schema_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.deferred_indexes.schema_name IS 'Schema of the dropped index.';


--
-- Name: COLUMN deferred_indexes.index_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.deferred_indexes.index_name IS 'Name of the dropped index.';


--
-- Name: COLUMN deferred_indexes.table_name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.deferred_indexes.table_name IS 'Table the index was on.';


--
-- Name: COLUMN deferred_indexes.definition; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.deferred_indexes.definition IS 'pg_get_indexdef of the index: the CREATE INDEX statement that rebuilds it.';


--
-- Name: COLUMN deferred_indexes.run_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.deferred_indexes.run_id IS 'The bulk-mode run that dropped it.';


--
-- Name: COLUMN deferred_indexes.dropped_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.deferred_indexes.dropped_at IS 'When it was dropped.';


--
-- Name: evaluations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.evaluations (
    id bigint NOT NULL,
    model_version text NOT NULL,
    model_name text NOT NULL,
    model_location text NOT NULL,
    dataset text NOT NULL,
    dataset_sha256 text NOT NULL,
    examples integer NOT NULL,
    max_new_tokens integer NOT NULL,
    bleu4 double precision NOT NULL,
    gleu double precision NOT NULL,
    meteor double precision NOT NULL,
    rouge_l double precision NOT NULL,
    cider double precision NOT NULL,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: evaluations_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.evaluations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: evaluations_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.evaluations_id_seq OWNED BY public.evaluations.id;


--
-- Name: runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.runs (
    id bigint NOT NULL,
    collection text NOT NULL,
    source_uri text NOT NULL,
    status text DEFAULT 'running'::text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    host text,
    pid integer,
    model_version text,
    prompt_version text,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    images_per_second double precision,
    error text,
    prompt_name text,
    plan jsonb DEFAULT '{}'::jsonb NOT NULL,
    backend_pid integer,
    model_name text,
    CONSTRAINT runs_status_check CHECK ((status = ANY (ARRAY['running'::text, 'succeeded'::text, 'failed'::text, 'interrupted'::text])))
);


--
-- Name: export_artworks; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.export_artworks AS
 SELECT c.artwork_id,
    c.object_id,
    c.title,
    c.artist,
    c.date_text,
    c.year_start,
    c.year_end,
    c.medium,
    c.metadata,
    c.image_uri,
    c.sha256,
    c.analysis_id,
    c.analysis,
    c.model_version,
    c.prompt_name,
    a.prompt_version,
    a.run_id,
    c.analysed_at,
    (r.settings ->> 'model'::text) AS model_location,
    c.aspects,
    c.terms,
    c.palette
   FROM ((public.catalog_artworks c
     JOIN public.analyses a ON ((a.id = c.analysis_id)))
     LEFT JOIN public.runs r ON ((r.id = a.run_id)));


--
-- Name: failures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.failures (
    id bigint NOT NULL,
    run_id bigint NOT NULL,
    uri text NOT NULL,
    sha256 text,
    reason text NOT NULL,
    message text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: failures_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.failures_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: failures_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.failures_id_seq OWNED BY public.failures.id;


--
-- Name: images_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.images_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: images_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.images_id_seq OWNED BY public.images.id;


--
-- Name: query_embeddings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.query_embeddings (
    query text NOT NULL,
    embedding extensions.vector(384) NOT NULL,
    model text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT query_embeddings_query_check CHECK (((query = public.catalog_query_key(query)) AND (query <> ''::text)))
);


--
-- Name: TABLE query_embeddings; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.query_embeddings IS 'Words embedded by `archive-analyzer embed` (all-MiniLM-L6-v2, 384-d), found by catalog_search_semantic_text; query is lower-cased with single spaces.';


--
-- Name: COLUMN query_embeddings.query; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.query_embeddings.query IS 'The words, lower-cased, spaces collapsed (catalog_query_key).';


--
-- Name: COLUMN query_embeddings.embedding; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.query_embeddings.embedding IS 'Unit-length 384-d sentence embedding of the words.';


--
-- Name: COLUMN query_embeddings.model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.query_embeddings.model IS 'The embedding model (all-MiniLM-L6-v2), the same that embedded the analyses.';


--
-- Name: COLUMN query_embeddings.created_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.query_embeddings.created_at IS 'When the words were embedded.';


--
-- Name: run_ledger; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.run_ledger (
    run_id bigint NOT NULL,
    uri text NOT NULL,
    seq bigint,
    object_id text,
    fingerprint text,
    metadata text,
    listed boolean DEFAULT true NOT NULL,
    outcome text,
    reports integer DEFAULT 0 NOT NULL
);


--
-- Name: TABLE run_ledger; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.run_ledger IS 'One row per image a run listed (and per stray outcome): its reference and outcome.';


--
-- Name: COLUMN run_ledger.seq; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.run_ledger.seq IS 'Order among the images sent through the stages: read tasks each take a range.';


--
-- Name: COLUMN run_ledger.reports; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.run_ledger.reports IS 'How many outcomes came back for this URI: 0 unaccounted, 1 settled, more duplicated.';


--
-- Name: runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: runs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.runs_id_seq OWNED BY public.runs.id;


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: analyses id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analyses ALTER COLUMN id SET DEFAULT nextval('public.analyses_id_seq'::regclass);


--
-- Name: analysis_reviews id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analysis_reviews ALTER COLUMN id SET DEFAULT nextval('public.analysis_reviews_id_seq'::regclass);


--
-- Name: artwork_metadata_history id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artwork_metadata_history ALTER COLUMN id SET DEFAULT nextval('public.artwork_metadata_history_id_seq'::regclass);


--
-- Name: artworks id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artworks ALTER COLUMN id SET DEFAULT nextval('public.artworks_id_seq'::regclass);


--
-- Name: evaluations id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.evaluations ALTER COLUMN id SET DEFAULT nextval('public.evaluations_id_seq'::regclass);


--
-- Name: failures id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.failures ALTER COLUMN id SET DEFAULT nextval('public.failures_id_seq'::regclass);


--
-- Name: images id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.images ALTER COLUMN id SET DEFAULT nextval('public.images_id_seq'::regclass);


--
-- Name: runs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs ALTER COLUMN id SET DEFAULT nextval('public.runs_id_seq'::regclass);


--
-- Name: analyses analyses_image_sha256_model_version_prompt_version_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analyses
    ADD CONSTRAINT analyses_image_sha256_model_version_prompt_version_key UNIQUE (image_sha256, model_version, prompt_version);


--
-- Name: analyses analyses_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analyses
    ADD CONSTRAINT analyses_pkey PRIMARY KEY (id);


--
-- Name: analysis_reviews analysis_reviews_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analysis_reviews
    ADD CONSTRAINT analysis_reviews_pkey PRIMARY KEY (id);


--
-- Name: analysis_structure analysis_structure_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analysis_structure
    ADD CONSTRAINT analysis_structure_pkey PRIMARY KEY (analysis_id);


--
-- Name: artwork_metadata_history artwork_metadata_history_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artwork_metadata_history
    ADD CONSTRAINT artwork_metadata_history_pkey PRIMARY KEY (id);


--
-- Name: artworks artworks_collection_object_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artworks
    ADD CONSTRAINT artworks_collection_object_key UNIQUE (collection, object_id);


--
-- Name: artworks artworks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artworks
    ADD CONSTRAINT artworks_pkey PRIMARY KEY (id);


--
-- Name: catalog_artist_names catalog_artist_names_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.catalog_artist_names
    ADD CONSTRAINT catalog_artist_names_pkey PRIMARY KEY (artist);


--
-- Name: collection_leases collection_leases_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_leases
    ADD CONSTRAINT collection_leases_pkey PRIMARY KEY (collection);


--
-- Name: deferred_indexes deferred_indexes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deferred_indexes
    ADD CONSTRAINT deferred_indexes_pkey PRIMARY KEY (schema_name, index_name);


--
-- Name: evaluations evaluations_model_version_dataset_sha256_max_new_tokens_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.evaluations
    ADD CONSTRAINT evaluations_model_version_dataset_sha256_max_new_tokens_key UNIQUE (model_version, dataset_sha256, max_new_tokens);


--
-- Name: evaluations evaluations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.evaluations
    ADD CONSTRAINT evaluations_pkey PRIMARY KEY (id);


--
-- Name: failures failures_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.failures
    ADD CONSTRAINT failures_pkey PRIMARY KEY (id);


--
-- Name: failures failures_run_id_uri_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.failures
    ADD CONSTRAINT failures_run_id_uri_key UNIQUE (run_id, uri);


--
-- Name: image_contents image_contents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.image_contents
    ADD CONSTRAINT image_contents_pkey PRIMARY KEY (uri, sha256);


--
-- Name: image_features image_features_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.image_features
    ADD CONSTRAINT image_features_pkey PRIMARY KEY (image_sha256);


--
-- Name: images images_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.images
    ADD CONSTRAINT images_pkey PRIMARY KEY (id);


--
-- Name: images images_uri_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.images
    ADD CONSTRAINT images_uri_key UNIQUE (uri);


--
-- Name: models models_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.models
    ADD CONSTRAINT models_pkey PRIMARY KEY (version);


--
-- Name: palette_colors palette_colors_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.palette_colors
    ADD CONSTRAINT palette_colors_pkey PRIMARY KEY (image_sha256, rank);


--
-- Name: query_embeddings query_embeddings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.query_embeddings
    ADD CONSTRAINT query_embeddings_pkey PRIMARY KEY (query);


--
-- Name: run_ledger run_ledger_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_ledger
    ADD CONSTRAINT run_ledger_pkey PRIMARY KEY (run_id, uri);


--
-- Name: runs runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_pkey PRIMARY KEY (id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: search_entries search_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_entries
    ADD CONSTRAINT search_entries_pkey PRIMARY KEY (uri, analysis_id);


--
-- Name: analyses_one_current_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX analyses_one_current_idx ON public.analyses USING btree (image_sha256, prompt_name) WHERE is_current;


--
-- Name: analysis_reviews_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX analysis_reviews_created_idx ON public.analysis_reviews USING btree (created_at DESC, id DESC);


--
-- Name: analysis_reviews_latest_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX analysis_reviews_latest_idx ON public.analysis_reviews USING btree (analysis_id, created_at DESC, id DESC);


--
-- Name: artwork_metadata_history_artwork_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artwork_metadata_history_artwork_idx ON public.artwork_metadata_history USING btree (artwork_id);


--
-- Name: artworks_artist_object_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artworks_artist_object_idx ON public.artworks USING btree (artist, object_id);


--
-- Name: artworks_artist_trgm_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artworks_artist_trgm_idx ON public.artworks USING gin (artist extensions.gin_trgm_ops);


--
-- Name: artworks_medium_trgm_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artworks_medium_trgm_idx ON public.artworks USING gin (medium extensions.gin_trgm_ops);


--
-- Name: artworks_title_trgm_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artworks_title_trgm_idx ON public.artworks USING gin (title extensions.gin_trgm_ops);


--
-- Name: artworks_years_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artworks_years_idx ON public.artworks USING btree (year_start, year_end);


--
-- Name: catalog_artist_names_trgm_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX catalog_artist_names_trgm_idx ON public.catalog_artist_names USING gin (artist extensions.gin_trgm_ops);


--
-- Name: evaluations_model_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX evaluations_model_idx ON public.evaluations USING btree (model_version, created_at DESC);


--
-- Name: failures_uri_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX failures_uri_idx ON public.failures USING btree (uri);


--
-- Name: image_contents_sha256_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX image_contents_sha256_idx ON public.image_contents USING btree (sha256);


--
-- Name: images_artwork_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX images_artwork_idx ON public.images USING btree (artwork_id);


--
-- Name: images_sha256_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX images_sha256_idx ON public.images USING btree (sha256);


--
-- Name: palette_colors_css_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX palette_colors_css_name_idx ON public.palette_colors USING btree (css_name);


--
-- Name: palette_colors_key_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX palette_colors_key_idx ON public.palette_colors USING hnsw (((public.catalog_color_key(l, a, b, share))::extensions.vector(4)) extensions.vector_l2_ops) WITH (m='8', ef_construction='32');


--
-- Name: run_ledger_seq; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX run_ledger_seq ON public.run_ledger USING btree (run_id, seq) WHERE (seq IS NOT NULL);


--
-- Name: runs_running_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX runs_running_idx ON public.runs USING btree (collection) WHERE (status = 'running'::text);


--
-- Name: runs_started_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX runs_started_idx ON public.runs USING btree (started_at DESC);


--
-- Name: search_entries_artist_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX search_entries_artist_idx ON public.search_entries USING btree (artist, object_id);


--
-- Name: search_entries_artwork_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX search_entries_artwork_idx ON public.search_entries USING btree (artwork_id);


--
-- Name: search_entries_embedding_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX search_entries_embedding_idx ON public.search_entries USING hnsw (embedding extensions.vector_cosine_ops) WITH (m='16', ef_construction='128');


--
-- Name: search_entries_match_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX search_entries_match_idx ON public.search_entries USING gin (doc, artist extensions.gin_trgm_ops, medium extensions.gin_trgm_ops, year_start, year_end, aspects, terms);


--
-- Name: search_entries_object_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX search_entries_object_idx ON public.search_entries USING btree (object_id, collection, uri);


--
-- Name: search_entries_sha_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX search_entries_sha_idx ON public.search_entries USING btree (sha256);


--
-- Name: search_entries_title_trgm_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX search_entries_title_trgm_idx ON public.search_entries USING gist (title extensions.gist_trgm_ops (siglen='256'));


--
-- Name: analysis_reviews analysis_reviews_reindex; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER analysis_reviews_reindex AFTER INSERT ON public.analysis_reviews FOR EACH ROW EXECUTE FUNCTION public.catalog_review_reindex();


--
-- Name: analysis_structure analysis_structure_document; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER analysis_structure_document BEFORE INSERT OR UPDATE ON public.analysis_structure FOR EACH ROW EXECUTE FUNCTION public.catalog_structure_document();


--
-- Name: artworks artworks_note_artist; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER artworks_note_artist AFTER INSERT OR UPDATE OF artist ON public.artworks FOR EACH ROW EXECUTE FUNCTION public.catalog_note_artist();


--
-- Name: artworks artworks_record_history; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER artworks_record_history AFTER UPDATE OF title, artist, date_text, medium ON public.artworks FOR EACH ROW EXECUTE FUNCTION public.artworks_record_history();


--
-- Name: evaluations evaluations_note_model; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER evaluations_note_model AFTER INSERT OR UPDATE ON public.evaluations FOR EACH ROW EXECUTE FUNCTION public.models_note_evaluation();


--
-- Name: models models_name_runs; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER models_name_runs AFTER INSERT OR UPDATE OF name ON public.models FOR EACH ROW EXECUTE FUNCTION public.runs_model_name();


--
-- Name: runs runs_note_model; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER runs_note_model AFTER INSERT OR UPDATE OF model_version ON public.runs FOR EACH ROW EXECUTE FUNCTION public.models_note_run();


--
-- Name: analyses search_entries_analyses_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_entries_analyses_update AFTER UPDATE ON public.analyses REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.search_entries_note_analyses();


--
-- Name: artworks search_entries_artworks_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_entries_artworks_update AFTER UPDATE ON public.artworks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.search_entries_note_artworks();


--
-- Name: images search_entries_images_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_entries_images_delete AFTER DELETE ON public.images REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.search_entries_note_images();


--
-- Name: images search_entries_images_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_entries_images_insert AFTER INSERT ON public.images REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.search_entries_note_images();


--
-- Name: images search_entries_images_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_entries_images_update AFTER UPDATE ON public.images REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.search_entries_note_images();


--
-- Name: analysis_structure search_entries_structure_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_entries_structure_delete AFTER DELETE ON public.analysis_structure REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.search_entries_note_structure();


--
-- Name: analysis_structure search_entries_structure_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_entries_structure_insert AFTER INSERT ON public.analysis_structure REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.search_entries_note_structure();


--
-- Name: analysis_structure search_entries_structure_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_entries_structure_update AFTER UPDATE ON public.analysis_structure REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.search_entries_note_structure();


--
-- Name: analyses analyses_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analyses
    ADD CONSTRAINT analyses_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE SET NULL;


--
-- Name: analysis_reviews analysis_reviews_analysis_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analysis_reviews
    ADD CONSTRAINT analysis_reviews_analysis_id_fkey FOREIGN KEY (analysis_id) REFERENCES public.analyses(id) ON DELETE CASCADE;


--
-- Name: analysis_structure analysis_structure_analysis_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.analysis_structure
    ADD CONSTRAINT analysis_structure_analysis_id_fkey FOREIGN KEY (analysis_id) REFERENCES public.analyses(id) ON DELETE CASCADE;


--
-- Name: artwork_metadata_history artwork_metadata_history_artwork_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artwork_metadata_history
    ADD CONSTRAINT artwork_metadata_history_artwork_id_fkey FOREIGN KEY (artwork_id) REFERENCES public.artworks(id) ON DELETE CASCADE;


--
-- Name: artwork_metadata_history artwork_metadata_history_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artwork_metadata_history
    ADD CONSTRAINT artwork_metadata_history_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE SET NULL;


--
-- Name: artworks artworks_last_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artworks
    ADD CONSTRAINT artworks_last_run_id_fkey FOREIGN KEY (last_run_id) REFERENCES public.runs(id) ON DELETE SET NULL;


--
-- Name: collection_leases collection_leases_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_leases
    ADD CONSTRAINT collection_leases_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE SET NULL;


--
-- Name: deferred_indexes deferred_indexes_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deferred_indexes
    ADD CONSTRAINT deferred_indexes_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE SET NULL;


--
-- Name: failures failures_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.failures
    ADD CONSTRAINT failures_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE CASCADE;


--
-- Name: image_contents image_contents_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.image_contents
    ADD CONSTRAINT image_contents_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE SET NULL;


--
-- Name: images images_artwork_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.images
    ADD CONSTRAINT images_artwork_id_fkey FOREIGN KEY (artwork_id) REFERENCES public.artworks(id) ON DELETE SET NULL;


--
-- Name: images images_last_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.images
    ADD CONSTRAINT images_last_run_id_fkey FOREIGN KEY (last_run_id) REFERENCES public.runs(id) ON DELETE SET NULL;


--
-- Name: palette_colors palette_colors_image_sha256_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.palette_colors
    ADD CONSTRAINT palette_colors_image_sha256_fkey FOREIGN KEY (image_sha256) REFERENCES public.image_features(image_sha256) ON DELETE CASCADE;


--
-- Name: run_ledger run_ledger_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_ledger
    ADD CONSTRAINT run_ledger_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


