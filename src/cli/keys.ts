import type { Command } from 'commander';
import { SetlistError } from '../errors.js';
import { generateSecret, keysFileLine, SCOPES, type Scope } from '../server/auth.js';

interface KeysCreateOptions {
  name: string;
  scopes: string;
}

/** A new key and the two ways to configure it; the secret is shown once and never stored. */
export function createKeyText(name: string, scopes: readonly Scope[], secret = generateSecret()): string {
  return [
    `key:       ${secret}`,
    '           (shown once: give it to the client as `Authorization: Bearer <key>`)',
    `keys file: ${keysFileLine(name, scopes, secret)}`,
    '           (add this line to the file passed to `setlist serve --keys-file`; it holds only a hash)',
    `or env:    SETLIST_API_KEYS=${name}:${scopes.join('+')}:${secret}`,
  ].join('\n');
}

export function parseScopeList(value: string): Scope[] {
  const scopes = value.split(/[,+]/).map((s) => s.trim());
  for (const s of scopes) {
    if (!(SCOPES as readonly string[]).includes(s)) {
      throw new SetlistError('SETLIST_ERR_CONFIG', {
        message: `unknown scope "${s}": scopes are ${SCOPES.join(', ')}`,
        path: '--scopes',
      });
    }
  }
  return [...new Set(scopes as Scope[])];
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage API keys');
  keys
    .command('create')
    .description('print a new random API key and the line that configures it')
    .requiredOption('--name <name>', 'a name for the key (shown as the actor in audit trails)')
    .requiredOption('--scopes <list>', `comma-separated scopes: ${SCOPES.join(', ')}`)
    .action((opts: KeysCreateOptions) => {
      const scopes = parseScopeList(opts.scopes);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(opts.name)) {
        throw new SetlistError('SETLIST_ERR_CONFIG', {
          message: '--name must be 1-64 characters of A-Z a-z 0-9 _ . -',
          path: '--name',
        });
      }
      console.log(createKeyText(opts.name, scopes));
    });
}
