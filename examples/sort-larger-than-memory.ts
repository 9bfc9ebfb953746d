// Sorting more records than memory holds. The ExternalSorter keeps at most
// `pages` pages of the MemoryManager: when they are full it sorts them and
// spills the sorted run to a file, and at the end merges the runs. Here
// 40 MB of records go through a 4 MiB budget into a sorted file; the JS heap
// never holds more than the record in hand.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExternalSorter, init, type ExternalSortProgress } from 'segmem';
import { NodeSpillStore } from 'segmem/node';

using rt = await init({ managedMemory: '4mb', networkMemory: 0 });
const dir = mkdtempSync(join(tmpdir(), 'segmem-example-'));
try {
  const type = { station: 'int', reading: 'double', note: { type: 'bytes', length: 64 } } as const;
  let last: ExternalSortProgress | undefined;
  await using sorter = new ExternalSorter(rt.memoryManager, {
    type,
    key: [{ field: 'reading', order: 'desc' }, 'station'],
    pages: rt.memoryManager.pageCount, // every page of the 4 MiB budget
    store: new NodeSpillStore(dir), // runs go to files here, and are deleted after
    onProgress: (p) => (last = p),
  });

  // 500,000 records of 80 bytes: ten times the budget.
  const note = new Uint8Array(64).fill(46);
  function* readings() {
    for (let i = 0; i < 500_000; i++) yield { station: i % 977, reading: Math.round(Math.sin(i) * 5000) / 100, note };
  }
  await sorter.addAll(readings());
  const out = join(dir, 'sorted.bin');
  const written = await sorter.writeTo(createWriteStream(out));
  console.log(`sorted ${written} records (${(statSync(out).size / 2 ** 20).toFixed(1)} MiB) in a budget of ${rt.memoryManager.memorySize / 2 ** 20} MiB`);
  console.log(`runs spilled: ${last?.runsSpilled}, merge passes: ${last?.mergePasses}, pages held after: ${rt.memoryManager.verifyEmpty() ? 0 : 'some'}`);

  // Read the file back, again within the budget, and check the order.
  await using check = new ExternalSorter(rt.memoryManager, { type, key: 'station', pages: 64, stable: true, store: new NodeSpillStore(dir) });
  await check.addSerialized(createReadStream(out));
  let previous = Infinity;
  let count = 0;
  let ordered = true;
  // Sorted by station now, stable: each station's readings keep the file's order, highest first.
  for await (const r of check) {
    if (r.station === 0) {
      if (r.reading > previous) ordered = false;
      previous = r.reading;
    }
    count++;
  }
  console.log(`read back ${count} records; station 0's readings in descending order: ${ordered}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
