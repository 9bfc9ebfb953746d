/**
 * A tiny static server for the Chromium benchmark page, on 127.0.0.1 and an
 * ephemeral port. It serves only what the page imports: dist/ (both builds),
 * bench/ (the bench modules and the page) and tinybench's dist folder.
 *
 * Every response carries COOP/COEP, which make the page cross-origin
 * isolated: Chromium then clamps performance.now() to 5 µs instead of 100 µs.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVED = ['/dist/', '/bench/', '/node_modules/tinybench/dist/'];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.map': 'application/json' };
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cache-Control': 'no-store',
};

/** Starts the server; resolves with { url, close() }. */
export function serveBench() {
  const server = createServer(async (req, res) => {
    // Normalised before the check, so '/bench/../src/...' is not served.
    const urlPath = path.posix.normalize(decodeURIComponent(new URL(req.url, 'http://localhost').pathname));
    const file = path.join(ROOT, urlPath);
    const allowed = SERVED.some((prefix) => urlPath.startsWith(prefix));
    try {
      if (!allowed) throw new Error('not served');
      const body = await readFile(file);
      res.writeHead(200, { ...ISOLATION, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, ISOLATION);
      res.end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      const close = () =>
        new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
      resolve({ url: `http://127.0.0.1:${port}`, close });
    });
  });
}
