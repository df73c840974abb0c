"""Ingest stage: files, directories, stdin -> RawDoc (later: URLs, feeds, WARC)."""
