// The JavaScript API over the wasm-bindgen glue: options in, report objects out, errors as
// `RempartError` with `code` and `sourceLocations`. Shared by the Node and browser entries.

/** An error of the engine: `code` is `options`, `config`, `policy`, `limit`, `review` or `internal`. */
export class RempartError extends Error {
  constructor(info) {
    super(info.message);
    this.name = 'RempartError';
    this.code = info.code;
    this.sourceLocations = info.sourceLocations ?? [];
  }
}

function nativeOptions(options) {
  const { policies = [], config, baseline, ...rest } = options ?? {};
  if (!Array.isArray(policies)) throw new RempartError({ code: 'options', message: '`policies` must be an array of policy YAML texts' });
  if (config !== undefined && typeof config !== 'string') throw new RempartError({ code: 'options', message: '`config` must be the text of a configuration file (.rempart.yaml)' });
  if (baseline !== undefined && typeof baseline !== 'string') throw new RempartError({ code: 'options', message: '`baseline` must be the JSON text of a baseline file' });
  return {
    ...rest,
    ...(config === undefined ? {} : { configText: config }),
    ...(baseline === undefined ? {} : { baselineText: baseline }),
    // WebAssembly has no clock: exceptions expire against JavaScript's date (UTC).
    ...(config === undefined || rest.today !== undefined ? {} : { today: new Date().toISOString().slice(0, 10) }),
    policies: policies.map((p, i) => (typeof p === 'string' ? { name: `policy-${i + 1}.yaml`, text: p } : p)),
  };
}

function fromNative(e) {
  if (typeof e === 'string') {
    try {
      return new RempartError(JSON.parse(e));
    } catch {
      return new RempartError({ code: 'internal', message: e });
    }
  }
  return e;
}

export function makeApi(glue) {
  class Engine {
    #options;
    #native;

    /** Compiles the built-in policies plus `options.policies` (YAML texts); throws on mistakes. */
    constructor(options = {}) {
      this.#options = JSON.stringify(nativeOptions(options));
      this.#native = this.#build();
    }

    #build() {
      try {
        return new glue.Engine(this.#options);
      } catch (e) {
        throw fromNative(e);
      }
    }

    // A trap (a Rust panic) leaves the native object unusable: report it and start afresh.
    #call(fn) {
      try {
        return fn(this.#native);
      } catch (e) {
        if (e instanceof WebAssembly.RuntimeError) {
          const detail = glue.lastPanic() || e.message;
          this.#native = this.#build();
          throw new RempartError({ code: 'internal', message: `internal error in the Rempart engine (${detail}); please report it with the input` });
        }
        throw fromNative(e);
      }
    }

    /** Scans one YAML or JSON text: `{findings, errors, notes, summary}`, each finding with `editor` ranges in UTF-16 units. */
    evaluate(text, { filename = '<input>' } = {}) {
      if (typeof text !== 'string') throw new TypeError('evaluate(text): text must be a string');
      // A text over `limits.maxInputBytes` (UTF-8 bytes, at least one per UTF-16 unit and at
      // most three) is not copied into WebAssembly: the engine answers with its error.
      const max = this.#call((n) => n.maxInputBytes());
      const over = text.length > max || (text.length * 3 > max && new TextEncoder().encode(text).length > max);
      if (over) return JSON.parse(this.#call((n) => n.oversized(String(filename))));
      return JSON.parse(this.#call((n) => n.evaluate(String(filename), text)));
    }

    /** Detects threats in audit events (JSON lines, arrays, `EventList`s, GKE/AKS/EKS records):
     * `{alerts, errors, summary}`; `input` is `auto` (default), `k8s`, `gke`, `aks` or `eks`. */
    detect(text, { filename = '<input>', input = 'auto' } = {}) {
      if (typeof text !== 'string') throw new TypeError('detect(text): text must be a string');
      return JSON.parse(this.#call((n) => n.detect(String(filename), text, String(input))));
    }

    /** Scans several texts (`[{filename, text}, …]`) as one set, cross-object findings (RBAC) included: `{findings, errors, notes, summary}`. */
    evaluateSet(inputs) {
      // An input over `limits.maxInputBytes` is an error of the report; the others are scanned.
      const list = Array.from(inputs ?? [], (i) => ({ filename: String(i.filename), text: String(i.text) }));
      return JSON.parse(this.#call((n) => n.evaluateSet(JSON.stringify(list))));
    }

    #auth(kind, query, inputs) {
      const list = Array.from(inputs ?? [], (i) => ({ filename: String(i.filename), text: String(i.text) }));
      return JSON.parse(this.#call((n) => n.auth(kind, JSON.stringify(query ?? {}), JSON.stringify(list))));
    }

    /** Whether `query.user` may do `query.verb` on `query.resource` over the RBAC objects of `inputs`: `{allowed, grants}`. */
    canI(query, inputs) {
      return this.#auth('can-i', query, inputs);
    }

    /** Every subject that may do `query.verb` on `query.resource`: `{subjects: [{kind, name, namespace?, via}]}`. */
    whoCan(query, inputs) {
      return this.#auth('who-can', query, inputs);
    }

    /** The selected policies with their documentation. */
    policies() {
      return JSON.parse(this.#call((n) => n.policies()));
    }

    /** One policy's documentation; throws `RempartError` (code `options`) for an unknown id. */
    explain(id) {
      return JSON.parse(this.#call((n) => n.explain(String(id))));
    }

    /** Answers an `admission.k8s.io/v1` `AdmissionReview` request (an object or its JSON text) with its response object; `namespaceLabels`: the labels of the object's Namespace, for pods judged `from-namespace`. Throws `RempartError` (code `review`) for a review that cannot be read. */
    review(review, { namespaceLabels } = {}) {
      const text = typeof review === 'string' ? review : JSON.stringify(review);
      const labels = namespaceLabels === undefined ? undefined : JSON.stringify(namespaceLabels);
      return JSON.parse(this.#call((n) => n.review(text, labels)));
    }

    /** @internal Panics inside the engine, to test recovery. */
    _panicForTests() {
      return this.#call((n) => n.panicForTests());
    }
  }

  return { Engine, RempartError, version: () => glue.version() };
}
