import t from 'tap';
import { RateLimiter } from '../../daemon/services/rate-limit.js';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

t.test('allows `limit` hits per window, then refuses with retryAfter', async (t) => {
  const clock = fakeClock();
  const sut = new RateLimiter({ limit: 3, windowMs: 60_000, clock });
  t.same(sut.hit('a'), { allowed: true, retryAfterSec: 0, remaining: 2 });
  clock.advance(10_000);
  t.same(sut.hit('a'), { allowed: true, retryAfterSec: 0, remaining: 1 });
  t.same(sut.hit('a'), { allowed: true, retryAfterSec: 0, remaining: 0 });
  const refused = sut.hit('a');
  t.equal(refused.allowed, false);
  t.equal(refused.remaining, 0);
  t.equal(refused.retryAfterSec, 50, 'oldest hit leaves the window in 50 s');
  t.equal(sut.hit('b').allowed, true, 'keys are independent');
});

t.test('sliding window: capacity returns as old hits age out', async (t) => {
  const clock = fakeClock();
  const sut = new RateLimiter({ limit: 2, windowMs: 1_000, clock });
  sut.hit('k');
  clock.advance(600);
  sut.hit('k');
  t.equal(sut.hit('k').allowed, false);
  clock.advance(400); // first hit is now exactly windowMs old
  t.equal(sut.hit('k').allowed, true);
  t.equal(sut.hit('k').allowed, false);
  t.equal(sut.check('k').retryAfterSec, 1, 'rounded up to whole seconds, at least 1');
});

t.test('refused hits are not counted', async (t) => {
  const clock = fakeClock();
  const sut = new RateLimiter({ limit: 1, windowMs: 10_000, clock });
  sut.hit('k');
  for (let i = 0; i < 5; i++) { clock.advance(1_000); t.equal(sut.hit('k').allowed, false); }
  clock.advance(5_000);
  t.equal(sut.hit('k').allowed, true, 'allowed once the single counted hit expired');
});

t.test('check does not count; reset forgets', async (t) => {
  const clock = fakeClock();
  const sut = new RateLimiter({ limit: 2, windowMs: 10_000, clock });
  t.same(sut.check('k'), { allowed: true, retryAfterSec: 0, remaining: 2 });
  sut.hit('k');
  t.equal(sut.check('k').remaining, 1);
  t.equal(sut.check('k').remaining, 1);
  sut.hit('k');
  t.equal(sut.check('k').allowed, false);
  sut.reset('k');
  t.equal(sut.check('k').allowed, true);
});

t.test('memory is bounded: least recently used keys are evicted', async (t) => {
  const clock = fakeClock();
  const sut = new RateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 100, clock });
  sut.hit('keep');
  for (let i = 0; i < 1_000; i++) {
    sut.hit(`flood-${i}`);
    if (i % 10 === 0) sut.check('keep');
    t.ok(sut.size <= 100);
  }
  t.equal(sut.size, 100);
  t.equal(sut.check('flood-999').allowed, false, 'recent keys are kept');
  t.equal(sut.check('flood-0').allowed, true, 'old keys were evicted');
});

t.test('idle keys are swept after a window', async (t) => {
  const clock = fakeClock();
  const sut = new RateLimiter({ limit: 5, windowMs: 1_000, clock });
  for (let i = 0; i < 50; i++) sut.hit(`k${i}`);
  t.equal(sut.size, 50);
  clock.advance(1_000);
  t.equal(sut.sweep(), 50);
  t.equal(sut.size, 0);
  for (let i = 0; i < 10; i++) sut.hit(`j${i}`);
  clock.advance(2_000);
  sut.hit('trigger'); // a hit after a full window sweeps on its own
  t.equal(sut.size, 1);
});

t.test('invalid options are refused', async (t) => {
  t.throws(() => new RateLimiter({ limit: 0, windowMs: 1000 }), RangeError);
  t.throws(() => new RateLimiter({ limit: 1.5, windowMs: 1000 }), RangeError);
  t.throws(() => new RateLimiter({ limit: 1, windowMs: 0 }), RangeError);
});
