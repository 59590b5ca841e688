import { TimeSlices } from '../time-slices.js';

/** Elements of a large array stringified between two looks at the clock. */
const ENCODE_CHUNK = 4_096;

/**
 * `JSON.stringify(meta)` as UTF-8 bytes in a SharedArrayBuffer, built in slices of a few
 * milliseconds between yields to the event loop: a meta holding a million item ids (as serving
 * snapshots did before their ids had a section of their own) takes a few hundred milliseconds to
 * stringify, or to structured-clone to a worker, in one go. The engine's own metas are small now; a
 * Store takes any caller's. Top-level arrays
 * are stringified a chunk at a time; other values whole. Each chunk's text is encoded straight into
 * the one shared buffer, sized first from the texts' lengths: a Buffer per chunk was external memory
 * enough to start a full collection of the server's heap at a million ids, and copying the pieces
 * together a second pass over them.
 *
 * @example
 * const bytes = await encodeMetaInSlices({ itemIds: ['a', 'b'], report: {} });
 */
export async function encodeMetaInSlices(meta: Record<string, unknown>): Promise<Uint8Array> {
  const slices = new TimeSlices();
  // What is written, in order: text, or a top-level array stringified a chunk at a time.
  const parts: (string | unknown[])[] = ['{'];
  // UTF-16 units: the UTF-8 length of ASCII text, and the buffer's first size (it grows for the rest).
  let estimate = 2;
  for (const [key, value] of Object.entries(meta)) {
    const whole = Array.isArray(value) ? '' : JSON.stringify(value);
    // JSON.stringify leaves out a key whose value has no JSON form (undefined, a function).
    if (whole === undefined) continue;
    const head = `${parts.length === 1 ? '' : ','}${JSON.stringify(key)}:${Array.isArray(value) ? '[' : whole}`;
    parts.push(head);
    estimate += head.length;
    if (!Array.isArray(value)) continue;
    parts.push(value, ']');
    for (let i = 0; i < value.length; i++) {
      const element = value[i];
      // Quotes and a comma around a string; anything else is counted short and grows the buffer.
      estimate += typeof element === 'string' ? element.length + 3 : 8;
      if ((i & (ENCODE_CHUNK - 1)) === 0) await slices.pause();
    }
    estimate += 1;
  }
  parts.push('}');
  const out = new SharedBytes(estimate);
  for (const part of parts) {
    if (typeof part === 'string') {
      out.write(part);
      continue;
    }
    for (let start = 0; start < part.length; start += ENCODE_CHUNK) {
      const chunk = JSON.stringify(part.slice(start, start + ENCODE_CHUNK));
      if (start > 0) out.write(',');
      out.write(chunk, 1, chunk.length - 1);
      await slices.pause();
    }
  }
  return out.bytes();
}

/** UTF-8 text appended into a SharedArrayBuffer, grown (copied) only when the estimate was short. */
class SharedBytes {
  private buffer: Uint8Array;
  private length = 0;
  private static readonly encoder = new TextEncoder();

  constructor(capacity: number) {
    this.buffer = new Uint8Array(new SharedArrayBuffer(Math.max(16, capacity)));
  }

