/**
 * Argument parsing for the `alcove` admin CLI (node:util parseArgs). Pure: argv and env in,
 * a command description out, or a UsageError (exit status 2) with a one-line reason.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface Common { stateDir: string }

export type CliCommand =
  | { kind: 'help' }
  | ({ kind: 'user-add'; username: string; role: string; passwordStdin: boolean; email?: string } & Common)
  | ({ kind: 'user-passwd'; username: string; passwordStdin: boolean } & Common)
  | ({ kind: 'user-list'; json: boolean } & Common)
  | { kind: 'tui'; stateDir: string; url?: string };

export const USAGE = `Usage: alcove <command> [options]

Commands:
  user add <username> [--role admin|user|<role>] [--email ADDR] [--password-stdin]
  user passwd <username> [--password-stdin]
  user list [--json]
  tui [--url URL]           administration TUI: the local daemon of --state-dir (no
                            password, via its admin.token), or --url with a login

Options:
  --state-dir DIR           state directory (default: $ALCOVE_STATE_DIR, else ./alcove-data)
  --password-stdin          read the password from the first line of stdin
                            (otherwise it is prompted for, without echo, on a terminal)
  -h, --help                show this help`;

const OPTIONS = {
  'state-dir': { type: 'string' },
  role: { type: 'string' },
  email: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0 || positionals[0] === 'help') return { kind: 'help' };
  const stateDir = values['state-dir'] || env.ALCOVE_STATE_DIR || './alcove-data';
  const [group, action, ...rest] = positionals;

  const allowOnly = (...allowed: OptionName[]): void => {
    const extra = (Object.keys(values) as OptionName[]).filter((k) => k !== 'state-dir' && k !== 'help' && !allowed.includes(k));
    if (extra.length > 0) throw new UsageError(`option --${extra[0]} does not apply to '${positionals.slice(0, 2).join(' ')}'`);
  };
  const oneUsername = (): string => {
    if (rest.length === 0) throw new UsageError(`'user ${action}' needs a username`);
    if (rest.length > 1) throw new UsageError(`unexpected argument '${rest[1]}'`);
    return rest[0];
  };

  if (group === 'tui') {
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    allowOnly('url');
    return { kind: 'tui', stateDir, ...(values.url !== undefined ? { url: values.url } : {}) };
  }
  if (group !== 'user') throw new UsageError(`unknown command '${group}'`);
  switch (action) {
    case 'add': {
      allowOnly('role', 'email', 'password-stdin');
      const role = values.role ?? 'user';
      if (role.length === 0) throw new UsageError('--role needs a value');
      return {
        kind: 'user-add', username: oneUsername(), role, passwordStdin: Boolean(values['password-stdin']), stateDir,
        ...(values.email !== undefined ? { email: values.email } : {}),
      };
    }
    case 'passwd':
      allowOnly('password-stdin');
      return { kind: 'user-passwd', username: oneUsername(), passwordStdin: Boolean(values['password-stdin']), stateDir };
    case 'list':
      allowOnly('json');
      if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
      return { kind: 'user-list', json: Boolean(values.json), stateDir };
    case undefined:
      throw new UsageError("'user' needs a subcommand: add, passwd or list");
    default:
      throw new UsageError(`unknown user subcommand '${action}'`);
  }
}
