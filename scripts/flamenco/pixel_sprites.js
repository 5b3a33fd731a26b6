// SPDX-License-Identifier: GPL-3.0-or-later
//
// Pixel Sprites job type for Flamenco 3.9 (job type `pixel-sprites`, from this file's name).
//
// Install: copy this file into the `scripts` folder next to the `flamenco-manager` executable and restart the
// Manager. The Flamenco add-on in Blender then offers "Pixel Sprites" and fills the settings from the scene's
// Pixel Sprites settings; the Pixel Sprites add-on must be enabled on every worker.
//
// The job renders the frames (a plain scene, or every checked action of a sprite set from every facing), fits
// the character's one palette over ALL of them, applies it to every frame, and makes the sheets:
//
//     render tasks ──> fit ──> apply tasks ──> sheets         (palette_mode "fit")
//     render task ──> its apply task ──> sheets               (palette_mode "locked": the palette file is used)
//
// Sheets are made for a sprite set only (set_actions not empty): a plain scene has no actions to lay out.
//
// Renders go to <render_output_root>/<blend file dirs>/<job name>/<timestamp>/, as Flamenco's simple render job
// puts them; a set's frames go to <that folder>/<action>/<facing>/######.png (farm_prepare puts them there), the
// sprites to the character's output folder (sprites/ in the render folder unless the scene names another).
// Every Pixel Sprites step runs with --python-exit-code 1, so a failing step fails its task.
//
// Written for goja, Flamenco's JavaScript engine: keep to the syntax its own job types use.

// The 16 compass points in the order a counter-clockwise turn (seen from above) passes them, from S;
// pixel_sprites.engine.facings names the facings with the same rule.
const COMPASS = ["S", "SSE", "SE", "ESE", "E", "ENE", "NE", "NNE", "N", "NNW", "NW", "WNW", "W", "WSW", "SW", "SSW"];
const MAX_FACINGS = 64;
const MAX_PIXEL = 1024;
const PALETTE_LIMIT = 256;
const PALETTE_MODES = ["fit", "locked"];
// pixel_sprites.engine.options: --outline, --outline-neighbours.
const OUTLINES = ["none", "outer", "inner", "selout"];
const OUTLINE_NEIGHBOURS = ["4", "8"];

// The checked actions of the scene's sprite set, comma-separated, "default" for an entry without an action
// (the scene's own animation, as Pixel Sprites names it); a comma or backslash in a name is escaped with a
// backslash.
const EVAL_SET_ACTIONS =
    "','.join((e.action.name if e.action else 'default').replace('\\\\', '\\\\\\\\').replace(',', '\\\\,') " +
    "for e in C.scene.pixel_sprites.set_actions if e.enabled)";

// The frames of each listed action, as JSON [[name, frames], ...] in the list's order: the action's own range
// (the scene's for an entry without an action, or the range set by hand) at its frame step, as a Flamenco
// frame list ("1,3,5,..."). The Flamenco add-on evaluates with eval(expr, {}, names): a comprehension cannot
// see those names (C) beyond its first iterable, hence the lambda that hands it the scene.
const EVAL_SET_FRAMES =
    "(lambda scene: __import__('json').dumps([[e.action.name if e.action else 'default', ','.join(map(str, " +
    "range(*((round(e.action.frame_range[0]), round(e.action.frame_range[1]) + 1) " +
    "if e.use_action_range and e.action else (scene.frame_start, scene.frame_end + 1) if e.use_action_range " +
    "else (e.frame_start, e.frame_end + 1)), e.frame_step)))] " +
    "for e in scene.pixel_sprites.set_actions if e.enabled]))(C.scene)";

// The scene's palette variants that have a name and a file, as JSON [[name, absolute file], ...] in the list's
// order (the lambda hands the comprehension the names it cannot see, as in EVAL_SET_FRAMES).
const EVAL_PALETTE_VARIANTS =
    "(lambda scene, absolute: __import__('json').dumps([[v.name.strip(), str(absolute(v.file))] " +
    "for v in scene.pixel_sprites.palette_variants if v.name.strip() and v.file]))(C.scene, abspath)";

