/**
 * The ceiling of the single-event ingest bench on this machine (bench/ingest.ts): a bare Fastify server in its own
 * process with one POST route that parses the JSON body and answers a fixed JSON of the same shape as
 * /api/threats/ingest, nothing else (no access control, validation, detection or store). Loaded the same way as
 * `rampart serve` (autocannon from the bench process, same bodies and connections), its requests/s and latency
 * bound what any ingest route can reach here. Prints the address as `listening on http://…` as serve does.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const answer = { id: '0123456789abcdef', flagged: true, score: 0.8, severity: 'high', category: 'sqli' };
app.post('/api/threats/ingest', async () => answer);
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stderr.write(`listening on ${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
