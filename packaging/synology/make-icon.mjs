// Renders the package icons (PACKAGE_ICON.PNG 72x72, PACKAGE_ICON_256.PNG 256x256) from
// one SVG with sharp: an alcove (an arched niche) holding a play triangle.
// usage: node make-icon.mjs OUT_DIR
import sharp from 'sharp';
import { join } from 'node:path';

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="#3b6fd8"/><stop offset="1" stop-color="#1d3f8f"/></linearGradient></defs>
  <rect x="8" y="8" width="240" height="240" rx="48" fill="url(#g)"/>
  <path d="M64 212 V120 a64 64 0 0 1 128 0 V212 Z" fill="#f4f6fb"/>
  <path d="M110 128 L110 188 L160 158 Z" fill="#1d3f8f"/>
</svg>`;

const out = process.argv[2] ?? '.';
for (const [name, size] of [['PACKAGE_ICON.PNG', 72], ['PACKAGE_ICON_256.PNG', 256]]) {
  await sharp(Buffer.from(svg)).resize(size, size).png().toFile(join(out, name));
}