const JOB_TYPE = {
    label: "Pixel Sprites",
    description: "Render a character and make its pixel-art sprites with one palette (every action from every facing)",
    settings: [
        // Settings for artists to determine:
        { key: "frames", type: "string", required: true,
          eval: "f'{C.scene.frame_start}-{C.scene.frame_end}'",
          evalInfo: { showLinkButton: true, description: "Scene frame range" },
          description: "Frames to render (a set's actions have their own). Examples: '47', '1-30', '3, 5-10, 47-327'" },
        { key: "chunk_size", type: "int32", default: 10, propargs: { min: 1 }, visible: "submission",
          description: "Number of frames in one render task and one apply task" },

        // render_output_root + add_path_components determine the value of render_output_path.
        { key: "render_output_root", type: "string", subtype: "dir_path", required: true, visible: "submission",
          description: "Base directory of where render output is stored. Will have some job-specific parts appended to it" },
        { key: "add_path_components", type: "int32", required: true, default: 0, propargs: { min: 0, max: 32 },
          visible: "submission",
          description: "Number of path components of the current blend file to use in the render output path" },
        { key: "render_output_path", type: "string", subtype: "file_path", editable: false,
          eval: "str(Path(abspath(settings.render_output_root), last_n_dir_parts(settings.add_path_components), jobname, '{timestamp}', '######'))",
          description: "Final file path of where render output will be saved" },

        // Pixel Sprites, from the scene's settings unless set by hand:
        { key: "character", type: "string", required: true,
          eval: "C.scene.pixel_sprites.character",
          evalInfo: { showLinkButton: true, description: "The scene's character" },
          description: "Frames of one character share one palette" },
        { key: "pixel", type: "int32", required: true, propargs: { min: 0, max: MAX_PIXEL },
          eval: "C.scene.pixel_sprites.pixel if C.scene.pixel_sprites.size_mode == 'PIXEL' else 0",
          evalInfo: { showLinkButton: true, description: "The scene's pixel block (0 for its exact sprite size)" },
          description: "Render pixels per sprite pixel; 0 keeps the scene's sprite size setting" },
        { key: "colors", type: "string", required: true,
          eval: "'auto' if C.scene.pixel_sprites.auto_colors else str(C.scene.pixel_sprites.colors)",
          evalInfo: { showLinkButton: true, description: "The scene's colour count" },
          description: "Palette colours: 'auto' or a number from 1 to 256" },
        { key: "palette_mode", type: "string", required: true, choices: PALETTE_MODES, default: "fit",
          eval: "'locked' if C.scene.pixel_sprites.palette_locked else 'fit'",
          evalInfo: { showLinkButton: true, description: "Locked when the scene's palette is locked" },
          description: "fit: fit the palette over all rendered frames; locked: use the palette file unchanged" },
        { key: "palette_file", type: "string", subtype: "file_path",
          description: "The locked palette (.gpl, .hex, .pal or .png) on shared storage; used when locked" },
        { key: "sheets", type: "bool",
          eval: "C.scene.pixel_sprites.make_sheets",
          evalInfo: { showLinkButton: true, description: "The scene's Make Sheets setting" },
          description: "Make the sheets and engine files once every sprite is written" },
        { key: "packed", type: "bool",
          eval: "C.scene.pixel_sprites.sheet_packed",
          evalInfo: { showLinkButton: true, description: "The scene's Packed sheets setting" },
          description: "Packed sheets: frames trimmed, identical ones merged, packed densely (the sheets task)" },
        { key: "normal_maps", type: "bool",
          eval: "C.scene.pixel_sprites.normal_maps",
          evalInfo: { showLinkButton: true, description: "The scene's Normal Maps setting" },
          description: "Render the Normal pass too, and write normal-map sprites and sheets (Cycles or EEVEE)" },
        { key: "stabilise", type: "bool", default: false,
          eval: "C.scene.pixel_sprites.stabilise",
          evalInfo: { showLinkButton: true, description: "The scene's Steady Colours setting" },
          description: "Steady Colours: a sprite pixel keeps its colour from the frame before until the surface under it really changes" },
        { key: "cleanup", type: "bool",
          eval: "C.scene.pixel_sprites.cleanup",
          evalInfo: { showLinkButton: true, description: "The scene's Clean Up setting" },
          description: "Clean-up: stray pixels take their neighbours' colour; an outline loses its L-corners" },
        { key: "inner_lines", type: "bool",
          eval: "C.scene.pixel_sprites.inner_lines",
          evalInfo: { showLinkButton: true, description: "The scene's Inner Lines setting" },
          description: "Inner lines where parts overlap, in the outline colour: the render writes the Depth pass too (Cycles or EEVEE)" },
        { key: "outline", type: "string", choices: OUTLINES, default: "none",
          eval: "C.scene.pixel_sprites.outline",
          evalInfo: { showLinkButton: true, description: "The scene's Outline setting" },
          description: "A one-pixel outline: none, outer, inner or selout (darker palette colours of the hue it borders)" },
        { key: "outline_colour", type: "string", default: "auto",
          eval: "C.scene.pixel_sprites.outline_colour",
          evalInfo: { showLinkButton: true, description: "The scene's Outline Colour" },
          description: "The outline's colour: 'auto' (the palette's darkest) or #RRGGBB" },
        { key: "outline_neighbours", type: "string", choices: OUTLINE_NEIGHBOURS, default: "4",
          eval: "C.scene.pixel_sprites.outline_neighbours",
          evalInfo: { showLinkButton: true, description: "The scene's Outline Neighbours" },
          description: "4: the outline touches the silhouette at edges; 8: at corners too" },
        { key: "palette_variants", type: "string",
          eval: EVAL_PALETTE_VARIANTS,
          evalInfo: { showLinkButton: true, description: "The scene's Palette Variants" },
          description: "Palette variants of the sheets, JSON [[name, palette file], ...] on shared storage; empty keeps the scene's" },
        { key: "points", type: "string",
          eval: "C.scene.pixel_sprites.game_data_text('points')",
          evalInfo: { showLinkButton: true, description: "The points of the scene's Game Data" },
          description: "Game data points, comma-separated: OBJECT (its origin), OBJECT/BONE or OBJECT/BONE/tail, each optionally NAME=SOURCE; empty keeps the scene's" },
        { key: "boxes", type: "string",
          eval: "C.scene.pixel_sprites.game_data_text('boxes')",
          evalInfo: { showLinkButton: true, description: "The boxes of the scene's Game Data" },
          description: "Game data hit and hurt boxes, comma-separated: an object's or a collection's name, each optionally NAME=SOURCE; empty keeps the scene's" },
        { key: "in_place", type: "bool",
          eval: "C.scene.pixel_sprites.in_place",
          evalInfo: { showLinkButton: true, description: "The scene's In Place setting" },
          description: "Render actions that move across the floor in place, their motion given as root motion per frame" },
        { key: "set_actions", type: "string",
          eval: EVAL_SET_ACTIONS,
          evalInfo: { showLinkButton: true, description: "The checked actions of the scene's sprite set" },
          description: "Actions of the sprite set (each one of the scene's set), comma-separated; empty renders the scene as it is" },
        { key: "directions", type: "int32", propargs: { min: 1, max: MAX_FACINGS },
          eval: "C.scene.pixel_sprites.directions",
          evalInfo: { showLinkButton: true, description: "The scene's number of facings" },
          description: "Facings of every action of the sprite set" },

        // Automatically evaluated settings:
        { key: "set_frames", type: "string", visible: "hidden", eval: EVAL_SET_FRAMES,
          description: "JSON [[action, frames], ...]: each action's frames; an action not listed renders 'frames'" },
        { key: "start_facing", type: "string", visible: "hidden", eval: "C.scene.pixel_sprites.start_facing",
          description: "Where the character faces as set up; the facing names turn with it" },
        { key: "blendfile", type: "string", required: true, eval: "bpy.data.filepath", visible: "web",
          description: "Path of the Blend file to render" },
        { key: "scene", type: "string", required: true, eval: "C.scene.name", visible: "web",
          description: "Name of the scene to render" },
    ],
};

