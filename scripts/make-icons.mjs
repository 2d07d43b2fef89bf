// Renders resources/icons/icon.svg to the PNG, ICO and ICNS files electron-builder packages,
// into build/icons (git ignores it: they are build outputs, made again by `npm run package`).
// Run: node scripts/make-icons.mjs (needs Chromium at /usr/bin/chromium or CHROMIUM_PATH).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const svg = await readFile(new URL('../resources/icons/icon.svg', import.meta.url), 'utf8');
const dir = new URL('../build/icons/', import.meta.url);
await mkdir(dir, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const render = async (size) => {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('width="512" height="512"', `width="${size}" height="${size}"`)}</body></html>`);
  const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  await page.close();
  return png;
};
const sizes = [16, 32, 48, 64, 128, 256, 512, 1024];
const pngs = new Map();
for (const s of sizes) pngs.set(s, await render(s));
await browser.close();

await writeFile(new URL('icon.png', dir), pngs.get(512));
await writeFile(new URL('256x256.png', dir), pngs.get(256));

// ICO: a directory of PNG images (supported since Windows Vista).
const icoSizes = [16, 32, 48, 64, 128, 256];
const header = Buffer.alloc(6 + 16 * icoSizes.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(icoSizes.length, 4);
let offset = header.length;
icoSizes.forEach((s, i) => {
  const png = pngs.get(s);
  const e = 6 + i * 16;
  header.writeUInt8(s >= 256 ? 0 : s, e);
  header.writeUInt8(s >= 256 ? 0 : s, e + 1);
  header.writeUInt16LE(1, e + 4); // planes
  header.writeUInt16LE(32, e + 6); // bits per pixel
  header.writeUInt32LE(png.length, e + 8);
  header.writeUInt32LE(offset, e + 12);
  offset += png.length;
});
await writeFile(new URL('icon.ico', dir), Buffer.concat([header, ...icoSizes.map((s) => pngs.get(s))]));

// ICNS: PNG-encoded entries (ic07 128, ic08 256, ic09 512, ic10 1024).
const entries = [['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024]].map(([type, s]) => {
  const png = pngs.get(s);
  const h = Buffer.alloc(8);
  h.write(type, 0, 'ascii');
  h.writeUInt32BE(png.length + 8, 4);
  return Buffer.concat([h, png]);
});
const body = Buffer.concat(entries);
const icnsHeader = Buffer.alloc(8);
icnsHeader.write('icns', 0, 'ascii');
icnsHeader.writeUInt32BE(body.length + 8, 4);
await writeFile(new URL('icon.icns', dir), Buffer.concat([icnsHeader, body]));
console.log('wrote build/icons/icon.png, 256x256.png, icon.ico, icon.icns');
