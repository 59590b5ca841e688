import { TimeSlices } from '../time-slices.js';

/** Elements of a large array stringified between two looks at the clock. */
const ENCODE_CHUNK = 4_096;

/**
 * `JSON.stringify(meta)` as UTF-8 bytes in a SharedArrayBuffer, built in slices of a few
 * milliseconds between yields to the event loop: a meta holding a million item ids takes a few
 * hundred milliseconds to stringify, or to structured-clone to a worker, in one go. Top-level arrays
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
