//! Problem reports from users: which information each report category must carry.
//!
//! A user who reports a post (or a site, or a mail) picks a [`Category`] and fills in a form. What the
//! form must contain depends on the category, following the operator guidelines termgate's categories
//! come from: a spam report is useless without the mail's header information and body, an
//! unauthorized-access report without the date and time and the logs, a copyright claim without the
//! location of the work, proof of rights and who is claiming, and so on.
//!
//! This module is the single source of that knowledge. The edge worker validates submitted reports
//! with [`validate`]; the browser module builds its report form from [`required_fields`]. It has no
//! runtime dependencies and never allocates except to describe what is missing.
//!
//! # Example
//!
//! ```
//! use std::collections::BTreeMap;
//! use termgate::report::{self, Lang};
//! use termgate::Category;
//!
//! let names: Vec<&str> = report::required_fields(Category::Spam).iter().map(|f| f.name).collect();
//! assert_eq!(names, ["header_information", "body_text"]);
//!
//! let mut values = BTreeMap::new();
//! values.insert("body_text".to_string(), "Cheap followers! Click now".to_string());
//! let err = report::validate(Category::Spam, &values).unwrap_err();
//! assert_eq!(err.field_names(), ["header_information"]);
//! assert_eq!(err.message(Lang::En), "missing or invalid: Header information");
//! assert_eq!(err.message(Lang::Ja), "未入力または不正な項目があります: ヘッダー情報");
//! ```

use core::fmt;
use std::collections::BTreeMap;

use crate::Category;

/// A language for user-facing messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

/// What kind of value a field holds. Forms use it to pick an input; [`validate`] checks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldKind {
    /// One line of text, such as a name.
    Text,
    /// Free text over several lines: headers, logs, descriptions, source code.
    Multiline,
    /// Text that must contain at least one `http://` or `https://` URL; it may add where on the
    /// page to look ("the third photo").
    Url,
    /// A date and time, written as the reporter likes ("2026-11-28 10:15 JST").
    DateTime,
}

impl FieldKind {
    /// The name used in JSON: `text`, `multiline`, `url` or `datetime`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Multiline => "multiline",
            FieldKind::Url => "url",
            FieldKind::DateTime => "datetime",
        }
    }
}

/// One piece of information a report must carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// The key in a submitted report, in `snake_case`, such as `header_information`.
    pub name: &'static str,
    /// The form label in English.
    pub label_en: &'static str,
    /// The form label in Japanese.
    pub label_ja: &'static str,
    /// What kind of value it is.
    pub kind: FieldKind,
}

impl Field {
    /// The label in `lang`.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.label_en,
            Lang::Ja => self.label_ja,
        }
    }
}

const fn field(
    name: &'static str,
    kind: FieldKind,
    label_en: &'static str,
    label_ja: &'static str,
) -> Field {
    Field {
        name,
        label_en,
        label_ja,
        kind,
    }
}

use FieldKind::{DateTime, Multiline, Text, Url};

