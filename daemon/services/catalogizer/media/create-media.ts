/**
 * Builds the Catalogizer media and recommendation services on the shared core: the home
 * surface's ItemTree, ProgressService and AccessService (one set of per-user data and one
 * access guard for every surface), index.favorites, and the access log kept by the catalog
 * side (openCatalogRepos: the same LMDB keys downloads record into).
 */
import type { LmdbIndexStore } from '../../../index/lmdb-store.js';
import { openCatalogRepos } from '../../../index/catalog.repo.js';
import type { TmdbClient } from '../../../metadata/providers/tmdb/tmdb.client.js';
import type { HomeServices } from '../../home/create-home.js';
import { CatalogizerRecommendationService } from '../recommendations/recommendation.service.js';
import { tmdbSimilar } from '../recommendations/external-similar.js';
import { MediaPresenter } from './media-item.js';
import { CatalogizerMediaService } from './media.service.js';
import { MediaSearchService } from './media-search.service.js';

export interface CatalogizerMediaServices {
  presenter: MediaPresenter;
  media: CatalogizerMediaService;
  search: MediaSearchService;
  recommendations: CatalogizerRecommendationService;
}

export interface CatalogizerMediaDeps {
  index: LmdbIndexStore;
  home: Pick<HomeServices, 'tree' | 'progress'>;
  /** TMDb client for include_external (absent or unconfigured: external lists stay empty, with a reason). */
  tmdb?: TmdbClient;
  now?: () => number;
}

export function createCatalogizerMediaServices(d: CatalogizerMediaDeps): CatalogizerMediaServices {
  const { access } = openCatalogRepos(d.index);
  const now = d.now ?? Date.now;
  const presenter = new MediaPresenter(d.index, d.home.tree, (userId, itemId) => d.home.progress.get(userId, itemId));
  const external = d.tmdb ? tmdbSimilar(d.tmdb) : undefined;
  return {
    presenter,
    media: new CatalogizerMediaService(d.index, d.home.tree, presenter, d.home.progress, access, now),
    search: new MediaSearchService(d.index, presenter, access, now),
    recommendations: new CatalogizerRecommendationService(d.index, d.home.tree, presenter, d.home.progress, access, external, now),
  };
}
