import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@fulcrum/server';
import { openStore, type Store } from '@fulcrum/store';
import { tempDataDir } from '../helpers/store.js';

/*
 * Connections a client holds or fills cannot hold the server: a body sent
 * without a valid key is not read (the connection is closed after the 401), and
 * slow clients are cut off by the header and request timeouts.
 */
let store: Store;
beforeAll(async () => {
  store = await openStore({ dataDir: tempDataDir('fulcrum-connections-') });
});
afterAll(async () => store?.close());

async function listen(app: FastifyInstance): Promise<{ port: number; serverSockets: Socket[] }> {
  const serverSockets: Socket[] = [];
  app.server.on('connection', (s: Socket) => serverSockets.push(s));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as AddressInfo).port, serverSockets };
}

interface Exchange { response: string; closedAfterMs: number; bytesSent: number }

/** Sends `head`, then `bodyBytes` as fast as the socket takes them (or `trickle` one byte per interval); returns what came back once the server closes. */
function exchange(port: number, head: string, bodyBytes: number, trickle?: { everyMs: number; headToo?: boolean }): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const t0 = performance.now();
    let response = '';
    let sent = 0;
    let open = true;
    socket.on('data', (d) => (response += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open = false;
      resolve({ response, closedAfterMs: performance.now() - t0, bytesSent: sent });
    });
    const chunk = Buffer.alloc(64 * 1024, 0x0a);
    const pump = () => {
      while (open && sent < bodyBytes) {
        const n = Math.min(chunk.length, bodyBytes - sent);
        sent += n;
        if (!socket.write(chunk.subarray(0, n))) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      if (!trickle) {
        socket.write(head);
        return pump();
      }
      const bytes = Buffer.from(trickle.headToo ? head : head + '');
      let i = 0;
      if (!trickle.headToo) {
        socket.write(head);
        i = bytes.length;
      }
      const timer = setInterval(() => {
        if (!open) return clearInterval(timer);
        if (i < bytes.length) socket.write(bytes.subarray(i, ++i));
        else if (sent < bodyBytes) {
          socket.write('x');
          sent++;
        }
      }, trickle.everyMs);
    });
  });
}

describe('a body after a 401', () => {
  it('is not read: the answer closes the connection while the client is still sending', async () => {
    const app = await buildApp({ store, auth: { mode: 'required' }, limits: { requestsPerSecond: 0 }, analysis: false });
    try {
      const { port, serverSockets } = await listen(app);
      const size = 256 * 1024 ** 2;
      const r = await exchange(port, `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${size}\r\n\r\n`, size);
      const read = serverSockets.reduce((a, s) => a + s.bytesRead, 0);
      console.log(`401: client got "${r.response.split('\r\n')[0]}" and the connection closed after ${r.closedAfterMs.toFixed(0)} ms; it had sent ${(r.bytesSent / 1024 ** 2).toFixed(1)} MiB, the server read ${(read / 1024 ** 2).toFixed(1)} MiB of ${size / 1024 ** 2} MiB`);
      expect(r.response).toMatch(/^HTTP\/1\.1 401 /);
      expect(r.response.toLowerCase()).toContain('connection: close');
      expect(read).toBeLessThan(16 * 1024 ** 2);
      expect(r.closedAfterMs).toBeLessThan(5000);
    } finally {
      await app.close();
    }
  });

  it('a small one keeps nothing open either, and a valid request still works on a new connection', async () => {
    const app = await buildApp({ store, auth: { mode: 'required' }, limits: { requestsPerSecond: 0 }, analysis: false });
    try {
      const { port } = await listen(app);
      const r = await exchange(port, 'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}', 0);
      expect(r.response).toMatch(/^HTTP\/1\.1 401 /);
      expect(r.closedAfterMs).toBeLessThan(2000);
    } finally {
      await app.close();
    }
  });
});

describe('timeouts', () => {
  it('are set by default', async () => {
    const app = await buildApp({ store, analysis: false });
    try {
      expect({ request: app.server.requestTimeout, headers: app.server.headersTimeout, keepAlive: app.server.keepAliveTimeout, idle: app.server.timeout })
        .toEqual({ request: 30_000, headers: 10_000, keepAlive: 72_000, idle: 120_000 });
    } finally {
      await app.close();
    }
  });

  it('cut off a client sending headers a byte at a time, and one sending its body a byte at a time', async () => {
    const app = await buildApp({ store, limits: { requestsPerSecond: 0 }, analysis: false, timeouts: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 } });
    try {
      const { port } = await listen(app);
      const head = 'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
      const [headers, body] = await Promise.all([
        exchange(port, head, 1000, { everyMs: 100, headToo: true }),
        exchange(port, head, 1000, { everyMs: 100 }),
      ]);
      console.log(`slow headers: "${headers.response.split('\r\n')[0]}" after ${headers.closedAfterMs.toFixed(0)} ms; slow body: "${body.response.split('\r\n')[0]}" after ${body.closedAfterMs.toFixed(0)} ms (${body.bytesSent} of 1000 bytes sent)`);
      expect(headers.response).toMatch(/^HTTP\/1\.1 408 /);
      expect(headers.closedAfterMs).toBeGreaterThan(900);
      expect(headers.closedAfterMs).toBeLessThan(3000);
      expect(body.response).toMatch(/^HTTP\/1\.1 408 /);
      expect(body.closedAfterMs).toBeGreaterThan(1900);
      expect(body.closedAfterMs).toBeLessThan(4000);
      // The server is still there for everyone else.
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(ok.status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
