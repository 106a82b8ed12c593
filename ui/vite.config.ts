import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// The window runs with Object.prototype frozen (tauri.conf.json,
// freezePrototype: a defence against prototype pollution). ECharts' scheduler
// stubs a model by assigning every name of its prototype to a plain object,
// `constructor` among them, which a frozen prototype refuses ("the override
// mistake"), so no chart could start. Defining the property instead of
// assigning it does the same thing and is allowed. The build stops if
// ECharts' code changes under the patch; the dashboard's end-to-end test,
// in the real window with the prototype frozen, waits for charts to paint.
const MOCK_ASSIGNMENT = 'target[name_1] = noop;';
const MOCK_DEFINITION =
  'Object.defineProperty(target, name_1, { value: noop, writable: true, configurable: true, enumerable: true });';
function echartsUnderFrozenPrototype(): Plugin {
  return {
    name: 'kizuna-echarts-frozen-prototype',
    enforce: 'pre',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('echarts/lib/core/Scheduler.js')) return null;
      if (!code.includes(MOCK_ASSIGNMENT)) {
        this.error('ECharts changed its Scheduler: check the frozen-prototype patch in vite.config.ts');
      }
      return code.replace(MOCK_ASSIGNMENT, MOCK_DEFINITION);
    },
  };
}

export default defineConfig({
  // svelteTesting: component tests (files that ask for the jsdom environment)
  // get Svelte's browser build and a clean DOM after each test.
  plugins: [svelte(), svelteTesting(), echartsUnderFrozenPrototype()],
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