// Flamenco 3.9's own render settings (simple_blender_render.js): the file extension follows the render
// format, and a re-queued task neither overwrites finished frames nor leaves placeholders.
const FLAMENCO_RENDER_SETTINGS =
    "import bpy; r = bpy.context.scene.render; r.use_file_extension = True; r.use_overwrite = False; " +
    "r.use_placeholder = False";

// The renders are read as PNG with alpha, whatever the scene's output format.
const RENDER_FORMAT = "PNG";

function compileJob(job) {
    print("Pixel Sprites job submitted");
    const settings = job.settings;
    refuseNonFiniteNumbers(settings);

    const renderOutput = renderOutputPath(job);
    // Make sure that when the job is investigated later, it shows the actually-used render output:
    settings.render_output_path = renderOutput;
    const renderDir = path.dirname(renderOutput);
    const frameName = path.basename(renderOutput);

    const paletteMode = settings.palette_mode === undefined ? "fit" : String(settings.palette_mode);
    if (PALETTE_MODES.indexOf(paletteMode) < 0) {
        throw `palette_mode: expected one of ${PALETTE_MODES.join(", ")}, got "${paletteMode}"`;
    }
    const locked = paletteMode === "locked";
    const paletteFile = settings.palette_file ? String(settings.palette_file) : "";
    if (locked && !paletteFile) {
        throw "palette_file: a locked palette needs the palette file";
    }
    const spriteSettings = spriteSettingsExpr(settings);
    const baseArgs = settings.scene ? ["--scene", String(settings.scene)] : [];

    const renderTasks = [];
    const applyTasks = [];
    for (const step of plannedSteps(settings)) {
        for (const chunk of frameChunker(step.frames, settings.chunk_size)) {
            const blenderFrames = chunk.replaceAll("-", ".."); // Blender's frame range notation
            const taskName = [step.label, chunk].filter((part) => part).join("-");

            const render = author.Task(`render-${taskName}`, "blender");
            const prepare = callExpr("farm_prepare", step.keywords.concat([["make_sprites", locked ? "True" : "False"]]));
            render.addCommand(author.Command("blender-render", {
                exe: "{blender}",
                exeArgs: "{blenderArgs}",
                argsBefore: [],
                blendfile: settings.blendfile,
                args: baseArgs.concat([
                    "--python-expr", FLAMENCO_RENDER_SETTINGS,
                    // A set's root: farm_prepare moves the output into <root>/<action>/<facing>/.
                    "--render-output", path.join(renderDir, frameName),
                    "--python-exit-code", "1",
                    "--python-expr", `${spriteSettings}; ${prepare}`,
                    "--render-format", RENDER_FORMAT,
                    "--render-frame", blenderFrames,
                ]),
            }, frameCount(chunk)));
            renderTasks.push(render);

            const apply = author.Task(`apply-${taskName}`, "blender");
            apply.addCommand(pixelSpritesCommand(settings, baseArgs, spriteSettings, callExpr("farm_apply", [
                ["renders", pyPath(renderDir, "render_output_path")],
                ["frames", pyStr(blenderFrames)],
            ].concat(step.keywords, [["palette", pyPath(locked ? paletteFile : "", "palette_file")]]))));
            if (locked) apply.addDependency(render);
            applyTasks.push(apply);
        }
    }

    // Tasks go into the job once they are complete: Flamenco stores a copy of a task when it is added.
    for (const task of renderTasks) {
        job.addTask(task);
    }
    if (!locked) {
        const fit = author.Task("fit", "blender");
        fit.addCommand(pixelSpritesCommand(settings, baseArgs, spriteSettings,
            callExpr("farm_fit", [["renders", pyPath(renderDir, "render_output_path")]])));
        for (const task of renderTasks) {
            fit.addDependency(task);
        }
        job.addTask(fit);
        for (const task of applyTasks) {
            task.addDependency(fit);
        }
    }
    for (const task of applyTasks) {
        job.addTask(task);
    }
    if (settings.sheets && splitActions(settings.set_actions).length === 0) {
        print("No sheets: the scene has no sprite set (Directions & Actions) to make sheets of");
    } else if (settings.sheets) {
        const sheets = author.Task("sheets", "blender");
        // Only the sheets task packs; off leaves the scene's own setting, as every other setting not given does.
        const sheetSettings = settings.packed ? `${spriteSettings}; s.sheet_packed = True` : spriteSettings;
        sheets.addCommand(pixelSpritesCommand(settings, baseArgs, sheetSettings,
            callExpr("farm_sheets", [["renders", pyPath(renderDir, "render_output_path")]])));
        for (const task of applyTasks) {
            sheets.addDependency(task);
        }
        job.addTask(sheets);
    }
}

