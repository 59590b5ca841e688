import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { SetlistError } from '../../errors.js';

/** What a lock file holds: who opened the database, and since when. */
interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: number;
  token: string;
}

/** Locks this process holds, by lock file path: stores opened twice in one process share one. */
const held = new Map<string, { owner: LockOwner; count: number }>();

/** The lock file of a SQLite database file: beside it, like its `-wal` and `-shm` files. */
export function lockPathOf(dbPath: string): string {
  return `${dbPath}.lock`;
}

/**
 * Claims a SQLite database file for this process, so that a second process (a `setlist import` or
 * `train` while `setlist serve` runs) is refused instead of writing behind the server's back: the
 * server would not see imported items and events until it restarts, and two trainings would both
 * save the same model version. The claim is a lock file beside the database, created exclusively,
 * holding the owner's pid and host. A lock whose process is gone (a crash, a kill) is taken over;
 * on another host liveness cannot be checked, so the error says how to remove a stale one.
 * Returns the release, which deletes the file once every store of this process on it has closed.
 *
 * @example
 * const release = claimDatabase('./setlist.db');
 * try { ... } finally { release(); }
 */
export function claimDatabase(dbPath: string, command = describeCommand()): () => void {
  const path = lockPathOf(dbPath);
  const mine = held.get(path);
  if (mine !== undefined) {
    mine.count++;
    return once(() => release(path));
  }
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command,
    since: Date.now(),
    token: randomUUID(),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockFailed(dbPath, path, err);
      const other = readOwner(path);
      if (other !== undefined && !isStale(other)) throw inUse(dbPath, path, other);
      if (attempt > 0) throw inUse(dbPath, path, other);
      // The owner is gone: take the lock over (another process taking it meanwhile wins the retry).
      removeIfHolds(path, other?.token);
    }
  }
  held.set(path, { owner, count: 1 });
  return once(() => release(path));
}

function release(path: string): void {
  const mine = held.get(path);
  if (mine === undefined) return;
  mine.count--;
  if (mine.count > 0) return;
  held.delete(path);
  removeIfHolds(path, mine.owner.token);
}

/** Deletes the lock file if it still holds `token` (undefined: whatever it holds, e.g. unreadable). */
function removeIfHolds(path: string, token: string | undefined): void {
  const now = readOwner(path);
  if (token !== undefined && now?.token !== token) return;
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return {
      pid: parsed.pid,
      host: parsed.host,
      command: typeof parsed.command === 'string' ? parsed.command : 'setlist',
      since: typeof parsed.since === 'number' ? parsed.since : 0,
      token: typeof parsed.token === 'string' ? parsed.token : '',
    };
  } catch {
    // Missing (released meanwhile) or torn (its writer died mid-write): no live owner to respect.
    return undefined;
  }
}

/** Whether the owner's process is gone; only decidable on this host. */
function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    // EPERM: the process exists under another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function inUse(dbPath: string, path: string, owner: LockOwner | undefined): SetlistError {
  const who =
    owner === undefined
      ? 'another process'
      : `process ${owner.pid} on ${owner.host} (${owner.command}, since ${new Date(owner.since).toISOString()})`;
  return new SetlistError('SETLIST_ERR_STORE_LOCKED', {
    message:
      `The database ${dbPath} is in use by ${who}. Stop it first, or send the change to the running ` +
      'server over HTTP (POST /v1/items, POST /v1/events, POST /v1/train). If no such process runs, ' +
      `delete ${path}.`,
    path: 'db',
  });
}

function lockFailed(dbPath: string, path: string, cause: unknown): SetlistError {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new SetlistError('SETLIST_ERR_CONFIG', {
      message: `Cannot open the database at ${dbPath}: its directory does not exist. Create it, or point --db elsewhere.`,
      path: 'db',
      cause,
    });
  }
  return new SetlistError('SETLIST_ERR_CONFIG', {
    message: `Cannot create ${path} beside the database (${code ?? (cause as Error).message}): the database's directory must be writable.`,
    path: 'db',
    cause,
  });
}

/** The command line, shortened: `setlist serve --port 7733`. */
function describeCommand(): string {
  return ['setlist', ...process.argv.slice(2)].join(' ').slice(0, 200);
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
