import { createClient, type Item, SetlistClientError } from '../client/index.js';
import { fill, h } from './dom.js';

const API_KEY_KEY = 'setlist.apiKey';

function storedApiKey(): string | undefined {
  try {
    return localStorage.getItem(API_KEY_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function makeClient(apiKey: string | undefined) {
  return createClient({
    baseUrl: '',
    timeoutMs: 15_000,
    retries: 1,
    ...(apiKey === undefined ? {} : { apiKey }),
  });
}

/**
 * The dashboard's client: same origin, a short timeout so a stuck call shows as an error, and the
 * API key this browser saved, if any (servers with keys configured answer 401 without one).
 */
export let client = makeClient(storedApiKey());

/** Saves (or with `''` forgets) the API key in this browser and uses it from now on. */
export function setApiKey(key: string): void {
  try {
    if (key === '') localStorage.removeItem(API_KEY_KEY);
    else localStorage.setItem(API_KEY_KEY, key);
  } catch {
    // Storage may be disabled: the key then lasts until the page reloads.
  }
  client = makeClient(key === '' ? undefined : key);
}

/** An API answer as a value: the data, "not available yet" (501), or another failure. */
export type Loaded<T> =
  | { ok: true; value: T }
  | { ok: false; notAvailable: boolean; notFound: boolean; error: SetlistClientError | Error };

export async function load<T>(call: Promise<T>): Promise<Loaded<T>> {
  try {
    const value = await call;
    showConnection(undefined);
    return { ok: true, value };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    const status = error instanceof SetlistClientError ? error.status : 0;
    // Any answer, an error status included, shows the server is there.
    showConnection(unreachable(error) ? error : undefined);
    return { ok: false, notAvailable: status === 501, notFound: status === 404, error };
  }
}

/** True when a call got no answer at all: the server is stopped, or the network between is down. */
export function unreachable(error: Error): boolean {
  return (
    error instanceof SetlistClientError &&
    error.status === 0 &&
    (error.code === 'SETLIST_CLIENT_NETWORK' || error.code === 'SETLIST_CLIENT_TIMEOUT')
  );
}

/** The banner across the top of every page while the server does not answer; hidden once it does. */
function showConnection(error: Error | undefined): void {
  const banner = document.getElementById('connection');
  if (banner === null) return;
  if (error === undefined) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  fill(
    banner,
    h('strong', null, 'Cannot reach the server'),
    ` (${error.message}). Until it answers, what this page shows may be out of date. `,
    h('button', { type: 'button', class: 'link', onclick: () => location.reload() }, 'Reload'),
  );
  banner.hidden = false;
}

/** The block shown in place of a section whose endpoint failed. */
export function unavailable(what: string, failed: Extract<Loaded<unknown>, { ok: false }>): HTMLElement {
  if (failed.notAvailable) {
    return h(
      'p',
      { class: 'na', 'data-state': 'not-available' },
      `${what}: not available yet on this server.`,
    );
  }
  if (unreachable(failed.error)) {
    return h(
      'p',
      { class: 'error', 'data-state': 'offline' },
      `${what}: cannot reach the server. ${failed.error.message}`,
    );
  }
  const status = failed.error instanceof SetlistClientError ? failed.error.status : 0;
  if (status === 401 || status === 403) {
    showKeyPrompt(failed.error.message);
    return h(
      'p',
      { class: 'error', 'data-state': 'unauthorized' },
      `${what}: needs an API key (enter it above).`,
    );
  }
  const code = failed.error instanceof SetlistClientError ? `${failed.error.code}: ` : '';
  return h('p', { class: 'error', 'data-state': 'error' }, `${what} failed. ${code}${failed.error.message}`);
}

/** What to call an item: its caption, or `fallback` when the caption is missing or blank. */
export function itemTitle(item: Item, fallback: string = item.id): string {
  return item.caption?.trim() || fallback;
}

const items = new Map<string, Promise<Item | undefined>>();

/** An item's record, fetched once per page view and shared by every list that shows it. */
export function itemRecord(id: string): Promise<Item | undefined> {
  let pending = items.get(id);
  if (pending === undefined) {
    pending = client.items.get(id).then(
      (r) => r.item,
      () => undefined,
    );
    items.set(id, pending);
  }
  return pending;
}

export function forgetItems(): void {
  items.clear();
}

/** Browser-measured latencies of feed calls this tab made, in milliseconds (the last 200). */
export const feedLatenciesMs: number[] = [];

export function recordFeedLatency(ms: number): void {
  feedLatenciesMs.push(ms);
  if (feedLatenciesMs.length > 200) feedLatenciesMs.shift();
}

const RECENT_USERS_KEY = 'setlist.recentUsers';

/** Users opened recently in this browser, newest first; the quality page samples their feeds. */
export function recentUsers(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(RECENT_USERS_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberUser(id: string): void {
  try {
    const next = [id, ...recentUsers().filter((u) => u !== id)].slice(0, 20);
    localStorage.setItem(RECENT_USERS_KEY, JSON.stringify(next));
  } catch {
    // Storage may be disabled; the dashboard works without it.
  }
}

/**
 * Asks for an API key when the server wants one, once for the whole page: every section that got a
 * 401 points here, and a poll that gets another 401 leaves the form (and what is typed) alone.
 * Saving the key reloads the page with it.
 */
function showKeyPrompt(message: string): void {
  const prompt = document.getElementById('key-prompt');
  if (prompt === null || !prompt.hidden) return;
  const input = h('input', {
    type: 'password',
    name: 'apiKey',
    placeholder: 'API key',
    'aria-label': 'API key',
  });
  const form = h(
    'form',
    { class: 'inline-form', 'data-role': 'api-key' },
    input,
    h('button', { type: 'submit' }, 'Use key'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setApiKey(input.value.trim());
    location.reload();
  });
  fill(prompt, h('p', null, h('strong', null, 'This server needs an API key'), ` (${message}).`), form);
  prompt.hidden = false;
}
