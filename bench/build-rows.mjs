/**
 * One build's half of the builds-side-by-side measurement
 * (bench/side-by-side.mjs): a runtime of that build, the rows set up on it,
 * and the answers to the driver's requests. It runs in a thread of its own
 * (bench/build-thread.mjs in Node, bench/page/build-worker.mjs in a Web
 * Worker), beside a thread holding the other build, so the two builds never
 * share a class or an inline cache and yet run on the same machine minutes
 * apart at most. Engine-neutral: no Node API.
 *
 * Rows: the reference workloads (W8ctl, a control, aside), the micro rows
 * and the size rows (bench/micro-rows.mjs); each is set up when the driver
 * opens it, its checksums verified then, and its pages given back when it is
 * closed. One row is open at a time, so W7 finds its manager empty.
 *
 * Requests (one at a time): { op: 'rows' } lists the rows; { op: 'open',
 * name }; { op: 'warm', name, ms } warms the row up and answers its ns per
 * pass; { op: 'round', name, count } times `count` passes and answers ns per
 * op; { op: 'close', name } checks and releases; { op: 'end' } closes the
 * runtime and answers the problems found.
 */
import { ChecksumError } from './checks.mjs';
import { timeRound, warmUp } from './harness.mjs';
import { live, microRows, sizeRows } from './micro-rows.mjs';
import { tiersThroughMaglev } from './settings.mjs';
import { W8_BUFFERS, W8_SEGMENT, WORKLOADS } from './workloads.mjs';

/** Micro rows left out: the copyWithin baseline runs no segmem code, the page rows are W7's. */
const MICRO_GROUPS_LEFT_OUT = ['baseline', 'pages'];
const MICRO_OWNER = 'side by side micro';

/** Opens `lib` (segmem or segmem/js) as `build`; resolves with handle(request) → answer (throws on failure). */
export async function openBuildRows({ lib, build }) {
  // The same runtime as a worker of `npm run bench`: W7's manager, W8's pool.
  const rt = await lib.init({ managedMemory: 1000 * 32768, networkMemory: W8_BUFFERS * W8_SEGMENT });
  if (rt.build !== build) throw new Error(`the ${build} entry started a '${rt.build}' runtime`);
  const mm = rt.memoryManager;
  const label = (name) => `${name} (${build === 'js' ? 'pure-JS' : 'wasm'} build, side by side)`;

  // The micro and size rows, set up when a micro row opens (and once to list them), released when it closes.
  let micro = null;
  const microList = () => {
    if (micro === null) {
      const rows = [...microRows(mm, MICRO_OWNER).filter((r) => !MICRO_GROUPS_LEFT_OUT.includes(r.group)), ...sizeRows(mm, MICRO_OWNER)];
      micro = new Map(rows.map((r) => [r.name, r]));
    }
    return micro;
  };
  const workloads = WORKLOADS.filter((w) => w.id !== 'W8ctl');
  // The rows as the driver sees them. Listing the micro rows sets them up, so their pages go back until one opens.
  const rows = [
    ...workloads.map((w) => ({ kind: 'workload', name: w.id, title: w.title, unit: w.unit, opsPerPass: w.opsPerPass, bytesPerOp: w.bytesPerOp ?? null })),
    ...[...microList().values()].map((r) => ({ kind: 'micro', name: r.name, group: r.group, unit: r.unit ?? 'ns per op', opsPerPass: r.ops, bytesPerOp: r.bytes ?? null })),
  ];
  mm.releaseAll(MICRO_OWNER);
  micro = null;

  /** The open row (at most one): name → { passes(n), opsPerPass, state, owner }. */
  const open = new Map();
  const rowOf = (name) => {
    const row = open.get(name);
    if (row === undefined) throw new Error(`row '${name}' is not open`);
    return row;
  };

  function openRow(name) {
    if (open.size > 0) throw new Error(`row '${name}' opened while '${[...open.keys()][0]}' is open`);
    const w = workloads.find((x) => x.id === name);
    if (w !== undefined) {
      const owner = `side by side ${w.id}`;
      try {
        const state = w.setup({ rt, mm, owner, label: label(w.id) });
        open.set(name, { passes: state.passes, opsPerPass: w.opsPerPass, state, owner });
      } catch (err) {
        mm.releaseAll(owner);
        throw err;
      }
      return;
    }
    const r = microList().get(name);
    if (r === undefined) throw new Error(`no row '${name}'`);
    const fn = r.fn;
    const passes = (n) => {
      for (let k = 0; k < n; k++) fn();
      return 0;
    };
    open.set(name, { passes, opsPerPass: r.ops, state: null, owner: null });
  }

  function closeRow(name) {
    const row = rowOf(name);
    open.delete(name);
    try {
      row.state?.finish?.();
    } finally {
      if (row.owner !== null) mm.releaseAll(row.owner);
      else {
        // A micro row's pages go back with it; the next micro row opens a fresh set.
        mm.releaseAll(MICRO_OWNER);
        micro = null;
      }
    }
  }

  return {
    handle(request) {
      switch (request.op) {
        case 'rows':
          return { rows, tiersThroughMaglev: tiersThroughMaglev() };
        case 'open':
          openRow(request.name);
          return null;
        case 'warm': {
          const { sink, nsPerPass } = warmUp(rowOf(request.name).passes, request.ms);
          live.sink += sink;
          return { nsPerPass };
        }
        case 'round': {
          const row = rowOf(request.name);
          const { ns, sink } = timeRound(row.passes, request.count, row.opsPerPass);
          live.sink += sink;
          return { ns };
        }
        case 'close':
          closeRow(request.name);
          return null;
        case 'end': {
          const problems = [];
          if (!mm.verifyEmpty()) problems.push(`${build} build, side by side: ${mm.memorySize - mm.availableMemory} bytes of managed memory still held`);
          rt.close();
          return { problems, sink: live.sink };
        }
        default:
          throw new Error(`unknown request '${request.op}'`);
      }
    },
  };
}

/**
 * Serves one build to the driver over a message channel: `post(message)`
 * sends, `listen(handler)` receives. Posts { ready: true } once the runtime
 * is up (or { ready: false, error }), then answers each { id, ...request }
 * with { id, ok: true, value } or { id, ok: false, error, checksum }.
 */
export async function serveBuildRows({ lib, build, post, listen }) {
  let host;
  try {
    host = await openBuildRows({ lib: await lib, build });
  } catch (err) {
    post({ ready: false, error: String(err?.message ?? err) });
    return;
  }
  listen((request) => {
    try {
      post({ id: request.id, ok: true, value: host.handle(request) });
    } catch (err) {
      post({ id: request.id, ok: false, error: String(err?.message ?? err), checksum: err instanceof ChecksumError });
    }
  });
  post({ ready: true });
}
