// What the workers of the threads suites do, written once for Node's
// worker_threads (worker-node.mjs, over the built dist/) and Chromium's Web
// Workers (worker-browser.ts, over src/). Each task gets the build's module
// (`lib`), the message from the test and `post` for progress reports, and
// returns its result.

/** A small seeded generator (mulberry32), so a failing sequence can be replayed from its seed. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shared bookkeeping of the random runs: who holds each page (claims) and the bytes held now (used). */
function ledger(shared, count) {
  return { claims: new Int32Array(shared, 0, count), used: new Int32Array(shared, count * 4, 1), violations: [] };
}

/** Claims index `i` for `tag` and stamps the segment; a page another holder has is a violation. */
function claim(book, i, tag, segment, stamp) {
  const was = Atomics.compareExchange(book.claims, i, 0, tag);
  if (was !== 0) book.violations.push(`index ${i} handed to ${tag} while ${was} holds it`);
  segment.putInt(0, stamp);
  segment.putInt(segment.size - 4, ~stamp);
}

/** Checks the stamps of a segment about to go back and unclaims it. */
function unclaim(book, i, tag, segment, stamp) {
  if (segment.getInt(0) !== stamp || segment.getInt(segment.size - 4) !== ~stamp) book.violations.push(`index ${i}: stamp of ${tag} overwritten`);
  const was = Atomics.compareExchange(book.claims, i, tag, 0);
  if (was !== tag) book.violations.push(`index ${i} held by ${was} when ${tag} released it`);
}

const code = (err) => (err && typeof err === 'object' && 'code' in err ? err.code : String(err));

/** Random allocate / release / releaseAll / reserve against one shared manager. */
function managerRandom(rt, { seed, operations, ledger: shared, tag }) {
  const mm = rt.memoryManager;
  const pageSize = mm.pageSize;
  const base = rt.layout.managedBase;
  const book = ledger(shared, mm.pageCount);
  const next = random(seed);
  const owners = ['a', 'b', 'c'].map((name) => ({ name: `${tag}${name}`, pages: [], reserved: 0 }));
  let stamps = tag << 20;
  const counts = { allocated: 0, refused: 0, released: 0, reserved: 0, overBudget: 0 };
  const checkBudget = () => {
    const used = Atomics.load(book.used, 0);
    if (used > mm.memorySize) book.violations.push(`${used} bytes held, the budget is ${mm.memorySize}`);
  };
  const letGo = (owner, entry) => {
    unclaim(book, (entry.segment.address - base) / pageSize, tag, entry.segment, entry.stamp);
    Atomics.sub(book.used, 0, pageSize);
  };
  for (let op = 0; op < operations; op++) {
    const owner = owners[Math.floor(next() * owners.length)];
    const roll = next();
    if (roll < 0.4) {
      const n = 1 + Math.floor(next() * 4);
      try {
        const pages = mm.allocatePages(owner.name, n);
        Atomics.add(book.used, 0, n * pageSize);
        checkBudget();
        for (const segment of pages) {
          const stamp = ++stamps;
          claim(book, (segment.address - base) / pageSize, tag, segment, stamp);
          owner.pages.push({ segment, stamp });
        }
        counts.allocated += n;
      } catch (err) {
        if (code(err) !== 'ERR_MEMORY_ALLOCATION') throw err;
        counts.refused += 1;
      }
    } else if (roll < 0.7) {
      const k = Math.min(owner.pages.length, 1 + Math.floor(next() * 3));
      const leaving = owner.pages.splice(0, k);
      for (const entry of leaving) letGo(owner, entry);
      if (next() < 0.5) mm.release(leaving.map((e) => e.segment));
      else for (const entry of leaving) entry.segment.free();
      counts.released += k;
    } else if (roll < 0.8) {
      for (const entry of owner.pages) letGo(owner, entry);
      owner.pages.length = 0;
      mm.releaseAll(owner.name);
    } else if (roll < 0.92) {
      const bytes = (1 + Math.floor(next() * 4)) * 1024;
      try {
        mm.reserveMemory(owner.name, bytes);
        Atomics.add(book.used, 0, bytes);
        checkBudget();
        owner.reserved += bytes;
        counts.reserved += 1;
      } catch (err) {
        if (code(err) !== 'ERR_MEMORY_RESERVATION') throw err;
        counts.overBudget += 1;
      }
    } else {
      const bytes = Math.floor(next() * (owner.reserved + 1));
      Atomics.sub(book.used, 0, bytes);
      const released = mm.releaseMemory(owner.name, bytes);
      if (released !== bytes) book.violations.push(`releaseMemory gave back ${released} of ${bytes}`);
      owner.reserved -= bytes;
    }
  }
  for (const owner of owners) {
    for (const entry of owner.pages) letGo(owner, entry);
    mm.releaseAll(owner.name);
    Atomics.sub(book.used, 0, owner.reserved);
    mm.releaseAllMemory(owner.name);
  }
  return { counts, violations: book.violations, workerId: rt.workerId };
}