const HEADER_INFORMATION: Field = field(
    "header_information",
    Multiline,
    "Header information",
    "ヘッダー情報",
);
const BODY_TEXT: Field = field(
    "body_text",
    Multiline,
    "Body text of the spam received",
    "受信した迷惑メールの本文",
);
const DATE_TIME: Field = field(
    "date_time",
    DateTime,
    "Date and time of the access",
    "不正アクセスの日時",
);
const LOGS: Field = field(
    "logs",
    Multiline,
    "Log information showing the unauthorized access",
    "不正アクセスと判断したログ情報",
);
const URLS: Field = field("urls", Url, "All applicable URLs", "該当するすべてのURL");
const SOURCE_CODE: Field = field(
    "source_code",
    Multiline,
    "Source code that identifies the problem",
    "問題を特定できるソースコードなど",
);
const TAMPERING_DESCRIPTION: Field = field(
    "description",
    Multiline,
    "What was tampered with, in detail",
    "改ざんと判断した内容の詳細",
);
const PHISHING_DETAILS: Field = field(
    "details",
    Multiline,
    "Why it is phishing, in detail",
    "フィッシングと判断した詳細情報",
);
const COPYRIGHT_LOCATION: Field = field(
    "location",
    Url,
    "URL and exact location of the copyrighted work",
    "著作物を確認できるURLと具体的な場所",
);
const PROOF_OF_RIGHTS: Field = field(
    "proof_of_rights",
    Multiline,
    "Proof of authorship or copyright ownership",
    "著作者または著作権者であることの証明",
);
const COMMENTS: Field = field(
    "comments",
    Multiline,
    "Comments we may forward to the user for fact-checking",
    "事実確認のため投稿者へ転送してよいコメント",
);
const COPYRIGHT_CLAIMANT: Field = field(
    "claimant",
    Multiline,
    "Victim of the infringement / claimant information",
    "被害者・申立者の情報",
);
const POSTED_LOCATION: Field = field(
    "location",
    Url,
    "URL and specific location on the page",
    "掲載されているURLとページ上の具体的な場所",
);
const DEFAMATION_VICTIM: Field = field(
    "victim",
    Multiline,
    "Person who suffered the defamation or privacy infringement (name, etc.)",
    "名誉毀損・プライバシー侵害を受けた方の情報（氏名など）",
);
const CLAIMANT_CONTACT: Field = field(
    "claimant",
    Multiline,
    "Claimant information (name, contact details, etc.)",
    "申立者の情報（氏名、連絡先など）",
);
const IDENTITY_CLAIMANT: Field = field(
    "claimant",
    Multiline,
    "Identification / claimant information",
    "本人確認情報・申立者の情報",
);
const PORTRAIT_VICTIM: Field = field(
    "victim",
    Multiline,
    "Person whose portrait rights are infringed",
    "肖像権を侵害されている方の情報",
);
const CLAIMANT: Field = field(
    "claimant",
    Multiline,
    "Claimant information",
    "申立者の情報",
);
const TRADEMARK_PROOF: Field = field(
    "trademark_proof",
    Multiline,
    "Proof such as trademark registration numbers",
    "商標登録番号などの証明情報",
);
const IDENTIFYING_INFO: Field = field(
    "identifying_info",
    Text,
    "Other information needed to identify it (IP address, etc.)",
    "特定に必要なその他の情報（IPアドレスなど）",
);
const ILLEGAL_REASONS: Field = field(
    "reasons",
    Multiline,
    "Reasons and grounds for judging it illegal",
    "違法・不当と判断した理由・根拠",
);
const NUISANCE_REASONS: Field = field(
    "reasons",
    Multiline,
    "Reasons and grounds for judging it a nuisance",
    "迷惑行為と判断した理由・根拠",
);
const HARASSMENT_REASONS: Field = field(
    "reasons",
    Multiline,
    "What makes it harassment",
    "嫌がらせと判断した理由",
);
const OTHER_DESCRIPTION: Field = field(
    "description",
    Multiline,
    "Detailed explanation of the problem and the complaint",
    "問題の詳しい説明と苦情の内容",
);
const SERVICE_INVOLVEMENT: Field = field(
    "service_involvement",
    Multiline,
    "Information showing that our service is involved",
    "当サービスが関係していることを示す情報",
);
const DESIRED_RESPONSE: Field = field(
    "desired_response",
    Multiline,
    "The specific response you want",
    "希望する具体的な対応",
);

/// The category's name for people, in `lang`: what a report form and a warning show.
///
/// ```
/// use termgate::{report, Category};
///
/// assert_eq!(report::category_label(Category::Phishing, report::Lang::En), "Phishing site");
/// assert_eq!(report::category_label(Category::Phishing, report::Lang::Ja), "フィッシングサイト");
/// ```
pub fn category_label(category: Category, lang: Lang) -> &'static str {
    let (en, ja) = match category {
        Category::Spam => ("Spam", "迷惑メール・スパム"),
        Category::UnauthorizedAccess => ("Unauthorized access", "不正アクセス"),
        Category::Malware => (
            "Website infected with malware or viruses",
            "マルウェア・ウイルス感染サイト",
        ),
        Category::Tampering => ("Website tampering", "Webサイト改ざん"),
        Category::Phishing => ("Phishing site", "フィッシングサイト"),
        Category::Copyright => (
            "Use of copyrighted works without permission",
            "著作物の無断使用",
        ),
        Category::Defamation => ("Defamation", "名誉毀損"),
        Category::Privacy => ("Privacy infringement", "プライバシー侵害"),
        Category::PersonalInfo => ("Personal information", "個人情報の掲載"),
        Category::Portrait => ("Infringement of portrait rights", "肖像権侵害"),
        Category::Trademark => ("Trademark infringement", "商標権侵害"),
        Category::Illegal => ("Illegal activity", "違法行為"),
        Category::Nuisance => ("Nuisance", "迷惑行為"),
        Category::Harassment => ("Harassment", "嫌がらせ"),
        Category::Other => ("Other", "その他"),
    };
    match lang {
        Lang::En => en,
        Lang::Ja => ja,
    }
}

