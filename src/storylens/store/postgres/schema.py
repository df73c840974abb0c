"""Versioned schema migrations for the PostgreSQL store.

The same tables and columns as the SQLite store (``store/migrations.py``), in PostgreSQL's
types: times of articles are ``timestamptz``; ids, sources and URLs use the "C" collation
so prefix ranges (``get_article`` by prefix, ``find_articles`` by file) mean bytes, as on
SQLite, whatever the database's locale. ``MIGRATIONS[i]`` takes the schema from version
``i`` to ``i + 1``; the version lives in the ``schema_version`` table. Never edit a
released migration: append a new one.

Full-text search: each article's title and text are indexed as a ``tsvector`` in the text
search configuration of its language (``storylens_ts_config(lang)``: English stemming
for ``en``, French for ``fr`` ... and ``simple`` for languages PostgreSQL has no
configuration for, e.g. Chinese or Hebrew). A query is parsed by every configuration in
use and the results OR-ed (``storylens_tsquery``), so "ministers" finds an English
article indexed as "minist" and a Turkish one indexed as "ministers", and the GIN index
still serves it (the query is a constant).
"""

from __future__ import annotations

from collections.abc import Iterable

TS_CONFIGS: dict[str, str] = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish",
    "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian",
    "nb": "norwegian", "nn": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "es": "spanish", "sv": "swedish", "ta": "tamil",
    "tr": "turkish", "yi": "yiddish",
}
"""ISO 639-1 language code -> PostgreSQL text search configuration (PostgreSQL 13+ ships
all of them); any other language is indexed with ``simple`` (lower-cased words, no
stemming)."""

FTS_MAX_CHARS = 250_000
"""Characters of title + text indexed per article: a ``tsvector`` is capped at 1 MB, and
a longer article would be refused whole rather than indexed in part."""


def ts_functions(available: Iterable[str]) -> str:
    """SQL creating ``storylens_ts_config(lang)`` and ``storylens_tsquery(q)`` over the
    configurations of ``TS_CONFIGS`` that this server has (``available``)."""
    have = set(available)
    pairs = sorted((code, cfg) for code, cfg in TS_CONFIGS.items() if cfg in have)
    cases = " ".join(f"WHEN '{code}' THEN '{cfg}'::regconfig" for code, cfg in pairs)
    configs = ["simple", *sorted({cfg for _, cfg in pairs})]
    ors = " || ".join(f"websearch_to_tsquery('{cfg}'::regconfig, q)" for cfg in configs)
    return (
        "CREATE OR REPLACE FUNCTION storylens_ts_config(lang text) RETURNS regconfig "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE lang {cases} "
        "ELSE 'simple'::regconfig END $$;\n"
        "CREATE OR REPLACE FUNCTION storylens_tsquery(q text) RETURNS tsquery "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {ors} $$;\n"
    )


_CHANGE_TRIGGERS = """
CREATE TABLE changes (id integer PRIMARY KEY CHECK (id = 1), n bigint NOT NULL);
INSERT INTO changes VALUES (1, 0);
CREATE FUNCTION storylens_bump_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed_rows) THEN
        UPDATE changes SET n = n + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;
""" + "".join(
    f"CREATE TRIGGER changes_{t}_{op.lower()} AFTER {op} ON {t} "
    f"REFERENCING {'OLD' if op == 'DELETE' else 'NEW'} TABLE AS changed_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION storylens_bump_changes();\n"
    for t in ("articles", "article_clusters", "clusters")
    for op in ("INSERT", "UPDATE", "DELETE"))