// Every number setting must be finite: JSON has no NaN nor infinity, but a setting can hold their text or 1e999
// (read as Infinity), and Flamenco would make a NaN chunk size 0 and an infinite one a chunk of every frame.
function refuseNonFiniteNumbers(settings) {
    for (const setting of JOB_TYPE.settings) {
        const value = settings[setting.key];
        const given = value !== undefined && value !== null && value !== "";
        if ((setting.type === "int32" || setting.type === "float") && given && !Number.isFinite(Number(value))) {
            throw `${setting.key}: expected a finite number, got "${value}"`;
        }
    }
}

// Do field replacement on the render output path, as the simple render job does.
function renderOutputPath(job) {
    const outputPath = job.settings.render_output_path;
    if (!outputPath) {
        throw "no render_output_path setting!";
    }
    return String(outputPath).replace(/{([^}]+)}/g, (match, group0) => {
        switch (group0) {
        case "timestamp":
            return formatTimestampLocal(job.created);
        default:
            return match;
        }
    });
}

// What the render tasks render: one step for a plain scene; for a set, one per action and facing, with the
// keyword arguments that name them to the operators: the action by its folder name (its name made safe for
// file names and unique, as Pixel Sprites makes it), the facing by its compass name.
function plannedSteps(settings) {
    const actions = splitActions(settings.set_actions);
    if (actions.length === 0) {
        return [{ label: "", keywords: [], frames: settings.frames }];
    }
    const facingNames = facings(settings.directions, settings.start_facing);
    const folders = uniqueSafeNames(actions);
    const frames = actionFrames(settings, actions);
    const steps = [];
    actions.forEach((action, index) => {
        for (const facing of facingNames) {
            steps.push({
                label: `${folders[index]}-${facing}`,
                keywords: [["action", pyStr(folders[index])], ["facing", pyStr(facing)]],
                frames: frames[index],
            });
        }
    });
    return steps;
}

