"""Enrich stage: language, dates, outlets (entities, numbers and quotes come later)."""
