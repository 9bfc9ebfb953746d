// Starts a worker of the threads suites: a Node worker_threads Worker running
// worker-node.mjs (over dist/), or in Chromium a module Web Worker running
// worker-browser.ts (over src/, bundled by Vite). Both run tasks.mjs.

/** Whether the suite runs in a browser page. */
export const inBrowser = typeof window !== 'undefined';

/** What a worker posts: progress, its result, or its failure. */
interface Report {
  type: string;
  result?: unknown;
  message?: string;
  code?: string;
  [key: string]: unknown;
}

/** A worker of the suites, the same for both environments. */
export interface TestWorker {
  /** Sends `message` (with `transfer`) and resolves with the task's result; rejects with its error. */
  run<T = unknown>(message: Record<string, unknown>, transfer?: Transferable[]): Promise<T>;
  /** Resolves with the next report of `type` (e.g. 'holding'). */
  next(type: string): Promise<Report>;
  /** Ends the worker at once. */
  terminate(): Promise<void>;
}

interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onReport(listener: (report: Report) => void): void;
  terminate(): Promise<unknown> | void;
}

async function endpoint(): Promise<Endpoint> {
  if (inBrowser) {
    const worker = new Worker(new URL('./worker-browser.ts', import.meta.url), { type: 'module' });
    return {
      postMessage: (message, transfer = []) => worker.postMessage(message, transfer),
      onReport: (listener) => worker.addEventListener('message', (event: MessageEvent<Report>) => listener(event.data)),
      terminate: () => worker.terminate(),
    };
  }
  // Kept out of the browser bundle: a specifier in a variable is not resolved by Vite.
  const name = 'node:worker_threads';
  const { Worker: NodeWorker } = (await import(/* @vite-ignore */ name)) as typeof import('node:worker_threads');
  const worker = new NodeWorker(new URL('./worker-node.mjs', import.meta.url));
  return {
    postMessage: (message, transfer = []) => worker.postMessage(message, transfer as never),
    onReport: (listener) => worker.on('message', listener),
    terminate: () => worker.terminate(),
  };
}

/** Starts a worker. */
export async function spawn(): Promise<TestWorker> {
  const end = await endpoint();
  const waiting = new Map<string, ((report: Report) => void)[]>();
  end.onReport((report) => {
    const type = report.type === 'error' ? 'done' : report.type;
    const listeners = waiting.get(type) ?? [];
    waiting.delete(type);
    for (const listener of listeners) listener(report);
  });
  const next = (type: string) =>
    new Promise<Report>((resolve) => {
      const listeners = waiting.get(type) ?? [];
      listeners.push(resolve);
      waiting.set(type, listeners);
    });
  return {
    next,
    async run<T>(message: Record<string, unknown>, transfer: Transferable[] = []): Promise<T> {
      const done = next('done');
      end.postMessage(message, transfer);
      const report = await done;
      if (report.type === 'error') throw Object.assign(new Error(`worker failed: ${report.message}`), { code: report.code });
      return report.result as T;
    },
    async terminate() {
      await end.terminate();
    },
  };
}

/** Starts `n` workers. */
export function spawnAll(n: number): Promise<TestWorker[]> {
  return Promise.all(Array.from({ length: n }, () => spawn()));
}
