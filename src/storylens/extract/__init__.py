"""Extract/clean stage: RawDoc -> Article (HTML main text, plain-text line cleaner)."""
