import http from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioHandlers } from '../../../shared/api/contract.js';
import { createDispatch } from '../../transport/dispatch.js';
import { EventHub } from '../../services/events.js';
import { startServer, type RunningServer } from '../http-server.js';

let dir: string;
let server: RunningServer;
const events = new EventHub();

/** A raw request, so that headers browsers would not let a page set (Host) can be tested too. */
function request(pathAndQuery: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: pathAndQuery, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = () => ({ 'x-studio-token': server.token, 'content-type': 'application/json' });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-server-'));
  await mkdir(path.join(dir, 'ui', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'ui', 'index.html'), '<!doctype html><title>UI</title>');
  await writeFile(path.join(dir, 'ui', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'secret.txt'), 'outside the UI folder');
  const handlers = { settings: { get: () => ({ language: 'en' }) }, library: { rescan: () => undefined } } as unknown as StudioHandlers;
  server = await startServer({
    dispatch: createDispatch(handlers),
    events,
    media: { load: async (ref) => (ref.kind === 'preview' && ref.key === 'abc' ? { type: 'image/png', data: Buffer.from('png!') } : null) },
    rendererDir: path.join(dir, 'ui'),
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the HTTP transport', () => {
  it('listens on 127.0.0.1 with a random port and a long token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.launchUrl).toBe(`${server.url}?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the UI with a strict Content-Security-Policy, and index.html for app routes', async () => {
    const index = await request('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>UI</title>');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain("default-src 'none'");
    expect(index.headers['content-security-policy']).not.toContain('unsafe');
    expect((await request('/assets/app.js')).headers['content-type']).toContain('text/javascript');
    expect((await request('/queue')).body).toContain('<title>UI</title>');
  });

  it('never serves files outside the UI folder', async () => {
    for (const sneaky of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      expect((await request(sneaky)).body, sneaky).not.toContain('outside the UI folder');
    }
  });

  it('answers requests only with the token', async () => {
    expect((await request('/api/settings.get', { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await request('/api/settings.get', { method: 'POST', body: '{}', headers: { 'x-studio-token': 'x'.repeat(32) } })).status).toBe(401);
    const ok = await request('/api/settings.get', { method: 'POST', body: '{}', headers: auth() });
    expect(JSON.parse(ok.body)).toEqual({ ok: true, result: { language: 'en' } });
  });

  it('validates payloads and reports bad JSON in words', async () => {
    const invalid = JSON.parse((await request('/api/library.rescan', { method: 'POST', body: '{"rootId":"x"}', headers: auth() })).body);
    expect(invalid.ok).toBe(false);
    expect(invalid.error.message).toMatch(/library\.rescan was not accepted: rootId/);
    const broken = await request('/api/library.rescan', { method: 'POST', body: '{', headers: auth() });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).error.message).toMatch(/not valid JSON/);
  });

  it('refuses deeply nested JSON before parsing it, and a request name that is not valid percent-encoding', async () => {
    const depth = 1_000_000; // 2 MB of brackets
    const deep = await request('/api/settings.get', { method: 'POST', body: '['.repeat(depth) + ']'.repeat(depth), headers: auth() });
    expect(deep.status).toBe(400);
    expect(JSON.parse(deep.body).error.message).toMatch(/nested deeper than 32 levels/);
    // brackets inside strings are text, not nesting
    const text = await request('/api/settings.get', { method: 'POST', body: JSON.stringify({ note: '['.repeat(100) }), headers: auth() });
    expect(text.status).toBe(200);
    const bad = await request('/api/%E0%A4%A', { method: 'POST', body: '{}', headers: auth() });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/not valid percent-encoding/);
  });

  it('refuses other sites and rebinding host names', async () => {
    expect((await request('/api/settings.get', { method: 'POST', body: '{}', headers: { ...auth(), origin: 'https://evil.example' } })).status).toBe(403);
    expect((await request('/', { headers: { host: 'evil.example' } })).status).toBe(421);
    expect((await request('/', { headers: { host: `localhost:${server.port}` } })).status).toBe(200);
  });

  it('serves media with the token in the query, and 404 for unknown media', async () => {
    expect((await request('/media/preview/abc')).status).toBe(401);
    const image = await request(`/media/preview/abc?token=${server.token}`);
    expect([image.status, image.headers['content-type'], image.body]).toEqual([200, 'image/png', 'png!']);
    expect((await request(`/media/preview/zzz?token=${server.token}`)).status).toBe(404);
    expect((await request(`/media/thumb/..%2f..%2fetc?token=${server.token}`)).status).toBe(404);
  });

  it('streams events as Server-Sent Events', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}` }, (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('connected')) events.emit('queue.removed', { batchId: 9 });
          if (text.includes('queue.removed')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
    });
    expect(received).toContain('event: queue.removed\ndata: {"batchId":9}\n\n');
  });
});
