import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseMediaPath } from '../../shared/api/media.js';
import type { MediaSource } from '../transport/media.js';
import { contentSecurityPolicy } from '../transport/security.js';
import { contentTypeOf, resolveStatic } from '../transport/static-files.js';
import { isAppUrl } from './window-options.js';

/**
 * Serves `studio://app/...`: the built renderer, and media under /media/ (thumbnails, originals,
 * outputs, previews), the same layout the HTTP transport uses. Anything else is 404.
 */
export function createProtocolHandler(rendererDir: string, media: MediaSource): (request: Request) => Promise<Response> {
  const root = path.resolve(rendererDir);
  return async (request) => {
    const url = new URL(request.url);
    if (!isAppUrl(url) || request.method !== 'GET') return new Response('Not found', { status: 404 });
    if (url.pathname.startsWith('/media/')) {
      const ref = parseMediaPath(url.pathname.slice('/media/'.length));
      const body = ref ? await media.load(ref) : null;
      if (!body) return new Response('Not found', { status: 404 });
      const bytes = 'data' in body ? body.data : await readFile(body.file);
      return new Response(new Uint8Array(bytes), { headers: { 'Content-Type': body.type } });
    }
    const file = (await resolveStatic(root, url.pathname)) ?? (await resolveStatic(root, '/index.html'));
    if (!file) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(await readFile(file)), {
      headers: { 'Content-Type': contentTypeOf(file), 'Content-Security-Policy': contentSecurityPolicy() },
    });
  };
}
