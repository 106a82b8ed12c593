//! The thank-you mail (お礼メール) after a meeting: a draft in Japanese
//! business language or in English, built from the meeting log (thanks,
//! minutes, to-dos, next appointment), a `mailto:` link to open it in the
//! user's mail program, and the timeline entry that records it was sent.
//!
//! Drafting is pure: nothing is stored until the user says it was sent.

use crate::activity::{self, ActivityKind, Direction, NewActivity};
use crate::clock::{from_db, to_db};
use crate::config::Language;
use crate::db::WriteCtx;
use crate::error::Result;
use crate::timeline::{self, TimelineEntry};
use chrono::{Datelike, FixedOffset, Timelike, Weekday};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MailDraft {
    pub subject: String,
    pub body: String,
}

/// What the mail calls the touch it thanks for.
fn occasion(kind: ActivityKind, lang: Language) -> &'static str {
    match (lang, kind) {
        (Language::Ja, ActivityKind::Call) => "お電話",
        (Language::Ja, _) => "お打ち合わせ",
        (Language::En, ActivityKind::Call) => "call",
        (Language::En, _) => "meeting",
    }
}

/// 2026年12月3日（木）14:00 in the user's zone.
fn japanese_time(at: &str, offset: FixedOffset) -> Option<String> {
    let t = from_db(at)?.with_timezone(&offset);
    let day = match t.weekday() {
        Weekday::Mon => "月",
        Weekday::Tue => "火",
        Weekday::Wed => "水",
        Weekday::Thu => "木",
        Weekday::Fri => "金",
        Weekday::Sat => "土",
        Weekday::Sun => "日",
    };
    Some(format!(
        "{}年{}月{}日（{}）{}:{:02}〜",
        t.year(),
        t.month(),
        t.day(),
        day,
        t.hour(),
        t.minute()
    ))
}

/// Thursday, 3 December 2026, 14:00 (UTC+09:00): the zone is named, since an
/// English mail may cross one.
fn english_time(at: &str, offset: FixedOffset) -> Option<String> {
    let t = from_db(at)?.with_timezone(&offset);
    Some(format!("{} (UTC{})", t.format("%A, %-d %B %Y, %H:%M"), offset))
}

/// A section only when the log has something for it; the text as typed,
/// without trailing blank lines.
fn section(out: &mut String, heading: &str, text: &str) {
    let text = text.trim_end();
    if text.trim().is_empty() {
        return;
    }
    out.push_str(heading);
    out.push('\n');
    out.push_str(text);
    out.push_str("\n\n");
}

/// The draft of a thank-you mail for a meeting (or call) log. `offset` is
/// the user's time zone, in which the next appointment is written.
pub fn thank_you_mail(
    lang: Language,
    entry: &TimelineEntry,
    company_name: &str,
    contact_name: Option<&str>,
    sender_name: &str,
    offset: FixedOffset,
) -> MailDraft {
    let contact = contact_name.map(str::trim).filter(|c| !c.is_empty());
    let company = company_name.trim();
    let sender = sender_name.trim();
    let what = occasion(entry.kind, lang);
    let next = entry.next_appointment_at.as_deref();
    match lang {
        Language::Ja => {
            let mut b = String::new();
            b.push_str(company);
            b.push('\n');
            match contact {
                Some(c) => b.push_str(&format!("{c} 様\n\n")),
                None => b.push_str("ご担当者様\n\n"),
            }
            b.push_str("いつも大変お世話になっております。\n");
            if !sender.is_empty() {
                b.push_str(&format!("{sender}でございます。\n"));
            }
            b.push('\n');
            b.push_str("本日はお忙しいところお時間をいただき、誠にありがとうございました。\n");
            let has_notes = [&entry.minutes, &entry.next_todos].iter().any(|t| !t.trim().is_empty()) || next.is_some();
            if has_notes {
                b.push_str(&format!("本日の{what}の内容を、下記のとおりお送りいたします。\n"));
            }
            b.push('\n');
            section(&mut b, "■ 議事録", &entry.minutes);
            section(&mut b, "■ 次回までのToDo", &entry.next_todos);
            if let Some(t) = next.and_then(|n| japanese_time(n, offset)) {
                section(&mut b, "■ 次回のお打ち合わせ日時", &t);
            }
            b.push_str("内容に相違やご不明な点がございましたら、お気軽にお知らせください。\n");
            b.push_str("今後とも何卒よろしくお願い申し上げます。\n");
            if !sender.is_empty() {
                b.push_str(&format!("\n{sender}\n"));
            }
            MailDraft {
                subject: format!("本日の{what}のお礼"),
                body: b,
            }
        }
        Language::En => {
            let mut b = String::new();
            match contact {
                Some(c) => b.push_str(&format!("Dear {c},\n\n")),
                None if !company.is_empty() => b.push_str(&format!("Dear {company} team,\n\n")),
                None => b.push_str("Dear Sir or Madam,\n\n"),
            }
            b.push_str(&format!(
                "Thank you very much for taking the time for our {what} today.\n"
            ));
            let has_notes = [&entry.minutes, &entry.next_todos].iter().any(|t| !t.trim().is_empty()) || next.is_some();
            if has_notes {
                b.push_str("Please find a summary below.\n");
            }
            b.push('\n');
            section(&mut b, "Minutes", &entry.minutes);
            section(&mut b, "To-dos until our next meeting", &entry.next_todos);
            if let Some(t) = next.and_then(|n| english_time(n, offset)) {
                section(&mut b, "Our next meeting", &t);
            }
            b.push_str(
                "If anything differs from your understanding, or if you have any questions, please let me know.\n\n",
            );
            b.push_str("Best regards,\n");
            if !sender.is_empty() {
                b.push_str(sender);
                b.push('\n');
            }
            MailDraft {
                subject: format!("Thank you for the {what} today"),
                body: b,
            }
        }
    }
}

