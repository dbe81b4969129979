/* tslint:disable */
/* eslint-disable */

/**
 * A compiled engine.
 */
export class Engine {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Scans one text; the report with editor ranges, as JSON.
     */
    evaluate(filename: string, text: string): string;
    /**
     * One policy's metadata as JSON; throws the error as JSON text.
     */
    explain(id: string): string;
    /**
     * Builds an engine from JSON options; throws the error as JSON text.
     */
    constructor(options_json: string);
    /**
     * Panics on purpose: the tests prove a panic becomes a JS error and the engine recovers.
     */
    panicForTests(): void;
    /**
     * The selected policies' metadata, as JSON.
     */
    policies(): string;
}

/**
 * The message of the last panic, for the wrapper's error.
 */
export function lastPanic(): string;

export function start(): void;

export function version(): string;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_engine_free: (a: number, b: number) => void;
    readonly engine_evaluate: (a: number, b: number, c: number, d: number, e: number) => [number, number];
    readonly engine_explain: (a: number, b: number, c: number) => [number, number, number, number];
    readonly engine_new: (a: number, b: number) => [number, number, number];
    readonly engine_panicForTests: (a: number) => void;
    readonly engine_policies: (a: number) => [number, number];
    readonly lastPanic: () => [number, number];
    readonly start: () => void;
    readonly version: () => [number, number];
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
