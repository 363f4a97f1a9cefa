import t from 'tap';
import { NotFoundError } from '../../daemon/domain/errors.js';
t.test('errors carry codes', async (t) => {
  const e = new NotFoundError('x');
  t.equal(e.code, 'NOT_FOUND');
});
