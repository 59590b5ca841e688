import { type ConfidenceMap, identityConfidenceMap } from './calibration.js';
import type { LabelModel } from './label-model.js';

const MAGIC = 0x4d4c4c53; // 'SLLM' read little-endian: setlist label model.

interface Header {
  /** 1: before the confidence map (decoded with the identity map). */
  version: 1 | 2;
  labels: string[];
  charGramSizes: number[];
  features: string[];
  temperature: number;
  confidenceMap?: ConfidenceMap;
  minConfidence: number;
  calibration: { heldOutItems: number; heldOutAccuracy: number | null; heldOutEce: number | null };
}

/**
 * Encodes a label model as one byte buffer for a snapshot: a magic number, a JSON header (labels,
 * vocabulary, temperature, confidence map, threshold), then the idf, weights and bias as little-endian float32.
 *
 * @example
 * const bytes = encodeLabelModel(model);
 * const same = decodeLabelModel(bytes);
 */
export function encodeLabelModel(model: LabelModel): Uint8Array {
  const header: Header = {
    version: model.version,
    labels: model.labels,
    charGramSizes: model.charGramSizes,
    features: model.vocabulary.features,
    temperature: model.temperature,
    confidenceMap: model.confidenceMap,
    minConfidence: model.minConfidence,
    calibration: {
      heldOutItems: model.calibration.heldOutItems,
      heldOutAccuracy: finiteOrNull(model.calibration.heldOutAccuracy),
      heldOutEce: finiteOrNull(model.calibration.heldOutEce),
    },
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const floatsAt = 8 + Math.ceil(json.length / 4) * 4;
  const floats = [model.vocabulary.idf, model.weights, model.bias];
  const floatCount = floats.reduce((n, a) => n + a.length, 0);
  const bytes = new Uint8Array(floatsAt + floatCount * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, json.length, true);
  bytes.set(json, 8);
  let offset = floatsAt;
  for (const array of floats) {
    for (let i = 0; i < array.length; i++, offset += 4) view.setFloat32(offset, array[i]!, true);
  }
  return bytes;
}

/**
 * Decodes {@link encodeLabelModel}'s bytes. Throws on bytes that are not a label model, or that
 * are truncated.
 */
export function decodeLabelModel(bytes: Uint8Array): LabelModel {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || view.getUint32(0, true) !== MAGIC) {
    throw new Error('These bytes are not a setlist label model (bad magic number).');
  }
  const jsonLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength))) as Header;
  if (header.version !== 1 && header.version !== 2)
    throw new Error(`Label model version ${header.version} is not supported.`);
  const V = header.features.length;
  const K = header.labels.length;
  let offset = 8 + Math.ceil(jsonLength / 4) * 4;
  if (bytes.byteLength !== offset + (V + V * K + K) * 4) {
    throw new Error('The label model bytes are truncated or padded: their length does not match the header.');
  }
  const read = (length: number): Float32Array => {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++, offset += 4) out[i] = view.getFloat32(offset, true);
    return out;
  };
  const idf = read(V);
  const weights = read(V * K);
  const bias = read(K);
  return {
    version: 2,
    labels: header.labels,
    charGramSizes: header.charGramSizes,
    vocabulary: { features: header.features, idf },
    weights,
    bias,
    temperature: header.temperature,
    confidenceMap: header.confidenceMap ?? identityConfidenceMap,
    minConfidence: header.minConfidence,
    calibration: {
      heldOutItems: header.calibration.heldOutItems,
      heldOutAccuracy: header.calibration.heldOutAccuracy ?? Number.NaN,
      heldOutEce: header.calibration.heldOutEce ?? Number.NaN,
    },
  };
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
