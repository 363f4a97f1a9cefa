/**
 * Users: list, add (username, role, password, email when the daemon's surface needs one),
 * reset a password, change a role. Uses whichever users API the daemon offers (users-api.ts).
 */
import type { Widgets } from 'blessed';
import blessed from 'neo-blessed';
import type { TuiScreen, ShellApi } from '../shell.js';
import type { AlcoveClient } from '../client.js';
import type { UserRow } from '../api-types.js';
import { Table } from '../widgets/table.js';
import { openForm } from '../widgets/form-dialog.js';
import { esc } from '../format.js';

const ROLES = ['user', 'admin'] as const;

export class UsersScreen implements TuiScreen {
  readonly title = 'Users';
  readonly help = [
    { keys: 'a', label: 'add' }, { keys: 'p', label: 'reset password' }, { keys: 'o', label: 'role' }, { keys: 'r', label: 'refresh' },
  ];
  readonly keys = {
    a: () => this.add(),
    p: () => this.resetPassword(),
    o: () => this.changeRole(),
    r: () => this.load(),
  };
  private table!: Table<UserRow>;
  private note!: Widgets.BoxElement;
  private rows: UserRow[] = [];
  private error?: string;

  constructor(private readonly client: AlcoveClient, private readonly shell: ShellApi) {}

  mount(body: Widgets.BoxElement): void {
    this.table = new Table<UserRow>({
      parent: body, top: 0, height: '100%-1', key: (u) => String(u.id), empty: 'loading...',
      columns: [
        { title: 'ID', width: 4, align: 'right', value: (u) => String(u.id) },
        { title: 'Username', width: 'flex', value: (u) => u.username },
        { title: 'Role', width: 8, value: (u) => u.role },
        { title: 'State', width: 7, value: (u) => (u.locked ? 'locked' : 'active') },
        { title: 'Last login', width: 16, value: (u) => (u.lastLoginAt ? u.lastLoginAt.replace('T', ' ').slice(0, 16) : 'never') },
      ],
    });
    this.note = blessed.box({ parent: body, bottom: 0, left: 0, width: '100%', height: 1, tags: true });
  }

  activate(): void {
    this.table.focus();
    void this.load();
  }

  update(): void {
    this.table.setRows(this.rows);
    this.note.setContent(this.error ? `{red-fg}${esc(this.error)}{/red-fg}` : `{gray-fg}${this.rows.length} users{/gray-fg}`);
  }

  private async load(): Promise<void> {
    try {
      this.rows = await this.client.users.list();
      this.error = undefined;
    } catch (err) {
      this.error = `User management is not available: ${(err as Error).message}`;
    }
    this.shell.requestRender();
  }

  private async add(): Promise<void> {
    const needsEmail = await this.client.users.needsEmail().catch(() => false);
    const ok = await this.shell.modal(() => openForm(this.shell.screen, {
      title: 'Add user',
      fields: [
        { name: 'username', label: 'Username', required: true },
        { name: 'role', label: 'Role', kind: 'choice', choices: ROLES, value: 'user' },
        { name: 'password', label: 'Password', kind: 'password', required: true },
        { name: 'confirm', label: 'Repeat password', kind: 'password', required: true },
        { name: 'email', label: 'Email', required: needsEmail, hint: needsEmail ? 'required by this daemon' : 'optional' },
      ],
      submit: async (v) => {
        if (v.password !== v.confirm) throw new Error('The passwords differ');
        await this.client.users.create({ username: v.username, password: v.password, role: v.role, ...(v.email ? { email: v.email } : {}) });
      },
    }));
    if (ok) {
      this.shell.say('User added');
      await this.load();
    }
  }

  private async resetPassword(): Promise<void> {
    const user = this.table.selected();
    if (!user) return;
    const ok = await this.shell.modal(() => openForm(this.shell.screen, {
      title: `New password for ${user.username}`,
      fields: [
        { name: 'password', label: 'Password', kind: 'password', required: true },
        { name: 'confirm', label: 'Repeat', kind: 'password', required: true },
      ],
      submit: async (v) => {
        if (v.password !== v.confirm) throw new Error('The passwords differ');
        await this.client.users.resetPassword(user.id, v.password);
      },
    }));
    if (ok) this.shell.say(`Password of ${user.username} reset`);
  }

  private async changeRole(): Promise<void> {
    const user = this.table.selected();
    if (!user) return;
    const ok = await this.shell.modal(() => openForm(this.shell.screen, {
      title: `Role of ${user.username}`,
      fields: [{ name: 'role', label: 'Role', kind: 'choice', choices: ROLES, value: user.role }],
      submit: async (v) => { await this.client.users.setRole(user.id, v.role); },
    }));
    if (ok) {
      this.shell.say(`Role of ${user.username} changed`);
      await this.load();
    }
  }
}
