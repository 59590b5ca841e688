import { SetlistError } from '../errors.js';

/** A handler for a contract route this version does not serve yet: 501 with the standard body. */
export function notImplemented(what: string): () => Promise<never> {
  return async () => {
    throw new SetlistError('SETLIST_ERR_NOT_IMPLEMENTED', {
      message: `${what} are part of the API contract but not available in this version of setlist.`,
    });
  };
}
