/**
 * CPU time per thread of this process over a stretch of seconds, from
 * Linux's /proc (the kernel's scheduler statistics, in nanoseconds; empty
 * elsewhere). No clock for one loop turn: a running thread's figure there
 * is brought up to date only at the scheduler's ticks and switches (a few
 * ms), and so is process.threadCpuUsage()'s (Node 24: 0 µs for every turn
 * measured, snapshot or not); process.cpuUsage() is exact but sums every
 * thread.
 *
 *   /proc/self/task/<tid>/schedstat    "<ns on CPU> <ns waiting> <slices>"
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const PROC = existsSync('/proc/self/task');

/** Nanoseconds each thread of the process has run, by thread id; empty without /proc. */
export function threadNs() {
  const times = new Map();
  if (!PROC) return times;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      times.set(Number(tid), Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ', 1)[0]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}
