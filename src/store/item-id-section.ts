import { SetlistError } from '../errors.js';
import { TimeSlices } from '../time-slices.js';

/** 'SLI' and the layout's version: what a section starts with, before its id count (uint32, little-endian). */
const MAGIC = [0x53, 0x4c, 0x49, 0x01] as const;
const HEADER_BYTES = 8;
/** Ids written or read between two looks at the clock. */
const SLICE_IDS = 4_096;

/**
 * A model's item ids as a snapshot's binary section, written in slices between yields to the event
 * loop into one SharedArrayBuffer (a writer thread reads it without a copy): a header, then one
 * record per id: its model item and its UTF-8 length (both LEB128), then its bytes. The ids are read
 * by index (`toModel[index]` is that index's model item, or -1) and written in index order, the
 * order they were created and lie in memory, so both the reads and the writes go forward: in model
 * order each id read was a cache miss of its own. A million ids as JSON text took half a second of
 * the server thread's CPU and a string per chunk; here an ASCII id is its char codes stored one by
 * one. A lone surrogate is stored as its own three bytes (WTF-8), so every string id comes back exact.
 *
 * @example
 * const section = await encodeItemIdSection(toModel, items.length, (i) => state.items.id(i));
 */
export async function encodeItemIdSection(
  toModel: Int32Array,
  count: number,
  idOf: (index: number) => string,
): Promise<Uint8Array> {
  const slices = new TimeSlices();
  // Exact for ASCII ids; the buffer grows (a copy) only for ids with other characters.
  let estimate = HEADER_BYTES;
  for (let index = 0; index < toModel.length; index++) {
    const m = toModel[index]!;
    if (m >= 0) {
      const length = idOf(index).length;
      estimate += lengthBytes(m) + lengthBytes(length) + length;
    }
    if ((index & (SLICE_IDS - 1)) === SLICE_IDS - 1) await slices.pause();
  }
  let bytes = new Uint8Array(new SharedArrayBuffer(estimate));
  bytes.set(MAGIC);
  new DataView(bytes.buffer).setUint32(4, count, true);
  let at = HEADER_BYTES;
  const room = (needed: number): void => {
    if (needed <= bytes.length) return;
    const grown = new Uint8Array(new SharedArrayBuffer(Math.max(needed, Math.ceil(1.5 * bytes.length))));
    grown.set(bytes.subarray(0, at));
    bytes = grown;
  };
  let found = 0;
  for (let index = 0; index < toModel.length; index++) {
    const m = toModel[index]!;
    if (m >= 0) {
      const id = idOf(index);
      room(at + lengthBytes(m) + lengthBytes(id.length) + id.length);
      const start = writeLength(bytes, at, m);
      let end = writeAscii(bytes, start, id);
      if (end === undefined) {
        // The longest form, 3 bytes a UTF-16 unit; a grown buffer holds only what is before `at`.
        room(start + 5 + 3 * id.length);
        end = writeWtf8(bytes, writeLength(bytes, at, m), id);
      }
      at = end;
      found++;
    }
    if ((index & (SLICE_IDS - 1)) === SLICE_IDS - 1) await slices.pause();
  }
  if (found !== count) throw new Error(`${found} indices map to the ${count} model items`);
  return bytes.subarray(0, at);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code < 0xe000;
}

/** Writes an all-ASCII id at `at` and returns the end, or undefined (nothing kept) for any other id. */
function writeAscii(bytes: Uint8Array, at: number, id: string): number | undefined {
  let k = writeLength(bytes, at, id.length);
  for (let c = 0; c < id.length; c++) {
    const code = id.charCodeAt(c);
    if (code >= 0x80) return undefined;
    bytes[k++] = code;
  }
  return k;
}

function writeWtf8(bytes: Uint8Array, at: number, id: string): number {
  const units: number[] = [];
  for (let c = 0; c < id.length; c++) {
    let code = id.charCodeAt(c);
    const next = id.charCodeAt(c + 1);
    if (code >= 0xd800 && code < 0xdc00 && isLowSurrogate(next)) {
      code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
      c++;
    }
    if (code < 0x80) units.push(code);
    else if (code < 0x800) units.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000)
      units.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else {
      units.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f));
      units.push(0x80 | (code & 0x3f));
    }
  }
  let k = writeLength(bytes, at, units.length);
  for (const unit of units) bytes[k++] = unit;
  return k;
}

function lengthBytes(length: number): number {
  let n = 1;
  for (let rest = length; rest >= 0x80; rest >>>= 7) n++;
  return n;
}

