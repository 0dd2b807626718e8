import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, UnreachableError } from './api-error';
import { ApiClient } from './api.client';

// A small local HTTP server stands in for the API here to drive the client's paging and error paths exactly;
// test/cli runs the built CLI against the real server.
const ITEMS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1 }));
const seen: { url: string; auth: string | undefined; body: string }[] = [];

function answer(req: IncomingMessage, body: string): { status: number; json?: unknown; text?: string; headers?: Record<string, string> } {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/api/v1/pages') {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 3), 3);
    const start = Number(url.searchParams.get('cursor') ?? 0);
    const next = start + limit < ITEMS.length ? String(start + limit) : null;
    return { status: 200, json: { items: ITEMS.slice(start, start + limit), nextCursor: next } };
  }
  if (url.pathname === '/api/v1/echo') return { status: 201, json: { body: JSON.parse(body) as unknown } };
  if (url.pathname === '/api/v1/conflict') return { status: 409, json: { error: { code: 'allowlisted', message: 'covered by 10.0.0.0/8' } } };
  if (url.pathname === '/api/v1/html') return { status: 200, text: '<html>not the API</html>' };
  if (url.pathname === '/api/v1/limited') return { status: 429, json: { error: { code: 'rate_limited', message: 'slow down' } }, headers: { 'retry-after': '12' } };
  return { status: 404, text: 'Not Found' };
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization, body });
      const a = answer(req, body);
      res.writeHead(a.status, { 'content-type': a.json === undefined ? 'text/html' : 'application/json', ...a.headers });
      res.end(a.json === undefined ? a.text : JSON.stringify(a.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ApiClient', () => {
  it('follows nextCursor to the end when there is no limit', async () => {
    const result = await new ApiClient(base, 'tok').list({ method: 'GET', path: '/pages' }, { paginated: true });
    expect(result).toEqual({ items: ITEMS, truncated: false });
  });

  it('stops at the limit, asking each page only for what is missing, and says items were left', async () => {
    seen.length = 0;
    const result = await new ApiClient(base, 'tok').list({ method: 'GET', path: '/pages', query: { state: 'active', jail: undefined } }, { paginated: true, limit: 5 });
    expect(result.items.map((i) => (i as { id: number }).id)).toEqual([1, 2, 3, 4, 5]);
    expect(result.truncated).toBe(true);
    expect(seen.map((s) => s.url)).toEqual(['/api/v1/pages?state=active&limit=5', '/api/v1/pages?state=active&limit=2&cursor=3']);
  });

  it('sends the token as a bearer header and the body as JSON', async () => {
    seen.length = 0;
    expect(await new ApiClient(`${base}/`, 'secret-token').send({ method: 'POST', path: '/echo', body: { ip: '192.0.2.1' } })).toEqual({ body: { ip: '192.0.2.1' } });
    expect(seen[0]).toMatchObject({ url: '/api/v1/echo', auth: 'Bearer secret-token' });
    await new ApiClient(base, undefined).send({ method: 'POST', path: '/echo', body: {} });
    expect(seen[1]?.auth).toBeUndefined();
  });

  it("turns error answers into ApiError with the server's code and message", async () => {
    const client = new ApiClient(base, 'tok');
    await expect(client.send({ method: 'POST', path: '/conflict' })).rejects.toMatchObject({ status: 409, code: 'allowlisted', message: 'covered by 10.0.0.0/8' });
    await expect(client.send({ method: 'GET', path: '/limited' })).rejects.toMatchObject({ status: 429, retryAfter: 12 });
    await expect(client.send({ method: 'GET', path: '/nowhere' })).rejects.toMatchObject({ status: 404, code: 'http_404' });
    const notJson = await client.send({ method: 'GET', path: '/html' }).catch((e: unknown) => e);
    expect(notJson).toBeInstanceOf(ApiError);
    expect((notJson as ApiError).message).toBe(`/api/v1/html answered 200 without JSON: is ${base} a fleetban server?`);
  });

  it('reports a closed port as unreachable, naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await new ApiClient(`http://127.0.0.1:${port}`, 'tok').send({ method: 'GET', path: '/status' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).url).toBe(`http://127.0.0.1:${port}`);
    expect((error as UnreachableError).reason).toContain('ECONNREFUSED');
  });

  it('gives up on a server that does not answer in time', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const error = await new ApiClient(url, 'tok', 200).send({ method: 'GET', path: '/status' }).catch((e: unknown) => e);
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    expect(error).toMatchObject({ name: 'UnreachableError', reason: 'no answer in time' });
  });
});
