/**
 * h3xed users and invites (seed 004): admin user CRUD, restrictions, share links; invites
 * (admin create/list/revoke; public info and accept); share-link redemption (public).
 * Shapes: docs/API.md "Home surface".
 */
import type { Router } from '../router.js';
import { parseUserId } from '../../services/home/user-admin.service.js';
import { ADMIN, PUBLIC, objectBody, type HomeApp } from './home-common.js';

export function registerHomeUserRoutes(router: Router, s: HomeApp): void {
  const u = s.home.users;
  const inv = s.home.invites;
  const meta = (ctx: { ip: string; header(n: string): string | undefined }) => ({ ip: ctx.ip, userAgent: ctx.header('user-agent') });

  router.get('/api/users', (ctx) => ctx.sendJson(200, u.list()), ADMIN);
  router.post('/api/users', async (ctx) => ctx.sendJson(201, await u.create(await objectBody(ctx))), ADMIN);
  router.put('/api/users/:id', async (ctx) => ctx.sendJson(200, await u.update(parseUserId(ctx.params.id), await objectBody(ctx))), ADMIN);
  router.delete('/api/users/:id', async (ctx) => {
    await u.remove(parseUserId(ctx.params.id));
    ctx.sendJson(200, { success: true });
  }, ADMIN);
  router.get('/api/users/:id/share-link', async (ctx) => ctx.sendJson(200, await u.shareLink(parseUserId(ctx.params.id), ctx.query.get('ttl'))), ADMIN);
  router.get('/api/users/:id/restrictions', (ctx) => ctx.sendJson(200, u.restrictionsOf(parseUserId(ctx.params.id))), ADMIN);
  router.put('/api/users/:id/restrictions', async (ctx) => ctx.sendJson(200, await u.setRestrictions(parseUserId(ctx.params.id), await objectBody(ctx))), ADMIN);
  router.post('/api/share-link/redeem', async (ctx) => {
    const body = await objectBody(ctx);
    ctx.sendJson(200, { success: true, ...(await u.redeemShare(body.token, meta(ctx))) });
  }, PUBLIC);

  router.post('/api/invites', async (ctx) => ctx.sendJson(201, await inv.create(ctx.auth!.user.id, await objectBody(ctx, true))), ADMIN);
  router.get('/api/invites', (ctx) => ctx.sendJson(200, inv.list()), ADMIN);
  router.delete('/api/invites/:id', async (ctx) => ctx.sendJson(200, { success: true, invite: await inv.revoke(ctx.params.id ?? '') }), ADMIN);
  router.get('/api/invite-info/:token', (ctx) => ctx.sendJson(200, inv.info(ctx.params.token ?? '')), PUBLIC);
  router.post('/api/invites/:token/accept', async (ctx) => {
    const r = await inv.accept(ctx.params.token ?? '', await objectBody(ctx), meta(ctx));
    ctx.sendJson(201, { success: true, token: r.token, expiresIn: r.expiresIn, user: r.user });
  }, PUBLIC);
}
