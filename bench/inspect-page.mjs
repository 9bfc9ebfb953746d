/**
 * The page of bench/inspect.mjs: reads an inspector server's event stream
 * in a process of its own, as a browser tab would, so that what reading
 * costs is not counted as the inspector's. One process serves the whole
 * run (spawning one per pass put a fork of the measuring process beside
 * every pass with the inspector, and only those). It tells the measuring
 * process nothing per snapshot: a pipe event per snapshot would be work of
 * the measuring process's own, in the passes with the inspector only.
 *
 *   stdin "connect <url>\n"   opens <url>events (the stream ends when that server closes);
 *                             "connected\n" on stdout once its first snapshot is in
 *   stdin "count\n"           "count <n>\n" on stdout: the snapshots received so far, in all
 *
 * It exits when its stdin closes.
 */
import { request } from 'node:http';
import { createInterface } from 'node:readline';

let received = 0;

/** Reads the event stream at `url`, counting snapshots, until it ends. */
function read(url) {
  let buffered = '';
  let first = true;
  const req = request(`${url}events`, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      buffered += chunk;
      let end;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        // Snapshots are the events without a name (a hello is `event: hello`, the end `event: closed`).
        if (buffered.startsWith('data: {')) received++;
        buffered = buffered.slice(end + 2);
      }
      if (first && received > 0) {
        first = false;
        process.stdout.write('connected\n');
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, url] = line.split(' ');
  if (command === 'connect' && url !== undefined) read(url);
  else if (command === 'count') process.stdout.write(`count ${received}\n`);
});
process.stdin.on('end', () => process.exit(0));
