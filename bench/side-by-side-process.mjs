/**
 * Both builds side by side in ONE Node process (bench/side-by-side.mjs),
 * each in a worker thread of its own (bench/build-thread.mjs): `node
 * bench/side-by-side-process.mjs [tag]`, started by bench/engines.mjs on the
 * machine's Node or on Node 24. The result goes back over the IPC channel,
 * or to stdout as JSON when run by hand. V8 flags given to this process
 * (--expose-gc, the semi-space sizes) hold in its threads too.
 */
import { Worker } from 'node:worker_threads';
import { connectBuild, measureSideBySide, SIDE_BY_SIDE_BUILDS } from './side-by-side.mjs';
import { timings } from './settings.mjs';
import { reportToParent } from './report-to-parent.mjs';

const tag = process.argv[2] ? ` ${process.argv[2]}` : '';
const log = (message) => process.stderr.write(`[side by side${tag}] ${message}\n`);

async function main() {
  const threads = {};
  const calls = {};
  try {
    for (const build of SIDE_BY_SIDE_BUILDS) {
      const worker = new Worker(new URL('./build-thread.mjs', import.meta.url), { workerData: { build } });
      threads[build] = worker;
      const died = new Promise((_, reject) => {
        worker.once('error', (err) => reject(new Error(`the ${build} thread failed: ${err.message}`)));
        worker.once('exit', (code) => reject(new Error(`the ${build} thread exited with code ${code}`)));
      });
      calls[build] = await connectBuild(build, { send: (m) => worker.postMessage(m), onMessage: (fn) => worker.on('message', fn), died });
    }
    const t = timings();
    const result = await measureSideBySide({ calls, t: { ...t.sideBySide, only: t.only }, log });
    return {
      ...result,
      engine: { name: 'Node', version: process.version, v8: process.versions.v8 },
      cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    };
  } finally {
    for (const worker of Object.values(threads)) await worker.terminate();
  }
}

reportToParent(main, log);
