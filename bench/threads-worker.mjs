// A worker of bench/threads.mjs: attaches to the shared runtime (or takes
// the bare stacks' buffer), waits at the start barrier so that every worker
// runs at once, runs its workload and posts the figures.
import { parentPort } from 'node:worker_threads';
import * as work from './threads-work.mjs';

parentPort.once('message', async (m) => {
  const lib = m.build === undefined ? null : await import(m.build === 'wasm' ? '../dist/index.js' : '../dist/js.js');
  // A runtime of its own (m.init: the unshared and 1-thread rows, each in a fresh worker so that no other
  // row's code shapes its JIT state), or one attached to the shared runtime of the descriptor.
  const rt = m.init !== undefined ? await lib.init(m.init) : m.descriptor === undefined ? null : await lib.attach(m.descriptor);
  const barrier = new Int32Array(m.barrier);
  Atomics.add(barrier, 0, 1);
  while (Atomics.load(barrier, 0) < m.parties) Atomics.wait(barrier, 0, Atomics.load(barrier, 0), 1);
  const clock = () => performance.timeOrigin + performance.now();
  const start = clock();
  let result;
  if (m.task === 'w7') result = work.w7(rt, m.pages, m.settings);
  else if (m.task === 'w8') result = work.w8(rt, m.buffers, m.settings);
  else if (m.task === 'spin') result = work.spinStack(new Int32Array(m.stack), m.settings);
  else if (m.task === 'lockfree') result = work.lockFreeStack(new Int32Array(m.stack), m.settings);
  else if (m.task === 'produce') result = await work.produce(rt, m.transport, m.port, m.count, m.size, lib);
  else if (m.task === 'consume') result = await work.consume(rt, m.transport, m.port, lib);
  const end = clock();
  rt?.close();
  parentPort.postMessage({ start, end, result: result ?? null });
});
