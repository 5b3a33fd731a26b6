// Pack rectangles with maxrects-packer (npm), the reference that packed sheets are measured against, and print
// each case's bins as one JSON line: node pack.mjs CASES.json, where CASES.json is a list of
// {"maxSize", "padding", "border", "sizes": [[w, h], ...]}; prints [{"bins": [[w, h], ...], "area"}, ...].
import { readFileSync } from 'node:fs';
import { MaxRectsPacker } from 'maxrects-packer/dist/maxrects-packer.mjs';

const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = cases.map(({ maxSize, padding, border, sizes }) => {
    const packer = new MaxRectsPacker(maxSize, maxSize, padding,
        { smart: true, pot: false, square: false, allowRotation: false, border });
    packer.addArray(sizes.map(([width, height], index) => ({ width, height, data: index })));
    const bins = packer.bins.map((bin) => [bin.width, bin.height]);
    const oversized = packer.bins.some((bin) => bin.rects.some((rect) => rect.oversized));
    return { bins, area: bins.reduce((sum, [w, h]) => sum + w * h, 0), oversized };
});
process.stdout.write(JSON.stringify(results) + '\n');
