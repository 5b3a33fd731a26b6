"""Scripts run inside Blender, by path: in a process where ``bpy`` is a module (``blender_jobs.run_in_bpy``), or in
Debian's ``blender -b`` (``frame_list``). Each takes one JSON object as its last argument, after ``--``."""
