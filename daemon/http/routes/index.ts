/**
 * Registers every API surface on the router, once the index is open. One module per
 * surface (API-NOTES.md); system routes are registered earlier by the app.
 */
import type { Router } from '../router.js';
import type { AppServices } from '../../app.js';
import { registerAuthRoutes } from './auth.routes.js';
import { registerLibraryRoutes } from './libraries.routes.js';
import { registerMediaReviewerRoutes } from './media-reviewer.routes.js';
import { registerMediaViewerRoutes } from './media-viewer.routes.js';
import { registerPlaybackRoutes } from './playback.routes.js';
import { registerCatalogizerRoutes } from './catalogizer/index.js';
import { registerOmniLuxRoutes } from './omnilux.routes.js';
import { registerHomeRoutes } from './home.routes.js';

export function registerApiRoutes(router: Router, services: AppServices): void {
  registerAuthRoutes(router, services.auth.auth);
  registerLibraryRoutes(router, services);
  registerMediaReviewerRoutes(router, services.review, services.logger);
  registerMediaViewerRoutes(router, services.mediaViewer);
  registerPlaybackRoutes(router, services.playback, services.home.access);
  registerHomeRoutes(router, services);
  registerCatalogizerRoutes(router, services);
  registerOmniLuxRoutes(router, services.libraryApi.omnilux, services.libraryApi.artwork, services.libraryApi.matcher);
}