// The set_actions setting: names separated by commas, "\," a comma and "\\" a backslash within a name. A name
// is kept exactly (its folder name drops white space at its ends anyway); one of white space alone is dropped.
function splitActions(text) {
    const names = [];
    let current = "";
    let escaped = false;
    for (const character of text ? String(text) : "") {
        if (escaped) {
            current += character;
            escaped = false;
        } else if (character === "\\") {
            escaped = true;
        } else if (character === ",") {
            names.push(current);
            current = "";
        } else {
            current += character;
        }
    }
    names.push(current);
    return names.filter((name) => name.trim() !== "");
}

// Each action's frames: the next unused entry for its name in set_frames, else the frames setting.
function actionFrames(settings, actions) {
    let listed = [];
    if (settings.set_frames) {
        try {
            listed = JSON.parse(String(settings.set_frames));
        } catch (error) {
            throw `set_frames: not valid JSON: ${error}`;
        }
        if (!Array.isArray(listed)) {
            throw "set_frames: expected a list of [action, frames]";
        }
    }
    const used = listed.map(() => false);
    return actions.map((action) => {
        for (let i = 0; i < listed.length; i++) {
            if (!used[i] && Array.isArray(listed[i]) && listed[i][0] === action) {
                used[i] = true;
                if (!String(listed[i][1]).trim()) {
                    throw `set_frames: the action "${action}" has no frames`;
                }
                return String(listed[i][1]);
            }
        }
        return settings.frames;
    });
}

// The names of `count` facings of a character that faces `start` as set up: compass names when the count
// divides 16 (S, SE, E, NE, N, NW, W, SW for 8, from S), else d00, d01, ... (pixel_sprites.engine.facings).
function facings(count, start) {
    const number = Number(count === undefined || count === null || count === "" ? 8 : count);
    if (!Number.isInteger(number) || number < 1 || number > MAX_FACINGS) {
        throw `directions: must be a whole number in 1..${MAX_FACINGS}, got "${count}"`;
    }
    const first = start ? COMPASS.indexOf(String(start)) : 0;
    if (first < 0) {
        throw `start_facing: expected one of ${COMPASS.join(", ")}, got "${start}"`;
    }
    const names = [];
    for (let index = 0; index < number; index++) {
        if (COMPASS.length % number === 0) {
            names.push(COMPASS[(first + index * (COMPASS.length / number)) % COMPASS.length]);
        } else {
            names.push(`d${String(index).padStart(2, "0")}`);
        }
    }
    return names;
}

