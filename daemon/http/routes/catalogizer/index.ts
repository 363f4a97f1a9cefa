/**
 * Registers every Catalogizer /api/v1 route module (seed 003). Each module receives the two
 * rate-limited groups built ONCE here from the shared AppServices.catalogizerLimits, so the
 * per-IP windows are common to the whole surface. One line per module.
 */
import type { Router } from '../../router.js';
import type { AppServices } from '../../../app.js';
import { registerCatalogizerCatalogRoutes } from './catalog.routes.js';
import { v1, type V1Group } from './v1.js';
import { registerCatalogizerAuthRoutes } from './auth.routes.js';
import { registerCatalogizerUserRoutes } from './users.routes.js';
import { registerCatalogizerRoleRoutes } from './roles.routes.js';
import { registerCatalogizerConfigurationRoutes } from './configuration.routes.js';
import { registerCatalogizerErrorRoutes } from './errors.routes.js';
import { registerCatalogizerLogRoutes } from './logs.routes.js';
import { registerCatalogizerSubtitleRoutes } from './subtitles.routes.js';
import { registerCatalogizerConversionRoutes } from './conversion.routes.js';
import { registerCatalogizerMediaRoutes } from './media.routes.js';

/** What every Catalogizer route module's register function receives. */
export interface CatalogizerGroups {
  /** /api/v1/auth/* (public by default, auth rate limit). */
  auth: V1Group;
  /** The rest of /api/v1 (authenticated by default, API rate limit). */
  api: V1Group;
}

export function registerCatalogizerRoutes(router: Router, services: AppServices): void {
  const groups: CatalogizerGroups = v1(router, services.catalogizerLimits);
  const core = services.catalogizerCore;
  registerCatalogizerAuthRoutes(groups, core.auth);
  registerCatalogizerUserRoutes(groups, core.users);
  registerCatalogizerRoleRoutes(groups, services.auth.roles);
  registerCatalogizerConfigurationRoutes(groups, core);
  registerCatalogizerErrorRoutes(groups, core.errors);
  registerCatalogizerLogRoutes(groups, core);
  registerCatalogizerCatalogRoutes(groups, services);
  registerCatalogizerSubtitleRoutes(groups, services);
  registerCatalogizerConversionRoutes(groups, services);
  registerCatalogizerMediaRoutes(groups, services);
}
