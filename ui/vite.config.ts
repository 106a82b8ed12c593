import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  resolve: {
    alias: { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) },
  },
  // Keep the Tauri CLI's output visible when it runs `vite` for us.
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    // The Linux webview is WebKitGTK; safari15 is the oldest engine we support.
    target: 'safari15',
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
