/**
 * minidlna (Debian's minidlnad) as the full-scan-with-metadata baseline: a private config
 * (media_dir = the tree, db_dir and log_dir in scratch, HTTP on a high port, interface lo,
 * no inotify), started in the foreground with -R (rebuild the database) and -S (stay in
 * the foreground), stopped by its recorded PID. Completion is detected from its log line
 * "Scanning <dir> finished (N files)!", which it writes when the scanner child is done
 * (files, metadata and database rows); the row count in files.db is read with sqlite3
 * when available, as a cross-check.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, run, startProcess, waitUntil, which } from './proc.js';

export interface MinidlnaScan {
  /** From spawn to the "finished" log line. */
  seconds: number;
  /** Files it says it scanned. */
  files: number;
  /** Rows in its DETAILS table (null without sqlite3). */
  detailRows: number | null;
}

export async function minidlnaFullScan(scratch: string, mediaDir: string, timeoutMs: number): Promise<MinidlnaScan> {
  const bin = await which('minidlnad');
  if (!bin) throw new Error('minidlnad not found: apt-get install -y minidlna (bench/install-deps.sh)');
  const dir = join(scratch, 'minidlna');
  await mkdir(join(dir, 'db'), { recursive: true });
  await mkdir(join(dir, 'log'), { recursive: true });
  const port = await freePort();
  const conf = [
    `media_dir=${mediaDir}`, `db_dir=${dir}/db`, `log_dir=${dir}/log`, `port=${port}`,
    'network_interface=lo', 'friendly_name=alcove-bench', 'inotify=no', 'notify_interval=900',
    // Its scanner logs each file at info level; keep logging out of the measurement.
    'log_level=general,artwork,database,inotify,scanner,metadata,http,ssdp,tivo=warn',
  ].join('\n');
  await writeFile(join(dir, 'minidlna.conf'), `${conf}\n`);
  const logPath = join(dir, 'log', 'minidlna.log');
  const proc = startProcess('minidlnad', bin, ['-f', join(dir, 'minidlna.conf'), '-P', join(dir, 'minidlna.pid'), '-R', '-S']);
  try {
    const line = await waitUntil('minidlna scan to finish', async () => {
      if (proc.child.exitCode !== null) throw new Error(`minidlnad exited: ${proc.lines.join('\n')}`);
      let log = '';
      try { log = await readFile(logPath, 'utf8'); } catch { return false; }
      const m = /Scanning .* finished \((\d+) files\)/.exec(log);
      return m ? { at: performance.now(), files: Number(m[1]) } : false;
    }, timeoutMs, 25);
    const seconds = (line.at - proc.startedAt) / 1000;
    let detailRows: number | null = null;
    if (await which('sqlite3')) {
      const r = await run('sqlite3', [join(dir, 'db', 'files.db'), 'select count(*) from DETAILS where MIME is not null;'], { check: false });
      detailRows = r.code === 0 ? Number(r.stdout.trim()) : null;
    }
    return { seconds, files: line.files, detailRows };
  } finally {
    await proc.stop();
  }
}
