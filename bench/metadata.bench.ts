/**
 * Benchmark 2, full scan with metadata: a mixed tree of real JPEG (EXIF), MP4 (H.264/AAC)
 * and MP3 (ID3) files, a few dozen distinct ones hard-linked into `files` names (default
 * 20,000; `--set metadata.files=100000` for the full size).
 *  - Alcove, in process: ScanService walk, then the ProbeJob + ProbeService drain until every
 *    item is probed (ProbeJob.idle()); files/s over the whole run, daemon defaults
 *    (probe concurrency 2, bundled static ffprobe preferred).
 *  - Baseline: Debian's minidlnad -R (rebuild) with a private config on the same tree, in
 *    the same run; from spawn to its "Scanning ... finished" log line.
 * Goal: ratio >= 1.0. Both read from the page cache (the tree is small on disk). Each side
 * is bounded by --set metadata.deadlineS (default 300): past it, Alcove's rate counts the
 * items probed so far (the note says so) and minidlna counts as failed.
 */
import { join } from 'node:path';
import { intOption, stringOption, type Bench, type BenchContext } from './lib/bench.js';
import { generateMediaTree, type GeneratedMedia } from './lib/gen-media.js';
import { openInProcLibrary } from './lib/inproc.js';
import { minidlnaFullScan } from './lib/minidlna.js';
import { which } from './lib/proc.js';
import { metric, type Metric } from './lib/result.js';

interface AlcoveRun { seconds: number; walkSeconds: number; probed: number; failed: number; finished: boolean; ffprobe: string }

async function alcoveFullScan(ctx: BenchContext, media: GeneratedMedia): Promise<AlcoveRun> {
  const concurrency = intOption(ctx, 'probeConcurrency', 2);
  const lib = await openInProcLibrary({
    dir: join(ctx.tmpDir, 'alcove'), mediaRoot: media.root,
    probe: { concurrency, preferBundledFfprobe: stringOption(ctx, 'ffprobe', 'bundled') === 'bundled' },
  });
  try {
    const t0 = performance.now();
    const record = await lib.scanner.scanLibrary(lib.library.id, { kind: 'full', trigger: 'manual' });
    const walkSeconds = (performance.now() - t0) / 1000;
    // Bounded: on a starved machine the drain can take many minutes; past the deadline the
    // rate of what was probed so far is reported (and the note says so).
    const deadlineMs = intOption(ctx, 'deadlineS', 300) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      lib.probeJob!.idle().then(() => true),
      new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs - (performance.now() - t0))); }),
    ]);
    clearTimeout(timer);
    const seconds = (performance.now() - t0) / 1000;
    const c = lib.store.items.counters();
    const pending = lib.store.items.pendingProbe(0, 10).length;
    ctx.log(`alcove: walk ${walkSeconds.toFixed(1)} s (${record.added} added), ${finished ? 'all probed' : 'deadline'} at ${seconds.toFixed(1)} s; probed ${c.probed}, failed ${c.probeFailed}, pending ${pending}`);
    if (record.status !== 'done' || c.files !== media.files) throw new Error(`scan indexed ${c.files} of ${media.files} files (${record.status})`);
    if (finished && pending !== 0) throw new Error(`${pending}+ items still pending after ProbeJob.idle()`);
    return { seconds, walkSeconds, probed: c.probed, failed: c.probeFailed, finished, ffprobe: `${lib.tools?.ffprobe.source} ${lib.tools?.ffprobe.version}` };
  } finally {
    await lib.close();
  }
}

export const bench: Bench = {
  name: 'metadata',
  title: 'Full scan with metadata vs minidlna',
  async run(ctx) {
    const files = intOption(ctx, 'files', 20_000, 3_000);
    const distinct = intOption(ctx, 'distinct', 36);
    const perDir = intOption(ctx, 'perDir', 200);
    const ffmpeg = (await which('ffmpeg')) ?? 'ffmpeg';
    const media = await generateMediaTree(ctx.cacheDir, ffmpeg, { files, distinct, perDir });
    ctx.param('files', files); ctx.param('byType', media.byType); ctx.param('distinct', distinct); ctx.param('perDir', perDir);
    ctx.log(media.built ? `generated ${files} linked media files in ${(media.buildMs / 1000).toFixed(1)} s` : `reusing ${media.root}`);

    const alcove = await alcoveFullScan(ctx, media);
    ctx.param('ffprobe', alcove.ffprobe);
    let baseline: number | null = null; let baseNote = '';
    try {
      const mdl = await minidlnaFullScan(ctx.tmpDir, media.root, intOption(ctx, 'deadlineS', 300) * 1000);
      baseline = mdl.files / mdl.seconds;
      baseNote = `; minidlna ${mdl.files} files in ${mdl.seconds.toFixed(1)} s (${mdl.detailRows ?? '?'} rows)`;
      ctx.log(`minidlna: ${mdl.files} files in ${mdl.seconds.toFixed(1)} s, ${mdl.detailRows} DETAILS rows`);
      if (mdl.files !== files) baseNote += ` (expected ${files})`;
    } catch (err) {
      baseNote = `; minidlna failed: ${(err as Error).message.split('\n')[0]}`;
    }
    const out: Metric[] = [
      metric({
        name: 'full scan + probe', unit: 'files/s', value: (alcove.finished ? files : alcove.probed + alcove.failed) / alcove.seconds, baselineName: 'minidlnad -R', baseline,
        goal: { on: 'ratio', op: '>=', target: 1.0 },
        note: `${alcove.finished ? files : `deadline: ${alcove.probed + alcove.failed} of ${files}`} files in ${alcove.seconds.toFixed(1)} s (walk ${alcove.walkSeconds.toFixed(1)} s), ${alcove.failed} failed${baseNote}`,
      }),
    ];
    return out;
  },
};
