#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Runs a Flamenco job compiler script (a job type .js file) outside Flamenco and prints what it authors.
//
//     node harness.js JOB_TYPE.js [JOBS.json]      (the jobs on standard input without JOBS.json)
//
// JOBS.json is one submitted job, or an array of them:
//     {"name": "...", "priority": 50, "created": "2006-01-02T15:04:05", "settings": {...}, "metadata": {...}}
// ("created" is local time, as Flamenco's clock gives it; "type" defaults to the job type of the file name).
// For each job it prints, as JSON, the job type (JOB_TYPE with its name) and either the compiled job -- its
// settings after compileJob (which may change them), and its tasks in the order the script added them: name,
// type, priority, commands (name, parameters, totalStepCount), stepsTotal and dependencies by task name --
// or the error that Flamenco would report. The output is one object, or an array for an array of jobs.
//
// Only the parts of Flamenco's job compiler API that Flamenco's `simple_blender_render.js` and Pixel Sprites'
// `pixel_sprites.js` use are here, each with the semantics of Flamenco 3.9's Go code (internal/manager/
// job_compilers and pkg/crosspath): see the comment of each for the Go function it stands for. Anything else a
// script touches is missing and fails loudly (a ReferenceError), never silently.
//
// Differences that remain: scripts run in Node's engine, not goja (Flamenco's), so a script that uses syntax
// newer than goja understands passes here and fails in Flamenco; UUIDs are random here too but are not printed;
// frame numbers are JavaScript numbers (exact up to 2^53), where Flamenco has 64-bit integers.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const nodePath = require("node:path");
const vm = require("node:vm");

// ---------------------------------------------------------------------------------------------------------
// Go -> JavaScript value conversion, as goja does it for arguments of Go functions (goja runtime.go,
// toReflectValue): undefined and null become the type's zero value, anything else is converted.

function goString(value) {
    // A Go `string` parameter: "" for undefined/null, else the value's string form.
    return value === undefined || value === null ? "" : String(value);
}

function goInt(value) {
    // A Go `int` parameter: 0 for undefined/null, else ToInteger (truncation; NaN -> 0).
    if (value === undefined || value === null) return 0;
    const number = Number(value);
    return Number.isNaN(number) ? 0 : Math.trunc(number);
}

// Go's strings.TrimSpace: leading and trailing Unicode white space.
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");
function goTrimSpace(text) {
    return text.replace(GO_TRIM, "");
}

// A Date of any realm (a script's dates come from its own context).
function isDate(value) {
    return Object.prototype.toString.call(value) === "[object Date]";
}

// Goja turns a Go error returned by an exposed function into a thrown GoError carrying err.Error().
class GoError extends Error {
    constructor(message) {
        super(message);
        this.name = "GoError";
    }
}

// ---------------------------------------------------------------------------------------------------------
// Go's `path` package (lexical, slash-separated), which crosspath builds on.

// path.Clean
function goClean(path) {
    if (path === "") return ".";
    const rooted = path[0] === "/";
    const parts = [];
    for (const element of path.split("/")) {
        if (element === "" || element === ".") continue;
        if (element === "..") {
            if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
            else if (!rooted) parts.push("..");
            continue;
        }
        parts.push(element);
    }
    const joined = parts.join("/");
    if (rooted) return "/" + joined;
    return joined === "" ? "." : joined;
}

// path.Join: the non-empty elements joined by "/" and cleaned; "" when every element is empty.
function goJoin(elements) {
    const nonEmpty = elements.filter((element) => element !== "");
    return nonEmpty.length === 0 ? "" : goClean(nonEmpty.join("/"));
}

// path.Base
function goBase(path) {
    if (path === "") return ".";
    path = path.replace(/\/+$/, "");
    const slash = path.lastIndexOf("/");
    if (slash >= 0) path = path.slice(slash + 1);
    return path === "" ? "/" : path;
}

// path.Split: everything up to and including the last "/", and the rest.
function goSplit(path) {
    const slash = path.lastIndexOf("/");
    return [path.slice(0, slash + 1), path.slice(slash + 1)];
}

// path.Ext: the suffix from the last "." of the last element, or "".
function goExt(path) {
    for (let i = path.length - 1; i >= 0 && path[i] !== "/"; i--) {
        if (path[i] === ".") return path.slice(i);
    }
    return "";
}

// ---------------------------------------------------------------------------------------------------------
// The `path` module of job scripts: job_compilers/js_path.go:PathModule exports pkg/crosspath's functions.

// crosspath.go:ToSlash -- every backslash becomes "/", on every platform.
function toSlash(path) {
    return path.replaceAll("\\", "/");
}

