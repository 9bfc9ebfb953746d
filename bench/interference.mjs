/**
 * How much other processes competed with the benchmark for the CPU. The
 * machine's busy time over a worker's life, minus the worker's own CPU time,
 * is everyone else's; as a share of one core over the worker's wall time it
 * tells a reader how disturbed that worker's figures are.
 */
import os from 'node:os';

/** CPU time (ms) the whole machine has spent busy since boot, over all cores. */
const machineBusyMs = () => os.cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0);

/**
 * Starts watching; `stop(cpu)` takes the worker's process.cpuUsage() (µs, all
 * its threads) and returns wall time, other processes' CPU time and their share of a core.
 */
export function watchMachine() {
  const busyBefore = machineBusyMs();
  const wallBefore = Date.now();
  return {
    stop(cpu) {
      const wallMs = Date.now() - wallBefore;
      const otherMs = Math.max(0, machineBusyMs() - busyBefore - (cpu.user + cpu.system) / 1000);
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
