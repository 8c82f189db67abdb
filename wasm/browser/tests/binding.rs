//! Unit tests of the binding, run by `wasm-bindgen-test-runner` in Node and (with
//! `WASM_BINDGEN_USE_BROWSER=1`) in headless Chromium: `make test-browser` does both.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use termgate_browser::{report_categories, report_problems, Scanner, TermSet};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const LIST: &str = "\
# test list
[block spam]
buy && followers
[block harassment]
しね
[warn harassment]
idiot
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
    assert_eq!(get(&info, "rules").as_f64(), Some(4.0));
    assert_eq!(get(&info, "bytes").as_f64(), Some(bytes.len() as f64));
}

#[wasm_bindgen_test]
fn spans_are_utf16_code_units_of_the_js_string() {
    // "😀" is 4 bytes in UTF-8 but 2 UTF-16 units; "é" 2 bytes, 1 unit; each full-width letter
    // 3 bytes, 1 unit.
    let result: JsValue = scanner().check("😀é ＩＤＩＯＴ!", None).into();
    let (verdict, rows) = rows(&result);
    assert_eq!(verdict, "warn");
    assert_eq!(
        rows,
        vec![(
            4,
            9,
            "idiot".into(),
            "warn".into(),
            Some("harassment".into())
        )]
    );
}

#[wasm_bindgen_test]
fn obfuscated_japanese_is_found_with_its_exact_span() {
    // "し・ね" with a zero-width space: 5 UTF-16 units starting after "ねえ、".
    let result: JsValue = scanner().check("ねえ、し・\u{200b}ね", None).into();
    let (verdict, rows) = rows(&result);
    assert_eq!(verdict, "block");
    assert_eq!(
        rows,
        vec![(
            3,
            7,
            "しね".into(),
            "block".into(),
            Some("harassment".into())
        )]
    );
}

#[wasm_bindgen_test]
fn clean_text_is_allowed_with_no_matches() {
    let result: JsValue = scanner()
        .check("a perfectly nice day, 今日はいい天気", None)
        .into();
    assert_eq!(rows(&result), ("allow".into(), vec![]));
}

#[wasm_bindgen_test]
fn verdict_is_the_strongest_action_and_matches_are_sorted() {
    let result: JsValue = scanner().check("idiot 🎉 buy cheap followers", None).into();
    let (verdict, rows) = rows(&result);
    assert_eq!(verdict, "block");
    assert_eq!(rows[0].0, 0);
    assert_eq!(rows[0].3, "warn");
    assert!(rows.iter().any(|r| r.2 == "buy && followers"));
    assert!(rows
        .windows(2)
        .all(|w| (w[0].0, w[0].1) <= (w[1].0, w[1].1)));
}

#[wasm_bindgen_test]
fn verdict_is_the_verdict_of_check() {
    let mut scanner = scanner();
    let extra = "[hide until=2026-12-31T00:00Z]\nnatto\n[flag]\nscam\n";
    scanner.add(&TermSet::compile(extra).expect("compiles"));
    let texts = [
        "",
        "hello",
        "idiot",
        "ramen",
        "buy cheap followers",
        "natto",
        "idiot natto",
        "scam ramen",
        "ｓｃａｍ",
        "し ね",
        "n a t t o",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for now in [Some(1_798_675_199.0), Some(1_798_675_200.0), None] {
        for text in texts {
            let verdict = JsValue::from(scanner.verdict(text, now))
                .as_string()
                .unwrap();
            assert_eq!(
                verdict,
                rows(&scanner.check(text, now).into()).0,
                "{text} at {now:?}"
            );
            seen.insert(verdict);
        }
    }
    let all = ["allow", "block", "collapse", "flag", "hide", "warn"];
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), all);
}

#[wasm_bindgen_test]
fn check_many_answers_every_post_in_order() {
    let texts: Array = ["ramen tonight", "hello", "🍜 RAMEN"]
        .into_iter()
        .map(JsValue::from)
        .collect();
    let results = Array::from(&scanner().check_many(&texts, None).unwrap().into());
    let verdicts: Vec<String> = results.iter().map(|r| rows(&r).0).collect();
    assert_eq!(verdicts, ["collapse", "allow", "collapse"]);
    assert_eq!(
        (rows(&results.get(2)).1[0].0, rows(&results.get(2)).1[0].1),
        (3, 8)
    );
}

