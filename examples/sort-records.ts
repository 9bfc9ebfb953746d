// Sorting records on their binary form. The sorter keeps each record
// serialized in pages it took from the MemoryManager, and sorts an index of
// (normalized key, pointer) entries with one kernel call: no record becomes
// an object until it is read back in order. When its pages run out, write()
// says so (returns false) instead of the heap filling up.
import { init, InMemorySorter, type KeySpec } from 'segmem';

using rt = await init({ managedMemory: '4mb', networkMemory: 0 });
const type = { city: 'string', temperature: 'double', day: 'int' } as const;
// Coldest first; on equal temperatures, the later day first.
const key: KeySpec = [{ field: 'temperature' }, { field: 'day', order: 'desc' }];
using sorter = new InMemorySorter(rt.memoryManager, { type, key, pages: 64 });

const cities = ['Oslo', 'Lagos', 'Lima', 'Perth', 'Quito', 'Riga'];
let written = 0;
for (let day = 0; day < 5000; day++) {
  const record = { city: cities[day % cities.length]!, temperature: Math.round(Math.sin(day) * 300) / 10, day };
  if (!sorter.write(record)) break; // the sorter's 64 pages are full: it never takes more
  written++;
}
console.log(`${written} records in ${sorter.pagesHeld} pages of ${rt.memoryManager.pageSize / 1024} KiB`);

sorter.sort();
let previous = -Infinity;
let count = 0;
for (const record of sorter) {
  if (record.temperature < previous) throw new Error('out of order');
  previous = record.temperature;
  if (count++ < 3) console.log(`${record.city}, day ${record.day}: ${record.temperature} °C`);
}
console.log(`read ${count} records back in order; ${rt.memoryManager.availableMemory / 1024} KiB of managed memory left`);