const pathModule = Object.freeze({
    // crosspath.go:Base
    basename: (path) => goBase(toSlash(goString(path))),
    // crosspath.go:Dir -- path.Split, not path.Dir, so a UNC path's leading "//" is kept.
    dirname: (path) => {
        path = goString(path);
        if (path === "") return ".";
        const [dir] = goSplit(toSlash(path));
        if (dir === "") return ".";
        return dir.length > 1 ? dir.slice(0, -1) : dir;
    },
    // crosspath.go:Join -- path.Join first, then ToSlash (so backslashes are not cleaned: "\\\\NAS" -> "//NAS").
    join: (...elements) => toSlash(goJoin(elements.map(goString))),
    // crosspath.go:Stem
    stem: (path) => {
        const base = goBase(toSlash(goString(path)));
        return base.slice(0, base.length - goExt(base).length);
    },
});

// ---------------------------------------------------------------------------------------------------------
// Global functions: job_compilers/scripts.go:newGojaVM sets these from job_compilers/js_globals.go.

// js_globals.go:ErrInvalidRange.Error
function invalidRange(range, message, wrapped) {
    if (wrapped !== undefined) return new GoError(`invalid range "${range}":  ${message} (${wrapped})`);
    return new GoError(`invalid range "${range}": ${message}`);
}

// strconv.ParseInt(text, 10, 64), after strings.TrimSpace: [+-]digits within int64; returns [value, error].
function parseInt64(text) {
    text = goTrimSpace(text);
    const quoted = JSON.stringify(text);
    if (!/^[+-]?[0-9]+$/.test(text)) return [0, `strconv.ParseInt: parsing ${quoted}: invalid syntax`];
    const value = BigInt(text);
    if (value > 9223372036854775807n || value < -9223372036854775808n) {
        return [0, `strconv.ParseInt: parsing ${quoted}: value out of range`];
    }
    return [Number(value), undefined];
}

// js_globals.go:frameRangeExplode -- "A..B" becomes "A-B"; every frame once, sorted.
function frameRangeExplode(frameRange) {
    frameRange = frameRange.replaceAll("..", "-");
    const frames = new Set();
    for (const part of frameRange.split(",")) {
        const startEnd = part.split("-");
        if (startEnd.length === 1) {
            const [frame, error] = parseInt64(startEnd[0]);
            if (error !== undefined) throw invalidRange(frameRange, part, error);
            frames.add(frame);
        } else if (startEnd.length === 2) {
            const [start, startError] = parseInt64(startEnd[0]);
            const [end, endError] = parseInt64(startEnd[1]);
            if (startError !== undefined || endError !== undefined) {
                throw invalidRange(frameRange, part, startError !== undefined ? startError : endError);
            }
            for (let frame = start; frame <= end; frame++) frames.add(frame);
        } else {
            throw invalidRange(frameRange, part);
        }
    }
    return [...frames].sort((a, b) => a - b);
}

// js_globals.go:frameRangeMerge -- runs of 3+ frames as "A-B", a run of two as "A,B", single frames alone.
function frameRangeMerge(frames) {
    const ranges = [];
    const appendRange = (from, to) => {
        if (from === to) ranges.push(String(from));
        else if (from + 1 === to) ranges.push(String(from), String(to));
        else ranges.push(`${from}-${to}`);
    };
    let start = frames[0];
    let previous = frames[0];
    for (const frame of frames) {
        if (frame > previous + 1) {
            appendRange(start, previous);
            start = frame;
        }
        previous = frame;
    }
    appendRange(start, frames[frames.length - 1]);
    return ranges.join(",");
}

// js_globals.go:jsFrameChunker
function frameChunker(frameRange, chunkSize) {
    frameRange = goTrimSpace(goString(frameRange));
    chunkSize = goInt(chunkSize);
    if (frameRange.length === 0) throw invalidRange(frameRange, "empty range");
    if (chunkSize < 1) throw new GoError(`invalid chunk size, must be positive number: ${chunkSize}`);
    const frames = frameRangeExplode(frameRange);
    if (frames.length === 0) throw invalidRange(frameRange, "empty range");
    const chunks = [];
    for (let i = 0; i < frames.length; i += chunkSize) {
        chunks.push(frameRangeMerge(frames.slice(i, Math.min(i + chunkSize, frames.length))));
    }
    return chunks;
}

// js_globals.go:jsFrameCount
function frameCount(frameRange) {
    return frameRangeExplode(goString(frameRange)).length;
}

