/**
 * The worker side of the cross-thread channel rows (bench/channels.mjs):
 * per pass it receives a port and writes `total` bytes of `recordBytes`
 * records to it, either through segmem (a partition over a MessagePort
 * transport) or as one posted chunk per record (the MessageChannel row).
 */
import { parentPort, workerData } from 'node:worker_threads';

const lib = await import(workerData.build === 'js' ? '../dist/js.js' : '../dist/index.js');
const SEG = 32768;
const rt = await lib.init({ managedMemory: 0, networkMemory: 64 * SEG, offHeapMemory: 0, pageSize: SEG });

function recordOf(bytes) {
  const record = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) record[i] = (i * 31 + 7) & 0xff;
  return record;
}

/** segmem: records through a partition of one subpartition, sent over `port`. */
async function segmemPass(port, record, total) {
  const partition = new lib.ResultPartition(rt.networkBufferPool, { numSubpartitions: 1 });
  lib.connectPartition(partition, lib.messagePortTransport(port));
  const writer = new lib.RecordWriter(partition);
  for (let moved = 0; moved < total; moved += record.length) {
    const wait = writer.write(0, record);
    if (wait !== undefined) await wait;
  }
  await partition.finish();
  partition.release();
}

/** MessageChannel: one fresh copy of the record per message. */
function messagePass(port, record, total) {
  for (let moved = 0; moved < total; moved += record.length) port.postMessage(record.slice());
  port.postMessage(null);
}

parentPort.on('message', async ({ kind, port, recordBytes, total }) => {
  const record = recordOf(recordBytes);
  if (kind === 'segmem') await segmemPass(port, record, total);
  else messagePass(port, record, total);
  parentPort.postMessage('done');
});
parentPort.postMessage('ready');
