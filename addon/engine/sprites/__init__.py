"""Stage 3, palette → sprites: the run over all frames (workers, spool), writing sprites, the character, the report."""
