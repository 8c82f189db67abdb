//! Problem reports: the categories and the information each requires, straight from the core's
//! `termgate::report`, so the form in the page and the edge's validation cannot disagree.

use std::collections::BTreeMap;

use termgate::report::{self, Lang};
use wasm_bindgen::prelude::*;

use crate::{array, set, IntoJsResult, JsResult, ReportCategories, ReportFields, ReportProblems};

fn label(en: &str, ja: &str) -> js_sys::Object {
    let object = js_sys::Object::new();
    set(&object, "en", en);
    set(&object, "ja", ja);
    object
}

/// Every report category with exactly the fields it requires, in form order.
#[wasm_bindgen(js_name = reportCategories)]
pub fn report_categories() -> ReportCategories {
    let categories = termgate::Category::ALL.iter().map(|&category| {
        let fields = report::required_fields(category).iter().map(|field| {
            let object = js_sys::Object::new();
            set(&object, "name", field.name);
            set(&object, "label", label(field.label_en, field.label_ja));
            set(&object, "kind", field.kind.as_str());
            object
        });
        let object = js_sys::Object::new();
        set(&object, "id", category.as_str());
        set(
            &object,
            "label",
            label(
                report::category_label(category, report::Lang::En),
                report::category_label(category, report::Lang::Ja),
            ),
        );
        set(&object, "fields", array(fields));
        object
    });
    array(categories).unchecked_into()
}

/// Checks a report the way the edge will (`termgate::report::validate`): every required field of
/// `category` that `fields` lacks, leaves blank, or fills wrongly (a URL field without a URL), in form
/// order. Empty when the report is complete. Non-string values count as missing; `fields` that are
/// null or undefined are none. Throws an `Error` named `ReportError` for an unknown category.
#[wasm_bindgen(js_name = reportProblems)]
pub fn report_problems(
    #[wasm_bindgen(unchecked_param_type = "Category")] category: &str,
    fields: &ReportFields,
) -> JsResult<ReportProblems> {
    let category: termgate::Category = category
        .parse()
        .map_err(|_| format!("unknown report category `{category}`"))
        .into_js("ReportError")?;
    // Inserted one by one: collecting into a map sorts the entries first, which would link one
    // more sort into the module.
    let mut values = BTreeMap::new();
    for entry in entries(fields).iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        if let (Some(key), Some(value)) = (entry.get(0).as_string(), entry.get(1).as_string()) {
            values.insert(key, value);
        }
    }
    let problems = match report::validate(category, &values) {
        Ok(()) => js_sys::Array::new(),
        Err(missing) => array(missing.problems().iter().map(|(field, problem)| {
            let object = js_sys::Object::new();
            set(&object, "field", field.name);
            set(&object, "label", label(field.label_en, field.label_ja));
            set(&object, "problem", problem.as_str());
            let description = label(problem.describe(Lang::En), problem.describe(Lang::Ja));
            set(&object, "description", description);
            object
        })),
    };
    Ok(problems.unchecked_into())
}

// `Object.entries` throws on null and undefined, which would throw through the module.
#[wasm_bindgen(
    inline_js = "export function entries(o) { return o == null ? [] : Object.entries(o); }"
)]
extern "C" {
    fn entries(fields: &ReportFields) -> js_sys::Array;
}