/// Percent-encodes UTF-8 bytes, keeping only `keep` and RFC 3986 unreserved
/// characters as they are.
fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `mailto:` URL (RFC 6068) that opens the draft in the user's mail
/// program. Subject and body are UTF-8, percent-encoded, line breaks as
/// CRLF (`%0D%0A`), spaces as `%20` (a `+` would stay a plus). Addresses keep
/// `@`, `+` and the comma between several of them.
///
/// Mail programs cap the length they accept (some around 2,000 characters
/// on Windows): for a long draft the UI should offer "copy" as well.
pub fn mailto_url(to: &str, draft: &MailDraft) -> String {
    let crlf = |s: &str| s.replace("\r\n", "\n").replace('\n', "\r\n");
    format!(
        "mailto:{}?subject={}&body={}",
        encode(to.trim(), b"@+,"),
        encode(&crlf(&draft.subject), b""),
        encode(&crlf(&draft.body), b"")
    )
}

/// A thank-you mail ready to show: the draft, whom it goes to, and the
/// `mailto:` link that opens it in the user's mail program.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ThankYouDraft {
    pub activity_id: String,
    pub company_id: String,
    pub deal_id: Option<String>,
    pub contact_id: Option<String>,
    /// The contact's address; empty when the meeting names no contact.
    pub to: String,
    pub draft: MailDraft,
    pub mailto: String,
}

/// The thank-you mail for one timeline entry, addressed to its contact.
pub fn draft_for(
    conn: &Connection,
    activity_id: &str,
    lang: Language,
    sender_name: &str,
    offset: FixedOffset,
) -> Result<ThankYouDraft> {
    let entry = timeline::entry(conn, activity_id)?;
    let company = crate::company::get(conn, &entry.company_id)?;
    let contact = match &entry.contact_id {
        Some(id) => Some(crate::company::contact(conn, id)?),
        None => None,
    };
    let draft = thank_you_mail(
        lang,
        &entry,
        &company.name,
        contact.as_ref().map(|c| c.name.as_str()),
        sender_name,
        offset,
    );
    let to = contact.map(|c| c.email).unwrap_or_default();
    Ok(ThankYouDraft {
        mailto: mailto_url(&to, &draft),
        activity_id: entry.id,
        company_id: entry.company_id,
        deal_id: entry.deal_id,
        contact_id: entry.contact_id,
        to,
        draft,
    })
}

