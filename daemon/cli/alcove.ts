#!/usr/bin/env node
/**
 * `alcove`: the admin CLI. Exit status 0 ok, 1 error (one line on stderr), 2 usage.
 */
import { USAGE, UsageError, parseCli } from './args.js';
import { runUserCommand } from './user.command.js';
import { isDomainError } from '../domain/errors.js';

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const cmd = parseCli(argv);
    switch (cmd.kind) {
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      case 'tui': {
        // Loaded on demand: the user commands need neither blessed nor ws.
        const { runTui } = await import('../../tui/main.js');
        return await runTui({ stateDir: cmd.stateDir, url: cmd.url });
      }
      default:
        await runUserCommand(cmd, { out: (line) => process.stdout.write(`${line}\n`) });
        return 0;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`alcove: ${err.message}\n(see alcove --help)\n`);
      return 2;
    }
    const message = isDomainError(err) || err instanceof Error ? err.message : String(err);
    process.stderr.write(`alcove: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
