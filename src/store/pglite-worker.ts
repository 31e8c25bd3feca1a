/**
 * Worker thread entry: opens PGlite and runs the statements the main thread sends, one at a time in arrival
 * order. PGlite executes synchronously in WebAssembly, so running it here keeps the main thread (the API,
 * /health, parsing and detection) free while a statement runs. Transactions are plain BEGIN/COMMIT
 * statements: the client on the main thread sends nothing else while one is open.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openPgliteDb } from './pglite-client.js';
import { toWireError, type Reply, type Request, type WorkerOpen } from './pglite-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('pglite-worker.ts runs as a worker thread (new Worker), not as a script');

const post = (reply: Reply): void => port.postMessage(reply);

/** A WebAssembly trap or an Emscripten abort leaves the instance unusable: the worker exits and the client starts a new one. */
function isFatal(err: unknown): boolean {
  // WebAssembly.RuntimeError by name: this project's type library has no WebAssembly values.
  return err instanceof Error && (err.name === 'RuntimeError' || /^Aborted\(/.test(err.message));
}

try {
  const db = await openPgliteDb((workerData as WorkerOpen).dataDir);
  // Statements run one after another: the next message waits until this one has answered.
  let chain = Promise.resolve();
  port.on('message', (req: Request) => {
    chain = chain.then(async () => {
      try {
        switch (req.op) {
          case 'query':
            post({ kind: 'result', id: req.id, rows: (await db.query(req.text, req.params)).rows });
            break;
          case 'exec':
            await db.exec(req.script);
            post({ kind: 'result', id: req.id, rows: [] });
            break;
          case 'memory':
            post({ kind: 'memory', id: req.id, memory: { wasmHeap: db.Module.HEAPU8.length, jsHeapUsed: process.memoryUsage().heapUsed } });
            break;
          case 'close':
            await db.close();
            post({ kind: 'result', id: req.id, rows: [] });
            port.close();
            break;
        }
      } catch (err) {
        post({ kind: 'failed', id: req.id, error: toWireError(err) });
        if (isFatal(err)) process.exit(1);
      }
    });
  });
  post({ kind: 'ready' });
} catch (err) {
  post({ kind: 'open-failed', error: toWireError(err) });
  port.close();
}
