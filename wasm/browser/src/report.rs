//! The problem-report categories and the information each requires, straight from the core's
//! `termgate::report`, so the form in the page and the edge's validation cannot disagree.

use wasm_bindgen::prelude::*;

use crate::{set, IntoJsResult, JsResult, ReportCategories, ReportFields};

fn label(en: &str, ja: &str) -> js_sys::Object {
    let object = js_sys::Object::new();
    set(&object, "en", en);
    set(&object, "ja", ja);
    object
}

/// Every report category with its labels and exactly the fields it requires, in display order.
#[wasm_bindgen(js_name = reportCategories)]
pub fn report_categories() -> ReportCategories {
    let categories: js_sys::Array = termgate::Category::ALL
        .iter()
        .map(|&category| {
            let fields: js_sys::Array = termgate::report::required_fields(category)
                .iter()
                .map(|field| {
                    let object = js_sys::Object::new();
                    set(&object, "name", field.name);
                    set(&object, "label", label(field.en, field.ja));
                    object
                })
                .collect();
            let object = js_sys::Object::new();
            set(&object, "id", category.as_str());
            set(
                &object,
                "label",
                label(category.as_str(), category.as_str()),
            );
            set(&object, "fields", fields);
            object
        })
        .collect();
    categories.unchecked_into()
}

/// The names of the required fields of `category` that `fields` lacks or leaves blank, in form order;
/// empty when the report is complete. Throws for an unknown category.
#[wasm_bindgen(js_name = missingReportFields)]
pub fn missing_report_fields(
    #[wasm_bindgen(unchecked_param_type = "Category")] category: &str,
    fields: &ReportFields,
) -> JsResult<Vec<String>> {
    let category = termgate::Category::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == category)
        .ok_or_else(|| format!("unknown report category `{category}`"))
        .into_js("ReportError")?;
    Ok(termgate::report::required_fields(category)
        .iter()
        .filter(|field| {
            js_sys::Reflect::get(fields, &JsValue::from_str(field.name))
                .ok()
                .and_then(|v| v.as_string())
                .is_none_or(|v| v.trim().is_empty())
        })
        .map(|field| field.name.to_string())
        .collect())
}