  /** Appends `text.slice(from, to)` (whole JSON tokens: never a lone surrogate). */
  write(text: string, from = 0, to = text.length): void {
    let rest = from === 0 && to === text.length ? text : text.slice(from, to);
    for (;;) {
      const { read, written } = SharedBytes.encoder.encodeInto(rest, this.buffer.subarray(this.length));
      this.length += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      // At most 3 bytes a UTF-16 unit; half again what is written so far, so growth stays rare.
      const grown = new Uint8Array(
        new SharedArrayBuffer(Math.max(this.length + 3 * rest.length, Math.ceil(1.5 * this.buffer.length))),
      );
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
/** Characters scanned between two looks at the clock. */
const SCAN_CHUNK = 1 << 16;

/**
 * `JSON.parse(text)` of a meta (a JSON object) in slices of a few milliseconds between yields to the
 * event loop, the inverse of {@link encodeMetaInSlices}: parsing a million item ids in one go stalls
 * the loop for about a hundred milliseconds (a serving snapshot written before its ids had a section
 * of their own holds them in its meta, until the next training replaces it). The text is scanned for the object's keys and values;
 * a value that is an array is parsed a chunk of elements at a time, any other value whole. Text that
 * is not one object parses (or fails, with JSON.parse's error) whole.
 *
 * @example
 * const meta = await parseMetaInSlices('{"itemIds":["a","b"],"report":{}}');
 */
export async function parseMetaInSlices(text: string): Promise<Record<string, unknown>> {
  const whole = (): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;
  const first = text.search(/\S/);
  if (first < 0 || text.charCodeAt(first) !== OPEN_BRACE) return whole();
  try {
    const parsed = await scanObject(text, first);
    return parsed ?? whole();
  } catch {
    return whole();
  }
}

/** The object opening at `open`, or undefined when the text is not one object (JSON.parse then says why). */
async function scanObject(text: string, open: number): Promise<Record<string, unknown> | undefined> {
  const slices = new TimeSlices();
  const meta: Record<string, unknown> = {};
  const set = (key: string, value: unknown): void => {
    // A key `__proto__` is an own property in JSON.parse's result, not the prototype.
    Object.defineProperty(meta, key, { value, enumerable: true, writable: true, configurable: true });
  };
  let depth = 0;
  let inString = false;
  // Where the current key or value began; the key read before it; a top-level array being filled, or
  // filled and closed at `arrayEnd`.
  let partStart = open + 1;
  let key: string | undefined;
  let array: unknown[] | undefined;
  let closedArray: unknown[] | undefined;
  let arrayEnd = 0;
  let elementsStart = 0;
  let elements = 0;
  const addElements = (to: number): void => {
    const part = JSON.parse(`[${text.slice(elementsStart, to)}]`) as unknown[];
    for (let k = 0; k < part.length; k++) array!.push(part[k]);
  };
  const endValue = (end: number): void => {
    if (key === undefined) {
      // Only `{}` has no key before its end.
      if (text.slice(partStart, end).trim() !== '') throw new SyntaxError('a value without a key');
      return;
    }
    if (closedArray === undefined) set(key, JSON.parse(text.slice(partStart, end)));
    else if (text.slice(arrayEnd + 1, end).trim() === '') set(key, closedArray);
    else throw new SyntaxError('text after an array');
    key = undefined;
    closedArray = undefined;
  };
  for (let i = open; i < text.length; i++) {
    if ((i & (SCAN_CHUNK - 1)) === 0) await slices.pause();
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (
        depth === 2 &&
        c === OPEN_BRACKET &&
        key !== undefined &&
        closedArray === undefined &&
        text.slice(partStart, i).trim() === ''
      ) {
        array = [];
        elementsStart = i + 1;
        elements = 0;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 2 && array !== undefined) {
        if (c !== CLOSE_BRACKET) return undefined;
        addElements(i);
        closedArray = array;
        array = undefined;
        arrayEnd = i;
      }
      if (depth === 1) {
        if (c !== CLOSE_BRACE) return undefined;
        endValue(i);
        return text.slice(i + 1).trim() === '' ? meta : undefined;
      }
      depth--;
    } else if (depth === 1 && c === COLON) {
      if (key !== undefined) return undefined;
      key = JSON.parse(text.slice(partStart, i)) as string;
      if (typeof key !== 'string') return undefined;
      partStart = i + 1;
    } else if (depth === 1 && c === COMMA) {
      endValue(i);
      partStart = i + 1;
    } else if (depth === 2 && array !== undefined && c === COMMA && ++elements % ENCODE_CHUNK === 0) {
      addElements(i);
      elementsStart = i + 1;
    }
  }
  return undefined;
}
