// Worker entry for labels.ts: a thin wrapper around trainItemLabelModel.
import { parentPort } from 'node:worker_threads';
import { encodeLabelModel } from '../core/labels/label-model-codec.js';
import { type LabelledItemFields, trainItemLabelModel } from './text/item-labeler.js';

parentPort?.once('message', (message: { items: LabelledItemFields[] }) => {
  try {
    const bytes = encodeLabelModel(trainItemLabelModel(message.items));
    parentPort?.postMessage({ bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
