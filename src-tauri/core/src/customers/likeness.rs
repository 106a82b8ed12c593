//! The one normalisation for telling that two records are the same customer
//! or person written differently: 株式会社テスト, テスト（株）, ㈱テスト and
//! ﾃｽﾄ株式会社 are one company; 03-1234-5678 and +81 3 1234 5678 one phone;
//! カブシキガイシャ ヤマダショウジ and やまだしょうじ one reading; a mail at
//! gmail.com says nothing about the company. Lead matching, the duplicates
//! tool and the import compare through these keys only, so a pair one of them
//! finds the others find too (docs/duplicates.md).

use crate::text::fold;

/// Legal forms written before or after the name (after [`fold`]: the
/// full-width parentheses are ASCII by then).
const LEGAL_FORMS: [&str; 16] = [
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "一般社団法人",
    "(株)",
    "(有)",
    "(同)",
    "(合)",
    "(資)",
    "(名)",
    "㈱",
    "㈲",
    "㈾",
    "㈴",
];
/// English forms, as a last word ("Acme Co., Ltd.").
const ENGLISH_FORMS: [&str; 11] = [
    "inc",
    "ltd",
    "co",
    "corp",
    "corporation",
    "llc",
    "kk",
    "k.k",
    "limited",
    "company",
    "g.k",
];
/// Legal forms as they are read, in a reading (after [`fold`]: hiragana).
/// Longest first, so 株式会社 is not left as がいしゃ.
const LEGAL_FORM_READINGS: [&str; 8] = [
    "かぶしきがいしゃ",
    "かぶしきかいしゃ",
    "ゆうげんがいしゃ",
    "ゆうげんかいしゃ",
    "ごうどうがいしゃ",
    "ごうどうかいしゃ",
    "ごうしがいしゃ",
    "ごうめいがいしゃ",
];
/// Mail domains anyone can have: they say nothing about the company.
const FREE_MAIL: [&str; 28] = [
    "gmail.com",
    "googlemail.com",
    "yahoo.co.jp",
    "yahoo.com",
    "ymail.ne.jp",
    "outlook.jp",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.jp",
    "live.jp",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "docomo.ne.jp",
    "ezweb.ne.jp",
    "au.com",
    "softbank.ne.jp",
    "i.softbank.jp",
    "nifty.com",
    "biglobe.ne.jp",
    "so-net.ne.jp",
    "ocn.ne.jp",
    "aol.com",
    "protonmail.com",
    "proton.me",
    "zoho.com",
];
/// Fewer digits than this is an extension, not a phone to match on.
const PHONE_MIN_DIGITS: usize = 6;

/// A company name for comparing: folded (widths, kana, case), without its
/// legal form, spaces and punctuation. "" when nothing is left.
pub fn company_key(name: &str) -> String {
    let mut s = fold(name);
    for form in LEGAL_FORMS {
        s = s.replace(form, " ");
    }
    // "Co.,Ltd." is often typed without a space: two forms, not one word.
    for joined in ["co.,ltd", "co.ltd", "co,ltd"] {
        s = s.replace(joined, " co ltd");
    }
    let mut words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| ENGLISH_FORMS.contains(&w.trim_end_matches('.')))
    {
        words.pop();
    }
    strip_punctuation(&words.concat())
}

/// A reading (読み) for comparing: hiragana, katakana and half-width kana
/// alike, without long vowel marks, spaces, punctuation or the reading of a
/// legal form (カブシキガイシャ). "" when nothing is left.
pub fn reading_key(reading: &str) -> String {
    let mut s: String = fold(reading)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, 'ー' | '-' | '‐' | '―' | '～' | '~'))
        .collect();
    for form in LEGAL_FORM_READINGS {
        s = s.replace(form, "");
    }
    strip_punctuation(&s)
}

/// A person's name for comparing: folded, without spaces (山田 太郎 =
/// 山田太郎 = ヤマダ タロウ's own key only when written the same way).
pub fn person_key(name: &str) -> String {
    strip_punctuation(&fold(name).chars().filter(|c| !c.is_whitespace()).collect::<String>())
}

fn strip_punctuation(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !matches!(
                c,
                '・' | '.' | '-' | '\'' | '"' | '&' | '(' | ')' | '、' | '。' | '･' | ','
            )
        })
        .collect()
}

/// A phone's digits, +81 (or 0081) read as the leading 0; "" when too short.
pub fn phone_key(phone: &str) -> String {
    let folded = fold(phone);
    let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
    let international = folded.starts_with('+') || digits.starts_with("0081");
    let digits = match digits.strip_prefix("0081").or(digits.strip_prefix("81")) {
        Some(rest) if international => format!("0{}", rest.trim_start_matches('0')),
        _ => digits,
    };
    if digits.len() < PHONE_MIN_DIGITS {
        String::new()
    } else {
        digits
    }
}

/// A mail address for comparing (folded, lower case).
pub fn mail_key(mail: &str) -> String {
    fold(mail)
}

/// The company's own mail domain, or "" for free mail and no address.
pub fn company_domain(mail: &str) -> String {
    let m = mail_key(mail);
    match m.rsplit_once('@') {
        Some((_, d)) if !d.is_empty() && !FREE_MAIL.contains(&d) => d.to_string(),
        _ => String::new(),
    }
}

