/**
 * A promise that settles on a later turn of the event loop, after the timers,
 * I/O and messages already due: `setImmediate` where there is one (Node),
 * else a MessageChannel message (browsers), which unlike a nested
 * `setTimeout(0)` is not clamped to 4 ms.
 */
export function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') return new Promise((resolve) => void immediate(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