function writeLength(bytes: Uint8Array, at: number, length: number): number {
  let k = at;
  let rest = length;
  while (rest >= 0x80) {
    bytes[k++] = 0x80 | (rest & 0x7f);
    rest >>>= 7;
  }
  bytes[k++] = rest;
  return k;
}

/**
 * The ids of an item id section ({@link encodeItemIdSection}) of `count` ids, handed to `each` with
 * their model item, in the section's order, in slices between yields to the event loop: a node
 * installing a million-item snapshot while it serves spent over half a second of its thread looking
 * the ids up in one go. The whole section is checked first (its header and count, every record's
 * bounds, each model item once), so a damaged one fails with nothing done.
 *
 * @example
 * const toEngine = new Int32Array(model.itemCount);
 * await decodeItemIdSection(section, model.itemCount, (m, id) => { toEngine[m] = state.items.intern(id); });
 */
export async function decodeItemIdSection(
  bytes: Uint8Array,
  count: number,
  each: (m: number, id: string) => void,
): Promise<void> {
  checkSection(bytes, count);
  const slices = new TimeSlices();
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = { at: HEADER_BYTES, value: 0 };
  for (let k = 0; k < count; k++) {
    if ((k & (SLICE_IDS - 1)) === SLICE_IDS - 1) await slices.pause();
    readNumber(bytes, read);
    const m = read.value;
    readNumber(bytes, read);
    const start = read.at;
    const end = start + read.value;
    let ascii = true;
    for (let b = start; b < end; b++) {
      if (bytes[b]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    each(m, ascii ? buffer.toString('latin1', start, end) : readWtf8(bytes, start, end));
    read.at = end;
  }
}

/** Reads the LEB128 number at `read.at` into `read.value` and moves past it; false when it runs out. */
function readNumber(bytes: Uint8Array, read: { at: number; value: number }): boolean {
  let value = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (read.at >= bytes.length) return false;
    const b = bytes[read.at++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      read.value = value;
      return true;
    }
  }
  return false;
}

/** Checks the header, the id count, every record's bounds and model item, and the end. */
function checkSection(bytes: Uint8Array, expected: number): void {
  const damaged = (why: string): SetlistError =>
    new SetlistError('SETLIST_ERR_INTERNAL', {
      message: `A snapshot's item id section is damaged (${why}): retrain the model to write a new snapshot.`,
    });
  if (bytes.length < HEADER_BYTES || MAGIC.some((b, k) => bytes[k] !== b)) {
    throw damaged(`it has no header: ${bytes.length} bytes`);
  }
  const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (count !== expected) throw damaged(`it holds ${count} ids for a model of ${expected} items`);
  const seen = new Uint8Array(count);
  const read = { at: HEADER_BYTES, value: 0 };
  for (let k = 0; k < count; k++) {
    if (!readNumber(bytes, read)) throw damaged(`record ${k} of ${count} has no model item`);
    const m = read.value;
    if (m >= count || seen[m] === 1)
      throw damaged(`record ${k} of ${count} repeats or is past model item ${m}`);
    seen[m] = 1;
    if (!readNumber(bytes, read)) throw damaged(`record ${k} of ${count} has no length`);
    read.at += read.value;
    if (read.at > bytes.length) throw damaged(`record ${k} of ${count} ends past its ${bytes.length} bytes`);
  }
  if (read.at !== bytes.length) throw damaged(`${bytes.length - read.at} bytes after its ${count} ids`);
}

/** UTF-8 with lone surrogates as their own three bytes, back to UTF-16 units. */
function readWtf8(bytes: Uint8Array, start: number, end: number): string {
  const units: number[] = [];
  for (let k = start; k < end; ) {
    const b = bytes[k]!;
    let code: number;
    if (b < 0x80) code = bytes[k++]!;
    else if (b < 0xe0) code = ((b & 0x1f) << 6) | (bytes[k + 1]! & 0x3f);
    else if (b < 0xf0) code = ((b & 0x0f) << 12) | ((bytes[k + 1]! & 0x3f) << 6) | (bytes[k + 2]! & 0x3f);
    else {
      code =
        ((b & 0x07) << 18) |
        ((bytes[k + 1]! & 0x3f) << 12) |
        ((bytes[k + 2]! & 0x3f) << 6) |
        (bytes[k + 3]! & 0x3f);
    }
    if (b >= 0x80) k += b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    if (code < 0x10000) units.push(code);
    else units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
  }
  let id = '';
  for (let k = 0; k < units.length; k += SLICE_IDS)
    id += String.fromCharCode(...units.slice(k, k + SLICE_IDS));
  return id;
}
