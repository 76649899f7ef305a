import Fastify from 'fastify';

// The ceiling process: the same fastify and Node the server uses, one route answering a constant.
// Whatever Coffer does per request comes on top of what this costs.
const port = Number(process.argv[2]);
const app = Fastify({ logger: false });
app.get('/v1/ceiling', async () => ({ data: { value: 'constant' } }));
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
