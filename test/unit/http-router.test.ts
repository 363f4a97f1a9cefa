import t from 'tap';
import { Router } from '../../daemon/http/router.js';

t.test('router matching table', async (t) => {
  const sut = new Router();
  const h = () => null;
  sut.get('/', h);
  sut.get('/a/b/d', h);
  sut.get('/a/:x/c', h);
  sut.get('/a/:x', h);
  sut.post('/a/:x', h);
  sut.get('/a/b', h);
  sut.get('/w/*', h);
  sut.get('/w/fixed', h);
  sut.put('/w/:id/*', h);
  sut.delete('/only-delete', h);

  const cases: Array<[string, string, string | number, string[]?]> = [
    ['GET', '/', '/'],
    ['GET', '/a/b', '/a/b'],                         // static beats :x
    ['GET', '/a/z', '/a/:x', ['z']],
    ['POST', '/a/b', '/a/:x', ['b']],                // static /a/b has no POST: falls back to the param route
    ['GET', '/a/b/c', '/a/:x/c', ['b']],             // backtracks out of the static branch
    ['GET', '/a/b/d', '/a/b/d'],
    ['HEAD', '/a/q/c', '/a/:x/c', ['q']],           // HEAD uses GET routes
    ['GET', '/w/fixed', '/w/fixed'],
    ['GET', '/w/x/y/z', '/w/*', ['x/y/z']],
    ['GET', '/w/', '/w/*', ['']],
    ['PUT', '/w/7/deep/er', '/w/:id/*', ['7', 'deep/er']],
    ['GET', '/w', 404],
    ['GET', '/a', 404],
    ['GET', '/a/', 404],                             // an empty segment is not a param
    ['GET', '/nope', 404],
    ['DELETE', '/a/b', 405],
    ['GET', '/only-delete', 405],
  ];
  for (const [method, path, want, params] of cases) {
    const m = sut.match(method, path);
    if (typeof want === 'string') {
      t.equal(m.kind, 'found', `${method} ${path}`);
      if (m.kind === 'found') {
        t.equal(m.route.pattern, want, `${method} ${path} -> ${want}`);
        t.same(m.rawParams, params ?? [], `${method} ${path} params`);
      }
    } else {
      t.equal(m.kind, want === 404 ? 'none' : 'method', `${method} ${path} -> ${want}`);
    }
  }
  const allow = sut.match('DELETE', '/a/b');
  t.same(allow.kind === 'method' && allow.allow, ['GET', 'HEAD', 'POST']);
  t.same(sut.match('PATCH', '/only-delete'), { kind: 'method', allow: ['DELETE'] });
});

t.test('route definitions', async (t) => {
  const sut = new Router();
  sut.get('/x/:id', () => 1, { access: { kind: 'admin' }, name: 'x-item', maxBodyBytes: 10 });
  const m = sut.match('GET', '/x/1');
  t.equal(m.kind === 'found' && m.route.name, 'x-item');
  t.equal(m.kind === 'found' && m.route.maxBodyBytes, 10);
  t.same(sut.routes(), [{ method: 'GET', pattern: '/x/:id', access: { kind: 'admin' } }]);
  t.throws(() => sut.get('x', () => 1), /start with/);
  t.throws(() => sut.get('/y/:a/:a', () => 1), /duplicate/);
  t.throws(() => sut.get('/y/:', () => 1), /Bad/);
});
