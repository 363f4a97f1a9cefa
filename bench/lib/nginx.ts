/**
 * nginx as the static-file baseline: a private config (1 worker, sendfile on, listen on
 * 127.0.0.1 only, pid/logs/temp paths in a scratch dir), started in the foreground and
 * stopped by its recorded PID.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startProcess, waitUntil, which, type Started } from './proc.js';

export interface NginxServer { port: number; baseUrl: string; proc: Started; stop(): Promise<void> }

export async function startNginx(scratch: string, root: string): Promise<NginxServer> {
  const bin = await which('nginx');
  if (!bin) throw new Error('nginx not found: apt-get install -y nginx-light (bench/install-deps.sh)');
  const dir = join(scratch, 'nginx');
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const conf = `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  access_log ${dir}/access.log combined buffer=64k flush=1s;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / { }
  }
}
`;
  await writeFile(join(dir, 'nginx.conf'), conf);
  const proc = startProcess('nginx', bin, ['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'error.log')]);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil('nginx to answer', async () => {
    if (proc.child.exitCode !== null) throw new Error(`nginx exited: ${proc.lines.join('\n')}`);
    try { const r = await fetch(`${baseUrl}/`, { method: 'HEAD' }); return r.status > 0; } catch { return false; }
  }, 10_000);
  return { port, baseUrl, proc, stop: () => proc.stop() };
}
