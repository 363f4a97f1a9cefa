/**
 * `alcove user ...`: works on the state directory's index directly, so it runs with or
 * without the daemon (LMDB lets a second process open the same environment). It builds
 * only the user and role services: no secret key or tokens are needed, so running it as
 * another OS user creates no files the daemon could not read.
 */
import { access } from 'node:fs/promises';
import { derivePaths } from '../config/paths.js';
import type { IndexStore } from '../domain/ports.js';
import type { PublicUser } from '../domain/types.js';
import { openIndexStore } from '../index/lmdb-store.js';
import { RoleService } from '../services/users/role.service.js';
import { UserService } from '../services/users/user.service.js';
import type { CliCommand } from './args.js';
import { obtainNewPassword } from './password-input.js';

type UserCommand = Extract<CliCommand, { kind: 'user-add' | 'user-passwd' | 'user-list' }>;

export interface Output { out: (line: string) => void }

export async function runUserCommand(cmd: UserCommand, io: Output): Promise<void> {
  const { indexDir } = derivePaths(cmd.stateDir);
  if (cmd.kind !== 'user-add') {
    // Reading commands must not create an empty index in a mistyped directory.
    await access(indexDir).catch(() => { throw new Error(`no index at ${indexDir} (check --state-dir or ALCOVE_STATE_DIR)`); });
  }
  // Ask for the password before opening the index: a prompt must not hold it open.
  const password = cmd.kind === 'user-list' ? '' : await obtainNewPassword(cmd.username, cmd.passwordStdin);
  const store = await openIndexStore({ path: indexDir });
  try {
    const users = userService(store);
    switch (cmd.kind) {
      case 'user-add': {
        const user = await users.create({
          username: cmd.username, password, role: cmd.role, ...(cmd.email !== undefined ? { email: cmd.email } : {}),
        });
        io.out(`created user ${user.username} (id ${user.id}, role ${user.role})`);
        break;
      }
      case 'user-passwd': {
        const user = users.getByUsername(cmd.username);
        if (!user) throw new Error(`no user named '${cmd.username}'`);
        await users.resetPassword(user.id, password);
        io.out(`password changed for ${user.username}; their sessions were signed out`);
        break;
      }
      case 'user-list': {
        const list = users.list();
        if (cmd.json) io.out(JSON.stringify(list));
        else for (const line of formatTable(list)) io.out(line);
        break;
      }
    }
  } finally {
    await store.close();
  }
}

function userService(store: IndexStore): UserService {
  const roles = new RoleService({ kv: store.kv, users: store.users });
  return new UserService({ users: store.users, sessions: store.sessions, roles });
}

function formatTable(users: PublicUser[]): string[] {
  if (users.length === 0) return ['no users yet (create the first admin with: alcove user add admin --role admin)'];
  const rows = users.map((u) => [
    String(u.id), u.username, u.role, u.locked ? 'locked' : 'active',
    u.lastLoginAt ? new Date(u.lastLoginAt).toISOString().replace(/\.\d+Z$/, 'Z') : '-',
  ]);
  const header = ['ID', 'USERNAME', 'ROLE', 'STATUS', 'LAST LOGIN'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
}
