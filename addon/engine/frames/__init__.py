"""Stage 1, frames → small frames: finding the source frames, decoding PNGs, downscaling with binary alpha."""
