/**
 * Before the main screens: first-run setup (no admin yet: create the first administrator,
 * then log in as it) or the login prompt (remote --url, or a local token that no longer
 * works). The TUI administers the server, so only an admin account is accepted.
 */
import blessed from 'neo-blessed';
import type { Widgets } from 'blessed';
import type { AlcoveClient } from '../client.js';
import type { PublicUserView } from '../api-types.js';
import { openForm } from '../widgets/form-dialog.js';
import { esc } from '../format.js';

/** Resolves the admin user once authenticated, or undefined when the user cancelled. */
export async function authenticate(screen: Widgets.Screen, client: AlcoveClient, note?: string): Promise<PublicUserView | undefined> {
  const check = await client.check();
  if (check.authenticated && check.user) {
    if (check.user.isAdmin) return check.user;
    client.setToken(undefined);
  }
  const banner = blessed.box({
    parent: screen, top: 0, left: 0, width: '100%', height: '100%', tags: true,
    content: '', style: { fg: 'white' },
  });
  const help = blessed.box({ parent: screen, bottom: 0, left: 0, width: '100%', height: 1, tags: true, style: { fg: 'black', bg: 'cyan' } });
  help.setContent(' {bold}Enter{/bold} next field  {bold}Esc{/bold} quit  {bold}Left/Right{/bold} change a choice');
  let user: PublicUserView | undefined;
  try {
    if (check.setupRequired) {
      banner.setContent([
        '', ' {bold}Alcove: first-run setup{/bold}', '',
        ` Connected to ${esc(client.baseUrl)}.`,
        ' No administrator account exists yet. Create it now: it can then log in from',
        ' the web apps, and local `alcove tui` runs connect as it without a password.',
      ].join('\n'));
      const ok = await openForm(screen, {
        title: 'Create the administrator',
        fields: [
          { name: 'username', label: 'Username', value: 'admin', required: true },
          { name: 'password', label: 'Password', kind: 'password', required: true },
          { name: 'confirm', label: 'Repeat password', kind: 'password', required: true },
        ],
        submit: async (v) => {
          if (v.password !== v.confirm) throw new Error('The passwords differ');
          await client.setup(v.username, v.password);
          user = await client.login(v.username, v.password);
        },
      });
      return ok ? user : undefined;
    }
    banner.setContent([
      '', ' {bold}Alcove administration{/bold}', '',
      ` Log in to ${esc(client.baseUrl)} with an administrator account.`,
      ...(note ? [` {gray-fg}(${esc(note)}){/gray-fg}`] : []),
    ].join('\n'));
    const ok = await openForm(screen, {
      title: 'Log in',
      fields: [
        { name: 'username', label: 'Username', required: true },
        { name: 'password', label: 'Password', kind: 'password', required: true },
      ],
      submit: async (v) => {
        const u = await client.login(v.username, v.password);
        if (!u.isAdmin) {
          client.setToken(undefined);
          throw new Error(`${u.username} is not an administrator`);
        }
        user = u;
      },
    });
    return ok ? user : undefined;
  } finally {
    banner.destroy();
    help.destroy();
    screen.render();
  }
}
