"""Link stage: near-duplicates, same-event decisions, online event clustering, storylines."""
