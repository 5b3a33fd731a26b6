"""Stage 6, whole jobs: one job spec, run through every stage in order (sprite set updates)."""
