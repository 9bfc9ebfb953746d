// The inspector server suites' one way to start a server (on a runtime of
// 8 network buffers at a 20 ms interval, closed with its runtime after each
// test whatever the test did) and to read its event stream.
import { request } from 'node:http';
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

/**
 * Reads the event stream until `until(events)` holds, `forMs` milliseconds
 * have passed since the response began, or it ends; returns the events as { event, data }.
 */
export function readEvents(port: number, until: (events: { event: string; data: string }[]) => boolean, forMs = Infinity): Promise<{ event: string; data: string }[]> {
  return new Promise((resolve, reject) => {
    const events: { event: string; data: string }[] = [];
    const finish = () => {
      clearTimeout(timer);
      req.destroy();
      resolve(events);
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const req = request({ host: '127.0.0.1', port, path: '/events' }, (res) => {
      if (forMs !== Infinity) timer = setTimeout(finish, forMs);
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data !== undefined) events.push({ event, data });
        }
        if (until(events)) finish();
      });
      res.on('end', finish);
    });
    req.on('error', reject);
    req.end();
  });
}