// An action's name as a file name valid on every OS, as pixel_sprites.engine.sprite_set.safe_name makes it:
// runs of <>:"/\|?* control characters and white space become "_", dots, underscores and spaces are stripped
// from both ends, Windows device names get a leading "_", at most 100 characters, "action" if nothing is left.
const UNSAFE_RUNS = new RegExp(
    "[<>:\"/\\\\|?*\\u0000-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+", "g");
const RESERVED = ["CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"];

function safeName(name) {
    let cleaned = name.replace(UNSAFE_RUNS, "_").replace(/^[._ ]+|[._ ]+$/g, "");
    if (RESERVED.indexOf(cleaned.split(".")[0].toUpperCase()) >= 0) {
        cleaned = `_${cleaned}`;
    }
    cleaned = Array.from(cleaned).slice(0, 100).join(""); // code points, as Python slices
    return cleaned || "action";
}

// safe_name of each name, made unique case-insensitively with _2, _3, ... (unique_safe_names).
function uniqueSafeNames(names) {
    const taken = new Set();
    return names.map((name) => {
        const base = safeName(name);
        let candidate = base;
        let number = 2;
        while (taken.has(candidate.toLowerCase())) {
            candidate = `${base}_${number}`;
            number += 1;
        }
        taken.add(candidate.toLowerCase());
        return candidate;
    });
}

// The Pixel Sprites settings of the job, set on the worker's scene before each Pixel Sprites operator runs.
function spriteSettingsExpr(settings) {
    // The farm renders full size: at sprite size the add-on would render into a sprite_size/ folder of its own.
    const statements = ["import bpy", "s = bpy.context.scene.pixel_sprites", "s.render_at_sprite_size = False"];
    if (settings.character !== undefined && settings.character !== null && settings.character !== "") {
        statements.push(`s.character = ${pyStr(String(settings.character))}`);
    }
    const pixel = Number(settings.pixel || 0);
    if (!Number.isInteger(pixel) || pixel < 0 || pixel > MAX_PIXEL) {
        throw `pixel: must be a whole number in 0..${MAX_PIXEL}, got "${settings.pixel}"`;
    }
    if (pixel > 0) {
        statements.push("s.size_mode = 'PIXEL'", `s.pixel = ${pixel}`);
    }
    const colors = settings.colors === undefined || settings.colors === null ? "auto" : String(settings.colors).trim();
    if (colors === "auto" || colors === "") {
        statements.push("s.auto_colors = True");
    } else if (/^[0-9]+$/.test(colors) && Number(colors) >= 1 && Number(colors) <= PALETTE_LIMIT) {
        statements.push("s.auto_colors = False", `s.colors = ${Number(colors)}`);
    } else {
        throw `colors: expected "auto" or a number in 1..${PALETTE_LIMIT}, got "${settings.colors}"`;
    }
    if (settings.normal_maps) { // off leaves the scene's setting, as every other setting not given does
        statements.push("s.normal_maps = True");
    }
    if (settings.stabilise) { // in every task, as normal_maps: the apply tasks (a locked job's renders) write sprites
        statements.push("s.stabilise = True");
    }
    pushFinishSettings(settings, statements);
    pushGameData(settings, statements);
    const variants = paletteVariants(settings.palette_variants);
    if (variants.length > 0) { // empty leaves the scene's own list, as every other setting not given does
        statements.push("s.palette_variants.clear()");
        for (const [name, file] of variants) {
            statements.push("v = s.palette_variants.add()", `v.name = ${pyStr(name)}`,
                `v.file = ${pyPath(file, "palette_variants")}`);
        }
    }
    if (splitActions(settings.set_actions).length > 0) {
        const start = settings.start_facing ? String(settings.start_facing) : "S";
        const count = facings(settings.directions, start).length; // refuses bad values before anything runs
        statements.push(`s.directions = ${count}`, `s.start_facing = ${pyStr(start)}`);
    }
    return statements.join("; ");
}

