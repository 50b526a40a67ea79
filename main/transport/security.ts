/**
 * The Content-Security-Policy both hosts send with the UI: scripts and styles only from the app
 * itself, no eval, no inline script, no plugins, no framing, requests only back to the app.
 * React sets styles through the CSSOM, which style-src does not restrict, so no 'unsafe-inline'.
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
