/**
 * The end of a process that bench/engines.mjs forks (bench/worker.mjs,
 * bench/side-by-side-process.mjs): runs `main`, then sends { ok: true,
 * result } or { ok: false, error } over the IPC channel and disconnects.
 * Without an IPC channel (run by hand) the message goes to stdout as JSON.
 */
const send = (message) =>
  process.send ? new Promise((resolve) => process.send(message, resolve)) : void process.stdout.write(JSON.stringify(message) + '\n');
const disconnect = () => process.connected && process.disconnect();

/** Runs `main()` and reports its result, or logs and reports its failure (exit code 1). */
export function reportToParent(main, log) {
  main().then(
    async (result) => {
      await send({ ok: true, result });
      disconnect();
    },
    async (err) => {
      log(`FATAL: ${err.stack ?? err}`);
      await send({ ok: false, error: String(err.message ?? err) });
      disconnect();
      process.exitCode = 1;
    },
  );
}
