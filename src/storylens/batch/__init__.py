"""Archive backfill on an engine: ``storylens batch`` (see ``driver`` for the design)."""
