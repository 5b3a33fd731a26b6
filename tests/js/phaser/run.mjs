// Load one sprite sheet (PNG + Aseprite-style JSON) in Phaser inside headless Chromium and print, as one JSON
// object on stdout, what Phaser made of it: animations, texture frames, and every error or warning it logged.
//
//   node run.mjs --json SHEET.json --image SHEET.png [--pixels] [--chromium /usr/bin/chromium] [--timeout-ms 30000]
//   node run.mjs --draw SHEETS.json   (a list of {"json", "image"}: draw.html draws every frame of each with WebGL)
//   node run.mjs --sheets LIST.json [--pixels] ...   (several sheets, each its own texture: [{"json", "image"}])
//
// Files are served from 127.0.0.1 on a free port (file:// blocks XHR); Chromium is Debian's, never a download.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
    options: {
        json: { type: 'string' },
        image: { type: 'string' },
        pixels: { type: 'boolean', default: false },
        normal: { type: 'string' },
        draw: { type: 'string' },
        sheets: { type: 'string' },
        chromium: { type: 'string', default: process.env.PIXEL_SPRITES_CHROMIUM || '/usr/bin/chromium' },
        'timeout-ms': { type: 'string', default: '30000' },
    },
});
const drawn = args.draw ? JSON.parse(readFileSync(args.draw, 'utf8')) : null;
const many = args.sheets ? JSON.parse(readFileSync(args.sheets, 'utf8')) : null;
if (!drawn && !many && (!args.json || !args.image)) {
    process.stderr.write('usage: node run.mjs --json SHEET.json --image SHEET.png [--pixels]\n');
    process.exit(2);
}
const timeout = Number(args['timeout-ms']);
const started = Date.now();

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.png': 'image/png' };
// URL path -> file on disk; the sheet keeps its own file names so messages name them.
const jsonUrl = `/sheet/json/${encodeURIComponent(basename(args.json || ''))}`;
const imageUrl = `/sheet/image/${encodeURIComponent(basename(args.image || ''))}`;
// With --sheets, each sheet n is served under /sheets/n/ and many.html loads them all, each under its own key.
const manyUrls = (many || []).map((sheet, n) => ({
    key: `sheet${n}`,
    json: `/sheets/${n}/${encodeURIComponent(basename(sheet.json))}`,
    image: `/sheets/${n}/${encodeURIComponent(basename(sheet.image))}`,
}));
// With --normal (the sheet's normal map), light.html lights every frame with Light2D instead of index.html.
const normalUrl = args.normal ? `/sheet/normal/${encodeURIComponent(basename(args.normal))}` : null;
const routes = new Map([
    ['/', join(here, drawn ? 'draw.html' : many ? 'many.html' : args.normal ? 'light.html' : 'index.html')],
    ['/phaser.min.js', join(here, 'node_modules', 'phaser', 'dist', 'phaser.min.js')],
    ...(drawn ? drawn.flatMap((sheet, i) => [[`/draw/${i}/json`, sheet.json], [`/draw/${i}/image`, sheet.image]])
        : many ? [] : [[jsonUrl, args.json], [imageUrl, args.image]]),
    ...manyUrls.flatMap((urls, n) => [[urls.json, many[n].json], [urls.image, many[n].image]]),
    ...(normalUrl ? [[normalUrl, args.normal]] : []),
]);

const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    const file = routes.get(path);
    if (!file) {
        res.writeHead(404).end();
        return;
    }
    try {
        const body = await readFile(file);
        res.writeHead(200, { 'Content-Type': TYPES[extname(file).toLowerCase()] || 'application/octet-stream',
            'Cache-Control': 'no-store' }).end(body);
    } catch (err) {
        res.writeHead(404).end(String(err));
    }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const errors = [];
const warnings = [];
const pending = [];

// Phaser logs with printf-style patterns ('File failed: %s "%s"'); fill them in from the message's arguments.
async function consoleText(msg) {
    try {
        const values = await Promise.all(msg.args().map((arg) => arg.jsonValue()));
        if (typeof values[0] !== 'string') return msg.text();
        const rest = values.slice(1);
        const text = values[0].replace(/%[sdifoOc]/g, (match) => (rest.length ? String(rest.shift()) : match));
        return [text, ...rest.map(String)].join(' ');
    } catch {
        return msg.text();
    }
}
const profile = mkdtempSync(join(tmpdir(), 'pixel-sprites-chromium-'));
let browser;
let result;
try {
    browser = await chromium.launchPersistentContext(profile, {
        executablePath: args.chromium,
        headless: true,
        chromiumSandbox: false,
        timeout,
        // Light2D needs WebGL: SwiftShader draws it on the CPU when there is no GPU.
        args: ['--headless', '--no-sandbox', ...(args.normal || drawn ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader']
            : ['--disable-gpu']), '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--disable-extensions', '--disable-dev-shm-usage'],
    });
    const page = browser.pages()[0] || await browser.newPage();
    page.on('console', (msg) => {
        const list = msg.type() === 'error' ? errors : msg.type() === 'warning' ? warnings : null;
        if (list) pending.push(consoleText(msg).then((text) => list.push(`console.${msg.type()}: ${text}`)));
    });
    page.on('pageerror', (err) => errors.push(`page error: ${err.stack || err}`));
    page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
    page.on('response', (res) => {
        if (res.status() >= 400) errors.push(`HTTP ${res.status()} for ${res.url()}`);
    });
    const query = new URLSearchParams(drawn ? { count: String(drawn.length) }
        : many ? { sheets: JSON.stringify(manyUrls), pixels: args.pixels ? '1' : '0' } : {
        json: jsonUrl,
        image: imageUrl,
        pixels: args.pixels ? '1' : '0',
        ...(normalUrl ? { normal: normalUrl } : {}),
    });
    await page.goto(`${origin}/?${query}`, { timeout });
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout });
    result = await page.evaluate(() => window.__result);
    for (const message of result.loadErrors || []) errors.push(message);
    if (result.exception) errors.push(`exception in create(): ${result.exception}`);
    result.browserVersion = browser.browser()?.version() ?? null;
} catch (err) {
    errors.push(`harness: ${err.stack || err}`);
    result = result || {};
} finally {
    await Promise.allSettled(pending);  // console messages still being formatted
    await browser?.close().catch(() => {});
    server.close();
    rmSync(profile, { recursive: true, force: true });
}
result.errors = errors;
result.warnings = warnings;
result.elapsedMs = Date.now() - started;
process.stdout.write(JSON.stringify(result) + '\n');
