// Passes tap's raw TAP output through unchanged and appends the closing line
// "N passed, N failed" from tap's own final totals ("# { total: N, pass: N, fail: N }").
// Plain JS (no build needed): it runs on the output of the test run itself.
import { createInterface } from 'node:readline';

let totals;
let topPass = 0;
let topFail = 0;
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  process.stdout.write(line + '\n');
  const m = /^# \{ (.*) \}$/.exec(line);
  if (m) {
    const fields = Object.fromEntries(m[1].split(',').map((kv) => kv.trim().split(':').map((s) => s.trim())));
    totals = fields;
  } else if (/^ok \d+/.test(line)) topPass++;
  else if (/^not ok \d+/.test(line)) topFail++;
});
rl.on('close', () => {
  const pass = totals ? Number(totals.pass ?? 0) : topPass;
  const fail = totals ? Number(totals.fail ?? 0) : topFail;
  process.stdout.write(`${pass} passed, ${fail} failed\n`);
});