// The clean-up and outline settings given, checked before anything runs; each one left at its default leaves the
// scene's own setting, as normal_maps does, so a job without them has the tasks it had before.
function pushFinishSettings(settings, statements) {
    if (settings.cleanup) {
        statements.push("s.cleanup = True");
    }
    if (settings.inner_lines) { // every task: the render writes the depth frames, the sprite tasks draw the lines
        statements.push("s.inner_lines = True");
    }
    const given = (value, fallback) => (value === undefined || value === null || value === "" ? fallback : String(value));
    const outline = given(settings.outline, "none");
    if (OUTLINES.indexOf(outline) < 0) {
        throw `outline: expected one of ${OUTLINES.join(", ")}, got "${settings.outline}"`;
    }
    const colour = given(settings.outline_colour, "auto").trim();
    if (colour !== "auto" && !/^#[0-9A-Fa-f]{6}$/.test(colour)) {
        throw `outline_colour: expected auto or #RRGGBB, got "${settings.outline_colour}"`;
    }
    const neighbours = given(settings.outline_neighbours, "4");
    if (OUTLINE_NEIGHBOURS.indexOf(neighbours) < 0) {
        throw `outline_neighbours: expected 4 or 8, got "${settings.outline_neighbours}"`;
    }
    if (outline !== "none") {
        statements.push(`s.outline = ${pyStr(outline)}`);
    }
    if (colour !== "auto") {
        statements.push(`s.outline_colour = ${pyStr(colour)}`);
    }
    if (neighbours !== "4") {
        statements.push(`s.outline_neighbours = ${pyStr(neighbours)}`);
    }
}

// The game data given (points, boxes, In Place), checked as pixel_sprites.engine.sets.rig_names checks them, before
// anything runs; each task looks the names up in its scene (set_game_data), and one not there fails the task. Empty
// and off leave the scene's own, as every other setting not given does.
function pushGameData(settings, statements) {
    const points = gameDataSources(settings.points, "points");
    const boxes = gameDataSources(settings.boxes, "boxes");
    checkGameDataNames(points.concat(boxes));
    const given = [];
    if (points.length > 0) given.push(`points=${pyStr(points.map((item) => item.text).join(","))}`);
    if (boxes.length > 0) given.push(`boxes=${pyStr(boxes.map((item) => item.text).join(","))}`);
    if (given.length > 0) {
        statements.push(`s.set_game_data(${given.join(", ")})`);
    }
    if (settings.in_place) {
        statements.push("s.in_place = True");
    }
}

// Each item of a points or boxes setting, {setting, text, name}: SOURCE or NAME=SOURCE, a point's source OBJECT,
// OBJECT/BONE or OBJECT/BONE/tail, a box's an object's or a collection's name.
function gameDataSources(text, setting) {
    if (text === undefined || text === null) return [];
    const items = [];
    for (const item of String(text).split(",")) {
        if (item.trim() === "") continue;
        const equals = item.indexOf("=");
        const name = equals < 0 ? null : item.slice(0, equals).trim();
        const source = (equals < 0 ? item : item.slice(equals + 1)).trim();
        if (name === "" || source === "") throw `${setting}: "${item}": NAME=SOURCE needs both a name and a source`;
        let own = source; // a box's: an object's or a collection's name, whatever it holds
        if (setting === "points") {
            const parts = source.split("/");
            if (parts.some((part) => part === "") || parts.length > 3 || (parts.length === 3 && parts[2] !== "tail")) {
                throw `points: "${item}": a point is OBJECT, OBJECT/BONE or OBJECT/BONE/tail, optionally NAME=SOURCE`;
            }
            own = parts.length > 1 ? parts[1] : parts[0];
        }
        items.push({ setting: setting, text: item.trim(), name: name === null ? own : name });
    }
    return items;
}

// Names the engine files use themselves, and one name for two outputs, also once Godot's node names replace what
// Godot forbids in them, are refused (pixel_sprites.engine.sets.rig_names.check_names).
const RESERVED_NAMES = ["pivot", "Sprite", "AnimationPlayer", "RootMotion"];

