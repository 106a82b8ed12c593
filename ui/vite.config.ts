import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // svelteTesting: component tests (files that ask for the jsdom environment)
  // get Svelte's browser build and a clean DOM after each test.
  plugins: [svelte(), svelteTesting()],
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
