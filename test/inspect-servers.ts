// The inspector server suites' one way to start a server: on a runtime of
// 8 network buffers at a 20 ms interval, closed with its runtime after each
// test whatever the test did.
import { afterEach } from 'vitest';
import { serveInspector, type InspectorServer } from '../src/inspect-node.js';
import type { Build } from './builds.js';
import type { Runtime } from '../src/index.js';
import { netRuntime } from './network-support.js';

type ServerOptions = Parameters<typeof serveInspector>[1];

let open: { rt: Runtime; server: InspectorServer }[] = [];
afterEach(async () => {
  for (const { rt, server } of open) {
    await server.close();
    rt.close();
  }
  open = [];
});

/** A starter for `init`'s build: each call serves a fresh runtime and returns it, its server and its port. */
export function serverStarter(init: Build['init']) {
  return async (options: ServerOptions = {}) => {
    const rt = await netRuntime(init, 8);
    const server = await serveInspector(rt, { intervalMs: 20, ...options });
    open.push({ rt, server });
    return { rt, server, port: server.port };
  };
}
