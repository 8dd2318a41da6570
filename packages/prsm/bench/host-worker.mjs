// Entry of a host-speed worker thread. Node 20 does not give worker threads the tsx loader the
// main thread runs under (pnpm bench), so the TypeScript worker is loaded through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./host-worker.ts', import.meta.url);
