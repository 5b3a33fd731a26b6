"""Scripts run inside Blender, by path: in a process where ``bpy`` is a module, or in Debian's ``blender -b``
(``blender_jobs`` runs them). Each takes one JSON object as its last argument, after ``--``."""
