/**
 * The page of bench/inspect.mjs: reads an inspector server's event stream
 * in a process of its own, as a browser tab would, so that what reading
 * costs is not counted as the inspector's. One process serves the whole
 * run (spawning one per pass put a fork of the measuring process beside
 * every pass with the inspector, and only those).
 *
 *   stdin:  "connect <url>\n"   opens <url>events (the stream ends when that server closes)
 *   stdout: "." per snapshot received
 *
 * It exits when its stdin closes.
 */
import { request } from 'node:http';
import { createInterface } from 'node:readline';

/** Reads the event stream at `url`, writing a dot per snapshot, until it ends. */
function read(url) {
  let buffered = '';
  const req = request(`${url}events`, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      buffered += chunk;
      let dots = '';
      let end;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        // Snapshots are the events without a name (a hello is `event: hello`, the end `event: closed`).
        if (buffered.startsWith('data: {')) dots += '.';
        buffered = buffered.slice(end + 2);
      }
      if (dots !== '') process.stdout.write(dots);
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, url] = line.split(' ');
  if (command === 'connect' && url !== undefined) read(url);
});
process.stdin.on('end', () => process.exit(0));
