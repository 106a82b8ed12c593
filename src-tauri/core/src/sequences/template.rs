//! Templates: a mail's subject and body with placeholders in double braces,
//! each with a Japanese and an English name, so a team writes
//! `{{ご担当者名}}` or `{{contact}}` as it likes:
//!
//! | Japanese | English | becomes |
//! |---|---|---|
//! | 会社名 | company | the customer's name |
//! | ご担当者名 | contact | ja: 「山田 太郎 様」, or 「株式会社○○ 御中」 without a person; en: the name, or "Sir or Madam" |
//! | 前回商談日 | last_meeting_date | the last meeting's day (in the sequence's language) |
//! | 前回議事録 | last_meeting_minutes | that meeting's minutes |
//! | 担当者名 | rep | the owner's name |
//! | 署名 | signature | the owner's signature (their member setting; their name without one) |
//!
//! A placeholder Kizuna does not know is an error when the sequence is
//! saved, never sent as braces to a customer.

use crate::clock::from_db;
use crate::error::Result;
use crate::language::Language;
use crate::store::sql::{self, Sql};
use crate::timeline::mail::MailDraft;
use chrono::{Datelike, FixedOffset};
use serde::Serialize;
use ts_rs::TS;

/// (Japanese name, English name) of each placeholder.
pub const PLACEHOLDERS: [(&str, &str); 6] = [
    ("会社名", "company"),
    ("ご担当者名", "contact"),
    ("前回商談日", "last_meeting_date"),
    ("前回議事録", "last_meeting_minutes"),
    ("担当者名", "rep"),
    ("署名", "signature"),
];

/// What the placeholders are filled with, read from the records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub company: String,
    /// The person written to; `None`: the company as a whole.
    pub contact: Option<String>,
    pub contact_email: Option<String>,
    /// The last meeting's time (stored form) and minutes.
    pub last_meeting_at: Option<String>,
    pub last_meeting_minutes: String,
    pub rep: String,
    pub signature: String,
}

/// A rendered mail, exactly as it would go out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RenderedMail {
    pub to_name: String,
    /// `None`: the target has no usable address (an automatic step waits).
    pub to_address: Option<String>,
    pub subject: String,
    pub body: String,
    /// The draft as a `mailto:` link (a manual step opens it in the mail
    /// program); `None` without a usable address.
    pub mailto: Option<String>,
}

