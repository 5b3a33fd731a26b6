"""Stage 5, sprites and sets → files for game engines: layout, sheets, JSON, Godot, Aseprite, previews, the grid."""
