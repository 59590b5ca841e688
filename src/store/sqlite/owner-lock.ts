import { randomUUID } from 'node:crypto';
import { readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
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
const held = new Map<string, { owner: LockOwner; count: number; heartbeat: NodeJS.Timeout }>();

/** How often a holder touches its lock file, so that another host can tell a live holder from a dead one. */
const HEARTBEAT_MS = 10_000;
/** A lock from another host untouched this long is its holder's leftover: a crashed or recreated container. */
export const FOREIGN_LOCK_STALE_MS = 60_000;

/** The lock file of a SQLite database file: beside it, like its `-wal` and `-shm` files. */
export function lockPathOf(dbPath: string): string {
  return `${dbPath}.lock`;
}

/**
 * Claims a SQLite database file for this process, so that a second process (a `setlist import` or
 * `train` while `setlist serve` runs) is refused instead of writing behind the server's back: the
 * server would not see imported items and events until it restarts, and two trainings would both
 * save the same model version. The claim is a lock file beside the database, created exclusively,
 * holding the owner's pid and host. A lock whose process is gone (a crash, a kill) is taken over, and
 * so is one whose pid now names another process: this one (a container's restarted PID 1), a zombie,
 * or a process started after the lock was taken. Another host's process cannot be asked, so its
 * holder touches the file every 10 s, and a lock untouched for a minute is taken over (a container
 * recreated under a new hostname); the error says how to remove one sooner.
 * Returns the release, which deletes the file once every store of this process on it has closed.
 *
 * @example
 * const release = claimDatabase('./setlist.db');
 * try { ... } finally { release(); }
 */
export function claimDatabase(dbPath: string, command = describeCommand()): () => void {
  // Resolved, so that one file named two ways is one claim of this process.
  const path = resolve(lockPathOf(dbPath));
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
      if (other !== undefined && !isStale(other, path)) throw inUse(dbPath, path, other);
      if (attempt > 0) throw inUse(dbPath, path, other);
      // The owner is gone: take the lock over (another process taking it meanwhile wins the retry).
      removeIfHolds(path, other?.token);
    }
  }
  const heartbeat = setInterval(() => touch(path, owner.token), HEARTBEAT_MS);
  heartbeat.unref();
  held.set(path, { owner, count: 1, heartbeat });
  return once(() => release(path));
}

/** Marks the lock file as held now, if it is still this holder's. */
function touch(path: string, token: string): void {
  try {
    if (readOwner(path)?.token !== token) return;
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // The file is gone or unwritable: the next claim decides; nothing to do here.
  }
}

function release(path: string): void {
  const mine = held.get(path);
  if (mine === undefined) return;
  mine.count--;
  if (mine.count > 0) return;
  held.delete(path);
  clearInterval(mine.heartbeat);
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

/** Whether the lock's holder is gone: see {@link claimDatabase}. */
function isStale(owner: LockOwner, path: string): boolean {
  if (owner.host !== hostname()) return untouchedFor(path) > FOREIGN_LOCK_STALE_MS;
  // This process holds no claim on the file (that is checked first), so its own pid there is a
  // previous holder's, in a pid namespace that gave this process the same number (a container's PID 1).
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: the process exists under another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return !isHolderProcess(owner);
}

/** Milliseconds since the lock file was last written or touched. */
function untouchedFor(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Whether the live process `owner.pid` can be the one that took the lock: not a zombie (killed, not
 * yet reaped) and started no later than the lock was taken. Where /proc cannot tell, it is assumed to be.
 */
function isHolderProcess(owner: LockOwner): boolean {
  let stat: string;
  let bootS: number;
  try {
    stat = readFileSync(`/proc/${owner.pid}/stat`, 'utf8');
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (btime === null) return true;
    bootS = Number(btime[1]);
  } catch {
    return true;
  }
  // Fields after the command name (in parentheses, which may itself hold spaces): state is the 3rd
  // field of the line, start time (clock ticks after boot) the 22nd.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return false;
  const startTicks = Number(fields[19]);
  if (!Number.isFinite(startTicks) || owner.since <= 0) return true;
  // Linux reports start times in USER_HZ, 100 on every architecture Node runs on.
  const startedAtMs = (bootS + startTicks / 100) * 1000;
  // A second's slack: boot time is whole seconds, and a holder writes its lock after it starts.
  return startedAtMs <= owner.since + 1000;
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