/// The `{{…}}` names in `text` that are no placeholder, in order, once each.
pub fn unknown_placeholders(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names(text) {
        let known = PLACEHOLDERS.iter().any(|(ja, en)| *ja == name || *en == name);
        if !known && !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// The trimmed names between `{{` and `}}`.
fn names(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    out
}

fn day(at: &str, offset: FixedOffset, lang: Language) -> String {
    let Some(t) = from_db(at).map(|t| t.with_timezone(&offset)) else {
        return String::new();
    };
    match lang {
        Language::Ja => format!("{}年{}月{}日", t.year(), t.month(), t.day()),
        Language::En => t.format("%-d %B %Y").to_string(),
    }
}

fn value(name: &str, f: &Facts, lang: Language, offset: FixedOffset) -> Option<String> {
    let (ja, _) = PLACEHOLDERS.iter().find(|(ja, en)| *ja == name || *en == name)?;
    Some(match *ja {
        "会社名" => f.company.clone(),
        "ご担当者名" => match (&f.contact, lang) {
            (Some(c), Language::Ja) => format!("{} 様", c.trim()),
            (None, Language::Ja) => format!("{} 御中", f.company.trim()),
            (Some(c), Language::En) => c.trim().to_string(),
            (None, Language::En) => "Sir or Madam".to_string(),
        },
        "前回商談日" => f
            .last_meeting_at
            .as_deref()
            .map(|at| day(at, offset, lang))
            .unwrap_or_default(),
        "前回議事録" => f.last_meeting_minutes.trim_end().to_string(),
        "担当者名" => f.rep.clone(),
        _ => {
            if f.signature.trim().is_empty() {
                f.rep.clone()
            } else {
                f.signature.trim_end().to_string()
            }
        }
    })
}

/// `text` with every known placeholder filled; an unknown one stays as
/// written (saving refuses it, so only an old row can hold one).
pub fn render(text: &str, f: &Facts, lang: Language, offset: FixedOffset) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        match value(after[..end].trim(), f, lang, offset) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Subject and body for a target.
pub fn mail(subject: &str, body: &str, f: &Facts, lang: Language, offset: FixedOffset) -> RenderedMail {
    let draft = MailDraft {
        // A subject is one line, whatever a placeholder held.
        subject: render(subject, f, lang, offset).replace(['\r', '\n'], " "),
        body: render(body, f, lang, offset),
    };
    RenderedMail {
        to_name: f.contact.clone().unwrap_or_else(|| f.company.clone()),
        to_address: f.contact_email.clone(),
        mailto: f
            .contact_email
            .as_ref()
            .map(|a| crate::timeline::mail::mailto_url(std::slice::from_ref(a), &draft)),
        subject: draft.subject,
        body: draft.body,
    }
}

/// The facts for an enrolled target. A lead that is not a customer yet is
/// written to as it reached us: the person and company it gave, its mail.
pub fn facts_for<'c>(
    conn: impl Into<Sql<'c>>,
    target: &crate::sequences::enrolment::Target,
    company_id: Option<&str>,
    contact_id: Option<&str>,
    owner_id: &str,
) -> Result<Facts> {
    let conn = conn.into();
    let mut f = facts(conn, company_id, contact_id, owner_id)?;
    if target.kind == crate::sequences::enrolment::TargetKind::Lead && contact_id.is_none() {
        let lead: Option<(String, String, String)> = conn.query_opt(
            "SELECT company_name, person_name, mail FROM leads WHERE id = ?1",
            sql::params![&target.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        if let Some((company, person, mail)) = lead {
            if company_id.is_none() {
                f.company = company;
            }
            f.contact = Some(person).filter(|p| !p.trim().is_empty());
            f.contact_email = crate::email::is_valid(&mail).then(|| mail.trim().to_string());
        }
    }
    Ok(f)
}

/// The facts for a company, the contact written to, and the owner.
pub fn facts<'c>(
    conn: impl Into<Sql<'c>>,
    company_id: Option<&str>,
    contact_id: Option<&str>,
    owner_id: &str,
) -> Result<Facts> {
    let conn = conn.into();
    let company: String = match company_id {
        Some(id) => conn
            .query_opt("SELECT name FROM companies WHERE id = ?1", sql::params![id], |r| {
                r.get(0)
            })?
            .unwrap_or_default(),
        None => String::new(),
    };
    let (contact, contact_email) = match contact_id {
        Some(id) => conn
            .query_opt(
                "SELECT name, email FROM contacts WHERE id = ?1 AND deleted_at IS NULL",
                sql::params![id],
                |r| Ok((Some(r.get::<String>(0)?), r.get::<String>(1)?)),
            )?
            .map(|(n, e)| (n, crate::email::is_valid(&e).then(|| e.trim().to_string())))
            .unwrap_or((None, None)),
        None => (None, None),
    };
    let last: Option<(String, String)> = match company_id {
        Some(id) => conn.query_opt(
            "SELECT occurred_at, minutes FROM activities
                  WHERE company_id = ?1 AND kind = 'meeting' AND deleted_at IS NULL
                  ORDER BY occurred_at DESC, id DESC LIMIT 1",
            sql::params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?,
        None => None,
    };
    let (rep, signature): (String, String) = conn
        .query_opt(
            "SELECT display_name, mail_signature FROM users WHERE id = ?1",
            sql::params![owner_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .unwrap_or_default();
    Ok(Facts {
        company,
        contact,
        contact_email,
        last_meeting_at: last.as_ref().map(|l| l.0.clone()),
        last_meeting_minutes: last.map(|l| l.1).unwrap_or_default(),
        rep,
        signature,
    })
}

const SIGNATURE_MAX: usize = 1_000;

/// A member's signature under sequence mails.
pub fn signature<'c>(conn: impl Into<Sql<'c>>, user_id: &str) -> Result<String> {
    let conn = conn.into();
    Ok(conn
        .query_opt(
            "SELECT mail_signature FROM users WHERE id = ?1",
            sql::params![user_id],
            |r| r.get(0),
        )?
        .unwrap_or_default())
}

/// The writer sets their own signature (a member preference kept in the
/// team file, so whichever desktop sends their mails signs them alike).
pub fn set_signature(ctx: &crate::store::write::WriteCtx, text: &str) -> Result<()> {
    let text = crate::validate::optional("signature", text, SIGNATURE_MAX)?;
    ctx.sql().execute(
        "UPDATE users SET mail_signature = ?2, updated_at = ?3, updated_by = ?1 WHERE id = ?1",
        sql::params![ctx.user_id, text, ctx.now],
    )?;
    ctx.audit(
        crate::store::changes::Entity::User,
        ctx.user_id,
        "update",
        serde_json::json!({ "mail_signature": text }),
    )?;
    ctx.changed(crate::store::changes::Entity::User, ctx.user_id, "update")
}
