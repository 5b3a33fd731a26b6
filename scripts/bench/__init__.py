"""The benchmark: speed, memory and quality of Pixel Sprites against references measured in the same run.

``run`` runs the sections and writes one results JSON; ``tables`` makes the tables of docs/performance.md from
it. The sections
measure in ``speed``, ``spool``, ``decoders``, ``quality``, ``sampling``, ``rendering``, ``sheets``,
``variants`` and ``frame_list``; pipelines they time run in fresh processes (``pipelines``), Blender's part in
the scripts of ``in_blender`` (``blender_jobs`` and ``frame_list`` run them), and every memory figure comes from
``process_memory``.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository, where the pipelines' processes start
