// The same code as in Node, in a browser page bundled by Vite with no
// configuration: the wasm kernels are inlined in the package's JavaScript, so
// there is no .wasm file to serve or plugin to add.
import { init, SegmemError } from 'segmem';

const output = document.querySelector<HTMLPreElement>('#output')!;
const lines: string[] = [];
const print = (line: string): void => {
  lines.push(line);
  output.textContent = lines.join('\n');
};

try {
  const rt = await init({ totalMemory: '64mb' });
  print(rt.describe());

  const owner = { name: 'page-demo' };
  const [page, other] = rt.memoryManager.allocatePages(owner, 2);
  page.putIntBigEndian(0, 42);
  page.putBytes(16, new TextEncoder().encode('hello'));
  page.copyTo(0, other, 0, 32); // one call into wasm
  print(`copied: ${other.getIntBigEndian(0)} ${new TextDecoder().decode(other.wrap(16, 5))}, compare: ${page.compare(other, 0, 0, 32)}`);

  rt.memoryManager.releaseAll(owner);
  try {
    page.getInt(0);
  } catch (err) {
    if (!(err instanceof SegmemError)) throw err;
    print(`after release: ${err.code}`);
  }
  print(`build: ${rt.build}`);
  rt.close();
  output.dataset.status = 'done';
} catch (err) {
  print(`failed: ${String(err)}`);
  output.dataset.status = 'failed';
}
