//! The `TermSet` class: a compiled set of rules, loaded from bytes or compiled from a term list.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::{array, or_null, set, IntoJsResult, JsResult, Rules, TermSetInfo};

/// A compiled term set. Scanners hold a reference-counted handle, so the JS object can be freed while
/// a scanner still uses the set; the set's lazily built automaton is shared by all of them.
#[wasm_bindgen]
pub struct TermSet {
    pub(crate) inner: Rc<termgate::TermSet>,
}

#[wasm_bindgen]
impl TermSet {
    /// Loads a compiled set (for example the operator's global set fetched from the edge). Checks the
    /// header, versions, checksum and structure; builds nothing until the first check needs it.
    /// Throws an `Error` named `LoadError` when the bytes are truncated, corrupt or of another version.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: Vec<u8>) -> JsResult<TermSet> {
        let inner = termgate::TermSet::from_bytes(bytes).into_js("LoadError")?;
        Ok(TermSet {
            inner: Rc::new(inner),
        })
    }

    /// Compiles a term list (the syntax of `termgate compile`), for example a user's mute list.
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

    /// A term list that compiles to a set with the same rules.
    #[wasm_bindgen(js_name = toList)]
    pub fn to_list(&self) -> String {
        self.inner.to_list()
    }

    /// Every rule as written, with its action, category and expiry, in list order.
    pub fn rules(&self) -> Rules {
        let rules = self.inner.rules().map(|rule| {
            let object = js_sys::Object::new();
            set(&object, "text", rule.text);
            set(&object, "action", rule.action.as_str());
            set(
                &object,
                "category",
                or_null(rule.category.map(|c| c.as_str())),
            );
            set(&object, "expires", or_null(rule.expires.map(|s| s as f64)));
            object
        });
        array(rules).unchecked_into()
    }

    /// Counts, versions and size of the set.
    #[wasm_bindgen(getter)]
    pub fn info(&self) -> TermSetInfo {
        let info = self.inner.info();
        let object = js_sys::Object::new();
        set(&object, "rules", info.rules as f64);
        set(&object, "bytes", info.bytes as f64);
        set(&object, "formatVersion", info.format_version);
        set(&object, "normalizationVersion", info.normalization_version);
        set(&object, "version", format!("{:016x}", info.checksum));
        object.unchecked_into()
    }
}