/// A website's domain as a mail domain would say it (`https://www.x.co.jp/a`
/// → `x.co.jp`), or "" when there is none or it is a free-mail host.
pub fn website_domain(url: &str) -> String {
    let u = fold(url);
    let rest = u.split_once("://").map_or(u.as_str(), |(_, r)| r);
    let host = rest.split(['/', '?', '#', ':']).next().unwrap_or("");
    let host = host.strip_prefix("www.").unwrap_or(host);
    if !host.contains('.') || FREE_MAIL.contains(&host) {
        String::new()
    } else {
        host.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_forms_before_or_after_widths_and_case_are_one_company() {
        let k = company_key("株式会社テスト");
        assert_eq!(k, company_key("テスト株式会社"));
        assert_eq!(k, company_key("テスト（株）"));
        assert_eq!(k, company_key("(株)テスト"));
        assert_eq!(k, company_key("㈱テスト"));
        assert_eq!(k, company_key("ﾃｽﾄ 株式会社"));
        assert_eq!(k, company_key(" テ スト "));
        assert_ne!(k, company_key("テスト工業"));
        assert_eq!(company_key("ACME Co., Ltd."), company_key("ａｃｍｅ"));
        assert_eq!(company_key("Acme Inc."), "acme");
        assert_eq!(company_key("株式会社"), "");
    }

    #[test]
    fn one_company_however_its_name_and_form_are_typed() {
        let yamada = company_key("株式会社 山田商事");
        assert_eq!(yamada, "山田商事");
        for same in [
            "(株)山田商事",
            "（株）山田商事",
            "㈱山田商事",
            "山田商事株式会社",
            "山田商事 ㈱",
            "山田　商事",
        ] {
            assert_eq!(company_key(same), yamada, "{same}");
        }
        assert_eq!(company_key("有限会社 田中工務店"), company_key("田中工務店（有）"));
        assert_eq!(company_key("㈲田中工務店"), company_key("田中工務店"));
        assert_eq!(company_key("合同会社みらい"), company_key("みらい(同)"));
        assert_eq!(company_key("ＹＡＭＡＤＡ"), company_key("yamada"));
        assert_eq!(company_key("Yamada Co.,Ltd."), "yamada");
        assert_eq!(company_key("YAMADA K.K."), "yamada");
        assert_eq!(company_key("Yamada KK"), "yamada");
        assert_eq!(company_key("Yamada Corporation"), "yamada");
        // A different business is a different key.
        assert_ne!(company_key("山田商事"), company_key("山田商店"));
    }

    #[test]
    fn readings_compare_across_kana_widths_long_marks_and_legal_forms() {
        let k = reading_key("やまだしょうじ");
        assert_eq!(k, reading_key("ヤマダショウジ"));
        assert_eq!(k, reading_key("ﾔﾏﾀﾞｼｮｳｼﾞ"));
        assert_eq!(k, reading_key("ヤマダ ショウジ"));
        assert_eq!(k, reading_key("カブシキガイシャ ヤマダショウジ"));
        assert_eq!(k, reading_key("やまだしょうじ かぶしきかいしゃ"));
        assert_eq!(reading_key("コーヒー"), reading_key("こひ"));
        assert_ne!(k, reading_key("やまだしょうてん"));
        assert_eq!(reading_key(""), "");
        assert_eq!(reading_key("カブシキガイシャ"), "");
    }

    #[test]
    fn phones_compare_by_digits_with_81_read_as_0() {
        assert_eq!(phone_key("03-1234-5678"), "0312345678");
        assert_eq!(phone_key("+81 3 1234 5678"), "0312345678");
        assert_eq!(phone_key("+81-3-1234-5678"), "0312345678");
        assert_eq!(phone_key("03(1234)5678"), "0312345678");
        assert_eq!(phone_key("+81-(0)3-1234-5678"), "0312345678");
        assert_eq!(phone_key("０３－１２３４－５６７８"), "0312345678");
        assert_eq!(phone_key("内線 12"), "");
    }

    #[test]
    fn free_mail_domains_say_nothing_about_the_company() {
        assert_eq!(company_domain("Yamada@Example.CO.JP"), "example.co.jp");
        for free in [
            "a@gmail.com",
            "b@yahoo.co.jp",
            "c@outlook.jp",
            "d@icloud.com",
            "e@docomo.ne.jp",
        ] {
            assert_eq!(company_domain(free), "", "{free}");
        }
        assert_eq!(company_domain(""), "");
        assert_eq!(mail_key("Ｔａｒｏ@Example.jp"), "taro@example.jp");
    }

    #[test]
    fn a_website_says_the_domain_its_mail_comes_from() {
        assert_eq!(website_domain("https://www.yamada.co.jp/about"), "yamada.co.jp");
        assert_eq!(website_domain("yamada.co.jp"), "yamada.co.jp");
        assert_eq!(website_domain("http://Yamada.CO.JP:8080"), "yamada.co.jp");
        assert_eq!(website_domain(""), "");
        assert_eq!(website_domain("gmail.com"), "");
    }

    #[test]
    fn people_compare_without_spaces_widths_or_kana_forms() {
        assert_eq!(person_key("山田 太郎"), person_key("山田太郎"));
        assert_eq!(person_key("ヤマダ　タロウ"), person_key("やまだたろう"));
        assert_ne!(person_key("山田太郎"), person_key("山田花子"));
    }
}
