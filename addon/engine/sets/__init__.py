"""Stage 4, sprites → a set: facings, actions and the set manifest."""
