/**
 * How much other processes competed with the benchmark for the CPU. The
 * machine's busy time over a worker's life, minus the worker's own CPU time,
 * is everyone else's; as a share of one core over the worker's wall time it
 * tells a reader how disturbed that worker's figures are.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** CPU time (ms) the whole machine has spent busy since boot, over all cores. */
const machineBusyMs = () => os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);

/**
 * Starts watching; `stop(cpuSeconds)` takes the CPU time the measured
 * processes spent (a Node worker's process.cpuUsage(), all its threads; a
 * browser's process tree) and returns wall time, other processes' CPU time
 * and their share of a core.
 */
export function watchMachine() {
  const busyBefore = machineBusyMs();
  const wallBefore = Date.now();
  return {
    stop(cpuSeconds) {
      const wallMs = Date.now() - wallBefore;
      const otherMs = Math.max(0, machineBusyMs() - busyBefore - cpuSeconds * 1000);
      return { wallSeconds: wallMs / 1000, otherCpuSeconds: otherMs / 1000, otherCoreShare: otherMs / wallMs };
    },
  };
}

/**
 * One build's processes together: summed times, and the share over their
 * summed wall time, with each process's own figures kept, because a single
 * busy process disturbs its figures even when the sum looks quiet.
 */
export function combine(perProcess) {
  if (perProcess.length === 0) return null;
  const wallSeconds = perProcess.reduce((sum, p) => sum + p.wallSeconds, 0);
  const otherCpuSeconds = perProcess.reduce((sum, p) => sum + p.otherCpuSeconds, 0);
  return { wallSeconds, otherCpuSeconds, otherCoreShare: otherCpuSeconds / wallSeconds, processes: perProcess };
}

/** Clock ticks per second of /proc/<pid>/stat times: USER_HZ, 100 on every Linux build that matters here. */
const USER_HZ = 100;

/**
 * CPU seconds spent by every living descendant of `pid` (and by the children
 * they reaped), from /proc: a browser's processes are the runner's
 * descendants. Null where there is no /proc.
 */
export function descendantsCpuSeconds(pid = process.pid) {
  let entries;
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  const children = new Map();
  const ticks = new Map();
  for (const e of entries) {
    let stat;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // The command name (field 2) may hold spaces and parentheses: fields after it follow the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(f[1]);
    ticks.set(Number(e), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])); // utime stime cutime cstime
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(e));
  }
  let total = 0;
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop();
    total += ticks.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total / USER_HZ;
}
