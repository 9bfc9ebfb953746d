// An out-of-range totalMemory: the error says the largest totalMemory that
// fits with the other options as given, and that figure is exact: a runtime
// starts with it and not with one byte more. Node only: it reserves linear
// memories close to the 4 GiB wasm32 limit, more than a browser tab may.
import { describe, expect, it } from 'vitest';
import { IllegalConfigurationError } from '../src/errors.js';
import { init, resolveMemoryConfig, type InitOptions } from '../src/index.js';

const LARGEST = /the largest totalMemory that fits with these options is (\d+) bytes \(for example '(\d+mb)'\)/;

/** The configuration error `options` give, as a message. */
function configError(options: InitOptions): string {
  let caught: unknown;
  try {
    resolveMemoryConfig(options);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(IllegalConfigurationError);
  return (caught as Error).message;
}

/** Resolves to the error code init() rejects with, or 'ok' after closing the runtime it made. */
async function startCode(options: InitOptions): Promise<string> {
  try {
    (await init(options)).close();
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe('an out-of-range totalMemory', () => {
  it.each([
    { totalMemory: '16gb' },
    { totalMemory: '100tb' },
    { totalMemory: '9gb', pageSize: 4096 },
    { totalMemory: '9gb', offHeapMemory: '1gb' },
  ] satisfies InitOptions[])('$totalMemory (pageSize $pageSize, offHeapMemory $offHeapMemory) names the largest total that starts', async (options) => {
    const message = configError(options);
    expect(message).toContain('exceed the WebAssembly linear memory limit');
    const match = LARGEST.exec(message);
    expect(match, message).not.toBeNull();
    const largest = Number(match![1]);
    expect(await startCode({ ...options, totalMemory: largest })).toBe('ok');
    expect(await startCode({ ...options, totalMemory: largest + 1 })).toBe('ERR_ILLEGAL_CONFIGURATION');
    // The rounded suggestion lies at or below the exact figure, so it starts too.
    expect(resolveMemoryConfig({ ...options, totalMemory: match![2] }).totalMemory).toBeLessThanOrEqual(largest);
  }, 30_000);

  it('names no total when the explicit parts alone are too large for any', () => {
    const message = configError({ totalMemory: '9gb', managedMemory: '5gb' });
    expect(message).not.toMatch(LARGEST);
    expect(message).toContain('lower managedMemory');
  });
});
