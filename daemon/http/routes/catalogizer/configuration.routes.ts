/**
 * Catalogizer /api/v1/configuration (seed 003, api-003 §18) and GET /api/v1/discovery.
 * GET /configuration answers the daemon's real configuration (secrets masked); PUT
 * /configuration (an Alcove extension, docs/API.md) changes it; the wizard's save/complete
 * persist progress and apply the result.
 */
import { Permission } from '../../../services/users/permissions.js';
import type { CatalogizerCore } from '../../../services/catalogizer/create-catalogizer-core.js';
import { readObject } from './auth.routes.js';
import type { CatalogizerGroups } from './index.js';

export function registerCatalogizerConfigurationRoutes({ api }: CatalogizerGroups, core: CatalogizerCore): void {
  const { configuration, wizard } = core;
  const CONFIGURE = { permission: Permission.SYSTEM_CONFIGURE };
  const ADMIN = { permission: Permission.SYSTEM_ADMIN };

  api.get('/discovery', (ctx) => { ctx.sendJson(200, core.discovery()); });
  api.get('/configuration', async (ctx) => { ctx.sendJson(200, await configuration.get()); }, CONFIGURE);
  api.put('/configuration', async (ctx) => { ctx.sendJson(200, await configuration.update(await readObject(ctx))); }, ADMIN);
  api.post('/configuration/test', async (ctx) => { ctx.sendJson(200, configuration.test(await readObject(ctx))); }, ADMIN);
  api.get('/configuration/status', (ctx) => { ctx.sendJson(200, configuration.status()); }, CONFIGURE);
  api.get('/configuration/wizard/steps', (ctx) => { ctx.sendJson(200, wizard.steps()); }, CONFIGURE);
  api.get('/configuration/wizard/step/:step_id', (ctx) => { ctx.sendJson(200, wizard.step(ctx.params.step_id ?? '')); }, CONFIGURE);
  api.post('/configuration/wizard/step/:step_id/validate', async (ctx) => {
    ctx.sendJson(200, wizard.validate(ctx.params.step_id ?? '', await readObject(ctx, true)));
  }, CONFIGURE);
  api.post('/configuration/wizard/step/:step_id/save', async (ctx) => {
    ctx.sendJson(200, await wizard.save(ctx.auth!.user.id, ctx.params.step_id ?? '', await readObject(ctx, true)));
  }, CONFIGURE);
  api.get('/configuration/wizard/progress', (ctx) => { ctx.sendJson(200, wizard.progress(ctx.auth!.user.id)); }, CONFIGURE);
  api.post('/configuration/wizard/complete', async (ctx) => {
    ctx.sendJson(200, await wizard.complete(ctx.auth!.user.id, await readObject(ctx, true)));
  }, ADMIN);
}
