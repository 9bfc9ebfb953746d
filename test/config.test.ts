import { describe, it, expect } from 'vitest';
import {
  DEFAULT_OFF_HEAP_MEMORY,
  DEFAULT_PAGE_SIZE,
  DEFAULT_TOTAL_MEMORY,
  MEMORY_OPTION_NAMES,
  describeMemoryConfig,
  formatSize,
  parseSize,
  resolveMemoryConfig,
} from '../src/config/index.js';
import type { MemoryConfig, MemoryOptions } from '../src/config/index.js';
import { IllegalConfigurationError, SegmemError } from '../src/errors.js';

// Byte constants written out so that expectations do not lean on the code under test.
const KiB = 1024;
const MiB = 1048576;
const GiB = 1073741824;
const PAGE = 32768;

/** Runs fn, asserts it threw a configuration error, and returns the message. */
function configError(fn: () => unknown): string {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected an IllegalConfigurationError').toBeInstanceOf(IllegalConfigurationError);
  expect(caught).toBeInstanceOf(SegmemError);
  expect((caught as IllegalConfigurationError).code).toBe('ERR_ILLEGAL_CONFIGURATION');
  return (caught as Error).message;
}

/** Asserts a message mentions every piece. */
function expectMentions(message: string, ...pieces: readonly (string | number)[]): void {
  for (const piece of pieces) expect(message).toContain(String(piece));
}

/** Checks the invariants every resolved config must satisfy. */
function expectConsistent(config: MemoryConfig): void {
  expect(config.managedMemory % config.pageSize).toBe(0);
  expect(config.networkMemory % config.pageSize).toBe(0);
  expect(config.offHeapMemory % 16).toBe(0);
  expect(config.userMemory).toBeGreaterThanOrEqual(0);
  expect(config.managedMemory + config.networkMemory + config.offHeapMemory + config.userMemory).toBe(
    config.totalMemory,
  );
}

describe('parseSize', () => {
  const good: readonly (readonly [number | string, number])[] = [
    [0, 0],
    [-0, 0],
    [1, 1],
    [4096, 4096],
    [Number.MAX_SAFE_INTEGER, 9007199254740991],
    ['0', 0],
    ['123', 123],
    ['1b', 1],
    ['10 bytes', 10],
    ['1k', 1024],
    ['1kb', 1024],
    ['1KiB', 1024],
    ['32KB', 32768],
    ['1.5kb', 1536],
    ['1.0b', 1],
    ['00012kb', 12288],
    ['0.5m', 524288],
    [' 64 MB ', 67108864],
    ['64mb', 67108864],
    ['64 MiB', 67108864],
    ['1g', 1073741824],
    ['1.5gb', 1610612736],
    ['1.25 GiB', 1342177280],
    ['2tb', 2199023255552],
    ['8 tib', 8796093022208],
    ['8191tb', 9006099743113216],
    ['\t16m\n', 16777216],
  ];
  it.each(good)('parses %j as %d bytes', (input, bytes) => {
    expect(parseSize(input, 'totalMemory')).toBe(bytes);
  });

  it('returns +0, not -0, for -0', () => {
    expect(Object.is(parseSize(-0, 'totalMemory'), 0)).toBe(true);
  });

  const badText: readonly string[] = [
    '12xb',
    '-1mb',
    '+1mb',
    '',
    '  ',
    'mb',
    '1 2mb',
    '1e3mb',
    '1,5mb',
    '0x10',
    '.5kb',
    '1.kb',
    '1kb kb',
    'kb1',
    '1 m b',
    'Infinity',
    'NaN',
  ];
  it.each(badText)('rejects text %j naming the option and the text', (text) => {
    const message = configError(() => parseSize(text, 'totalMemory'));
    expectMentions(message, 'totalMemory', `'${text}'`, 'cannot parse', "'64mb'");
  });

  it('gives the documented message for unparsable text', () => {
    expect(configError(() => parseSize('12xb', 'totalMemory'))).toBe(
      "totalMemory: cannot parse '12xb' as a size (expected bytes or a number with unit b, kb, mb, gb, tb, e.g. '64mb')",
    );
  });

  it.each(['0.1b', '1.5', '0.3kb', '1.00000000001gb'])('rejects %j, which is not a whole number of bytes', (text) => {
    const message = configError(() => parseSize(text, 'pageSize'));
    expectMentions(message, 'pageSize', `'${text}'`, 'whole number of bytes');
  });

  it('rejects text beyond the largest safe integer', () => {
    const message = configError(() => parseSize('8192tb', 'managedMemory'));
    expectMentions(message, 'managedMemory', "'8192tb'", '9007199254740991');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 1.5, 2 ** 53])(
    'rejects the number %d naming the option and the value',
    (value) => {
      const message = configError(() => parseSize(value, 'networkMemory'));
      expectMentions(message, 'networkMemory', String(value));
    },
  );

  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [true, 'true'],
    [10n, '10n'],
    [{}, 'an object'],
    [[64], 'an array'],
  ] as const)('rejects a %s', (value, shown) => {
    const message = configError(() => parseSize(value as unknown as string, 'offHeapMemory'));
    expectMentions(message, 'offHeapMemory', shown);
  });
});

