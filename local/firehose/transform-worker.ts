// Worker-thread entry of the local Firehose's transform pool (transform-workers.ts): the transform λ
// built exactly as in process, a real Firehose event in, its real response (or its error) out.
import { parentPort } from 'node:worker_threads';
import { makeTransformHandler } from '../../functions/transform.js';
import type { TransformReply, TransformRequest } from './transform-workers.js';

const port = parentPort;
if (!port) throw new Error('local/firehose/transform-worker.ts runs only as a worker thread');
const handler = makeTransformHandler();

async function answer({ id, event }: TransformRequest): Promise<TransformReply> {
  try {
    return { id, response: await handler(event) };
  } catch (error) {
    // A function error, as Lambda reports one: the message only, never the payload.
    return { id, error: error instanceof Error ? error.message : String(error) };
  }
}

port.on('message', (request: TransformRequest) => {
  void answer(request).then((reply) => port.postMessage(reply));
});
port.postMessage({ ready: true } satisfies TransformReply);