/// The information a report in `category` must carry, in form order.
///
/// Every category asks for at least one field. `Defamation` and `Privacy` ask for the same fields
/// (the guidelines treat them as one request). `Harassment` is termgate's own category; it asks for
/// what the nuisance category asks, minus the identifying information.
pub fn required_fields(category: Category) -> &'static [Field] {
    match category {
        Category::Spam => &[HEADER_INFORMATION, BODY_TEXT],
        Category::UnauthorizedAccess => &[DATE_TIME, LOGS],
        Category::Malware => &[URLS, SOURCE_CODE],
        Category::Tampering => &[URLS, TAMPERING_DESCRIPTION],
        Category::Phishing => &[URLS, PHISHING_DETAILS],
        Category::Copyright => &[
            COPYRIGHT_LOCATION,
            PROOF_OF_RIGHTS,
            COMMENTS,
            COPYRIGHT_CLAIMANT,
        ],
        Category::Defamation | Category::Privacy => &[
            POSTED_LOCATION,
            DEFAMATION_VICTIM,
            COMMENTS,
            CLAIMANT_CONTACT,
        ],
        Category::PersonalInfo => &[POSTED_LOCATION, COMMENTS, IDENTITY_CLAIMANT],
        Category::Portrait => &[POSTED_LOCATION, PORTRAIT_VICTIM, COMMENTS, CLAIMANT],
        Category::Trademark => &[POSTED_LOCATION, TRADEMARK_PROOF, COMMENTS, CLAIMANT],
        Category::Illegal => &[
            POSTED_LOCATION,
            IDENTIFYING_INFO,
            ILLEGAL_REASONS,
            COMMENTS,
            CLAIMANT,
        ],
        Category::Nuisance => &[
            POSTED_LOCATION,
            IDENTIFYING_INFO,
            NUISANCE_REASONS,
            COMMENTS,
            CLAIMANT,
        ],
        Category::Harassment => &[POSTED_LOCATION, HARASSMENT_REASONS, COMMENTS, CLAIMANT],
        Category::Other => &[
            OTHER_DESCRIPTION,
            SERVICE_INVOLVEMENT,
            DESIRED_RESPONSE,
            COMMENTS,
            CLAIMANT,
        ],
    }
}

/// The longest value a field may hold, in bytes. Logs and headers are long; 64 KiB is plenty.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// Why one field was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Absent, empty or only whitespace.
    Missing,
    /// A [`FieldKind::Url`] field without any `http://` or `https://` URL in it.
    NoUrl,
    /// Longer than [`MAX_VALUE_BYTES`].
    TooLong,
}

impl Problem {
    /// The name used in JSON: `missing`, `no_url` or `too_long`.
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Missing => "missing",
            Problem::NoUrl => "no_url",
            Problem::TooLong => "too_long",
        }
    }

    /// A short explanation in `lang`.
    pub fn describe(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Problem::Missing, Lang::En) => "required",
            (Problem::Missing, Lang::Ja) => "必須項目です",
            (Problem::NoUrl, Lang::En) => "must contain an http:// or https:// URL",
            (Problem::NoUrl, Lang::Ja) => "http:// または https:// で始まるURLを含めてください",
            (Problem::TooLong, Lang::En) => "longer than 64 KiB",
            (Problem::TooLong, Lang::Ja) => "64 KiB を超えています",
        }
    }
}

/// A report that lacks information its category requires: every offending field, in form order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingFields {
    category: Category,
    problems: Vec<(&'static Field, Problem)>,
}