// js_globals.go:jsFormatTimestampLocal -- local time as Go's "2006-01-02_150405". Takes a Date (goja converts
// JavaScript dates), the job's `created`, or a date string (goja parses those too).
function formatTimestampLocal(timestamp) {
    const date = isDate(timestamp) ? new Date(timestamp.getTime()) : new Date(goString(timestamp));
    if (Number.isNaN(date.getTime())) throw new GoError(`could not convert ${timestamp} to time.Time`);
    const two = (number) => String(number).padStart(2, "0");
    const day = `${String(date.getFullYear()).padStart(4, "0")}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
    return `${day}_${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
}

// js_globals.go:jsPrint -- Flamenco logs the arguments; here they go to standard error, off the JSON.
function print(...args) {
    const shown = args.map((arg) => (typeof arg === "string" ? arg : safeJSON(arg)));
    process.stderr.write(`print: ${shown.join(" ")}\n`);
}

function safeJSON(value) {
    try {
        return JSON.stringify(value, (key, item) => (item instanceof Set ? [...item] : item));
    } catch (error) {
        return String(value);
    }
}

// ---------------------------------------------------------------------------------------------------------
// The `author` module: job_compilers/author.go. Goja shows Go structs to scripts through
// goja.UncapFieldNameMapper (scripts.go:newGojaVM): a field or method is named with its first letter in lower
// case (AddCommand -> addCommand, UUID -> uUID).

// Goja's export of a script value into a Go `any` (parameters of author.Command): integers become int64,
// other numbers float64, arrays []any, objects map[string]any, undefined and null nil. The export is a copy.
function exportValue(value) {
    if (value === undefined || value === null) return null;
    if (Array.isArray(value)) return value.map(exportValue);
    if (isDate(value)) return value.toISOString();
    if (typeof value === "object") {
        const result = {};
        for (const key of Object.keys(value)) result[key] = exportValue(value[key]);
        return result;
    }
    return value; // string, number, boolean; a function stays one and fails when the job is stored
}

class AuthoredTask {
    constructor(name, type) {
        this.uUID = crypto.randomUUID();
        this.name = name;
        this.type = type;
        this.priority = 50; // author.go:Author.Task: "TODO: handle default priority somehow."
        this.commands = [];
        this.dependencies = [];
    }

    // author.go:AuthoredTask.AddCommand -- appends a copy of the command (its parameters map is shared).
    addCommand(command) {
        this.commands.push({ ...command });
    }

    // author.go:AuthoredTask.AddDependency -- appends the task itself (a pointer); no cycle check.
    addDependency(task) {
        this.dependencies.push(task);
    }
}

const authorModule = Object.freeze({
    // author.go:Author.Task -- name and type are trimmed and must not be empty; priority 50.
    Task(name, taskType) {
        name = goTrimSpace(goString(name));
        taskType = goTrimSpace(goString(taskType));
        if (name === "") throw new GoError("author.Task(name, type): name is required");
        if (taskType === "") throw new GoError("author.Task(name, type): type is required");
        return new AuthoredTask(name, taskType);
    },
    // author.go:Author.Command -- a missing totalStepCount is 0 ("does not support steps").
    Command(cmdName, parameters, totalStepCount) {
        return {
            name: goString(cmdName),
            parameters: parameters === undefined || parameters === null ? null : exportValue(parameters),
            totalStepCount: goInt(totalStepCount),
        };
    },
});

// author.go:AuthoredJob, as job_compilers.go:Service.Compile fills it from the submitted job.
function authoredJob(submitted, jobType) {
    const job = {
        jobID: crypto.randomUUID(),
        workerTagUUID: submitted.worker_tag || "",
        name: goString(submitted.name),
        jobType: submitted.type || jobType,
        priority: submitted.priority === undefined ? 50 : goInt(submitted.priority),
        status: "under-construction",
        created: submitted.created === undefined ? new Date() : new Date(submitted.created),
        settings: { ...(submitted.settings || {}) },
        metadata: { ...(submitted.metadata || {}) },
        storage: { shamanCheckoutID: (submitted.storage && submitted.storage.shaman_checkout_id) || "" },
        tasks: [],
        // author.go:AuthoredJob.AddTask -- appends a COPY of the task as it is now (`append(aj.Tasks, *at)`):
        // commands or dependencies added to the task afterwards are not part of the job.
        addTask(task) {
            this.tasks.push({ ...task, commands: [...task.commands], dependencies: [...task.dependencies] });
        },
    };
    return job;
}

// ---------------------------------------------------------------------------------------------------------
// Storing the job: persistence/jobs.go:storeAuthoredJobTask. Commands are marshalled to JSON (a value JSON
// cannot hold fails the job), a task counts max(1, totalStepCount) steps per command, and a dependency must be
// a task of the same job (matched by UUID).

function toStoredJSON(value, where) {
    if (typeof value === "number" && !Number.isFinite(value)) {
        throw new Error(`could not convert commands of task ${where} to JSON: unsupported value ${value}`);
    }
    if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
        throw new Error(`could not convert commands of task ${where} to JSON: unsupported type ${typeof value}`);
    }
    if (Array.isArray(value)) return value.map((item) => toStoredJSON(item, where));
    if (value !== null && typeof value === "object") {
        const result = {};
        for (const key of Object.keys(value)) result[key] = toStoredJSON(value[key], where);
        return result;
    }
    return value === undefined ? null : value;
}

