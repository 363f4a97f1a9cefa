/**
 * Hardware detection against recorded outputs of real machines (test/fixtures/hwaccel):
 * ffmpeg -hwaccels/-encoders/-decoders, -init_hw_device vaapi stderr, trial encodes,
 * /dev listings and permissions. No GPU is needed: the I/O is replayed.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectHardware, canHwDecode, type HwProbeIo } from '../../daemon/media/hwaccel/hw-detect.js';
import { chooseMethod, parseCodecList, parseHwaccels, parseVaapiDriver, renderNodes, v4l2Nodes, nvidiaNodes } from '../../daemon/media/hwaccel/hw-detect-parse.js';

const DIR = join(import.meta.dirname, '../fixtures/hwaccel');
const read = (f: string): string => readFileSync(join(DIR, f), 'utf8');

interface Machine {
  hwaccels: string; encoders: string; decoders: string; dri: string[]; dev: string[]; canOpen: string[]; init?: string;
  trials: Record<string, number | string>;
  expect: { available: string[]; chosen: string; vendor?: string; problems: string[] };
}
const machines = JSON.parse(read('machines.json')) as Record<string, Machine | string>;

function replay(m: Machine, calls: string[][]): HwProbeIo {
  return {
    async ffmpeg(args) {
      calls.push(args);
      if (args.includes('-hwaccels')) return { code: 0, stdout: read(m.hwaccels), stderr: '' };
      if (args.includes('-encoders')) return { code: 0, stdout: read(m.encoders), stderr: '' };
      if (args.includes('-decoders')) return { code: 0, stdout: read(m.decoders), stderr: '' };
      const enc = args[args.indexOf('-c:v') + 1];
      if (args.includes('-c:v')) {
        const trial = m.trials[enc];
        if (trial === undefined) throw new Error(`unexpected trial of ${enc}`);
        if (typeof trial === 'number') return { code: trial, stdout: '', stderr: '' };
        const text = read(trial);
        return { code: /Conversion failed|No capable devices/.test(text) ? 1 : 0, stdout: '', stderr: text };
      }
      if (args.some((a) => a.startsWith('vaapi=va:'))) {
        const text = m.init ? read(m.init) : '';
        return { code: /VAAPI driver:/.test(text) ? 0 : 1, stdout: '', stderr: text };
      }
      throw new Error(`unexpected ffmpeg call ${args.join(' ')}`);
    },
    async listDir(path) { return path === '/dev/dri' ? m.dri : path === '/dev' ? m.dev : []; },
    async canOpen(path) { return m.canOpen.includes(path); },
    now: () => 1_700_000_000_000,
  };
}

for (const [name, entry] of Object.entries(machines)) {
  if (typeof entry === 'string') continue;
  t.test(`machine: ${name}`, async (t) => {
    const calls: string[][] = [];
    const sut = await detectHardware(replay(entry, calls), { path: '/usr/bin/ffmpeg', version: '5.1.9' });
    t.same(sut.available, entry.expect.available, 'validated methods');
    t.equal(chooseMethod('auto', sut.available), entry.expect.chosen, 'auto choice');
    t.same(sut.problems.map((p) => p.code), entry.expect.problems, 'problems');
    if (entry.expect.vendor) t.equal(sut.devices[0]?.vendor, entry.expect.vendor);
    for (const p of sut.problems.filter((x) => x.code.endsWith('PERMISSION'))) t.match(p.fix, /usermod -aG (render|video)/, 'permission problems carry the fix');
    for (const e of sut.encoders) if (e.validated) t.ok(calls.some((c) => c.includes(e.name)), `${e.name} was trialled`);
    t.equal(sut.detectedAt, 1_700_000_000_000);
  });
}

t.test('intel: driver line, decoders and device order', async (t) => {
  const m = machines['intel-ihd'] as Machine;
  const sut = await detectHardware(replay(m, []), { path: 'ffmpeg', version: '5.1' });
  t.match(sut.devices[0], { path: '/dev/dri/renderD128', kind: 'dri-render', accessible: true });
  t.match(sut.devices[0].driver, /^Intel iHD driver .* 23\.1\.1/);
  t.ok(canHwDecode(sut, 'vaapi', 'hevc'), 'hevc decodes on vaapi');
  t.notOk(canHwDecode(sut, 'nvenc', 'hevc'), 'no nvenc here');
});

t.test('parsers', async (t) => {
  t.same(parseHwaccels(read('debian12-hwaccels.txt')), ['vdpau', 'cuda', 'vaapi', 'qsv', 'drm', 'opencl', 'vulkan']);
  const enc = parseCodecList(read('debian12-encoders.txt'));
  t.ok(enc.includes('h264_vaapi') && enc.includes('h264_nvenc') && enc.includes('libx264'));
  t.notOk(enc.includes('='), 'legend lines are not codecs');
  t.same(renderNodes(['card0', 'renderD129', 'renderD128', 'by-path']), ['/dev/dri/renderD128', '/dev/dri/renderD129']);
  t.same(v4l2Nodes(['video11', 'video10', 'video2', 'vcs']), ['/dev/video2', '/dev/video10', '/dev/video11']);
  t.same(nvidiaNodes(['nvidia0', 'nvidiactl', 'nvidia-uvm', 'nvidia1']), ['/dev/nvidia0', '/dev/nvidia1']);
  t.match(parseVaapiDriver(read('amd-radeonsi-init.txt')), { vendor: 'amd', driver: /^Mesa Gallium driver 22\.3\.6 for AMD Radeon RX 6600/ });
  t.match(parseVaapiDriver(read('intel-permission-init.txt')).error, /Permission denied|No VA display/);
  t.equal(chooseMethod('vaapi', []), 'vaapi', 'an explicit preference is kept (runtime falls back)');
  t.equal(chooseMethod('auto', ['vaapi', 'qsv']), 'qsv');
});
