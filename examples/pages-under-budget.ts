// Pages under a budget. A MemoryManager hands fixed-size pages to owners until
// its budget is spent; past it, allocatePages refuses with an error you can
// catch (ERR_MEMORY_ALLOCATION), instead of the process running out of memory.
// `using` gives a page, or the whole runtime, back when its block ends.
import { init, MemoryAllocationError } from 'segmem';

using rt = await init({ managedMemory: '256kb', networkMemory: 0 }); // closed at the end of the program
const pages = rt.memoryManager;
console.log(`budget: ${pages.pageCount} pages of ${pages.pageSize / 1024} KiB`);

{
  using page = pages.allocatePages('parser', 1)[0]; // back to the manager when this block ends
  page.putIntBigEndian(0, 2026);
  console.log(`parser holds a page; ${pages.availableMemory / 1024} KiB left; it reads ${page.getIntBigEndian(0)}`);
}
console.log(`after the block: ${pages.availableMemory / 1024} KiB left`);

const run = pages.allocatePages('sorter', 6); // a sorter takes most of the budget
console.log(`sorter holds ${run.length} pages; ${pages.availableMemory / 1024} KiB left`);
try {
  pages.allocatePages('join', 4); // all or nothing: 4 pages do not fit
} catch (err) {
  if (!(err instanceof MemoryAllocationError)) throw err;
  console.log(`join refused: ${err.code}`);
}

pages.releaseAll('sorter'); // the sorter spills or finishes and gives its pages back
const [left, right] = pages.allocatePages('join', 2); // now it fits; a tuple, so no `!` needed
left.fill(1);
left.copyTo(0, right, 0, pages.pageSize);
console.log(`join holds 2 pages, equal: ${left.equalTo(right, 0, 0, pages.pageSize)}`);
pages.releaseAll('join');
console.log(`all returned: ${pages.verifyEmpty()}`);
