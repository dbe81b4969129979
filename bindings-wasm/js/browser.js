// Browser and bundler entry: fetches the WebAssembly module next to this file.
import init, * as glue from './rempart_wasm.js';
import { makeApi } from './engine.js';

await init({ module_or_path: new URL('./rempart_wasm_bg.wasm', import.meta.url) });

export const { Engine, RempartError, version } = makeApi(glue);
