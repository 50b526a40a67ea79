/**
 * The HTTP transport: the built renderer, the API (POST /api/<service.method>), an event stream
 * (GET /api/events, Server-Sent Events) and media (GET /media/...), on 127.0.0.1 only.
 * Everything but the static UI requires the session token, in the x-studio-token header or, where
 * a browser cannot set headers (EventSource, <img>), the `token` query parameter.
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { parseMediaPath } from '../../shared/api/media.js';
import type { EventSink } from '../../shared/api/events.js';
import type { Dispatch } from '../transport/dispatch.js';
import type { MediaSource } from '../transport/media.js';
import { contentSecurityPolicy } from '../transport/security.js';
import { contentTypeOf, resolveStatic } from '../transport/static-files.js';

export interface ServerOptions {
  dispatch: Dispatch;
  events: EventSink;
  media: MediaSource;
  /** The built renderer (dist-renderer/). */
  rendererDir: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  /** The URL to open: carries the token the page then keeps for itself. */
  launchUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const host = '127.0.0.1';
/** The largest request there is: an enqueue of a million library images by id, about 8 MB. */
const maxBodyBytes = 16 * 1024 * 1024;
/** No request nests deeper than a few levels; a body of 16 MB of brackets would tie up the parser. */
const maxJsonDepth = 32;
const heartbeatMs = 15_000;

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const rendererDir = path.resolve(options.rendererDir);
  const streams = new Set<http.ServerResponse>();
  let port = 0;

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: String(e) } });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    // A page on another site can reach 127.0.0.1 through a rebinding DNS name; it cannot fake Host.
    if (!isLocalHost(req.headers.host, port)) return sendText(res, 421, 'Misdirected request');
    const url = new URL(req.url ?? '/', `http://${host}:${port}`);

    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/media/')) {
      if (!authorized(req, url)) return sendJson(res, 401, { ok: false, error: { code: 'permission-denied', message: 'This page is not signed in to CTMSR Studio: open the address the server printed.' } });
      if (url.pathname === '/api/events' && req.method === 'GET') return openEventStream(req, res);
      if (url.pathname.startsWith('/api/') && req.method === 'POST') return callApi(req, res, url.pathname.slice('/api/'.length));
      if (url.pathname.startsWith('/media/') && req.method === 'GET') return sendMedia(res, url.pathname.slice('/media/'.length));
      return sendText(res, 405, 'Method not allowed');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    const file = (await resolveStatic(rendererDir, url.pathname)) ?? (await resolveStatic(rendererDir, '/index.html'));
    if (!file) return sendText(res, 404, 'The UI is not built: run `npm run build` first.');
    res.writeHead(200, {
      'Content-Type': contentTypeOf(file),
      'Content-Security-Policy': contentSecurityPolicy(),
      'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  }

  function authorized(req: http.IncomingMessage, url: URL): boolean {
    const given = req.headers['x-studio-token'] ?? url.searchParams.get('token') ?? '';
    return typeof given === 'string' && safeEqual(given, token);
  }

  async function callApi(req: http.IncomingMessage, res: http.ServerResponse, method: string): Promise<void> {
    // Browsers send Origin on cross-site POSTs; a page elsewhere must not drive the API even if it
    // somehow learnt the token.
    const origin = req.headers.origin;
    if (origin && origin !== `http://${host}:${port}` && origin !== `http://localhost:${port}`) return sendText(res, 403, 'Forbidden origin');
    let name: string;
    try {
      name = decodeURIComponent(method);
    } catch {
      return sendJson(res, 400, { ok: false, error: { code: 'invalid-settings', message: 'The request name is not valid percent-encoding.' } });
    }
    let payload: unknown;
    try {
      const body = await readBody(req);
      if (jsonDepth(body) > maxJsonDepth) throw new Error(`nested deeper than ${maxJsonDepth} levels`);
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (e) {
      return sendJson(res, 400, { ok: false, error: { code: 'invalid-settings', message: `The request body was not valid JSON (${(e as Error).message}).` } });
    }
    const result = await options.dispatch(name, payload);
    sendJson(res, 200, result);
  }

  function openEventStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    const unsubscribe = options.events.subscribe((event) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.payload)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  }

  async function sendMedia(res: http.ServerResponse, mediaPath: string): Promise<void> {
    const ref = parseMediaPath(mediaPath);
    const body = ref ? await options.media.load(ref) : null;
    if (!body) return sendText(res, 404, 'Not found');
    res.setHeader('Content-Type', body.type);
    res.setHeader('Cache-Control', 'private, max-age=300');
    if ('data' in body) return void res.end(body.data);
    res.writeHead(200);
    createReadStream(body.file).on('error', () => res.destroy()).pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}/`;

  return {
    url,
    launchUrl: `${url}?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isLocalHost(header: string | undefined, port: number): boolean {
  return header === `${host}:${port}` || header === `localhost:${port}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** How deep a JSON text nests its arrays and objects, counted over its bytes before any parsing. */
export function jsonDepth(body: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error('the request is too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