function checkGameDataNames(items) {
    const seen = {};
    for (const item of items) {
        const godot = item.name.replace(/[.:@/"%]/g, "_");
        if (RESERVED_NAMES.indexOf(item.name) >= 0 || RESERVED_NAMES.indexOf(godot) >= 0) {
            throw `${item.setting}: "${item.text}": the name "${item.name}" is the engine files' own; give it another with NAME=SOURCE`;
        }
        if (Object.prototype.hasOwnProperty.call(seen, godot)) {
            throw `${item.setting}: "${item.text}": the name "${item.name}" is already "${seen[godot]}"'s; give one another with NAME=SOURCE`;
        }
        seen[godot] = item.text;
    }
}

// The palette_variants setting, [[name, file], ...], checked: each a name and a file, the names distinct.
function paletteVariants(text) {
    if (text === undefined || text === null || String(text).trim() === "") return [];
    let variants;
    try {
        variants = JSON.parse(String(text));
    } catch (error) {
        throw `palette_variants: expected JSON [[name, palette file], ...], got "${text}"`;
    }
    const names = new Set();
    if (!Array.isArray(variants)) throw `palette_variants: expected a list [[name, palette file], ...], got "${text}"`;
    for (const variant of variants) {
        const good = Array.isArray(variant) && variant.length === 2 && typeof variant[0] === "string" &&
            typeof variant[1] === "string" && variant[0].trim() !== "" && variant[1].trim() !== "";
        if (!good) throw `palette_variants: each variant is [name, palette file], got ${JSON.stringify(variant)}`;
        if (names.has(variant[0])) throw `palette_variants: the name "${variant[0]}" is given twice`;
        names.add(variant[0]);
    }
    return variants;
}

// A Blender task that runs one Pixel Sprites operator without rendering.
function pixelSpritesCommand(settings, baseArgs, spriteSettings, call) {
    return author.Command("blender-render", {
        exe: "{blender}",
        exeArgs: "{blenderArgs}",
        argsBefore: [],
        blendfile: settings.blendfile,
        args: baseArgs.concat(["--python-exit-code", "1", "--python-expr", `${spriteSettings}; ${call}`]),
    });
}

// bpy.ops.pixel_sprites.<operator>(key=value, ...) with values that are already Python expressions.
function callExpr(operator, keywords) {
    const args = keywords.map(([key, value]) => `${key}=${value}`).join(", ");
    return `bpy.ops.pixel_sprites.${operator}(${args})`;
}

// A Python expression for any string that holds no slash, backslash, quote, brace or character outside
// printable ASCII: those become chr(N). A worker expands Flamenco's variables ("{render}") in every argument,
// and in one that held a two-way variable it turns every slash and backslash into the worker's separator,
// so an action's name must not carry any of them literally.
function pyStr(text) {
    const pieces = [];
    let literal = "";
    for (const character of String(text)) {
        if (/^[A-Za-z0-9 _.,:;|!@#$%^&*()=+\-\[\]<>?~`]$/.test(character)) {
            literal += character;
            continue;
        }
        if (literal) pieces.push(`'${literal}'`);
        literal = "";
        pieces.push(`chr(${character.codePointAt(0)})`);
    }
    if (literal || pieces.length === 0) pieces.push(`'${literal}'`);
    return pieces.join(" + ");
}

// A path as a raw Python string, its separators as they are, so the worker's variable expansion can turn
// "{render}/x" into "R:\render\x" inside it and Python still reads the path. A raw string cannot end in a
// backslash nor hold its own quote, hence the checks.
function pyPath(text, setting) {
    text = String(text);
    if (/[\u0000-\u001f\u007f]/.test(text)) {
        throw `${setting}: the path holds a control character`;
    }
    if (/[\\/]$/.test(text)) {
        throw `${setting}: the path ends with a separator: "${text}"`;
    }
    for (const quote of ["'", "\"", "'''", "\"\"\""]) {
        if (text.indexOf(quote) < 0 && !(quote.length === 3 && text.endsWith(quote[0]))) {
            return `r${quote}${text}${quote}`;
        }
    }
    throw `${setting}: the path holds both kinds of quote: "${text}"`;
}