/// Records on the timeline that the thank-you mail went out: an outbound
/// e-mail (a touch, so last contact follows) whose summary is the subject
/// and whose body is the mail as sent.
pub fn record_mail_sent(
    ctx: &WriteCtx,
    company_id: &str,
    deal_id: Option<&str>,
    contact_id: Option<&str>,
    draft: &MailDraft,
) -> Result<String> {
    let subject: String = draft.subject.trim().chars().take(500).collect();
    activity::log(
        ctx,
        &NewActivity {
            company_id: company_id.to_string(),
            contact_id: contact_id.map(String::from),
            deal_id: deal_id.map(String::from),
            kind: ActivityKind::Email,
            direction: Some(Direction::Outbound),
            occurred_at: to_db(ctx.clock.now()),
            summary: if subject.is_empty() {
                "お礼メール送信".into()
            } else {
                subject
            },
            body: draft.body.clone(),
            minutes: String::new(),
            next_todos: String::new(),
            next_appointment_at: None,
            signals: Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{fixture, seed_pipeline};
    use crate::timeline::{timeline, TimelineQuery};

    fn tokyo() -> FixedOffset {
        FixedOffset::east_opt(9 * 3600).unwrap()
    }

    fn meeting() -> TimelineEntry {
        TimelineEntry {
            id: "a".into(),
            version: 1,
            company_id: "c".into(),
            kind: ActivityKind::Meeting,
            direction: Some(Direction::Outbound),
            occurred_at: "2026-11-25T01:00:00Z".into(),
            summary: "初回訪問".into(),
            body: String::new(),
            minutes: "・月末に作業が集中している\n・決裁者は部長\n\n".into(),
            next_todos: "・概算見積の送付".into(),
            next_appointment_at: Some("2026-12-03T05:00:00Z".into()),
            signals: vec![],
            author_id: None,
            author_name: None,
            deal_id: None,
            deal_title: None,
            contact_id: None,
            contact_name: None,
            follow_up_id: None,
            deleted: false,
            updated_at: "2026-11-25T01:00:00Z".into(),
        }
    }

    #[test]
    fn a_draft_for_a_logged_meeting_is_addressed_to_its_contact() {
        let crate::testutil::Fixture { mut db, _dir, .. } = crate::testutil::fixture();
        let seed = crate::testutil::seed_pipeline(&mut db);
        let contact = crate::testutil::contact(&mut db, &seed.company_id, "山田 花子", "hanako@example.co.jp");
        let mut a = crate::testutil::entry(&seed.company_id, ActivityKind::Meeting, "2026-11-25T01:00:00Z", "訪問");
        a.contact_id = Some(contact);
        a.minutes = "・月末に作業が集中している".into();
        let id = crate::testutil::log(&mut db, &a);
        let d = draft_for(db.conn(), &id, Language::Ja, "田中 太郎", tokyo()).unwrap();
        assert_eq!(d.to, "hanako@example.co.jp");
        assert!(d.draft.body.contains("山田 花子 様"), "{}", d.draft.body);
        assert!(d.draft.body.contains("・月末に作業が集中している"));
        assert!(
            d.mailto.starts_with("mailto:hanako@example.co.jp?subject="),
            "{}",
            d.mailto
        );
        assert_eq!(d.company_id, seed.company_id);
        let missing = draft_for(db.conn(), "nope", Language::Ja, "田中 太郎", tokyo());
        assert_eq!(missing.unwrap_err().code(), crate::ErrorCode::NotFound);
    }

    #[test]
    fn a_japanese_thank_you_mail_in_business_language() {
        let m = thank_you_mail(
            Language::Ja,
            &meeting(),
            "株式会社テスト",
            Some("山田 花子"),
            "田中 太郎",
            tokyo(),
        );
        assert_eq!(m.subject, "本日のお打ち合わせのお礼");
        let expected = "株式会社テスト\n山田 花子 様\n\n\
            いつも大変お世話になっております。\n田中 太郎でございます。\n\n\
            本日はお忙しいところお時間をいただき、誠にありがとうございました。\n\
            本日のお打ち合わせの内容を、下記のとおりお送りいたします。\n\n\
            ■ 議事録\n・月末に作業が集中している\n・決裁者は部長\n\n\
            ■ 次回までのToDo\n・概算見積の送付\n\n\
            ■ 次回のお打ち合わせ日時\n2026年12月3日（木）14:00〜\n\n\
            内容に相違やご不明な点がございましたら、お気軽にお知らせください。\n\
            今後とも何卒よろしくお願い申し上げます。\n\n田中 太郎\n";
        assert_eq!(m.body, expected);
    }

    #[test]
    fn empty_sections_are_left_out() {
        let mut e = meeting();
        e.kind = ActivityKind::Call;
        e.minutes = "  \n".into();
        e.next_todos.clear();
        e.next_appointment_at = None;
        let m = thank_you_mail(Language::Ja, &e, "株式会社テスト", None, "田中", tokyo());
        assert_eq!(m.subject, "本日のお電話のお礼");
        assert!(m.body.starts_with("株式会社テスト\nご担当者様\n"), "{}", m.body);
        assert!(!m.body.contains('■'), "{}", m.body);
        assert!(!m.body.contains("下記のとおり"), "{}", m.body);
    }

    #[test]
    fn an_english_thank_you_mail() {
        let m = thank_you_mail(
            Language::En,
            &meeting(),
            "Acme Corp.",
            Some("Ms. Smith"),
            "Taro Tanaka",
            tokyo(),
        );
        assert_eq!(m.subject, "Thank you for the meeting today");
        assert!(m
            .body
            .starts_with("Dear Ms. Smith,\n\nThank you very much for taking the time"));
        assert!(m
            .body
            .contains("Minutes\n・月末に作業が集中している\n・決裁者は部長\n\n"));
        assert!(m.body.contains("To-dos until our next meeting\n・概算見積の送付\n\n"));
        assert!(
            m.body
                .contains("Our next meeting\nThursday, 3 December 2026, 14:00 (UTC+09:00)\n\n"),
            "{}",
            m.body
        );
        assert!(m.body.ends_with("Best regards,\nTaro Tanaka\n"));
        let m = thank_you_mail(Language::En, &meeting(), "Acme Corp.", None, "", tokyo());
        assert!(m.body.starts_with("Dear Acme Corp. team,"));
    }

    #[test]
    fn mailto_encodes_utf8_and_line_breaks() {
        let d = MailDraft {
            subject: "お礼 & 確認?".into(),
            body: "1行目\n2行目 #3 100%+a=b\r\n".into(),
        };
        let url = mailto_url(" hanako.yamada+crm@example.co.jp ", &d);
        assert_eq!(
            url,
            "mailto:hanako.yamada+crm@example.co.jp\
             ?subject=%E3%81%8A%E7%A4%BC%20%26%20%E7%A2%BA%E8%AA%8D%3F\
             &body=1%E8%A1%8C%E7%9B%AE%0D%0A2%E8%A1%8C%E7%9B%AE%20%233%20100%25%2Ba%3Db%0D%0A"
        );
        // Without an address the mail program asks for one.
        assert!(mailto_url("", &d).starts_with("mailto:?subject="));
        // An address with odd characters cannot break out of the path.
        assert!(mailto_url("a@b.c?cc=x", &d).starts_with("mailto:a@b.c%3Fcc%3Dx?subject="));
    }

    #[test]
    fn sending_is_a_touch_on_the_timeline() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let deal = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        let draft = thank_you_mail(Language::Ja, &meeting(), "株式会社テスト", None, "田中", tokyo());
        let id =
            f.db.write(|ctx| record_mail_sent(ctx, &s.company_id, Some(&deal), None, &draft))
                .unwrap();
        let page = timeline(
            f.db.conn(),
            &TimelineQuery {
                company_id: Some(s.company_id.clone()),
                ..Default::default()
            },
        )
        .unwrap();
        let e = &page.entries[0];
        assert_eq!(e.id, id);
        assert_eq!((e.kind, e.direction), (ActivityKind::Email, Some(Direction::Outbound)));
        assert_eq!(e.summary, "本日のお打ち合わせのお礼");
        assert_eq!(e.body, draft.body);
        assert_eq!(e.deal_id.as_deref(), Some(deal.as_str()));
        assert_eq!(e.occurred_at, "2026-11-25T01:00:00Z");
        let last: Option<String> =
            f.db.conn()
                .query_row(
                    "SELECT last_contact_at FROM companies WHERE id = ?1",
                    [&s.company_id],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(last.as_deref(), Some("2026-11-25T01:00:00Z"));
    }
}
