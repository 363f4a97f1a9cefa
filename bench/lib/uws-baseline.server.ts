/**
 * Baseline for the listing benchmark: the smallest useful uWebSockets.js server, one GET
 * route answering a small fixed JSON body inside cork(). It runs as its own process
 * (`node dist/bench/lib/uws-baseline.server.js [port]`), binds 127.0.0.1 only, prints one
 * JSON line {"msg":"listening","port":N} and exits on SIGTERM.
 * (bench/ is the one place outside daemon/http allowed to import uWebSockets.js, for this.)
 */
import uWS from 'uWebSockets.js';

const body = JSON.stringify({ items: [{ id: 1, name: 'a.jpg', type: 'image' }, { id: 2, name: 'b.mp4', type: 'video' }], total: 2, page: 1, pageSize: 50 });
const port = Number(process.argv[2] ?? 0);

const app = uWS.App();
app.get('/*', (res) => {
  res.cork(() => {
    res.writeStatus('200 OK').writeHeader('Content-Type', 'application/json').end(body);
  });
});
app.listen('127.0.0.1', port, (socket) => {
  if (!socket) { process.stderr.write('cannot listen\n'); process.exit(1); }
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: uWS.us_socket_local_port(socket) })}\n`);
  process.once('SIGTERM', () => { uWS.us_listen_socket_close(socket); process.exit(0); });
});
