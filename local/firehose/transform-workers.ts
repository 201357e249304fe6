// The local Firehose's transform λ in worker threads: the same handler, off the main thread, so the
// transform uses another core while ingest and delivery carry on. A worker that crashes or hangs
// fails only the invocations it holds (Firehose's retries take over) and is replaced on the next call.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { logger } from '#shared/observability.js';
import type { TransformHandler } from './processor.js';

export interface TransformRequest {
  id: number;
  event: FirehoseTransformationEvent;
}

export type TransformReply =
  | { id: number; response: FirehoseTransformationResult }
  | { id: number; error: string }
  /** Posted once the handler is loaded: a call's hung clock starts there, as Lambda's timeout excludes init. */
  | { ready: true };

export interface TransformWorkerOptions {
  /** Worker threads; calls go to the one with the fewest in flight. */
  size: number;
  /** A call unanswered this long (real ms) is hung: its worker is terminated and replaced. */
  hungAfterMs: number;
  /** The worker entry (default local/firehose/transform-worker.ts). */
  entry?: URL;
  /** Told when a worker crashes or hangs (default: a line on stderr), not when the pool is closed. */
  onWorkerLost?: (reason: string) => void;
}

export interface TransformWorkers {
  /** The transform λ as Firehose invokes it; rejects when its worker crashes or hangs, or after close. */
  readonly transform: TransformHandler;
  /** Terminates every worker; calls in flight reject. */
  close(): Promise<void>;
}

/** The handler itself failed (the Lambda function error), reported by its worker. */
export class TransformFunctionError extends Error {}

/** The worker holding the call crashed, hung or was terminated. */
export class TransformWorkerLost extends Error {}

// tsx/esm/api, found from tsx's main export (its CommonJS build cannot be imported from a worker's eval).
const tsxApi = new URL('esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx'))).href;

/**
 * A worker's bootstrap: registers tsx, then imports the TypeScript entry. On Node 20 tsx's --import
 * loader (the tsx CLI's) skips worker threads, and under vitest there is none, so the worker registers its own.
 */
const bootstrap = (entry: URL): string =>
  `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;

export function startTransformWorkers(options: TransformWorkerOptions): TransformWorkers {
  if (!Number.isInteger(options.size) || options.size < 1) {
    throw new RangeError(`transform workers: size must be a positive integer, got ${options.size}`);
  }
  const entry = options.entry ?? new URL('./transform-worker.ts', import.meta.url);
  const onLost = options.onWorkerLost ?? ((reason: string) => process.stderr.write(`${reason}\n`));
  const spawn = () => new TransformWorker(entry, options.hungAfterMs, onLost);
  const workers = Array.from({ length: options.size }, spawn);
  let closed = false;
  return {
    transform: async (event) => {
      if (closed) throw new TransformWorkerLost('transform workers are closed');
      for (let i = 0; i < workers.length; i += 1) if ((workers[i] as TransformWorker).lost) workers[i] = spawn();
      const least = workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      return least.invoke(event);
    },
    close: async () => {
      closed = true;
      await Promise.all(workers.map((w) => w.terminate('transform workers closed')));
    },
  };
}

interface PendingCall {
  resolve: (response: FirehoseTransformationResult) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

class TransformWorker {
  readonly #worker: Worker;
  readonly #hungAfterMs: number;
  readonly #onLost: (reason: string) => void;
  readonly #calls = new Map<number, PendingCall>();
  #nextId = 0;
  #ready = false;
  #lost = false;

  constructor(entry: URL, hungAfterMs: number, onLost: (reason: string) => void) {
    this.#hungAfterMs = hungAfterMs;
    this.#onLost = onLost;
    // The environment as it is now, and the handler logging at the level it would log at in process
    // (POWERTOOLS_LOG_LEVEL, or a level set on the shared logger in code, as tests do).
    const env = { ...process.env, POWERTOOLS_LOG_LEVEL: logger.getLevelName() };
    this.#worker = new Worker(bootstrap(entry), { eval: true, env });
    // Idle, a worker must not keep the process alive; with calls in flight it must (invoke, #settle).
    this.#worker.unref();
    this.#worker.on('message', (reply: TransformReply) => this.#onReply(reply));
    this.#worker.on('error', (error) => this.#fail(`transform worker crashed: ${error.message}`));
    this.#worker.on('exit', (code) => this.#fail(`transform worker exited with code ${code}`));
  }

  get lost(): boolean {
    return this.#lost;
  }

  get inFlight(): number {
    return this.#calls.size;
  }

  invoke(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      const call: PendingCall = { resolve, reject };
      if (this.#ready) this.#startClock(call);
      if (this.#calls.size === 0) this.#worker.ref();
      this.#calls.set(id, call);
      this.#worker.postMessage({ id, event } satisfies TransformRequest);
    });
  }

  /** Stops the thread; calls in flight on it reject with the reason. */
  async terminate(reason: string): Promise<void> {
    this.#fail(reason, false);
    await this.#worker.terminate();
  }

  #startClock(call: PendingCall): void {
    const hung = () => {
      this.#fail(`transform worker hung: no answer after ${this.#hungAfterMs} ms`);
      void this.#worker.terminate();
    };
    call.timer = setTimeout(hung, this.#hungAfterMs).unref();
  }

  #onReply(reply: TransformReply): void {
    if ('ready' in reply) {
      this.#ready = true;
      for (const call of this.#calls.values()) this.#startClock(call);
      return;
    }
    const call = this.#calls.get(reply.id);
    if (!call) return;
    this.#settle(reply.id, call);
    if ('error' in reply) call.reject(new TransformFunctionError(reply.error));
    else call.resolve(reply.response);
  }

  #fail(reason: string, report = true): void {
    if (report && !this.#lost) this.#onLost(reason);
    this.#lost = true;
    for (const [id, call] of this.#calls) {
      this.#settle(id, call);
      call.reject(new TransformWorkerLost(reason));
    }
  }

  #settle(id: number, call: PendingCall): void {
    clearTimeout(call.timer);
    this.#calls.delete(id);
    if (this.#calls.size === 0) this.#worker.unref();
  }
}
