/**
 * A swarm of idle live-alert clients for the memory figure of bench/live-alerts.ts: connects `count`
 * WebSocket clients to `url`, prints "ready" once all are open, then stays until killed.
 * Usage: node live-clients.js <ws-url> <count>
 */
import WebSocket from 'ws';

const [url, count] = [process.argv[2]!, Number(process.argv[3])];
const sockets: WebSocket[] = [];
for (let i = 0; i < count; i++) {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  sockets.push(ws);
}
console.log('ready');
setInterval(() => {}, 1 << 30);
