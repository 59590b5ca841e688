/**
 * The one interface every fitted recommendation model implements, whatever its method. A model
 * scores the whole catalogue from a user's current history alone, so users unseen at training
 * time, or with events since, are scored online without retraining. Shared code reads
 * `capabilities`, never `kind`.
 */

/** What a model can do; shared code branches on these flags only. */
export interface ModelCapabilities {
  /** `scoreHistory` reflects a history that changed since training, with no retraining. */
  readonly incremental: boolean;
  /** The model scores through item vectors (`itemVector` is defined); new items need a fallback vector. */
  readonly needsItemVectors: boolean;
  /** Scores depend on the history (false for a popularity baseline). */
  readonly personalised: boolean;
}

/** JSON-safe description of a serialised model; `kind` picks the decoder. */
export interface ModelMeta {
  readonly kind: string;
  readonly itemCount: number;
  readonly params: Record<string, number>;
  /** For composite models: their members' metas, in order; their buffers follow this model's own. */
  readonly members?: readonly ModelMeta[];
  /** How many of the buffers belong to this model itself (members' buffers come after). */
  readonly ownBuffers: number;
}

/**
 * One array of a model as bytes: a whole ArrayBuffer, or a view of a model's snapshot bytes read in
 * place (`modelFromBytes` with `copy: false`).
 */
export type ModelBuffer = ArrayBuffer | Uint8Array;

/** A model as plain data: `meta` is JSON, `buffers` can be transferred to a worker or written as bytes. */
export interface TransferableModel {
  readonly meta: ModelMeta;
  readonly buffers: ModelBuffer[];
}

export interface Model {
  readonly kind: string;
  /** Items are dense indices in [0, itemCount). */
  readonly itemCount: number;
  readonly capabilities: ModelCapabilities;
  /**
   * Writes a score for every item into `out` (length `itemCount`) from a history of
   * (item index, weight) pairs; larger is better. History items are scored too: callers exclude them.
   */
  scoreHistory(items: Int32Array, weights: Float32Array, out: Float32Array): void;
  /**
   * The user vector a history folds into (scores are its inner products with item vectors), for
   * models with `needsItemVectors`; lets callers retrieve from an index instead of scoring every item.
   */
  userVector?(items: Int32Array, weights: Float32Array, out: Float32Array): Float32Array;
  /** The item's vector (a view), for models with `needsItemVectors`. */
  itemVector?(item: number): Float32Array;
  /** The model as a meta object and buffers; the buffers may be shared with the live model. */
  toTransferable(): TransferableModel;
}

/** An expected failure to fit (too many items, not positive definite) is a value, not an exception. */
export type FitResult<M extends Model = Model> = { ok: true; model: M } | { ok: false; issue: string };

/**
 * The bytes of `buffer` as an array of `type`, without a copy.
 *
 * @example
 * const factors = arrayOf(Float32Array, t.buffers[0]!);
 */
export function arrayOf<T>(
  type: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number },
  buffer: ModelBuffer,
): T {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  return new type(bytes.buffer, bytes.byteOffset, bytes.byteLength / type.BYTES_PER_ELEMENT);
}

/**
 * The typed array's bytes as a whole ArrayBuffer: its own buffer when the view spans all of it (no
 * copy; transferring it detaches the model), else a copy of just its bytes.
 */
export function bufferOf(view: Float32Array | Int32Array | Float64Array): ArrayBuffer {
  if (
    view.byteOffset === 0 &&
    view.byteLength === view.buffer.byteLength &&
    view.buffer instanceof ArrayBuffer
  ) {
    return view.buffer;
  }
  const out = new ArrayBuffer(view.byteLength);
  new Uint8Array(out).set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return out;
}
