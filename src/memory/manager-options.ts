import { checkFunctionOption, checkOption } from '../util/checks.js';
import { type LeakDetection, type LeakReport, warnLeak } from './leak-detector.js';

/** Behaviour switches of a MemoryManager. */
export interface MemoryManagerOptions {
  /**
   * Zero a page when it is released, so its next owner never sees the previous
   * owner's bytes. Default false: zeroing costs about a microsecond per
   * 32 KiB page, a hundred times the allocation itself, and pages only ever
   * hold this process's own data.
   */
  zeroOnRelease?: boolean;
  /** Report (and reclaim) pages and leases garbage-collected unreleased. Default false. */
  leakDetection?: LeakDetection;
  /** Receives leak reports; default: console.warn. */
  onLeak?: (report: LeakReport) => void;
}

/** The manager's options checked, with their defaults; throws IllegalConfigurationError for a wrong type. @internal */
export function resolveManagerOptions(options: MemoryManagerOptions): Required<MemoryManagerOptions> {
  return {
    zeroOnRelease: checkOption(options.zeroOnRelease, 'zeroOnRelease', [true, false], false),
    leakDetection: checkOption<LeakDetection>(options.leakDetection, 'leakDetection', [true, false, 'stack'], false),
    onLeak: checkFunctionOption<(report: LeakReport) => void>(options.onLeak, 'onLeak') ?? warnLeak,
  };
}