"""The change counter behind ``change_count()``: statement triggers that move it once
per statement that changed at least one row of what the pages show (an insert that
``ON CONFLICT DO NOTHING`` skipped moves nothing). One row, updated inside the writer's
transaction, so readers see the new count exactly when the change commits."""

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: articles with their full-text index, and per-outlet line counts (the cleaner)
    "{ts_functions}" + f"""
    CREATE TABLE articles (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text COLLATE "C" NOT NULL UNIQUE,
        source text COLLATE "C" NOT NULL,
        url text COLLATE "C",
        outlet text,
        title text NOT NULL,
        text text NOT NULL,
        raw text NOT NULL,
        raw_format text NOT NULL,
        published timestamptz,
        published_source text NOT NULL,
        lang text,
        lang_score double precision NOT NULL DEFAULT 0,
        removed text NOT NULL,
        warnings text NOT NULL,
        content_hash text NOT NULL,
        ingested_at timestamptz NOT NULL,
        sort_time timestamptz NOT NULL,
        fts tsvector GENERATED ALWAYS AS (to_tsvector(storylens_ts_config(lang),
            left(title || ' ' || text, {FTS_MAX_CHARS}))) STORED
    );
    CREATE INDEX ix_articles_lang ON articles(lang);
    CREATE INDEX ix_articles_outlet ON articles(outlet);
    CREATE INDEX ix_articles_sort_time ON articles(sort_time, seq);
    CREATE INDEX ix_articles_content_hash ON articles(content_hash);
    CREATE INDEX ix_articles_source ON articles(source);
    CREATE INDEX ix_articles_url ON articles(url);
    CREATE INDEX ix_articles_fts ON articles USING gin(fts);
    CREATE TABLE outlet_lines (
        outlet text NOT NULL,
        key text NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (outlet, key)
    );
    """,
    # 1 -> 2: what linking stores (representations, document frequencies, assignments,
    # event/storyline summaries, the clusterer's snapshots), what compare reuses, settings
    """
    CREATE TABLE article_repr (
        article_id text COLLATE "C" PRIMARY KEY,
        text_hash text NOT NULL,
        model text NOT NULL,
        dense bytea NOT NULL,
        title_vec text NOT NULL,
        body_vec text NOT NULL,
        names text NOT NULL,
        numbers text NOT NULL,
        minhash bytea NOT NULL
    );
    CREATE TABLE lex_df (feature bigint PRIMARY KEY, n bigint NOT NULL);
    CREATE TABLE kv (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE article_clusters (
        article_id text COLLATE "C" PRIMARY KEY,
        event_id text NOT NULL,
        storyline_id text NOT NULL,
        duplicate_of text,
        event_score double precision NOT NULL,
        storyline_score double precision NOT NULL,
        undated boolean NOT NULL,
        seq bigint NOT NULL,
        placed_time double precision NOT NULL
    );
    CREATE INDEX ix_ac_event ON article_clusters(event_id);
    CREATE INDEX ix_ac_storyline ON article_clusters(storyline_id);
    CREATE INDEX ix_ac_seq ON article_clusters(seq);
    CREATE TABLE clusters (
        id text PRIMARY KEY,
        level text NOT NULL,
        storyline_id text,
        title text NOT NULL,
        size integer NOT NULL,
        n_copies integer NOT NULL,
        n_events integer NOT NULL,
        first_time timestamptz,
        last_time timestamptz,
        langs text NOT NULL,
        outlets text NOT NULL,
        updated_at timestamptz NOT NULL,
        active_from double precision NOT NULL,
        active_to double precision NOT NULL
    );
    CREATE INDEX ix_clusters_level_last ON clusters(level, last_time);
    CREATE INDEX ix_clusters_active ON clusters(level, active_to);
    CREATE INDEX ix_clusters_storyline ON clusters(storyline_id);
    CREATE TABLE cluster_state (
        model text NOT NULL,
        id text NOT NULL,
        last_time double precision NOT NULL,
        state bytea NOT NULL,
        PRIMARY KEY (model, id)
    );
    CREATE INDEX ix_cluster_state_last ON cluster_state(model, last_time);
    CREATE TABLE enrichments (key text PRIMARY KEY, data text NOT NULL);
    CREATE TABLE sentence_vectors (
        model text NOT NULL,
        key text NOT NULL,
        vec bytea NOT NULL,
        PRIMARY KEY (model, key)
    );
    """,
    # 2 -> 3: the change counter, followed sources and the fetch log
    _CHANGE_TRIGGERS + """
    CREATE TABLE sources (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        url text NOT NULL UNIQUE,
        kind text NOT NULL,
        title text,
        added_at text NOT NULL,
        interval_s double precision NOT NULL,
        last_fetch text,
        last_status text,
        articles integer NOT NULL DEFAULT 0,
        etag text,
        last_modified text
    );
    CREATE TABLE fetch_failures (
        url text PRIMARY KEY,
        failures integer NOT NULL,
        last_failure text NOT NULL,
        retry_at text NOT NULL,
        reason text NOT NULL,
        transient boolean NOT NULL
    );
    """,
    # 3 -> 4: clusters folded into another keep their ids as aliases
    """
    CREATE TABLE cluster_alias (
        id text COLLATE "C" PRIMARY KEY,
        into_id text COLLATE "C" NOT NULL,
        merged_at text NOT NULL
    );
    CREATE INDEX ix_cluster_alias_into ON cluster_alias(into_id);
    """,
    # 4 -> 5: what indexing a storyline snapshot needs, in a table of its own (see the
    # SQLite store's step 9 -> 10); snapshots saved before get their row on first restore
    """
    CREATE TABLE cluster_index (
        model text NOT NULL,
        id text NOT NULL,
        last_time double precision NOT NULL,
        centroid bytea NOT NULL,
        span_first double precision NOT NULL,
        span_last double precision NOT NULL,
        names text NOT NULL,
        name_keys bytea NOT NULL,
        drop_keys bytea NOT NULL,
        compact_noop boolean NOT NULL,
        PRIMARY KEY (model, id)
    );
    CREATE INDEX ix_cluster_index_last ON cluster_index(model, last_time);
    CREATE INDEX ix_cluster_index_id ON cluster_index(id);
    """,
    # 5 -> 6: each site's robots.txt with its fetch time (see the SQLite store's 10 -> 11)
    """
    CREATE TABLE robots_txt (
        site text PRIMARY KEY,
        verdict text NOT NULL,
        fetched_at text NOT NULL,
        body text NOT NULL
    );
    """,
)
"""Schema steps; ``{ts_functions}`` in a step is replaced by ``ts_functions(...)`` for
the server at hand. Source times are ISO text, exactly as SQLite keeps them."""

SCHEMA_VERSION = len(MIGRATIONS)
