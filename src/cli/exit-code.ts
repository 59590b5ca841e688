import { isSetlistError } from '../errors.js';

/**
 * The exit status of a command that fails on a database no restart can mend: damaged, or of a newer
 * setlist (sysexits' EX_CONFIG). A supervisor should stop restarting on it (systemd:
 * `RestartPreventExitStatus=78`). Every other failure exits 1: a database in use, Postgres away or a
 * failed replay may be mended by a restart, and a wrong flag or setting fails at once on each.
 */
export const EXIT_NEEDS_OPERATOR = 78;

const NEEDS_OPERATOR = new Set(['SETLIST_ERR_STORE_CORRUPT', 'SETLIST_ERR_STORE_TOO_NEW']);

/** The exit status for a command that failed with `err`: see {@link EXIT_NEEDS_OPERATOR}. */
export function exitCodeOf(err: unknown): number {
  return isSetlistError(err) && NEEDS_OPERATOR.has(err.code) ? EXIT_NEEDS_OPERATOR : 1;
}

/** Prints the one line that says why a command failed (its error code first), and returns its exit status. */
export function reportFailure(err: unknown): number {
  console.error(
    isSetlistError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : err,
  );
  return exitCodeOf(err);
}
