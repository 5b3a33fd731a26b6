"""Stage 2, small frames → palette: sampling, the fit (k-means, mixture), remapping, majority sampling, files."""