impl MissingFields {
    /// The category the report was checked against.
    pub fn category(&self) -> Category {
        self.category
    }

    /// Every field that was not accepted and why, in form order. Never empty.
    pub fn problems(&self) -> &[(&'static Field, Problem)] {
        &self.problems
    }

    /// The names of the fields that were not accepted, in form order.
    pub fn field_names(&self) -> Vec<&'static str> {
        self.problems.iter().map(|(f, _)| f.name).collect()
    }

    /// One sentence naming every field, by its label, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let (prefix, sep) = match lang {
            Lang::En => ("missing or invalid: ", ", "),
            Lang::Ja => ("未入力または不正な項目があります: ", "、"),
        };
        let labels: Vec<&str> = self.problems.iter().map(|(f, _)| f.label(lang)).collect();
        format!("{prefix}{}", labels.join(sep))
    }
}

impl fmt::Display for MissingFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} report {}",
            self.category.as_str(),
            self.message(Lang::En)
        )
    }
}

impl std::error::Error for MissingFields {}

/// Checks that `values` carries everything a `category` report requires.
///
/// A field is accepted when its value has something besides whitespace, is at most
/// [`MAX_VALUE_BYTES`] long and, for [`FieldKind::Url`] fields, contains an `http://` or `https://`
/// URL. Keys that the category does not ask for are ignored (a form may send more).
pub fn validate(
    category: Category,
    values: &BTreeMap<String, String>,
) -> Result<(), MissingFields> {
    let problems: Vec<(&'static Field, Problem)> = required_fields(category)
        .iter()
        .filter_map(|f| check(f, values.get(f.name).map(String::as_str)).map(|p| (f, p)))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(MissingFields { category, problems })
    }
}

fn check(field: &Field, value: Option<&str>) -> Option<Problem> {
    let value = value.map(str::trim).unwrap_or("");
    if value.is_empty() {
        return Some(Problem::Missing);
    }
    if value.len() > MAX_VALUE_BYTES {
        return Some(Problem::TooLong);
    }
    if field.kind == FieldKind::Url && !contains_url(value) {
        return Some(Problem::NoUrl);
    }
    None
}

