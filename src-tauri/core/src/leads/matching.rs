//! The same company, person or phone written differently: 株式会社テスト,
//! テスト（株）, ㈱テスト and ﾃｽﾄ株式会社 are one company; 03-1234-5678 and
//! +81 3 1234 5678 one phone; a mail at gmail.com says nothing about the
//! company. Qualify offers what matches (never a silent duplicate) and
//! resurfacing compares a new inquiry with the nurtured leads by these keys.

use crate::error::Result;
use crate::text::fold;
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

/// Legal forms written before or after the name (after [`fold`]: the
/// full-width parentheses are ASCII by then).
const LEGAL_FORMS: [&str; 12] = [
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "(株)",
    "(有)",
    "(同)",
    "㈱",
    "㈲",
    "(資)",
    "(名)",
];
/// English forms, as a last word ("Acme Co., Ltd.").
const ENGLISH_FORMS: [&str; 10] = [
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
    words
        .concat()
        .chars()
        .filter(|c| !matches!(c, '・' | '.' | '-' | '\'' | '"' | '&' | '(' | ')' | '、' | '。' | '･'))
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

/// Why a customer or contact is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MatchReason {
    Name,
    Phone,
    MailDomain,
    Mail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CompanyMatch {
    pub id: String,
    pub name: String,
    pub reasons: Vec<MatchReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ContactMatch {
    pub id: String,
    pub name: String,
    pub email: String,
    pub company_id: String,
    pub company_name: String,
    pub reasons: Vec<MatchReason>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Matches {
    pub companies: Vec<CompanyMatch>,
    pub contacts: Vec<ContactMatch>,
}

/// What a lead is said as, for comparing.
pub struct Said<'a> {
    pub company_name: &'a str,
    pub phone: &'a str,
    pub mail: &'a str,
}

/// The customers and contacts a lead may already be. Names are compared
/// after normalising, which SQL cannot do, so the live companies and
/// contacts are read once (a team's few thousand; docs/leads.md).
pub fn find(conn: &Connection, said: &Said) -> Result<Matches> {
    let (name, phone, mail, domain) = (
        company_key(said.company_name),
        phone_key(said.phone),
        mail_key(said.mail),
        company_domain(said.mail),
    );
    let mut out = Matches::default();
    let mut companies: Vec<CompanyMatch> = Vec::new();
    let mut add_company = |id: &str, name: &str, why: MatchReason| match companies.iter_mut().find(|c| c.id == id) {
        Some(c) => {
            if !c.reasons.contains(&why) {
                c.reasons.push(why);
            }
        }
        None => companies.push(CompanyMatch {
            id: id.to_string(),
            name: name.to_string(),
            reasons: vec![why],
        }),
    };
    let mut st = conn.prepare_cached("SELECT id, name, phone FROM companies WHERE deleted_at IS NULL")?;
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })?;
    for row in rows {
        let (id, n, p) = row?;
        if !name.is_empty() && company_key(&n) == name {
            add_company(&id, &n, MatchReason::Name);
        }
        if !phone.is_empty() && phone_key(&p) == phone {
            add_company(&id, &n, MatchReason::Phone);
        }
    }
    let mut st = conn.prepare_cached(
        "SELECT ct.id, ct.name, ct.email, ct.phone, ct.company_id, co.name
           FROM contacts ct JOIN companies co ON co.id = ct.company_id AND co.deleted_at IS NULL
          WHERE ct.deleted_at IS NULL",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    for row in rows {
        let (id, n, email, p, company_id, company_name) = row?;
        let mut reasons = Vec::new();
        if !mail.is_empty() && mail_key(&email) == mail {
            reasons.push(MatchReason::Mail);
        }
        if !phone.is_empty() && phone_key(&p) == phone {
            reasons.push(MatchReason::Phone);
        }
        if !domain.is_empty() && company_domain(&email) == domain {
            add_company(&company_id, &company_name, MatchReason::MailDomain);
        }
        if !reasons.is_empty() {
            add_company(&company_id, &company_name, reasons[0]);
            out.contacts.push(ContactMatch {
                id,
                name: n,
                email,
                company_id,
                company_name,
                reasons,
            });
        }
    }
    for c in &mut companies {
        c.reasons.sort();
    }
    out.companies = companies;
    Ok(out)
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
    fn phones_compare_by_digits_with_81_read_as_0() {
        assert_eq!(phone_key("03-1234-5678"), "0312345678");
        assert_eq!(phone_key("+81 3 1234 5678"), "0312345678");
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
    }
}