describe('formatSize', () => {
  it.each([
    [0, '0 B'],
    [100, '100 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [32768, '32 KiB'],
    [1048575, '1 MiB'],
    [53673984, '51.2 MiB'],
    [67108864, '64 MiB'],
    [1610612736, '1.5 GiB'],
    [4294901760, '4 GiB'],
    [2199023255552, '2 TiB'],
  ])('formats %d as %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});

describe('resolveMemoryConfig: defaults and totals', () => {
  it('exports the defaults', () => {
    expect(DEFAULT_TOTAL_MEMORY).toBe(134217728);
    expect(DEFAULT_PAGE_SIZE).toBe(32768);
    expect(DEFAULT_OFF_HEAP_MEMORY).toBe(4194304);
  });

  it('lists every option name', () => {
    const names: readonly (keyof MemoryOptions)[] = [
      'totalMemory',
      'managedMemory',
      'networkMemory',
      'offHeapMemory',
      'pageSize',
      'managedFraction',
      'networkFraction',
      'networkMin',
      'networkMax',
    ];
    expect([...MEMORY_OPTION_NAMES].sort()).toEqual([...names].sort());
    expect(Object.isFrozen(MEMORY_OPTION_NAMES)).toBe(true);
  });

  // 128 MiB: managed 0.4 × 134217728 = 53687091.2 → 1638 pages; network 0.1 × total = 12.8 MiB is
  // raised to the scaled minimum min(64 MiB, total / 4) = 32 MiB; off-heap min(4 MiB, total / 8) = 4 MiB.
  const defaults: MemoryConfig = {
    pageSize: 32768,
    totalMemory: 134217728,
    managedMemory: 53673984,
    networkMemory: 33554432,
    offHeapMemory: 4194304,
    userMemory: 42795008,
    managedFraction: 0.4,
    networkFraction: 0.1,
    networkMin: 33554432,
    networkMax: 1073741824,
  };

  it('resolves no options to the defaults', () => {
    expect(resolveMemoryConfig()).toEqual(defaults);
    expect(resolveMemoryConfig({})).toEqual(defaults);
    expect(resolveMemoryConfig({ totalMemory: '128mb' })).toEqual(defaults);
  });

  it('treats undefined option values as absent', () => {
    expect(resolveMemoryConfig({ totalMemory: undefined, managedMemory: undefined, pageSize: undefined })).toEqual(
      defaults,
    );
  });

  it('returns a frozen object', () => {
    const config = resolveMemoryConfig();
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { managedMemory: number }).managedMemory = 1;
    }).toThrow(TypeError);
  });

  it('scales the network minimum and off-heap area down for a 16 MiB total', () => {
    // network: min(64 MiB, 16 MiB / 4) = 4 MiB beats 0.1 × 16 MiB; managed 6710886.4 → 204 pages;
    // off-heap min(4 MiB, 16 MiB / 8) = 2 MiB.
    const config = resolveMemoryConfig({ totalMemory: '16mb' });
    expect(config).toMatchObject({
      totalMemory: 16777216,
      managedMemory: 6684672,
      networkMemory: 4194304,
      offHeapMemory: 2097152,
      userMemory: 3801088,
      networkMin: 4194304,
    });
    expectConsistent(config);
  });

  it('keeps the off-heap default at an eighth of a tiny total, aligned to 16 bytes', () => {
    // 1000000 / 8 = 125000 → 124992 after aligning down to 16; network min(64 MiB, 250000) → 7 pages.
    const config = resolveMemoryConfig({ totalMemory: 1000000 });
    expect(config.offHeapMemory).toBe(124992);
    expect(config.networkMemory).toBe(7 * PAGE);
    expect(config.managedMemory).toBe(12 * PAGE); // 400000 / 32768 = 12.2
    expect(config.userMemory).toBe(1000000 - 124992 - 7 * PAGE - 12 * PAGE);
    // 1000100 / 8 = 125012.5 → 125012 → 125008 after aligning down to 16.
    expect(resolveMemoryConfig({ totalMemory: 1000100 }).offHeapMemory).toBe(125008);
  });

  it('clamps network at the unscaled 64 MiB minimum for a 512 MiB total', () => {
    const config = resolveMemoryConfig({ totalMemory: '512mb' });
    expect(config).toMatchObject({
      totalMemory: 536870912,
      managedMemory: 214728704, // 214748364.8 → 6553 pages
      networkMemory: 67108864,
      offHeapMemory: 4194304,
      userMemory: 250839040,
      networkMin: 67108864,
    });
  });

  it('meets the scaled minimum continuously at 256 MiB', () => {
    // Just below, at and above 256 MiB the minimum is total / 4, 64 MiB, 64 MiB.
    expect(resolveMemoryConfig({ totalMemory: 256 * MiB - 4 * PAGE }).networkMemory).toBe(64 * MiB - PAGE);
    expect(resolveMemoryConfig({ totalMemory: '256mb' }).networkMemory).toBe(64 * MiB);
    expect(resolveMemoryConfig({ totalMemory: 256 * MiB + 4 * PAGE }).networkMemory).toBe(64 * MiB);
  });

  it('uses the network fraction for a 1 GiB total', () => {
    // network 107374182.4 → 3276 pages; managed 429496729.6 → 13107 pages.
    const config = resolveMemoryConfig({ totalMemory: '1gb' });
    expect(config).toMatchObject({
      totalMemory: 1073741824,
      managedMemory: 429490176,
      networkMemory: 107347968,
      offHeapMemory: 4194304,
      userMemory: 532709376,
      networkMin: 67108864,
      networkMax: 1073741824,
    });
    expectConsistent(config);
  });

  it('uses the network fraction for a 3 GiB total', () => {
    // network 322122547.2 → 9830 pages; managed 1288490188.8 → 39321 pages.
    const config = resolveMemoryConfig({ totalMemory: '3gb' });
    expect(config).toMatchObject({
      totalMemory: 3221225472,
      managedMemory: 1288470528,
      networkMemory: 322109440,
      offHeapMemory: 4194304,
      userMemory: 1606451200,
    });
    expectConsistent(config);
  });

  it('resolves a 4 GiB total, whose JS heap share lies outside the linear memory', () => {
    // network 429496729.6 → 13107 pages; managed 1717986918.4 → 52428 pages.
    const config = resolveMemoryConfig({ totalMemory: '4gb' });
    expect(config).toMatchObject({
      totalMemory: 4294967296,
      managedMemory: 1717960704,
      networkMemory: 429490176,
      offHeapMemory: 4194304,
      userMemory: 2143322112,
    });
  });

  it('caps derived network memory at the default 1 GiB maximum', () => {
    // 0.5 × 3 GiB = 1.5 GiB → 1 GiB.
    const config = resolveMemoryConfig({ totalMemory: '3gb', networkFraction: 0.5 });
    expect(config.networkMemory).toBe(1073741824);
    expect(config.managedMemory).toBe(1288470528);
    expect(config.userMemory).toBe(854818816);
  });

  it('caps derived network memory at an explicit networkMax', () => {
    const config = resolveMemoryConfig({ totalMemory: '3gb', networkMax: '256mb' });
    expect(config.networkMemory).toBe(268435456);
    expect(config.networkMax).toBe(268435456);
  });

  it('lets an explicit networkMax below 64 MiB also lower the default minimum', () => {
    const config = resolveMemoryConfig({ totalMemory: '1gb', networkMax: '16mb' });
    expect(config.networkMemory).toBe(16777216);
    expect(config.networkMin).toBe(16777216);
  });

  it('raises derived network memory to an explicit networkMin', () => {
    const config = resolveMemoryConfig({ totalMemory: '1gb', networkMin: '200mb' });
    expect(config.networkMemory).toBe(209715200);
    expect(config.networkMin).toBe(209715200);
    expect(config.userMemory).toBe(1073741824 - 429490176 - 209715200 - 4194304);
  });

  it('rounds a network size clamped to an unaligned networkMin down to whole pages', () => {
    // 150000000 / 32768 = 4577.6 → 4577 pages, just under the minimum.
    const config = resolveMemoryConfig({ totalMemory: '1gb', networkMin: 150000000 });
    expect(config.networkMemory).toBe(149979136);
  });

  it('accepts a zero total', () => {
    const config = resolveMemoryConfig({ totalMemory: 0 });
    expect(config).toMatchObject({ totalMemory: 0, managedMemory: 0, networkMemory: 0, offHeapMemory: 0, userMemory: 0 });
  });

  it('applies fractions of 0 and 1 exactly', () => {
    const config = resolveMemoryConfig({ totalMemory: '1gb', managedFraction: 0, networkFraction: 0 });
    expect(config.managedMemory).toBe(0);
    expect(config.networkMemory).toBe(67108864); // the minimum still holds
  });

  it('does not lose a page to floating-point error in total × fraction', () => {
    // 0.7 × 2949120 is exactly 2064384 (63 pages) but evaluates to 2064383.9999999998.
    const config = resolveMemoryConfig({ totalMemory: 90 * PAGE, managedFraction: 0.7, networkMin: 0 });
    expect(config.managedMemory).toBe(63 * PAGE);
    expect(config.networkMemory).toBe(9 * PAGE); // 0.1 × 2949120 = 294912
  });
});

describe('resolveMemoryConfig: explicit parts', () => {
  it('lets an explicit managedMemory win over managedFraction', () => {
    const config = resolveMemoryConfig({ totalMemory: '1gb', managedMemory: '100mb', managedFraction: 0.9 });
    expect(config).toMatchObject({
      managedMemory: 104857600,
      networkMemory: 107347968,
      offHeapMemory: 4194304,
      userMemory: 857341952,
    });
  });

  it('lets an explicit networkMemory win over the fraction and the default bounds', () => {
    const config = resolveMemoryConfig({ totalMemory: '1gb', networkMemory: '32mb', networkFraction: 0.9 });
    expect(config).toMatchObject({
      managedMemory: 429490176,
      networkMemory: 33554432,
      offHeapMemory: 4194304,
      userMemory: 606502912,
    });
  });

  it('ignores the fraction sum when a part is explicit', () => {
    // network 0.3 × 1 GiB = 322122547.2 → 9830 pages.
    const config = resolveMemoryConfig({
      totalMemory: '1gb',
      managedMemory: '100mb',
      managedFraction: 0.9,
      networkFraction: 0.3,
    });
    expect(config.networkMemory).toBe(322109440);
  });

  it('uses an explicit offHeapMemory, including zero', () => {
    expect(resolveMemoryConfig({ totalMemory: '16mb', offHeapMemory: '1mb' }).offHeapMemory).toBe(1048576);
    const none = resolveMemoryConfig({ offHeapMemory: 0 });
    expect(none.offHeapMemory).toBe(0);
    expect(none.userMemory).toBe(134217728 - 53673984 - 33554432);
  });

  it('splits a total given entirely by explicit parts', () => {
    const config = resolveMemoryConfig({
      totalMemory: '256mb',
      managedMemory: '128mb',
      networkMemory: '64mb',
      offHeapMemory: '8mb',
    });
    expect(config.userMemory).toBe(56 * MiB);
  });

  it('adds up managedMemory alone, with network 0 and the default off-heap area', () => {
    const config = resolveMemoryConfig({ managedMemory: '64mb', managedFraction: 0.9, networkFraction: 0.9 });
    expect(config).toEqual({
      pageSize: 32768,
      totalMemory: 71303168,
      managedMemory: 67108864,
      networkMemory: 0,
      offHeapMemory: 4194304,
      userMemory: 0,
      managedFraction: 0.9,
      networkFraction: 0.9,
      networkMin: 67108864,
      networkMax: 1073741824,
    });
  });

  it('adds up networkMemory alone, without applying the default minimum', () => {
    const config = resolveMemoryConfig({ networkMemory: '1mb', offHeapMemory: '1kb' });
    expect(config).toMatchObject({
      totalMemory: 1049600,
      managedMemory: 0,
      networkMemory: 1048576,
      offHeapMemory: 1024,
      userMemory: 0,
    });
  });

  it('adds up managed and network memory', () => {
    const config = resolveMemoryConfig({ managedMemory: '64mb', networkMemory: '32mb' });
    expect(config.totalMemory).toBe(104857600);
    expect(config.userMemory).toBe(0);
  });

  it('accepts explicit network memory within explicit bounds', () => {
    const config = resolveMemoryConfig({ networkMemory: '32mb', networkMin: '32mb', networkMax: '32mb' });
    expect(config.networkMemory).toBe(33554432);
  });
});

describe('resolveMemoryConfig: page size', () => {
  it.each([
    [4096, 4096, 53686272], // 53687091.2 → 13107 pages of 4 KiB
    [65536, 65536, 53673984], // → 819 pages of 64 KiB
    ['32kb', 32768, 53673984],
    ['64 KiB', 65536, 53673984],
    ['16mb', 16777216, 50331648], // → 3 pages of 16 MiB
  ] as const)('accepts pageSize %j', (pageSize, bytes, managed) => {
    const config = resolveMemoryConfig({ pageSize });
    expect(config.pageSize).toBe(bytes);
    expect(config.managedMemory).toBe(managed);
    expectConsistent(config);
  });

  it('gives the documented message for a page size that is not a power of two', () => {
    expect(configError(() => resolveMemoryConfig({ pageSize: 5000 }))).toBe(
      'pageSize: 5000 is not a power of two between 4096 and 16777216',
    );
  });

  it.each([2048, 0, 6144, 32 * MiB, '5kb', '2kb'])('rejects pageSize %j', (pageSize) => {
    const message = configError(() => resolveMemoryConfig({ pageSize }));
    expectMentions(message, 'pageSize', '4096', '16777216');
    if (typeof pageSize === 'string') expectMentions(message, `'${pageSize}'`);
    else expectMentions(message, String(pageSize));
  });

  it.each([1.5, -4096, '4k b', '32 kilobytes'])('rejects unparsable pageSize %j', (pageSize) => {
    expectMentions(configError(() => resolveMemoryConfig({ pageSize })), 'pageSize', String(pageSize));
  });
});

describe('resolveMemoryConfig: rejected configurations', () => {
  it.each([
    ['totalMemory', '12xb'],
    ['managedMemory', '-1mb'],
    ['networkMemory', '1 2mb'],
    ['offHeapMemory', '1e3mb'],
    ['networkMin', 'mb'],
    ['networkMax', ''],
  ] as const)('rejects %s = %j as unparsable', (option, text) => {
    const message = configError(() => resolveMemoryConfig({ [option]: text }));
    expectMentions(message, `${option}: cannot parse '${text}'`);
  });

  it.each([
    ['managedFraction', -0.1],
    ['managedFraction', 1.01],
    ['managedFraction', Number.NaN],
    ['networkFraction', Number.POSITIVE_INFINITY],
    ['networkFraction', 2],
  ] as const)('rejects %s = %d', (option, value) => {
    const message = configError(() => resolveMemoryConfig({ [option]: value }));
    expectMentions(message, option, String(value), 'between 0 and 1');
  });

  it('rejects a fraction given as a string', () => {
    const message = configError(() => resolveMemoryConfig({ managedFraction: '0.4' as unknown as number }));
    expectMentions(message, 'managedFraction', "'0.4'");
  });

  it('validates fractions even when they are ignored', () => {
    const message = configError(() => resolveMemoryConfig({ managedMemory: '64mb', networkFraction: 1.5 }));
    expectMentions(message, 'networkFraction', '1.5');
  });

  it('rejects options that are not an object', () => {
    expectMentions(configError(() => resolveMemoryConfig(null as unknown as MemoryOptions)), 'null');
    expectMentions(configError(() => resolveMemoryConfig('1gb' as unknown as MemoryOptions)), "'1gb'");
  });

  it('rejects fractions that add up to more than 1', () => {
    const message = configError(() => resolveMemoryConfig({ managedFraction: 0.8, networkFraction: 0.3 }));
    expectMentions(message, 'managedFraction (0.8)', 'networkFraction (0.3)', '1.1');
  });

  it('names a default fraction in the sum', () => {
    const message = configError(() => resolveMemoryConfig({ totalMemory: '1gb', managedFraction: 0.95 }));
    expectMentions(message, 'managedFraction (0.95)', 'networkFraction (0.1, the default)', '1.05');
  });

  it('rejects networkMin above networkMax', () => {
    const message = configError(() => resolveMemoryConfig({ networkMin: '512mb', networkMax: '256mb' }));
    expectMentions(message, 'networkMin', '536870912', 'networkMax', '268435456');
  });

  it('rejects networkMin above the default networkMax', () => {
    const message = configError(() => resolveMemoryConfig({ totalMemory: '3gb', networkMin: '2gb' }));
    expectMentions(message, 'networkMin', '2147483648', 'networkMax', '1073741824', 'default');
  });

  it.each([
    [{ networkMin: '64mb' }, ['networkMin', '67108864']],
    [{ networkMax: '16mb' }, ['networkMax', '16777216']],
    [{ networkMin: '1mb', networkMax: '16mb' }, ['networkMax', '16777216', 'networkMin', '1048576']],
  ] as const)('rejects explicit networkMemory outside explicit bounds %j', (bounds, mentions) => {
    const message = configError(() => resolveMemoryConfig({ totalMemory: '1gb', networkMemory: '32mb', ...bounds }));
    expectMentions(message, 'networkMemory', '33554432', ...mentions);
  });

  it('rejects explicit networkMemory outside explicit bounds without a total', () => {
    const message = configError(() =>
      resolveMemoryConfig({ managedMemory: '64mb', networkMemory: '32mb', networkMin: '64mb' }),
    );
    expectMentions(message, 'networkMemory', '33554432', 'networkMin', '67108864');
  });

  it('rejects an explicit networkMin when network memory is neither given nor derivable', () => {
    const message = configError(() => resolveMemoryConfig({ managedMemory: '64mb', networkMin: '1mb' }));
    expectMentions(message, 'networkMemory (0 bytes, not given)', 'networkMin', '1048576');
  });

  it('rejects explicit parts that exceed the total, naming each part', () => {
    const message = configError(() =>
      resolveMemoryConfig({ totalMemory: '256mb', managedMemory: '200mb', networkMemory: '64mb' }),
    );
    expectMentions(
      message,
      'managedMemory (209715200',
      'networkMemory (67108864',
      'offHeapMemory (4194304',
      '281018368',
      'exceed totalMemory (268435456',
    );
  });

  it('rejects an explicit part larger than the total on its own', () => {
    const message = configError(() => resolveMemoryConfig({ totalMemory: '64mb', managedMemory: '128mb' }));
    expectMentions(message, 'managedMemory (134217728', 'totalMemory (67108864');
  });

  it('rejects an explicit networkMin larger than the total', () => {
    const message = configError(() => resolveMemoryConfig({ totalMemory: '64mb', networkMin: '100mb' }));
    expectMentions(message, 'networkMemory (104857600', 'networkMin', 'totalMemory (67108864');
  });

  it('rejects derived parts that do not fit once network is raised to its minimum', () => {
    // managed 1.0 × 128 MiB plus the 32 MiB network minimum plus 4 MiB off-heap.
    const message = configError(() => resolveMemoryConfig({ managedFraction: 1, networkFraction: 0 }));
    expectMentions(
      message,
      'managedMemory (134217728',
      'managedFraction',
      'networkMemory (33554432',
      'networkMin',
      'totalMemory (134217728 bytes, 128 MiB, the default)',
    );
  });

  it.each([
    ['managedMemory', 100000, ['98304', '131072']],
    ['networkMemory', '1000kb', ['1024000']],
  ] as const)('rejects explicit %s = %j that is not a multiple of pageSize', (option, value, mentions) => {
    const message = configError(() => resolveMemoryConfig({ totalMemory: '1gb', [option]: value }));
    expectMentions(message, option, 'pageSize', '32768', ...mentions);
  });

  it('checks page multiples against the configured page size', () => {
    expect(resolveMemoryConfig({ managedMemory: 100 * 4096, pageSize: 4096 }).managedMemory).toBe(409600);
    const message = configError(() => resolveMemoryConfig({ managedMemory: 100 * 4096, pageSize: '64kb' }));
    expectMentions(message, 'managedMemory', '409600', 'pageSize', '65536');
  });

  it('rejects an explicit offHeapMemory that is not a multiple of 16', () => {
    const message = configError(() => resolveMemoryConfig({ offHeapMemory: 1000 }));
    expectMentions(message, 'offHeapMemory', '1000', '16');
  });
});

describe('resolveMemoryConfig: the wasm32 linear memory limit', () => {
  // 4 GiB, minus 1 MiB of runtime metadata, minus the 4 MiB off-heap default.
  const largestManaged = 4294967296 - 1048576 - 4194304;

  it('accepts parts that exactly fill the linear memory', () => {
    expect(largestManaged % PAGE).toBe(0);
    const config = resolveMemoryConfig({ managedMemory: largestManaged });
    expect(config.managedMemory).toBe(4289724416);
    expect(config.totalMemory).toBe(4293918720);
  });

  it('rejects one page more, naming the sum and the limit', () => {
    const message = configError(() => resolveMemoryConfig({ managedMemory: largestManaged + PAGE }));
    expectMentions(message, 'managedMemory (4289757184', '4295000064', '4294967296', 'linear memory limit');
  });

  it('rejects a 12 GiB total whose derived parts exceed the limit', () => {
    // managed 0.4 × 12 GiB = 5153960755.2 → 157286 pages; network capped at 1 GiB.
    const message = configError(() => resolveMemoryConfig({ totalMemory: '12gb' }));
    expectMentions(message, 'managedMemory (5153947648', 'networkMemory (1073741824', '4294967296');
  });

  it('allows a large total whose linear memory parts stay small', () => {
    const config = resolveMemoryConfig({ totalMemory: '12gb', managedMemory: '1gb', networkMemory: '256mb' });
    expect(config.userMemory).toBe(12 * GiB - GiB - 256 * MiB - 4 * MiB);
  });
});

describe('describeMemoryConfig', () => {
  it('shows every part with its bytes, size and share', () => {
    const text = describeMemoryConfig(resolveMemoryConfig());
    const lines = text.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^part\s+bytes\s+size\s+share$/);
    const expected: readonly (readonly [string, string, string, string])[] = [
      ['managed', '53673984', '51.2 MiB', '40.0%'],
      ['network', '33554432', '32 MiB', '25.0%'],
      ['off-heap', '4194304', '4 MiB', '3.1%'],
      ['user (JS heap)', '42795008', '40.8 MiB', '31.9%'],
      ['total', '134217728', '128 MiB', '100.0%'],
    ];
    expected.forEach(([label, bytes, size, share], i) => {
      const line = lines[i + 1] ?? '';
      expect(line.startsWith(label)).toBe(true);
      expectMentions(line, bytes, size, share);
    });
    expect(lines[6]).toMatch(/^page size\s+32768\s+32 KiB$/);
  });

  it('aligns the columns', () => {
    const lines = describeMemoryConfig(resolveMemoryConfig({ totalMemory: '1gb' })).split('\n');
    // Byte counts are right-aligned: they all end in the same column, as does the header.
    const ends = lines.map((line) => {
      const match = /^(?:user \(JS heap\)|page size|\S+)\s+(\S+)/.exec(line);
      return match === null ? -1 : (match.index ?? 0) + match[0].length;
    });
    expect(new Set(ends).size).toBe(1);
    // Human sizes start in the same column. Cells are separated by at least two spaces.
    const sizeStarts = lines.map((line) => {
      const [label = '', bytes = '', size = ''] = line.split(/\s{2,}/);
      return line.indexOf(size, line.indexOf(bytes, label.length) + bytes.length);
    });
    expect(sizeStarts.every((start) => start > 0)).toBe(true);
    expect(new Set(sizeStarts).size).toBe(1);
  });

  it('prints a dash rather than NaN for shares of an empty total', () => {
    const text = describeMemoryConfig(resolveMemoryConfig({ managedMemory: 0, offHeapMemory: 0 }));
    expect(text).not.toContain('NaN');
    expect(text).toMatch(/^total\s+0\s+0 B\s+-$/m);
  });
});
