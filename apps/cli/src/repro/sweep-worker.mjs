// Sweep worker entry when the CLI runs from source (tsx, vitest): loader
// hooks registered in the main thread do not reach worker threads on
// Node 20, so register tsx here before importing the TypeScript worker.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const api = new URL('./esm/api/index.mjs', pathToFileURL(require.resolve('tsx')));
const { register } = await import(api.href);
register();
const worker = await import('./sweep-worker.ts');
export default worker.default;
