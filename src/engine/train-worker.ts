// Worker entry for trainer.ts: a thin wrapper around runTrainJobForTransfer.
import { parentPort } from 'node:worker_threads';
import { runTrainJobForTransfer, type TrainData, type TrainJob } from './trainer.js';

parentPort?.on('message', (message: { id: number; data: TrainData; job: TrainJob }) => {
  try {
    const { message: reply, transfer } = runTrainJobForTransfer(message.id, message.data, message.job);
    parentPort?.postMessage(reply, transfer);
  } catch (err) {
    parentPort?.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) });
  }
});
