//! Choosing Japanese or English for messages, by `Accept-Language`.

pub use termgate::report::Lang;

/// The preferred of Japanese and English in an `Accept-Language` value: the one with the higher
/// quality, the first listed on a tie, English when neither is listed.
pub fn lang_from_accept_language(header: Option<&str>) -> Lang {
    let mut best: Option<(Lang, f32)> = None;
    for item in header.unwrap_or("").split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary {
            "ja" => Lang::Ja,
            "en" => Lang::En,
            _ => continue,
        };
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(_, bq)| q > bq) {
            best = Some((lang, q));
        }
    }
    best.map_or(Lang::En, |(l, _)| l)
}

/// A message in both languages.
pub struct Text {
    /// English.
    pub en: &'static str,
    /// Japanese.
    pub ja: &'static str,
}

impl Text {
    /// The message in `lang`.
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ja => self.ja,
        }
    }
}

/// `403` on a blocked post.
pub const POST_BLOCKED: Text = Text {
    en: "This post was not published because it contains terms that are not allowed here.",
    ja: "この投稿には許可されていない語句が含まれているため、公開されませんでした。",
};
/// `413`.
pub const TOO_LARGE: Text = Text {
    en: "The request body is too large.",
    ja: "リクエストの本文が大きすぎます。",
};
/// `400` on unreadable bodies.
pub const MALFORMED: Text = Text {
    en: "The request body could not be read.",
    ja: "リクエストの本文を読み取れませんでした。",
};
/// `400` on too deeply nested JSON.
pub const TOO_DEEP: Text = Text {
    en: "The JSON body is nested too deeply.",
    ja: "JSON の入れ子が深すぎます。",
};
/// `415`.
pub const UNSUPPORTED_TYPE: Text = Text {
    en: "This content type cannot be posted here.",
    ja: "この形式の本文はここには投稿できません。",
};
/// `503` with `FAIL_MODE=closed`.
pub const UNAVAILABLE: Text = Text {
    en: "Posting is temporarily unavailable. Please try again later.",
    ja: "現在投稿できません。しばらくしてからもう一度お試しください。",
};
/// `500 internal`: a runtime error (KV, a body stream); the details are in the log only.
pub const INTERNAL: Text = Text {
    en: "The request could not be handled. Please try again later.",
    ja: "リクエストを処理できませんでした。しばらくしてからもう一度お試しください。",
};
/// `500 bad_configuration`: a setting that does not parse (named in `detail`, for the operator).
pub const BAD_CONFIGURATION: Text = Text {
    en: "This service is misconfigured. Please try again later.",
    ja: "サービスの設定に誤りがあります。しばらくしてからもう一度お試しください。",
};
/// `401`.
pub const UNAUTHORIZED: Text = Text {
    en: "Sign-in is required.",
    ja: "ログインが必要です。",
};
/// `400` on a report with an unknown category.
pub const UNKNOWN_CATEGORY: Text = Text {
    en: "Unknown report category.",
    ja: "不明な報告カテゴリーです。",
};
/// `413` on a user report body over `reports::MAX_USER_REPORT_BYTES`.
pub const REPORT_BODY_TOO_LARGE: Text = Text {
    en: "This report is too large to send: a report may take at most 256 KiB (262,144 bytes). Please shorten it and send it again.",
    ja: "報告が大きすぎるため送信できません。報告は 256 KiB（262,144 バイト）までです。短くして、もう一度送信してください。",
};
/// `413` on a user report too large for one queue message.
pub const REPORT_TOO_LARGE: Text = Text {
    en: "This report is too large to send: all its fields together may take at most 120,000 bytes. Please shorten the longest ones and send it again.",
    ja: "報告が大きすぎるため送信できません。すべての項目を合わせて 120,000 バイトまでです。長い項目を短くして、もう一度送信してください。",
};
/// `503` on a user report that neither the queue nor the origin took.
pub const REPORTS_UNAVAILABLE: Text = Text {
    en: "Your report could not be received right now. Please send it again in a little while.",
    ja: "現在、報告を受け付けられません。しばらくしてからもう一度送信してください。",
};
/// `202` on an accepted user report.
pub const REPORT_ACCEPTED: Text = Text {
    en: "Thank you. Your report has been received.",
    ja: "ご報告ありがとうございます。受け付けました。",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_by_quality() {
        for (header, want) in [
            (None, Lang::En),
            (Some(""), Lang::En),
            (Some("ja"), Lang::Ja),
            (Some("ja-JP,ja;q=0.9,en-US;q=0.8"), Lang::Ja),
            (Some("en-US,en;q=0.9,ja;q=0.8"), Lang::En),
            (Some("fr, ja;q=0.5, en;q=0.4"), Lang::Ja),
            (Some("fr"), Lang::En),
            (Some("ja;q=0, en;q=0.1"), Lang::En),
            (Some("en;q=0.5, JA;q=0.7"), Lang::Ja),
            (Some("de;q=1.0, ja;q=garbage"), Lang::Ja),
        ] {
            assert_eq!(lang_from_accept_language(header), want, "{header:?}");
        }
    }
}
