// Node entry: loads the WebAssembly module synchronously from the package folder.
import { readFileSync } from 'node:fs';
import * as glue from './rempart_wasm.js';
import { makeApi } from './engine.js';

glue.initSync({ module: readFileSync(new URL('./rempart_wasm_bg.wasm', import.meta.url)) });

export const { Engine, RempartError, version } = makeApi(glue);
