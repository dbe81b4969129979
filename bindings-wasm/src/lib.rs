//! WebAssembly exports over `rempart::ffi`: values cross as JSON text, the JS wrapper
//! (`js/engine.js`) turns them into objects and errors. A panic traps the instance; the
//! panic hook keeps its message so the wrapper can throw it as an `internal` error and
//! rebuild the engine.

use std::cell::RefCell;
use std::sync::Mutex;

use rempart::engine::EditorCache;
use rempart::ffi;
use wasm_bindgen::prelude::*;

static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info.to_string();
        }
    }));
}

/// The message of the last panic, for the wrapper's error.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> String {
    LAST_PANIC.lock().map(|m| m.clone()).unwrap_or_default()
}

#[wasm_bindgen]
pub fn version() -> String {
    rempart::VERSION.to_owned()
}

fn to_js<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The editor report with the exit code.
#[derive(serde::Serialize)]
struct Answer<'r> {
    #[serde(flatten)]
    report: &'r ffi::EditorReport,
    #[serde(rename = "exitCode")]
    exit_code: i32,
}

/// A compiled engine with its project (configuration text, exceptions, baseline, threshold).
#[wasm_bindgen]
pub struct Engine {
    inner: ffi::Session,
    /// The previous text's findings, reused for the documents a keystroke did not touch.
    cache: RefCell<EditorCache>,
}

#[wasm_bindgen]
impl Engine {
    /// Builds an engine from JSON options; throws the error as JSON text.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<Engine, JsValue> {
        ffi::Session::new(options_json, &[], rempart::engine::OptionNames::CamelCase)
            .map(|inner| Engine {
                inner,
                cache: RefCell::default(),
            })
            .map_err(|e| JsValue::from_str(&to_js(&e)))
    }

    /// Scans one text; the report with editor ranges and the exit code `rempart scan` would
    /// give, as JSON.
    pub fn evaluate(&self, filename: &str, text: &str) -> String {
        let mut cache = self.cache.borrow_mut();
        let judged = self.inner.evaluate_for_editor(&mut cache, filename, text);
        to_js(&Answer {
            report: &judged.report,
            exit_code: judged.outcome.exit_code(),
        })
    }

    /// The largest text `evaluate` reads (`limits.maxInputBytes`), in UTF-8 bytes.
    #[wasm_bindgen(js_name = maxInputBytes)]
    pub fn max_input_bytes(&self) -> f64 {
        self.inner.engine().limits().max_input_bytes as f64
    }

    /// The report of a text over the limit, which the wrapper did not hand over, as JSON.
    pub fn oversized(&self, filename: &str) -> String {
        let judged = self.inner.oversized_for_editor(filename);
        to_js(&Answer {
            report: &judged.report,
            exit_code: judged.outcome.exit_code(),
        })
    }

    /// Detects threats in a text of audit events (JSON lines, arrays, `EventList`s, cloud
    /// records); the detection report as JSON; throws the error as JSON text.
    pub fn detect(&self, filename: &str, text: &str, input: &str) -> Result<String, JsValue> {
        ffi::detect(self.inner.engine(), filename, text, input)
            .map(|r| to_js(&r))
            .map_err(|e| JsValue::from_str(&to_js(&e)))
    }

    /// The selected policies' metadata, as JSON.
    pub fn policies(&self) -> String {
        to_js(&ffi::policies(self.inner.engine()))
    }

    /// One policy's metadata as JSON; throws the error as JSON text.
    pub fn explain(&self, id: &str) -> Result<String, JsValue> {
        ffi::explain(self.inner.engine(), id)
            .map(|p| to_js(&p))
            .map_err(|e| JsValue::from_str(&to_js(&e)))
    }

    /// Scans several texts as one set (`[{filename, text}, …]` as JSON), cross-object
    /// findings included; the JSON report (no editor ranges).
    #[wasm_bindgen(js_name = evaluateSet)]
    pub fn evaluate_set(&self, inputs_json: &str) -> Result<String, JsValue> {
        let inputs: Vec<ffi::Input> = serde_json::from_str(inputs_json)
            .map_err(|e| JsValue::from_str(&format!("{{\"code\": \"options\", \"message\": \"the inputs must be [{{filename, text}}, …]: {}\", \"sourceLocations\": []}}", e.to_string().replace('"', "'"))))?;
        Ok(to_js(&self.inner.scan(&inputs).report))
    }

    /// An RBAC question (`kind`: `can-i`, `who-can` or `list`) over a set of texts; `query_json`
    /// is `{verb, resource, subresource?, apiGroup?, namespace?, user?, groups?}`; the JSON
    /// answer; throws the error as JSON text.
    pub fn auth(&self, kind: &str, query_json: &str, inputs_json: &str) -> Result<String, JsValue> {
        let bad = |e: serde_json::Error| {
            JsValue::from_str(&format!(
                "{{\"code\": \"options\", \"message\": \"{}\", \"sourceLocations\": []}}",
                e.to_string().replace('"', "'")
            ))
        };
        let query: ffi::AuthQuery = serde_json::from_str(query_json).map_err(bad)?;
        let inputs: Vec<ffi::Input> = serde_json::from_str(inputs_json).map_err(bad)?;
        let answer = match kind {
            "can-i" => ffi::can_i(self.inner.engine(), &inputs, &query).map(|a| to_js(&a)),
            "who-can" => ffi::who_can(self.inner.engine(), &inputs, &query).map(|a| to_js(&a)),
            _ => Ok(to_js(&ffi::effective_rules(self.inner.engine(), &inputs, &query))),
        };
        answer.map_err(|e| JsValue::from_str(&to_js(&e)))
    }

    /// Answers an `AdmissionReview` request (JSON) with its response (JSON); throws the
    /// error as JSON text (code `review`).
    pub fn review(&self, review_json: &str, namespace_labels_json: Option<String>) -> Result<String, JsValue> {
        ffi::review_json(self.inner.engine(), review_json, namespace_labels_json.as_deref())
            .map_err(|e| JsValue::from_str(&to_js(&e)))
    }

    /// Panics on purpose: the tests prove a panic becomes a JS error and the engine recovers.
    #[wasm_bindgen(js_name = panicForTests)]
    #[allow(clippy::panic)]
    pub fn panic_for_tests(&self) {
        panic!("deliberate panic for the tests");
    }
}
