// A Web Worker of the threads suites (Chromium): the package's sources,
// bundled by Vite, and the tasks the Node workers run too.
import * as wasm from '../../src/index.js';
import * as js from '../../src/js.js';
// @ts-expect-error: plain JavaScript shared with the Node workers, without typings.
import { runTask } from './tasks.mjs';

const post = (message: unknown) => self.postMessage(message);
self.onmessage = async (event: MessageEvent<{ build: 'wasm' | 'js' }>) => {
  const message = event.data;
  try {
    post({ type: 'done', result: await runTask(message.build === 'wasm' ? wasm : js, message, post) });
  } catch (err) {
    post({ type: 'error', message: String((err as Error)?.stack ?? err), code: (err as { code?: string })?.code });
  }
};