function storedTasks(job) {
    const byUUID = new Map();
    for (const task of job.tasks) {
        if (byUUID.has(task.uUID)) throw new Error(`storing task: task ${JSON.stringify(task.name)} added twice`);
        byUUID.set(task.uUID, task);
    }
    return job.tasks.map((task) => {
        const where = JSON.stringify(task.name);
        const commands = task.commands.map((command) => ({
            name: command.name,
            parameters: toStoredJSON(command.parameters, where),
            totalStepCount: command.totalStepCount,
        }));
        const dependencies = task.dependencies.map((dependency) => {
            const stored = dependency && byUUID.get(dependency.uUID);
            if (stored === undefined) {
                const uuid = dependency && dependency.uUID;
                throw new Error(
                    `finding task with UUID "${uuid}"; a task depends on a task that is not part of this job`,
                );
            }
            return stored.name;
        });
        return {
            name: task.name,
            type: task.type,
            priority: task.priority,
            commands,
            stepsTotal: commands.reduce((sum, command) => sum + Math.max(1, command.totalStepCount), 0),
            dependencies,
        };
    });
}

// ---------------------------------------------------------------------------------------------------------
// Loading and running a script: job_compilers/scripts.go and job_compilers.go.

// scripts.go:filenameToJobType -- "simple_blender_render.js" -> "simple-blender-render".
function filenameToJobType(filename) {
    const base = nodePath.basename(filename);
    const stem = base.slice(0, base.length - nodePath.extname(base).length);
    return stem.replaceAll("_", "-");
}

function loadScript(scriptPath) {
    const source = fs.readFileSync(scriptPath, "utf8");
    const context = vm.createContext({
        print,
        frameChunker,
        frameCount,
        formatTimestampLocal,
        author: authorModule,
        path: pathModule,
    });
    // scripts.go:loadScriptsFrom compiles with goja.Compile(filename, source, true): strict mode. The directive
    // goes on the script's first line, so line numbers stay those of the file.
    vm.runInContext(`"use strict";${source}`, context, { filename: scriptPath });
    return context;
}

// job_compilers.go:VM.getJobTypeInfo -- the global JOB_TYPE with the name taken from the file name.
function jobTypeInfo(context, scriptPath) {
    const jobType = vm.runInContext("typeof JOB_TYPE === 'undefined' ? undefined : JOB_TYPE", context);
    if (jobType === undefined || jobType === null) {
        throw new Error(`script (${nodePath.basename(scriptPath)}) does not define a JOB_TYPE object`);
    }
    return { ...JSON.parse(JSON.stringify(jobType)), name: filenameToJobType(scriptPath) };
}

// job_compilers.go:Service.Compile, then what persistence would store.
function compile(scriptPath, submitted) {
    const context = loadScript(scriptPath); // a fresh VM for every job, as compilerVMForJobType makes
    const info = jobTypeInfo(context, scriptPath);
    const job = authoredJob(submitted, info.name);
    try {
        const compileJob = vm.runInContext("typeof compileJob === 'function' ? compileJob : undefined", context);
        if (compileJob === undefined) {
            throw new Error(`script (${nodePath.basename(scriptPath)}) does not define a compileJob(job) function`);
        }
        compileJob(job);
        const tasks = storedTasks(job);
        return {
            jobType: info,
            job: {
                name: job.name,
                jobType: job.jobType,
                priority: job.priority,
                settings: exportValue(job.settings),
                metadata: exportValue(job.metadata),
                tasks,
            },
        };
    } catch (error) {
        // A script may throw anything (the simple job throws strings); Flamenco reports its string form.
        const message = error instanceof Error ? error.message : String(error);
        return { jobType: info, error: message };
    }
}

function main(argv) {
    if (argv.length < 1 || argv.length > 2) {
        process.stderr.write("usage: node harness.js JOB_TYPE.js [JOBS.json]\n");
        return 2;
    }
    const [scriptPath, jobsPath] = argv;
    const input = JSON.parse(fs.readFileSync(jobsPath === undefined ? 0 : jobsPath, "utf8"));
    const jobs = Array.isArray(input) ? input : [input];
    const results = jobs.map((submitted) => compile(scriptPath, submitted));
    process.stdout.write(JSON.stringify(Array.isArray(input) ? results : results[0], null, 1) + "\n");
    return 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}

module.exports = { compile, frameChunker, frameCount, pathModule, formatTimestampLocal };
