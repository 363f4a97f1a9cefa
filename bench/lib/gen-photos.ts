/**
 * Generator: large camera-like JPEGs for the thumbnail benchmark (default 4000x3000).
 * Each is gaussian noise over a distinct colour, lightly blurred, so it compresses like a
 * real photo (a few MB at quality 90) rather than like a flat colour (a few KB), and the
 * decoder does realistic work. Cached by count and size.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { cached, mapLimit } from './cache.js';

export interface PhotoParams { count: number; width: number; height: number }

export async function generatePhotos(cacheRoot: string, p: PhotoParams): Promise<{ dir: string; files: string[]; built: boolean }> {
  const names = Array.from({ length: p.count }, (_, i) => `DSC_${String(i).padStart(4, '0')}.jpg`);
  const { dir, built } = await cached(cacheRoot, 'photos', { count: p.count, w: p.width, h: p.height }, async (d) => {
    await mapLimit(names, 2, async (name, i) => {
      await sharp({ create: { width: p.width, height: p.height, channels: 3, background: { r: (i * 61) % 256, g: (i * 29) % 256, b: (i * 97) % 256 }, noise: { type: 'gaussian', mean: 120, sigma: 30 } } })
        .blur(0.8)
        .withExif({ IFD0: { Make: 'AlcoveBench', Model: 'Big Sensor', DateTime: '2024:06:01 10:00:00' } })
        .jpeg({ quality: 90 })
        .toFile(join(d, name));
    });
  });
  return { dir, files: names.map((n) => join(dir, n)), built };
}
