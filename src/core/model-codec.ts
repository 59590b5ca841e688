import { createBlendModel } from './blend.js';
import { easeFromTransferable } from './ease.js';
import { ialsFromTransferable } from './ials.js';
import type { Model, ModelMeta, TransferableModel } from './model.js';
import { neighbourModelFromTransferable } from './neighbour-model.js';
import { popularityFromTransferable } from './popularity.js';

/** Decoders by serialised kind; a new model kind registers here and nowhere else. */
const decoders: Record<string, (t: TransferableModel) => Model> = {
  popularity: popularityFromTransferable,
  'item-knn': neighbourModelFromTransferable,
  rp3beta: neighbourModelFromTransferable,
  ease: easeFromTransferable,
  ials: ialsFromTransferable,
  blend: blendFromTransferable,
};

/**
 * Rebuilds a live model from its transferable form (after a worker transfer or a snapshot load).
 *
 * @example
 * const copy = modelFromTransferable(model.toTransferable());
 */
export function modelFromTransferable(t: TransferableModel): Model {
  const decode = decoders[t.meta.kind];
  if (decode === undefined) throw new Error(`unknown model kind "${t.meta.kind}"`);
  return decode(t);
}

function blendFromTransferable(t: TransferableModel): Model {
  const members: Model[] = [];
  let at = t.meta.ownBuffers;
  for (const meta of t.meta.members ?? []) {
    const count = totalBuffers(meta);
    members.push(modelFromTransferable({ meta, buffers: t.buffers.slice(at, at + count) }));
    at += count;
  }
  const weights = Float64Array.from(members, (_, i) => t.meta.params[`w${i}`] ?? 0);
  return createBlendModel(members, weights);
}

/** Buffers a meta accounts for, its members' included. */
export function totalBuffers(meta: ModelMeta): number {
  return meta.ownBuffers + (meta.members ?? []).reduce((s, m) => s + totalBuffers(m), 0);
}

/** Every buffer of a transferable model, for a `postMessage` transfer list (views in place are not moved). */
export function transferList(t: TransferableModel): ArrayBuffer[] {
  return [...new Set(t.buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
}

/**
 * One byte array holding a model: a little-endian u32 header length, the JSON header (meta and
 * buffer byte lengths), then each buffer at an 8-byte-aligned offset. With `shared`, the bytes live
 * in a SharedArrayBuffer, so threads can read them without a copy.
 *
 * @example
 * const bytes = modelToBytes(model.toTransferable());
 */
export function modelToBytes(t: TransferableModel, options: { readonly shared?: boolean } = {}): Uint8Array {
  const { bytes, buffers } = allocateModelBytes(
    t.meta,
    t.buffers.map((b) => b.byteLength),
    options,
  );
  for (const [i, b] of t.buffers.entries()) buffers[i]!.set(b instanceof Uint8Array ? b : new Uint8Array(b));
  return bytes;
}

/**
 * The bytes {@link modelToBytes} would write for a model of `meta` whose buffers have byte lengths
 * `lengths`, with the header written and each buffer left zeroed for the caller to fill in place
 * (`buffers`, views of `bytes`): a fit can compute its largest table where it is handed off, with
 * no copy at the end.
 *
 * @example
 * const { bytes, buffers } = allocateModelBytes(meta, [items * k * 4, k * k * 8], { shared: true });
 */
export function allocateModelBytes(
  meta: ModelMeta,
  lengths: readonly number[],
  options: { readonly shared?: boolean } = {},
): { bytes: Uint8Array; buffers: Uint8Array[] } {
  const header = new TextEncoder().encode(JSON.stringify({ meta, lengths }));
  let size = align8(4 + header.length);
  for (const length of lengths) size += align8(length);
  const bytes = new Uint8Array(options.shared === true ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
  new DataView(bytes.buffer).setUint32(0, header.length, true);
  bytes.set(header, 4);
  let at = align8(4 + header.length);
  const buffers = lengths.map((length) => {
    const view = bytes.subarray(at, at + length);
    at += align8(length);
    return view;
  });
  return { bytes, buffers };
}

/**
 * The inverse of {@link modelToBytes}. The buffers are fresh copies, or with `copy: false` views of
 * `bytes` itself (the model then keeps `bytes` alive and must not outlive changes to it): a large
 * model is not held twice. A view that would not be 8-byte aligned in memory is copied anyway.
 *
 * @example
 * const model = modelFromTransferable(modelFromBytes(bytes, { copy: false }));
 */
export function modelFromBytes(
  bytes: Uint8Array,
  options: { readonly copy?: boolean } = {},
): TransferableModel {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as {
    meta: ModelMeta;
    lengths: number[];
  };
  let at = align8(4 + headerLength);
  const buffers = header.lengths.map((length) => {
    const inPlace = options.copy === false && (bytes.byteOffset + at) % 8 === 0;
    const buffer = inPlace ? bytes.subarray(at, at + length) : bytes.slice(at, at + length).buffer;
    at += align8(length);
    return buffer;
  });
  return { meta: header.meta, buffers };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
