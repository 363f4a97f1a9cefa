/**
 * Registers every Catalogizer /api/v1 route module (seed 003). Each module receives the two
 * rate-limited groups built ONCE here from the shared AppServices.catalogizerLimits, so the
 * per-IP windows are common to the whole surface. One line per module.
 */
import type { Router } from '../../router.js';
import type { AppServices } from '../../../app.js';
import { v1, type V1Group } from './v1.js';

/** What every Catalogizer route module's register function receives. */
export interface CatalogizerGroups {
  /** /api/v1/auth/* (public by default, auth rate limit). */
  auth: V1Group;
  /** The rest of /api/v1 (authenticated by default, API rate limit). */
  api: V1Group;
}

export function registerCatalogizerRoutes(router: Router, services: AppServices): void {
  const groups: CatalogizerGroups = v1(router, services.catalogizerLimits);
  void groups;
}
