import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The renderer: built once, served by both transports (Electron's studio:// protocol and the
// HTTP server). No inline scripts or eval in the output, so the strict CSP holds.
export default defineConfig({
  root: here('./renderer'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: here('./dist-renderer'),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
});
