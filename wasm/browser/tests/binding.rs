//! Unit tests of the binding, run by `wasm-bindgen-test-runner` in Node and (with
//! `WASM_BINDGEN_USE_BROWSER=1`) in headless Chromium: `make test-browser` does both.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use termgate_browser::{missing_report_fields, report_categories, Scanner, TermSet};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const LIST: &str = "\
# test list
[block spam]
spam
[warn harassment]
baka
[collapse]
ramen
";

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).expect("property")
}

/// `(verdict, [(start, end, rule, action, category)])` of a check result.
type Row = (u32, u32, String, String, Option<String>);
fn rows(result: &JsValue) -> (String, Vec<Row>) {
    let matches = Array::from(&get(result, "matches"));
    let rows = matches
        .iter()
        .map(|m| {
            (
                get(&m, "start").as_f64().expect("start") as u32,
                get(&m, "end").as_f64().expect("end") as u32,
                get(&m, "rule").as_string().expect("rule"),
                get(&m, "action").as_string().expect("action"),
                get(&m, "category").as_string(),
            )
        })
        .collect();
    (get(result, "verdict").as_string().expect("verdict"), rows)
}

fn scanner() -> Scanner {
    Scanner::new(&TermSet::compile(LIST).expect("compiles"))
}

#[wasm_bindgen_test]
fn compile_export_and_load_round_trip() {
    let set = TermSet::compile(LIST).expect("compiles");
    let bytes = set.to_bytes();
    let loaded = TermSet::from_bytes(bytes.clone()).expect("loads");
    assert_eq!(loaded.to_bytes(), bytes);
    let info: JsValue = loaded.info().into();
    assert_eq!(get(&info, "rules").as_f64(), Some(3.0));
    assert_eq!(get(&info, "bytes").as_f64(), Some(bytes.len() as f64));
}

#[wasm_bindgen_test]
fn spans_are_utf16_code_units_of_the_js_string() {
    // "😀" is 4 bytes in UTF-8 but 2 UTF-16 units; "é" 2 bytes but 1 unit; "ラ" 3 bytes, 1 unit.
    let result: JsValue = scanner().check("😀é ラ spam", None).into();
    let (verdict, rows) = rows(&result);
    assert_eq!(verdict, "block");
    assert_eq!(
        rows,
        vec![(6, 10, "spam".into(), "block".into(), Some("spam".into()))]
    );
}

#[wasm_bindgen_test]
fn clean_text_is_allowed_with_no_matches() {
    let result: JsValue = scanner().check("a perfectly nice day", None).into();
    assert_eq!(rows(&result), ("allow".into(), vec![]));
}

#[wasm_bindgen_test]
fn verdict_is_the_strongest_action_and_matches_are_sorted() {
    let result: JsValue = scanner().check("baka 🎉 spam", None).into();
    let (verdict, rows) = rows(&result);
    assert_eq!(verdict, "block");
    let spans: Vec<(u32, u32)> = rows.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(spans, vec![(0, 4), (8, 12)]);
    assert_eq!(rows[0].4.as_deref(), Some("harassment"));
}

#[wasm_bindgen_test]
fn check_many_answers_every_post_in_order() {
    let texts = vec![
        "ramen tonight".to_string(),
        "hello".into(),
        "🍜 ramen".into(),
    ];
    let results = Array::from(&scanner().check_many(texts, None).into());
    let verdicts: Vec<String> = results.iter().map(|r| rows(&r).0).collect();
    assert_eq!(verdicts, ["collapse", "allow", "collapse"]);
    assert_eq!(rows(&results.get(2)).1[0].0, 3);
}

#[wasm_bindgen_test]
fn several_sets_are_scanned_together() {
    let mut scanner = scanner();
    scanner.add(&TermSet::compile("[hide]\nnatto\n").expect("compiles"));
    let result: JsValue = scanner.check("natto and ramen", None).into();
    assert_eq!(rows(&result).0, "hide");
}

#[wasm_bindgen_test]
fn expired_rules_no_longer_apply() {
    let set = TermSet::compile("[hide until=2026-12-31T00:00Z]\nnatto\n").expect("compiles");
    let scanner = Scanner::new(&set);
    let before: JsValue = scanner.check("natto", Some(1_767_000_000.0)).into();
    let after: JsValue = scanner.check("natto", Some(1_800_000_000.0)).into();
    assert_eq!(rows(&before).0, "hide");
    assert_eq!(rows(&after).0, "allow");
}

#[wasm_bindgen_test]
fn compile_errors_are_js_errors_with_the_core_message() {
    let error = TermSet::compile("spam\n[explode]\n")
        .err()
        .expect("an error")
        .dyn_into::<js_sys::Error>()
        .expect("a JS Error");
    assert_eq!(String::from(error.name()), "CompileError");
    let message = String::from(error.message());
    assert!(message.contains(":2:"), "{message}");
}

#[wasm_bindgen_test]
fn bad_bytes_are_js_errors_not_traps() {
    for bytes in [
        vec![],
        vec![0; 3],
        b"not a term set at all, just text".to_vec(),
    ] {
        let error = TermSet::from_bytes(bytes)
            .err()
            .expect("an error")
            .dyn_into::<js_sys::Error>()
            .expect("a JS Error");
        assert_eq!(String::from(error.name()), "LoadError");
    }
    let mut bytes = TermSet::compile(LIST).expect("compiles").to_bytes();
    bytes.truncate(bytes.len() / 2);
    assert!(TermSet::from_bytes(bytes).is_err());
}

#[wasm_bindgen_test]
fn report_categories_carry_required_fields_in_both_languages() {
    let categories = Array::from(&report_categories().into());
    assert!(categories.length() >= 13);
    for category in categories.iter() {
        let fields = Array::from(&get(&category, "fields"));
        assert!(fields.length() > 0, "{:?}", get(&category, "id"));
        for field in fields.iter() {
            let label = get(&field, "label");
            assert!(!get(&label, "en").as_string().unwrap_or_default().is_empty());
            assert!(!get(&label, "ja").as_string().unwrap_or_default().is_empty());
        }
    }
}

#[wasm_bindgen_test]
fn missing_report_fields_names_each_blank_field() {
    let spam = Array::from(&report_categories().into())
        .iter()
        .find(|c| get(c, "id").as_string().as_deref() == Some("spam"))
        .expect("a spam category");
    let names: Vec<String> = Array::from(&get(&spam, "fields"))
        .iter()
        .map(|f| get(&f, "name").as_string().expect("name"))
        .collect();
    let fields = Object::new();
    assert_eq!(
        missing_report_fields("spam", fields.unchecked_ref()).expect("known"),
        names
    );
    for name in &names {
        Reflect::set(&fields, &name.into(), &"filled in".into()).expect("set");
    }
    Reflect::set(&fields, &names[0].as_str().into(), &"   ".into()).expect("set");
    assert_eq!(
        missing_report_fields("spam", fields.unchecked_ref()).expect("known"),
        names[..1]
    );
    assert!(missing_report_fields("no-such-category", fields.unchecked_ref()).is_err());
}
