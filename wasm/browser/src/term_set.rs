//! The `TermSet` class: a compiled set of rules, loaded from bytes or compiled from a term list.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::{set, IntoJsResult, JsResult, TermSetInfo};

/// A compiled term set. Cheap to share: scanners hold a reference-counted handle, so the JS object can
/// be freed (or garbage-collected) while a scanner still uses the set.
#[wasm_bindgen]
pub struct TermSet {
    pub(crate) inner: Rc<termgate::TermSet>,
}

#[wasm_bindgen]
impl TermSet {
    /// Loads a compiled set (for example the operator's global set fetched from the edge).
    /// Throws an `Error` named `LoadError` when the bytes are truncated, corrupt or of another version.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: Vec<u8>) -> JsResult<TermSet> {
        let inner = termgate::TermSet::from_bytes(bytes).into_js("LoadError")?;
        Ok(TermSet {
            inner: Rc::new(inner),
        })
    }

    /// Compiles a term list (the same syntax as `termgate compile`), for example a user's mute list.
    /// Throws an `Error` named `CompileError` whose message is `file:line:col: what is wrong`.
    pub fn compile(list: &str) -> JsResult<TermSet> {
        let inner = termgate::compile_str(list).into_js("CompileError")?;
        Ok(TermSet {
            inner: Rc::new(inner),
        })
    }

    /// The compiled bytes, to store (`PUT /_termgate/mutes`) or load again with `fromBytes`.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.as_bytes().to_vec()
    }

    /// Counts and size of the set.
    #[wasm_bindgen(getter)]
    pub fn info(&self) -> TermSetInfo {
        let info = self.inner.info();
        let object = js_sys::Object::new();
        set(&object, "rules", info.rules as f64);
        set(&object, "bytes", self.inner.as_bytes().len() as f64);
        object.unchecked_into()
    }
}