fn contains_url(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["http://", "https://"].iter().any(|scheme| {
        lower.match_indices(scheme).any(|(i, _)| {
            lower[i + scheme.len()..]
                .chars()
                .next()
                .is_some_and(|c| !c.is_whitespace())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The information each category asks for, as the seed guidelines list it.
    const TABLE: &[(Category, &[&str])] = &[
        (Category::Spam, &["header_information", "body_text"]),
        (Category::UnauthorizedAccess, &["date_time", "logs"]),
        (Category::Malware, &["urls", "source_code"]),
        (Category::Tampering, &["urls", "description"]),
        (Category::Phishing, &["urls", "details"]),
        (
            Category::Copyright,
            &["location", "proof_of_rights", "comments", "claimant"],
        ),
        (
            Category::Defamation,
            &["location", "victim", "comments", "claimant"],
        ),
        (
            Category::Privacy,
            &["location", "victim", "comments", "claimant"],
        ),
        (
            Category::PersonalInfo,
            &["location", "comments", "claimant"],
        ),
        (
            Category::Portrait,
            &["location", "victim", "comments", "claimant"],
        ),
        (
            Category::Trademark,
            &["location", "trademark_proof", "comments", "claimant"],
        ),
        (
            Category::Illegal,
            &[
                "location",
                "identifying_info",
                "reasons",
                "comments",
                "claimant",
            ],
        ),
        (
            Category::Nuisance,
            &[
                "location",
                "identifying_info",
                "reasons",
                "comments",
                "claimant",
            ],
        ),
        (
            Category::Harassment,
            &["location", "reasons", "comments", "claimant"],
        ),
        (
            Category::Other,
            &[
                "description",
                "service_involvement",
                "desired_response",
                "comments",
                "claimant",
            ],
        ),
    ];

    #[test]
    fn every_category_has_its_fields() {
        for &(category, names) in TABLE {
            let got: Vec<&str> = required_fields(category).iter().map(|f| f.name).collect();
            assert_eq!(got, names, "{category:?}");
        }
        assert_eq!(TABLE.len(), Category::ALL.len());
    }

    #[test]
    fn labels_are_filled_and_names_unique() {
        for category in Category::ALL {
            let fields = required_fields(category);
            assert!(!fields.is_empty());
            for (i, f) in fields.iter().enumerate() {
                assert!(
                    !f.label_en.is_empty() && !f.label_ja.is_empty(),
                    "{}",
                    f.name
                );
                assert!(!f.label_ja.is_ascii(), "{}", f.name);
                assert!(
                    fields[..i].iter().all(|g| g.name != f.name),
                    "{category:?} repeats {}",
                    f.name
                );
            }
        }
    }

    #[test]
    fn empty_report_names_every_field() {
        for category in Category::ALL {
            let err = validate(category, &BTreeMap::new()).unwrap_err();
            let want: Vec<&str> = required_fields(category).iter().map(|f| f.name).collect();
            assert_eq!(err.field_names(), want);
            assert!(err.problems().iter().all(|&(_, p)| p == Problem::Missing));
            assert_eq!(err.category(), category);
        }
    }

    #[test]
    fn complete_reports_pass() {
        for category in Category::ALL {
            let filled: BTreeMap<String, String> = required_fields(category)
                .iter()
                .map(|f| {
                    (
                        f.name.to_string(),
                        format!("see https://example.com/{}", f.name),
                    )
                })
                .collect();
            assert_eq!(validate(category, &filled), Ok(()), "{category:?}");
        }
    }

    #[test]
    fn blank_values_are_missing() {
        let v = values(&[("header_information", " \n\t "), ("body_text", "buy now")]);
        let err = validate(Category::Spam, &v).unwrap_err();
        assert_eq!(err.problems(), &[(&HEADER_INFORMATION, Problem::Missing)]);
    }

    #[test]
    fn url_fields_need_a_url() {
        let v = values(&[
            ("urls", "the site of example"),
            ("details", "fake bank login"),
        ]);
        let err = validate(Category::Phishing, &v).unwrap_err();
        assert_eq!(err.problems(), &[(&URLS, Problem::NoUrl)]);
        let v = values(&[("urls", "https:// "), ("details", "x")]);
        assert!(validate(Category::Phishing, &v).is_err());
        let v = values(&[("urls", "HTTPS://bank.example.net/login"), ("details", "x")]);
        assert_eq!(validate(Category::Phishing, &v), Ok(()));
        let v = values(&[("urls", "二枚目の写真 http://例え.jp/a"), ("details", "x")]);
        assert_eq!(validate(Category::Phishing, &v), Ok(()));
    }

    #[test]
    fn too_long_values_are_refused() {
        let long = "a".repeat(MAX_VALUE_BYTES + 1);
        let v = values(&[("date_time", "2026-11-28 10:00 JST"), ("logs", &long)]);
        let err = validate(Category::UnauthorizedAccess, &v).unwrap_err();
        assert_eq!(err.problems(), &[(&LOGS, Problem::TooLong)]);
    }

    #[test]
    fn extra_keys_are_ignored() {
        let v = values(&[
            ("date_time", "yesterday 23:10"),
            ("logs", "sshd: Failed password for root"),
            ("mood", "angry"),
        ]);
        assert_eq!(validate(Category::UnauthorizedAccess, &v), Ok(()));
    }

    #[test]
    fn messages_in_both_languages() {
        let v = values(&[("comments", "please check")]);
        let err = validate(Category::Copyright, &v).unwrap_err();
        assert_eq!(
            err.message(Lang::En),
            "missing or invalid: URL and exact location of the copyrighted work, \
             Proof of authorship or copyright ownership, \
             Victim of the infringement / claimant information"
        );
        assert_eq!(
            err.message(Lang::Ja),
            "未入力または不正な項目があります: 著作物を確認できるURLと具体的な場所、\
             著作者または著作権者であることの証明、被害者・申立者の情報"
        );
        assert!(err
            .to_string()
            .starts_with("copyright report missing or invalid: "));
        assert_eq!(Problem::NoUrl.as_str(), "no_url");
        assert!(!Problem::Missing.describe(Lang::Ja).is_ascii());
    }
}