#[wasm_bindgen_test]
fn check_many_takes_only_an_array_of_strings() {
    let not_strings: Array = [JsValue::from("ramen"), JsValue::from(5)]
        .into_iter()
        .collect();
    for texts in [JsValue::from("ramen"), JsValue::NULL, not_strings.into()] {
        let error = scanner().check_many(&texts, None).err().unwrap();
        assert!(error.is_instance_of::<js_sys::TypeError>());
    }
    assert_eq!(
        Array::from(&scanner().check_many(&Array::new(), None).unwrap().into()).length(),
        0
    );
}

#[wasm_bindgen_test]
fn several_sets_are_scanned_together() {
    let mut scanner = scanner();
    scanner.add(&TermSet::compile("[hide]\nnatto\n").expect("compiles"));
    let result: JsValue = scanner.check("natto and ramen", None).into();
    let (verdict, rows) = rows(&result);
    assert_eq!(verdict, "hide");
    assert_eq!(rows.len(), 2);
}

#[wasm_bindgen_test]
fn expired_rules_no_longer_apply() {
    let set = TermSet::compile("[hide until=2026-12-31T00:00Z]\nnatto\n").expect("compiles");
    let rules = Array::from(&set.rules().into());
    assert_eq!(
        get(&rules.get(0), "expires").as_f64(),
        Some(1_798_675_200.0)
    );
    let scanner = Scanner::new(&set);
    let before: JsValue = scanner.check("natto", Some(1_798_675_199.0)).into();
    let after: JsValue = scanner.check("natto", Some(1_798_675_200.0)).into();
    assert_eq!(rows(&before).0, "hide");
    assert_eq!(rows(&after).0, "allow");
}

#[wasm_bindgen_test]
fn without_a_time_the_clock_decides_once_a_set_has_an_expiry() {
    // The first set has none, so the clock is read for the added sets' sake.
    let mut scanner = Scanner::new(&TermSet::compile("[block]\nspam\n").expect("compiles"));
    scanner.add(&TermSet::compile("[hide until=2000-01-01]\nnatto\n").expect("compiles"));
    scanner.add(&TermSet::compile("[warn until=2999-01-01]\nbaka\n").expect("compiles"));
    let result: JsValue = scanner.check("natto baka", None).into();
    let (verdict, rows) = rows(&result);
    assert_eq!(verdict, "warn");
    assert_eq!(rows.len(), 1);
}

#[wasm_bindgen_test]
fn rules_and_list_round_trip() {
    let set = TermSet::compile(LIST).expect("compiles");
    let rules = Array::from(&set.rules().into());
    assert_eq!(rules.length(), 4);
    let first = rules.get(0);
    assert_eq!(
        get(&first, "text").as_string().as_deref(),
        Some("buy && followers")
    );
    assert_eq!(get(&first, "category").as_string().as_deref(), Some("spam"));
    assert!(get(&rules.get(3), "category").is_null());
    assert!(get(&rules.get(3), "expires").is_null());
    let again = TermSet::compile(&set.to_list()).expect("compiles");
    assert_eq!(Array::from(&again.rules().into()).length(), 4);
}

#[wasm_bindgen_test]
fn compile_errors_are_js_errors_with_the_core_message() {
    let error = TermSet::compile("[warn]\nspam\n[explode]\n")
        .err()
        .expect("an error")
        .dyn_into::<js_sys::Error>()
        .expect("a JS Error");
    assert_eq!(String::from(error.name()), "CompileError");
    let message = String::from(error.message());
    assert!(message.starts_with("<input>:3:"), "{message}");
}

