// SPDX-License-Identifier: GPL-3.0-or-later
//
// A job type for testing the harness itself: each entry of the `calls` setting, [function, arg, ...], calls one
// function of the job compiler API ("frameChunker", "frameCount", "formatTimestampLocal", "path.join", ...) and
// becomes one task named after its index, whose one command "result" holds {value} or {error}.
// The setting `snapshot: true` instead authors tasks that show how job.addTask copies a task.

const JOB_TYPE = {
    label: "API probe",
    settings: [
        { key: "calls", type: "string", description: "JSON list of [function, arg, ...]" },
        { key: "snapshot", type: "bool" },
    ],
};

const FUNCTIONS = {
    frameChunker: (...args) => frameChunker(...args),
    frameCount: (...args) => frameCount(...args),
    formatTimestampLocal: (...args) => formatTimestampLocal(...args),
    "path.basename": (...args) => path.basename(...args),
    "path.dirname": (...args) => path.dirname(...args),
    "path.join": (...args) => path.join(...args),
    "path.stem": (...args) => path.stem(...args),
    "author.Task": (...args) => {
        const task = author.Task(...args);
        return { name: task.name, type: task.type, priority: task.priority };
    },
};

function compileJob(job) {
    if (job.settings.snapshot) {
        authorSnapshot(job);
        return;
    }
    const calls = JSON.parse(job.settings.calls);
    calls.forEach((call, index) => {
        const [name, ...args] = call;
        let result;
        try {
            result = { value: FUNCTIONS[name](...args.map((arg) => (arg === "<created>" ? job.created : arg))) };
        } catch (error) {
            result = { error: typeof error === "object" && error !== null && "message" in error ? error.message : String(error) };
        }
        const task = author.Task(`call-${index}`, "misc");
        task.addCommand(author.Command("result", result));
        job.addTask(task);
    });
}

// Commands and dependencies added after job.addTask are not part of the job (Flamenco stores a copy).
function authorSnapshot(job) {
    const first = author.Task("first", "misc");
    job.addTask(first);
    const second = author.Task("second", "misc");
    second.addCommand(author.Command("echo", { message: "before" }, 2));
    second.addDependency(first);
    job.addTask(second);
    second.addCommand(author.Command("echo", { message: "after" }));
    second.addDependency(first);
}
