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

/// A compiled engine.
#[wasm_bindgen]
pub struct Engine {
    inner: rempart::Engine,
    /// The previous text's findings, reused for the documents a keystroke did not touch.
    cache: RefCell<EditorCache>,
}

#[wasm_bindgen]
impl Engine {
    /// Builds an engine from JSON options; throws the error as JSON text.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<Engine, JsValue> {
        ffi::engine_from_json(options_json)
            .map(|inner| Engine {
                inner,
                cache: RefCell::default(),
            })
            .map_err(|e| JsValue::from_str(&to_js(&e)))
    }

    /// Scans one text; the report with editor ranges, as JSON.
    pub fn evaluate(&self, filename: &str, text: &str) -> String {
        let mut cache = self.cache.borrow_mut();
        to_js(&ffi::evaluate_for_editor_with(&self.inner, &mut cache, filename, text))
    }

    /// The selected policies' metadata, as JSON.
    pub fn policies(&self) -> String {
        to_js(&ffi::policies(&self.inner))
    }

    /// One policy's metadata as JSON; throws the error as JSON text.
    pub fn explain(&self, id: &str) -> Result<String, JsValue> {
        ffi::explain(&self.inner, id)
            .map(|p| to_js(&p))
            .map_err(|e| JsValue::from_str(&to_js(&e)))
    }

    /// Answers an `AdmissionReview` request (JSON) with its response (JSON); throws the
    /// error as JSON text (code `review`).
    pub fn review(&self, review_json: &str, namespace_labels_json: Option<String>) -> Result<String, JsValue> {
        ffi::review_json(&self.inner, review_json, namespace_labels_json.as_deref())
            .map_err(|e| JsValue::from_str(&to_js(&e)))
    }

    /// Panics on purpose: the tests prove a panic becomes a JS error and the engine recovers.
    #[wasm_bindgen(js_name = panicForTests)]
    #[allow(clippy::panic)]
    pub fn panic_for_tests(&self) {
        panic!("deliberate panic for the tests");
    }
}
