/**
 * Wiring for the auth and user services over an open IndexStore: one call for the daemon's
 * composition root, the CLI and tests, so all three build the services the same way.
 */
import type { Clock, EventBus, IndexStore } from '../../domain/ports.js';
import type { Logger } from '../../log/logger.js';
import { RoleService } from '../users/role.service.js';
import { UserService } from '../users/user.service.js';
import type { PasswordPolicy } from './password-policy.js';
import { AuthService, type AuthServiceOptions } from './auth.service.js';
import type { ScryptParams } from './password.js';
import { SessionService, type SessionOptions } from './session.service.js';
import { TokenSigner, loadOrCreateSecretKey } from './tokens.js';
import { RefreshLedger } from './refresh-ledger.js';

export interface AuthWiringOptions {
  store: IndexStore;
  /** paths.secretKeyFile (created 0600 if missing). */
  secretKeyFile: string;
  /** paths.localAdminTokenFile. */
  localAdminTokenFile?: string;
  clock?: Clock;
  logger?: Logger;
  bus?: EventBus;
  session?: Partial<SessionOptions>;
  passwordPolicy?: Partial<PasswordPolicy>;
  throttle?: AuthServiceOptions['throttle'];
  scrypt?: ScryptParams;
}

export interface AuthServices {
  roles: RoleService;
  users: UserService;
  sessions: SessionService;
  auth: AuthService;
  tokens: TokenSigner;
}

export async function createAuthServices(o: AuthWiringOptions): Promise<AuthServices> {
  const { store, clock, logger, bus } = o;
  const tokens = new TokenSigner(await loadOrCreateSecretKey(o.secretKeyFile), clock);
  const roles = new RoleService({ kv: store.kv, users: store.users, clock, bus });
  const users = new UserService({
    users: store.users, sessions: store.sessions, roles, bus, clock,
    passwordPolicy: o.passwordPolicy, scrypt: o.scrypt,
  });
  const sessions = new SessionService({
    sessions: store.sessions, users: store.users, roles, tokens, clock,
    logger: logger?.child({ component: 'sessions' }),
    ...(store.writeGeneration && { generation: store.writeGeneration.bind(store) }),
  }, o.session);
  const auth = new AuthService({
    users: store.users, userService: users, sessions, refreshLedger: new RefreshLedger(store.kv, { clock }), localAdminTokenFile: o.localAdminTokenFile, clock,
    logger: logger?.child({ component: 'auth' }),
  }, { throttle: o.throttle, scrypt: o.scrypt });
  return { roles, users, sessions, auth, tokens };
}
