/* tslint:disable */
/* eslint-disable */
export const memory: WebAssembly.Memory;
export const __wbg_engine_free: (a: number, b: number) => void;
export const engine_evaluate: (a: number, b: number, c: number, d: number, e: number) => [number, number];
export const engine_explain: (a: number, b: number, c: number) => [number, number, number, number];
export const engine_new: (a: number, b: number) => [number, number, number];
export const engine_panicForTests: (a: number) => void;
export const engine_policies: (a: number) => [number, number];
export const lastPanic: () => [number, number];
export const start: () => void;
export const version: () => [number, number];
export const __wbindgen_externrefs: WebAssembly.Table;
export const __wbindgen_malloc: (a: number, b: number) => number;
export const __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
export const __wbindgen_free: (a: number, b: number, c: number) => void;
export const __externref_table_dealloc: (a: number) => void;
export const __wbindgen_start: () => void;
