"""One Markdown renderer per section of a results JSON, laid out as docs/performance.md's Performance and Quality
sections lay out their figures."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .game_data import game_data_table
from .preview import preview_table
from .safety import safety_table
from .steady import steady_table

MIB = 1024 * 1024
PIPELINE_NAMES = {
    "decode_only": "decode-only pass (Pillow, {workers} processes)",
    "original": "original pipeline (re-implemented)",
    "pixel_sprites": "**Pixel Sprites** (`process`, {workers} worker processes)",
}
DECODER_NAMES = {
    "pillow": "Pillow",
    "pyspng": "pyspng (libspng)",
    "imagecodecs": "imagecodecs (libpng)",
    "opencv": "OpenCV",
    "pixel_sprites": "**Pixel Sprites** (libdeflate, then libspng)",
}
OTHER_QUANTISERS = {"pillow_median_cut": "Pillow's median cut", "libimagequant": "libimagequant"}


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric_from: int = 1) -> str:
    """A Markdown table, its columns from ``numeric_from`` on right-aligned."""
    rule = ["---" if index < numeric_from else "---:" for index in range(len(headers))]
    lines = [headers, rule, *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def spread_text(values: Sequence[float], digits: int = 2) -> str:
    return ", ".join(f"{value:.{digits}f}x" for value in values)


def span(values: Iterable[float], digits: int = 2, unit: str = "") -> str:
    """``min–max`` of ``values``, or the one value when they are all equal at that precision."""
    listed = list(values)
    low, high = f"{min(listed):.{digits}f}", f"{max(listed):.{digits}f}"
    return f"{low}{unit}" if low == high else f"{low}–{high}{unit}"


def runs_text(runs: int) -> str:
    return f"Medians of {runs} runs in turn" if runs > 1 else "One run"


def speed(data: dict[str, Any]) -> str:
    jobs, workers = data["jobs"], data["workers"]
    width, height = data["render_size"]
    sprite_width, sprite_height = data["sprite_size"]
    headers = [f"{width}x{height} → {sprite_width}x{sprite_height}, {data['target_colours']}-colour target palette"]
    for job in jobs:
        headers += [f"{job['frames']:,} frames: ms per frame", f"{job['frames']:,} frames: seconds (min–max)"]
    headers.append(f"peak memory ({jobs[0]['frames']:,} frames)")
    rows = []
    for name, label in PIPELINE_NAMES.items():
        row = [label.format(workers=workers)]
        for job in jobs:
            pipeline = job["pipelines"][name]
            low, high = pipeline["seconds_spread"]["min"], pipeline["seconds_spread"]["max"]
            row += [f"{pipeline['ms_per_frame_median']:.2f}", f"{low:.2f}–{high:.2f}"]
        row.append(f"{jobs[0]['pipelines'][name]['peak_rss_bytes_max'] / MIB:,.0f} MiB")
        rows.append(row)
    lines = [
        f"{runs_text(data['runs'])}; {workers} workers (the engine's default: "
        f"{data['engine_default_workers']}); memory is each pipeline's process tree at its peak.",
        "",
        table(headers, rows),
        "",
    ]
    for job in jobs:
        speed_up, over_decode = job["ratios"]["speed_up_over_original"], job["ratios"]["time_over_decode_only"]
        lines.append(
            f"- **{job['frames']:,} frames: {speed_up['of_medians']:.2f}x faster than the original pipeline** "
            f"(run by run {spread_text(speed_up['by_run'])}) and **{over_decode['of_medians']:.2f}x the time of a "
            f"Pillow decode-only pass** ({spread_text(over_decode['by_run'])})."
        )
        phases = job["pipelines"]["pixel_sprites"].get("phases_median")
        if phases:
            named = {"read": "reading", "fit": "the palette fit", "write": "writing", "total": "in all"}
            where = ", ".join(f"{named.get(phase, phase)} {seconds:.2f} s" for phase, seconds in phases.items())
            lines.append(f"  Where Pixel Sprites' time goes (`Report.timings`, medians): {where}.")
    return "\n".join(lines)


def memory(data: dict[str, Any]) -> str:
    width, height = data["render_size"]
    return (
        f"**Memory**: Pixel Sprites on **{data['frames']:,} frames** ({width}x{height}, {data['workers']} worker "
        f"processes) peaks at **{data['peak_rss_bytes'] / MIB:,.0f} MiB** for its process tree, "
        f"{data['ms_per_frame']:.2f} ms per frame."
    )


def spool(data: dict[str, Any]) -> str:
    where = {"default": "default: the output folder", "shm": "--spool-dir in /dev/shm", "disk": "--spool-dir on disk"}
    headers = ["spool", "wall s", "tree RSS MiB", "+ /dev/shm MiB", "RSS + shm MiB", "time vs shm", "memory vs shm"]
    rows = []
    for name, way in data["ways"].items():
        ratios = data["ratios"].get(name, {"time": 1.0, "memory": 1.0})
        rows.append([
            where.get(name, name), f"{way['seconds']:.1f}", f"{way['peak_rss_bytes'] / MIB:,.0f}",
            f"{way['peak_shm_bytes'] / MIB:,.0f}", f"{way['peak_rss_plus_shm_bytes'] / MIB:,.0f}",
            f"{ratios['time']:.2f}x", f"{ratios['memory']:.2f}x",
        ])  # fmt: skip
    width, height = data["frame_size"]
    return (
        f"{data['frames']:,} frames, {width}x{height} → {data['sprite_size'][0]}x{data['sprite_size'][1]}, "
        f"{data['colours']} colours; load average {data['load_average_before']:.2f} before, "
        f"{data['load_average_after']:.2f} after:\n\n" + table(headers, rows)
    )


def decoders(data: dict[str, Any]) -> str:
    workers = data["workers"]
    headers = ["decoder", "one core", f"{workers} threads", f"{workers} processes", f"vs Pillow, {workers} processes"]
    rows = [
        [DECODER_NAMES.get(name, name), f"{row['one_core_ms']:.2f}", f"{row['threads_ms']:.2f}",
         f"{row['processes_ms']:.2f}", f"{row['processes_over_pillow_processes']:.2f}"]
        for name, row in data["decoders"].items()
    ]  # fmt: skip
    return f"ms per frame, over {data['frames']} decodes of the base frames:\n\n" + table(headers, rows)


def others_against_reference(characters: dict[str, Any]) -> str:
    """The span, over every character and count, of each other quantiser's error over the reference's."""
    ratios: dict[str, list[float]] = {}
    for character in characters.values():
        for row in character["counts"].values():
            for key, value in row["others_over_reference"].items():
                ratios.setdefault(key, []).append(value)
    return ", ".join(f"{OTHER_QUANTISERS.get(key, key)} {span(values)}x" for key, values in ratios.items())


def automatic_counts(characters: dict[str, Any]) -> str:
    auto = [(name, character["auto"]) for name, character in characters.items()]
    meanshift = [character["original_meanshift"] for character in characters.values()]
    fit_time = span((row["fit_seconds"] for _, row in auto), 1, " s")
    return (
        f"With the automatic count the fit takes {fit_time} and picks "
        + ", ".join(f"{row['colours']} ({name})" for name, row in auto)
        + " colours, with errors of "
        + ", ".join(f"{row['delta_e']:.2f}" for _, row in auto)
        + "; the original MeanShift setting picks "
        + ", ".join(str(row["colours"]) for row in meanshift)
        + " colours, with errors of "
        + ", ".join(f"{row['delta_e']:.2f}" for row in meanshift)
        + "."
    )


def quality(data: dict[str, Any]) -> str:
    characters = data["characters"]
    counts = list(next(iter(characters.values()))["counts"])
    rows = []
    for name, character in characters.items():
        cells = [
            f"{row['pixel_sprites_delta_e']:.2f} vs {row['reference_delta_e']:.2f}, "
            f"**{row['pixel_sprites_over_reference']:.3f}**, {row['fit_seconds']:.2f} s"
            for row in character["counts"].values()
        ]
        rows.append([name, *cells])
    width, height = data["render_size"]
    intro = (
        f"Each cell: our ΔE2000, the reference's (k-means in CIELAB on {data['reference_sample']:,} pooled pixels), "
        f"**the ratio**, and the fit's time ({width}x{height} renders, {data['samples']} samples):"
    )
    headers = ["character", *(f"{count} colours" for count in counts)]
    return "\n".join([
        intro, "", table(headers, rows, numeric_from=len(headers)), "",
        f"Against the same reference: {others_against_reference(characters)}. {automatic_counts(characters)}",
    ])  # fmt: skip


def ground_truth(data: dict[str, Any]) -> str:
    headers = ["true colours", "noise", "`auto` finds", "ΔE2000 vs truth", "original MeanShift finds", "its ΔE2000"]
    rows = [
        [row["true_colours"], f"{row['noise']} (shading {row['shading']:.0%})", row["kmeans-lab"]["colours"],
         f"{row['kmeans-lab']['delta_e_vs_truth']:.2f}", row["meanshift-seed"]["colours"],
         f"{row['meanshift-seed']['delta_e_vs_truth']:.2f}"]
        for row in data["sets"]
    ]  # fmt: skip
    return f"{data['frames_per_set']} frames per set, error against the clean truth:\n\n" + table(headers, rows, 0)


def sampling(data: dict[str, Any]) -> str:
    sets = data["sets"]
    still_name = next(name for name, row in sets.items() if "flicker_percent" in row["nearest"])
    still = sets[still_name]
    headers = ["", "speckle", "flicker", "ΔE2000 to the block's average colour", "ms per frame"]
    rows = [
        [way, f"{still[way]['speckle_percent']:.2f}%", f"{still[way]['flicker_percent']:.2f}%",
         f"{still[way]['delta_e_to_block_average']:.2f}", f"{still[way]['ms_per_frame']:.1f}"]
        for way in ("nearest", "majority")
    ]  # fmt: skip
    moving = ", ".join(
        f"{name} {row['nearest']['speckle_percent']:.2f}% → {row['majority']['speckle_percent']:.2f}%"
        for name, row in sets.items()
        if name != still_name
    )
    costs = span((row["majority_cost_ms_per_frame"] for row in sets.values()), 0, " ms")
    return (
        f"{data['colours']} colours, one worker; on {still['frames']} renders of one still pose that differ only in "
        f"render noise:\n\n{table(headers, rows)}\n\nSpeckle on the moving characters, nearest → majority: {moving}. "
        f"Majority sampling costs {costs} per frame more."
    )


def sprite_size(data: dict[str, Any]) -> str:
    width, height = data["render_size"]
    return (
        f"**Sprite-size rendering** (the demo scene, {data['frames']} frames, Cycles {data['samples']} samples, "
        f"{width}x{height} → {data['sprite_size'][0]}x{data['sprite_size'][1]}): "
        f"{data['render_and_downscale_s_per_frame']:.3f} s per frame for render + downscale, "
        f"{data['sprite_size_render_s_per_frame']:.3f} s per frame rendering at sprite size — "
        f"**{data['speed_up']:.0f}x faster** — with a mean ΔE2000 of {data['delta_e_vs_render_and_downscale']:.2f} "
        f"and {data['alpha_agreement_percent']:.1f}% alpha agreement against render + downscale."
    )


def sets(data: dict[str, Any]) -> str:
    headers = ["renders", "plain renders", "Render Sprite Set", "overhead"]
    rows = []
    for row in (data["full_size_renders"], data["small_renders"]):
        width, height = row["render_size"]
        per_render = row["plain_renders_seconds"] / row["renders"]
        rows.append([
            f"{row['renders']} at {width}x{height} ({row['facings']} facings, {per_render:.1f} s each)",
            f"{row['plain_renders_seconds']:.1f} s", f"{row['sprite_set_seconds']:.1f} s",
            f"{row['overhead_percent_of_render_time']:.1f}%",
        ])  # fmt: skip
    return (
        f"The walk action, Cycles at {data['samples']} samples, each way run twice, alternating, after a warm-up "
        f"render:\n\n" + table(headers, rows)
    )


def normals(data: dict[str, Any]) -> str:
    headers = ["Render Sprite Set", "Normal Maps off", "on", "added", "sprite work off", "sprite work on"]
    names = {"full": "at full size", "sprite": "rendering at sprite size"}
    rows = [
        [
            names[size], f"{row['off']:.1f} s", f"{row['on']:.1f} s", f"{row['added_percent']:.1f}%",
            f"{row['off_sprite_work']:.2f} s", f"{row['on_sprite_work']:.2f} s",
        ]
        for size, row in data["ways"].items()
    ]  # fmt: skip
    width, height = data["render_size"]
    return (
        f"The walk action from {data['facings']} facings at {width}x{height}, Cycles at {data['samples']} samples, "
        "each way run twice, alternating, after a warm-up render:\n\n" + table(headers, rows)
    )


def cleanup(data: dict[str, Any]) -> str:
    cleaned = "with --cleanup"
    headers = [
        "",
        "sampling",
        "isolated",
        cleaned,
        "enclosed",
        cleaned,
        "recoloured",
        "selout darker",
        "border the darkest",
        "flicker",
        cleaned,
        "taken away",
        "added",
    ]
    rows = []
    for name, row in data["sets"].items():
        for way, f in row.items():
            still = "flicker_percent" in f
            keys = ("flicker", "flicker_cleaned", "flicker_removed", "flicker_added")
            flicker = [f"{f[key + '_percent']:.2f}%" if still else "" for key in keys]
            rows.append([
                name, way, f"{f['isolated_percent']:.2f}%", f"{f['isolated_cleaned_percent']:.2f}%",
                f"{f['enclosed_percent']:.2f}%", f"{f['enclosed_cleaned_percent']:.2f}%",
                f"{f['cleanup_changed_percent']:.2f}%", f"{f['selout_darker_percent']:.1f}%",
                f"{f['selout_bordering_darkest_percent']:.1f}%", *flicker,
            ])  # fmt: skip
    costs = [f["ms_per_sprite"] for row in data["sets"].values() for f in row.values()]
    cost_rows = [[label, span((cost[label] for cost in costs), 2, " ms")] for label in costs[0]]
    return (
        f"{data['colours']} colours; isolated: opaque pixels unlike all four neighbours (a transparent one counts as "
        "unlike); enclosed: isolated pixels whose four neighbours are all opaque (what clean-up acts on); "
        "recoloured: opaque pixels clean-up changed (the silhouette never changes); selout darker: outline pixels "
        "darker than every pixel they border; border the darkest: outline pixels bordering the palette's darkest "
        "colour, to which the rule gives the darkest (none is darker); flicker: opaque pixels that "
        "change between renders of one still pose that differ only in render noise; taken away, added: changes "
        "clean-up takes away (specks of noise) and adds (a pixel that is a speck in one frame only, because a "
        "neighbour flickered).\n\n"
        f"{table(headers, rows, numeric_from=2)}\n\nWhat finishing adds per 64x90 sprite:\n\n"
        f"{table(['finish', 'ms per sprite'], cost_rows)}"
    )


def sheets(data: dict[str, Any]) -> str:
    figures = data["seconds_per_1000_cells"]
    every = next(key for key in figures if "+" in key)
    return (
        f"Packing sheets for {data['cells']:,} cells with every engine file ({every.replace('+', ', ')}) takes "
        f"{figures[every]:.2f} s per 1,000 cells, {figures['json']:.2f} s with JSON only."
    )


def packing(data: dict[str, Any]) -> str:
    speed = data["speed"]
    mib = 1024**2
    pages = ", ".join(f"{w}x{h}" for w, h in speed["pages"])
    rows = [
        [
            row["name"], f"{row['fixed_area']:,}", f"{row['packed_area']:,}", f"{row['packed_over_fixed']:.2f}x",
            f"{row['maxrects_packer_area']:,}" if "maxrects_packer_area" in row else "not run",
            f"{row['packed_over_maxrects_packer']:.3f}x" if "packed_over_maxrects_packer" in row else "",
        ]
        for row in data["areas"]
    ]  # fmt: skip
    headers = ["character", "fixed cells (px²)", "packed (px²)", "packed / fixed", "maxrects-packer (px²)",
               "packed / maxrects-packer"]  # fmt: skip
    return (
        f"Trimming and merging {speed['sprites']:,} sprites takes {speed['trim_and_merge_seconds']:.2f} s and "
        f"packing them {speed['pack_seconds']:.2f} s ({speed['trim_merge_pack_seconds']:.2f} s in all; "
        f"{speed['merged']:,} merged, pages {pages}); composing and encoding the pages one at a time takes "
        f"{speed['compose_and_encode_seconds']:.2f} s and allocates at most "
        f"{speed['peak_bytes_while_composing'] / mib:.1f} MiB beyond the {speed['trimmed_sprite_bytes'] / mib:.1f} MiB "
        f"of trimmed sprites (the largest page's pixels: {speed['largest_page_bytes'] / mib:.1f} MiB; the full sprites "
        f"would be {speed['full_sprite_bytes'] / mib:.1f} MiB).\n\nThe pages' total area, per character, against "
        "fixed cells and against maxrects-packer on the same unique trimmed rectangles:\n\n" + table(headers, rows)
    )


def variants(data: dict[str, Any]) -> str:
    headers = ["sheets", "base sheets", "each variant", "each variant / base sheets (min–max)", "goal"]
    rows = [
        [
            kind, f"{statistics.median(row['base_seconds']):.3f} s",
            f"{statistics.median(row['per_variant_seconds']) * 1000:.1f} ms",
            f"**{statistics.median(row['per_variant_percent']):.1f}%** "
            f"({min(row['per_variant_percent']):.1f}–{max(row['per_variant_percent']):.1f}%)",
            "≤ 10%",
        ]
        for kind, row in data["kinds"].items()
    ]  # fmt: skip
    return (
        f"Writing the sheets of {data['cells']:,} cells with every engine file and {data['variants']} palette "
        f"variants, {data['runs']} runs, medians; the variants' post-stage (index maps and palette swap files "
        f"included) timed inside each run, over {data['variants']}:\n\n" + table(headers, rows)
    )


def frame_list(data: dict[str, Any]) -> str:
    width, height = data["render_size"]
    return (
        f"**Frame-list renders** ({data['blender']}, {data['frames']} Workbench frames at {width}x{height}): the "
        f"sprites after `--render-frame 1..{data['frames']}` took {data['sprites_after_frame_list_seconds']:.2f} s "
        f"against {data['sprites_after_animation_seconds']:.2f} s after `-a` over the same frames "
        f"({data['frame_list_over_animation']:.2f}x; single runs), and {data['locked_palette_ms_per_frame']:.0f} ms "
        "per frame with a locked palette."
    )


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "speed": speed,
    "memory": memory,
    "spool": spool,
    "decoders": decoders,
    "quality": quality,
    "ground-truth": ground_truth,
    "sampling": sampling,
    "sprite-size": sprite_size,
    "sets": sets,
    "normals": normals,
    "cleanup": cleanup,
    "sheets": sheets,
    "packing": packing,
    "variants": variants,
    "frame-list": frame_list,
    "game-data": game_data_table,
    "safety": safety_table,
    "preview": preview_table,
    "steady": steady_table,
}