/** Random requests and recycles of network segments: single pooled ones and a LocalBufferPool's buffers. */
function buffersRandom(rt, { seed, operations, ledger: shared, tag }) {
  const global = rt.networkBufferPool;
  const size = global.memorySegmentSize;
  const base = rt.layout.networkBase;
  const book = ledger(shared, global.totalNumberOfMemorySegments);
  const next = random(seed);
  const pool = global.createBufferPool({ minSize: 0, maxSize: 3 });
  const held = [];
  let stamps = tag << 20;
  const counts = { taken: 0, empty: 0, recycled: 0 };
  const index = (segment) => (segment.address - base) / size;
  for (let op = 0; op < operations; op++) {
    const roll = next();
    if (roll < 0.3) {
      const segment = global.requestPooledMemorySegment();
      if (segment === null) counts.empty += 1;
      else {
        const stamp = ++stamps;
        claim(book, index(segment), tag, segment, stamp);
        held.push({ segment, stamp, buffer: null });
        counts.taken += 1;
      }
    } else if (roll < 0.5) {
      const buffer = pool.requestBuffer();
      if (buffer === null) counts.empty += 1;
      else {
        const stamp = ++stamps;
        claim(book, index(buffer.memorySegment), tag, buffer.memorySegment, stamp);
        held.push({ segment: buffer.memorySegment, stamp, buffer });
        counts.taken += 1;
      }
    } else if (held.length > 0) {
      const entry = held.splice(Math.floor(next() * held.length), 1)[0];
      unclaim(book, index(entry.segment), tag, entry.segment, entry.stamp);
      if (entry.buffer !== null) entry.buffer.recycleBuffer();
      else global.recyclePooledMemorySegment(entry.segment);
      counts.recycled += 1;
    }
  }
  for (const entry of held) {
    unclaim(book, index(entry.segment), tag, entry.segment, entry.stamp);
    if (entry.buffer !== null) entry.buffer.recycleBuffer();
    else global.recyclePooledMemorySegment(entry.segment);
  }
  pool.lazyDestroy();
  return { counts, violations: book.violations, workerId: rt.workerId };
}

/** Takes pages, a reservation and network segments, reports them, and keeps them: the test then terminates this worker. */
function hold(rt, { pages, bytes, buffers }, post) {
  const held = rt.memoryManager.allocatePages('held', pages);
  rt.memoryManager.reserveMemory('held', bytes);
  const segments = [];
  for (let i = 0; i < buffers; i++) segments.push(rt.networkBufferPool.requestPooledMemorySegment());
  held.forEach((page, i) => page.putInt(0, i));
  post({ type: 'holding', workerId: rt.workerId, pages: held.length, buffers: segments.filter((s) => s !== null).length });
  // Never resolves: the worker holds everything until it is terminated.
  return new Promise(() => [held, segments]);
}

/** Reclaims what the ended worker `id` held, from this (surviving) worker. */
function reclaim(rt, { id }) {
  const result = rt.releaseAllOf(id);
  return { ...result, available: rt.memoryManager.availableMemory, buffersFree: rt.networkBufferPool.numberOfAvailableMemorySegments };
}

/** Asks for one page (reporting 'asking' first), as a worker does while another holds the table's lock; resolves with the outcome's code. */
function askForPage(rt, _message, post) {
  post({ type: 'asking' });
  try {
    rt.memoryManager.release(rt.memoryManager.allocatePages('ask', 1));
    return 'allocated';
  } catch (err) {
    return code(err);
  }
}

/** Fills a segment with the pattern of sequence number `seq`. */
export function fillPattern(segment, seq) {
  const bytes = segment.wrap(0, segment.size);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  let x = Math.imul(seq + 1, 0x9e3779b1);
  for (let i = 0; i < words.length; i++) words[i] = x = (Math.imul(x ^ (x >>> 15), 0x85ebca77) + i) | 0;
}

/** Counts the words of a segment that differ from the pattern of `seq`. */
export function patternMismatches(segment, seq) {
  const bytes = segment.wrap(0, segment.size);
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  let x = Math.imul(seq + 1, 0x9e3779b1);
  let wrong = 0;
  for (let i = 0; i < words.length; i++) {
    x = (Math.imul(x ^ (x >>> 15), 0x85ebca77) + i) | 0;
    if (words[i] !== x) wrong++;
  }
  return wrong;
}

/**
 * Sends `bytes` through the shared network pool: each segment filled, handed
 * over by descriptor on `port`; a full pool (the consumer holds the rest)
 * makes it wait for a recycle from the other worker.
 */
async function produce(rt, { bytes, port }) {
  const pool = rt.networkBufferPool;
  const count = Math.ceil(bytes / pool.memorySegmentSize);
  let waits = 0;
  const started = performance.now();
  for (let seq = 0; seq < count; seq++) {
    let segment = pool.requestPooledMemorySegment();
    while (segment === null) {
      waits++;
      await pool.whenAvailable();
      segment = pool.requestPooledMemorySegment();
    }
    fillPattern(segment, seq);
    port.postMessage({ seq, segment: pool.handOver(segment) });
  }
  port.postMessage(null);
  return { sent: count, waits, ms: performance.now() - started };
}

/** Receives what produce() sends: adopts each segment, checks its bytes, recycles it. */
function consume(rt, { port }) {
  const pool = rt.networkBufferPool;
  let received = 0;
  let mismatches = 0;
  let outOfOrder = 0;
  return new Promise((resolve) => {
    const onMessage = (event) => {
      const message = event.data;
      if (message === null) {
        port.close();
        resolve({ received, mismatches, outOfOrder, bytes: received * pool.memorySegmentSize });
        return;
      }
      const segment = pool.adopt(message.segment);
      if (message.seq !== received) outOfOrder++;
      mismatches += patternMismatches(segment, message.seq);
      received++;
      pool.recyclePooledMemorySegment(segment);
    };
    port.addEventListener('message', onMessage);
    port.start();
  });
}

const TASKS = { managerRandom, buffersRandom, hold, reclaim, askForPage, produce, consume };

/** Attaches to the message's runtime, runs its task, and closes the runtime (unless the task keeps it). */
export async function runTask(lib, message, post) {
  const rt = await lib.attach(message.descriptor);
  try {
    return await TASKS[message.task](rt, message, post);
  } finally {
    if (message.task !== 'hold') rt.close();
  }
}
