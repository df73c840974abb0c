"""Versioned schema migrations for the SQLite store.

``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``; the version lives in
``PRAGMA user_version``. Never edit a released migration: append a new one.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: articles, their full-text index, and per-outlet line counts for the cleaner
    """
    CREATE TABLE articles (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        url TEXT,
        outlet TEXT,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        raw TEXT NOT NULL,
        raw_format TEXT NOT NULL,
        published TEXT,
        published_source TEXT NOT NULL,
        lang TEXT,
        lang_score REAL NOT NULL DEFAULT 0,
        removed TEXT NOT NULL,
        warnings TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        sort_time TEXT NOT NULL
    );
    CREATE INDEX ix_articles_lang ON articles(lang);
    CREATE INDEX ix_articles_outlet ON articles(outlet);
    CREATE INDEX ix_articles_sort_time ON articles(sort_time);
    CREATE INDEX ix_articles_content_hash ON articles(content_hash);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='rowid', tokenize='unicode61'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TABLE outlet_lines (
        outlet TEXT NOT NULL,
        key TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (outlet, key)
    ) WITHOUT ROWID;
    """,
    # 1 -> 2: stored representations, running document frequencies, event/storyline clusters
    """
    CREATE TABLE article_repr (
        article_id TEXT PRIMARY KEY,
        text_hash TEXT NOT NULL,
        model TEXT NOT NULL,
        dense BLOB NOT NULL,
        title_vec TEXT NOT NULL,
        body_vec TEXT NOT NULL,
        names TEXT NOT NULL,
        numbers TEXT NOT NULL,
        minhash BLOB NOT NULL
    );
    CREATE TABLE lex_df (feature INTEGER PRIMARY KEY, n INTEGER NOT NULL);
    CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE article_clusters (
        article_id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,
        storyline_id TEXT NOT NULL,
        duplicate_of TEXT,
        event_score REAL NOT NULL,
        storyline_score REAL NOT NULL,
        undated INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        placed_time REAL NOT NULL
    );
    CREATE INDEX ix_ac_event ON article_clusters(event_id);
    CREATE INDEX ix_ac_storyline ON article_clusters(storyline_id);
    CREATE TABLE clusters (
        id TEXT PRIMARY KEY,
        level TEXT NOT NULL,
        storyline_id TEXT,
        title TEXT NOT NULL,
        size INTEGER NOT NULL,
        n_copies INTEGER NOT NULL,
        n_events INTEGER NOT NULL,
        first_time TEXT,
        last_time TEXT,
        langs TEXT NOT NULL,
        outlets TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        active_from REAL NOT NULL,
        active_to REAL NOT NULL
    );
    CREATE INDEX ix_clusters_level_last ON clusters(level, last_time);
    CREATE INDEX ix_clusters_active ON clusters(level, active_to);
    CREATE INDEX ix_clusters_storyline ON clusters(storyline_id);
    """,
    # 2 -> 3: compact snapshots of the clusterer's long-lived (storyline) states, so a new
    # process restores them instead of replaying months of articles
    """
    CREATE TABLE cluster_state (
        model TEXT NOT NULL,
        id TEXT NOT NULL,
        last_time REAL NOT NULL,
        state BLOB NOT NULL,
        PRIMARY KEY (model, id)
    ) WITHOUT ROWID;
    CREATE INDEX ix_cluster_state_last ON cluster_state(model, last_time);
    """,
    # 3 -> 4: what compare and story coverage compute once and reuse (content-addressed
    # enrichments and sentence vectors), and lookups of an article by its source or URL
    """
    CREATE TABLE enrichments (
        key TEXT PRIMARY KEY,
        data TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE sentence_vectors (
        model TEXT NOT NULL,
        key TEXT NOT NULL,
        vec BLOB NOT NULL,
        PRIMARY KEY (model, key)
    ) WITHOUT ROWID;
    CREATE INDEX ix_articles_source ON articles(source);
    CREATE INDEX ix_articles_url ON articles(url);
    """,
    # 4 -> 5: a change counter over what the pages show (articles, assignments, story
    # summaries), bumped by triggers so every writer counts, whatever its code path; the
    # server keys its page cache on it
    """
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        n INTEGER NOT NULL
    );
    INSERT INTO changes VALUES (1, 0);
    """ + "".join(
        f"CREATE TRIGGER changes_{t}_{op.lower()} AFTER {op} ON {t} BEGIN "
        "UPDATE changes SET n = n + 1 WHERE id = 1; END;\n"
        for t in ("articles", "article_clusters", "clusters")
        for op in ("INSERT", "UPDATE", "DELETE")),
    # 5 -> 6: followed sources (feeds, sitemaps, pages) and what their last poll found
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        url TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        title TEXT,
        added_at TEXT NOT NULL,
        interval_s REAL NOT NULL,
        last_fetch TEXT,
        last_status TEXT,
        articles INTEGER NOT NULL DEFAULT 0,
        etag TEXT,
        last_modified TEXT
    );
    """,
    # 6 -> 7: the fetch log: URLs that failed, left alone until retry_at (backoff)
    """
    CREATE TABLE fetch_failures (
        url TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        last_failure TEXT NOT NULL,
        retry_at TEXT NOT NULL,
        reason TEXT NOT NULL,
        transient INTEGER NOT NULL
    );
    """,
    # 7 -> 8: clusters folded into another (a young event or storyline found to belong to
    # an older one): their old ids keep answering, as the cluster they became
    """
    CREATE TABLE cluster_alias (
        id TEXT PRIMARY KEY,
        into_id TEXT NOT NULL,
        merged_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX ix_cluster_alias_into ON cluster_alias(into_id);
    """,
    # 8 -> 9: what a cluster run reads at start-up, found without scanning the archive:
    # the next assignment number and the stream clock by index, and the articles still
    # to cluster in a table kept by triggers (an anti-join over every article costs
    # seconds at 10^6)
    """
    CREATE INDEX ix_ac_seq ON article_clusters(seq);
    CREATE INDEX ix_ac_placed ON article_clusters(placed_time);
    CREATE TABLE unclustered (article_id TEXT PRIMARY KEY) WITHOUT ROWID;
    INSERT INTO unclustered SELECT a.id FROM articles a LEFT JOIN article_clusters c
        ON c.article_id = a.id WHERE c.article_id IS NULL;
    CREATE TRIGGER unclustered_article_in AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO unclustered VALUES (new.id); END;
    CREATE TRIGGER unclustered_article_out AFTER DELETE ON articles BEGIN
        DELETE FROM unclustered WHERE article_id = old.id; END;
    CREATE TRIGGER unclustered_assigned AFTER INSERT ON article_clusters BEGIN
        DELETE FROM unclustered WHERE article_id = new.article_id; END;
    CREATE TRIGGER unclustered_unassigned AFTER DELETE ON article_clusters BEGIN
        INSERT OR IGNORE INTO unclustered SELECT id FROM articles WHERE id = old.article_id;
        END;
    """,
    # 9 -> 10: beside each storyline snapshot, what indexing it needs (unit centroid,
    # placement span, names and their 64-bit keys, the keys compacting would drop), in a
    # narrow table of its own (columns added to cluster_state would sit after its
    # snapshot blob, and reading them walks the blob's overflow pages; a rowid table,
    # whose rows of ~1-2 KB fit a leaf page where a WITHOUT ROWID one spills them), so a
    # restore reads these and fetches a snapshot only when the storyline is first read.
    # Snapshots saved before have no row here: the first restore that reads them adds it
    # (``put_cluster_index``).
    """
    CREATE TABLE cluster_index (
        model TEXT NOT NULL,
        id TEXT NOT NULL,
        last_time REAL NOT NULL,
        centroid BLOB NOT NULL,
        span_first REAL NOT NULL,
        span_last REAL NOT NULL,
        names TEXT NOT NULL,
        name_keys BLOB NOT NULL,
        drop_keys BLOB NOT NULL,
        compact_noop INTEGER NOT NULL,
        UNIQUE (model, id)
    );
    CREATE INDEX ix_cluster_index_last ON cluster_index(model, last_time);
    CREATE INDEX ix_cluster_index_id ON cluster_index(id);
    """,
    # 10 -> 11: each site's robots.txt (or "none" / "unreachable") with its fetch time,
    # so a `watch --once` from cron asks a site for it at most once a day, not each run
    """
    CREATE TABLE robots_txt (
        site TEXT PRIMARY KEY,
        verdict TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        body TEXT NOT NULL
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
