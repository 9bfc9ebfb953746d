// A Node worker of the threads suites. worker_threads cannot load .ts under
// Node 20, so this worker runs the built package (dist/, which `npm test`
// builds first) and the shared tasks in plain JavaScript.
import { parentPort } from 'node:worker_threads';
import * as wasm from '../../dist/index.js';
import * as js from '../../dist/js.js';
import { runTask } from './tasks.mjs';

const post = (message) => parentPort.postMessage(message);
parentPort.on('message', async (message) => {
  try {
    post({ type: 'done', result: await runTask(message.build === 'wasm' ? wasm : js, message, post) });
  } catch (err) {
    post({ type: 'error', message: String(err?.stack ?? err), code: err?.code });
  }
});