#[wasm_bindgen_test]
fn bad_bytes_are_js_errors_not_traps() {
    let good = TermSet::compile(LIST).expect("compiles").to_bytes();
    let mut flipped = good.clone();
    if let Some(b) = flipped.last_mut() {
        *b ^= 0xff;
    }
    let candidates = [
        vec![],
        vec![0; 3],
        b"not a term set at all, just text".to_vec(),
        good[..good.len() / 2].to_vec(),
        good[..8].to_vec(),
        flipped,
    ];
    for bytes in candidates {
        let error = TermSet::from_bytes(bytes)
            .err()
            .expect("an error")
            .dyn_into::<js_sys::Error>()
            .expect("a JS Error");
        assert_eq!(String::from(error.name()), "LoadError");
        assert!(!String::from(error.message()).is_empty());
    }
}

fn category(id: &str) -> JsValue {
    Array::from(&report_categories().into())
        .iter()
        .find(|c| get(c, "id").as_string().as_deref() == Some(id))
        .expect("the category")
}

fn field_names(category: &JsValue) -> Vec<String> {
    Array::from(&get(category, "fields"))
        .iter()
        .map(|f| get(&f, "name").as_string().expect("name"))
        .collect()
}

#[wasm_bindgen_test]
fn report_categories_carry_required_fields_in_both_languages() {
    let categories = Array::from(&report_categories().into());
    assert_eq!(categories.length(), 15);
    for category in categories.iter() {
        let fields = Array::from(&get(&category, "fields"));
        assert!(fields.length() > 0, "{:?}", get(&category, "id"));
        for field in fields.iter() {
            let label = get(&field, "label");
            assert!(!get(&label, "en").as_string().unwrap_or_default().is_empty());
            assert!(!get(&label, "ja").as_string().unwrap_or_default().is_empty());
        }
    }
    assert_eq!(
        field_names(&category("spam")),
        ["header_information", "body_text"]
    );
}

#[wasm_bindgen_test]
fn report_problems_names_each_missing_field() {
    let names = field_names(&category("copyright"));
    let problems = |fields: &Object| -> Vec<(String, String)> {
        Array::from(
            &report_problems("copyright", fields.unchecked_ref())
                .expect("known")
                .into(),
        )
        .iter()
        .map(|p| {
            let field = get(&p, "field").as_string().expect("field");
            (field, get(&p, "problem").as_string().expect("problem"))
        })
        .collect()
    };
    let fields = Object::new();
    let all_missing: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.clone(), "missing".into()))
        .collect();
    assert_eq!(problems(&fields), all_missing);
    for name in &names {
        Reflect::set(&fields, &name.into(), &"https://example.com/work".into()).expect("set");
    }
    assert_eq!(problems(&fields), vec![]);
    Reflect::set(&fields, &names[1].as_str().into(), &"   ".into()).expect("set");
    Reflect::set(&fields, &names[2].as_str().into(), &JsValue::from(7)).expect("set");
    assert_eq!(
        problems(&fields),
        vec![
            (names[1].clone(), "missing".into()),
            (names[2].clone(), "missing".into())
        ]
    );
    let error = report_problems("no-such-category", fields.unchecked_ref())
        .err()
        .expect("an error")
        .dyn_into::<js_sys::Error>()
        .expect("a JS Error");
    assert_eq!(String::from(error.name()), "ReportError");
}

#[wasm_bindgen_test]
fn every_truncation_and_byte_flip_is_an_error_or_a_working_set() {
    // A trap here would abort the whole test run, so reaching the end is the assertion.
    let good = TermSet::compile(LIST).expect("compiles").to_bytes();
    let mut candidates: Vec<Vec<u8>> = (0..good.len()).map(|n| good[..n].to_vec()).collect();
    for at in 0..good.len() {
        for mask in [0x01, 0x80, 0xff] {
            let mut bytes = good.clone();
            bytes[at] ^= mask;
            candidates.push(bytes);
        }
    }
    let mut loaded = 0;
    for bytes in candidates {
        match TermSet::from_bytes(bytes) {
            Ok(set) => {
                loaded += 1;
                let _ = Scanner::new(&set).check("buy followers, しね, idiot, ramen", None);
            }
            Err(error) => assert!(error.is_instance_of::<js_sys::Error>()),
        }
    }
    assert!(
        loaded < good.len(),
        "corrupt bytes are refused, {loaded} loaded"
    );
}
