"""Colour spaces (CIELAB, DIN99o, ΔE2000), the palette type and nearest-colour search, used by every later stage."""
