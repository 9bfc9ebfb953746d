// A Node worker whose only pending work is a wait for a network segment (its
// port to the parent unreferenced): the wait alone must keep it alive until
// another worker recycles one.
import { parentPort, workerData } from 'node:worker_threads';
const lib = await import(workerData.build === 'wasm' ? '../../dist/index.js' : '../../dist/js.js');
const rt = await lib.attach(workerData.descriptor);
const pool = rt.networkBufferPool;
parentPort.unref();
parentPort.postMessage('waiting');
await pool.whenAvailable();
const segment = pool.requestPooledMemorySegment();
parentPort.postMessage(segment === null ? 'none' : 'got');
pool.recyclePooledMemorySegment(segment);
rt.close();
