/** An error's code and message, for the message of an error that wraps it (a store's ENOSPC inside a SpillStoreError). */
import { render } from './render.js';

/** `CODE: message` for an Error with a string code, its message for another Error, render() of anything else. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
  }
  return render(err);
}
