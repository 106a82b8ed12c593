//! The thank-you mail (お礼メール) after a meeting: a draft in Japanese
//! business language or in English, built from the meeting log (thanks,
//! minutes, to-dos, next appointment), a `mailto:` link to open it in the
//! user's mail program, and the timeline entry that records it was sent.
//!
//! Drafting is pure: nothing is stored until the user says it was sent.

use crate::clock::{from_db, to_db};
use crate::email;
use crate::engine_text::EngineText;
use crate::error::Result;
use crate::language::Language;
use crate::store::sql::Sql;
use crate::store::write::WriteCtx;
use crate::timeline::activity::{self, ActivityKind, Direction, NewActivity};
use crate::timeline::entries::{self, TimelineEntry};
use chrono::{Datelike, FixedOffset, Timelike, Weekday};
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

/// "A", "A and B", "A, B and C".
fn english_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The draft of a thank-you mail for a meeting (or call) log, addressed to
/// the contacts met (none: to whom it may concern). `offset` is the user's
/// time zone, in which the next appointment is written.
pub fn thank_you_mail(
    lang: Language,
    entry: &TimelineEntry,
    company_name: &str,
    contact_names: &[&str],
    sender_name: &str,
    offset: FixedOffset,
) -> MailDraft {
    let contacts: Vec<&str> = contact_names
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    let company = company_name.trim();
    let sender = sender_name.trim();
    let what = occasion(entry.kind, lang);
    let next = entry.next_appointment_at.as_deref();
    match lang {
        Language::Ja => {
            let mut b = String::new();
            b.push_str(company);
            b.push('\n');
            // One line per person, each with 様, as a letter to several
            // people of one company is addressed.
            if contacts.is_empty() {
                b.push_str("ご担当者様\n");
            }
            for c in &contacts {
                b.push_str(&format!("{c} 様\n"));
            }
            b.push('\n');
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
            if !contacts.is_empty() {
                b.push_str(&format!("Dear {},\n\n", english_list(&contacts)));
            } else if !company.is_empty() {
                b.push_str(&format!("Dear {company} team,\n\n"));
            } else {
                b.push_str("Dear Sir or Madam,\n\n");
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

/// A `mailto:` URL (RFC 6068) that opens the draft in the user's mail
/// program. Subject and body are UTF-8, percent-encoded, line breaks as
/// CRLF (`%0D%0A`), spaces as `%20` (a `+` would stay a plus).
///
/// Each address is one recipient, whatever was stored: only an address
/// that passes [`email::is_valid`] is put in (a field holding `a@x,b@y`
/// from before that check is left out, never split into two), each
/// encoded by [`email::mailto_recipient`], and the commas between them are
/// the only commas in the list.
///
/// Mail programs cap the length they accept (some around 2,000 characters
/// on Windows): for a long draft the UI should offer "copy" as well.
pub fn mailto_url(to: &[String], draft: &MailDraft) -> String {
    let crlf = |s: &str| s.replace("\r\n", "\n").replace('\n', "\r\n");
    let to: Vec<String> = to.iter().filter_map(|a| email::mailto_recipient(a)).collect();
    format!(
        "mailto:{}?subject={}&body={}",
        to.join(","),
        email::percent_encode(&crlf(&draft.subject), b""),
        email::percent_encode(&crlf(&draft.body), b"")
    )
}

/// A contact the mail is addressed to whose address cannot go into To:.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Unaddressed {
    pub contact_id: String,
    pub name: String,
    /// As stored: empty when the contact has no address, otherwise one that
    /// is not a single valid address (fix it on the customer's page).
    pub email: String,
}

/// A thank-you mail ready to show: the draft, whom it goes to, and the
/// `mailto:` link that opens it in the user's mail program.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ThankYouDraft {
    pub activity_id: String,
    pub company_id: String,
    pub deal_id: Option<String>,
    /// The contacts the mail is addressed to: those the entry names, less
    /// any removed from the customer since.
    pub contact_ids: Vec<String>,
    /// Their addresses for To:, one per contact that has a valid one;
    /// empty when the entry names nobody (the mail says ご担当者様).
    pub to: Vec<String>,
    /// Addressed contacts whose address cannot be used.
    pub unaddressed: Vec<Unaddressed>,
    pub draft: MailDraft,
    pub mailto: String,
}

/// The thank-you mail for one timeline entry, addressed to its contacts.
pub fn draft_for<'c>(
    conn: impl Into<Sql<'c>>,
    activity_id: &str,
    lang: Language,
    sender_name: &str,
    offset: FixedOffset,
) -> Result<ThankYouDraft> {
    let conn = conn.into();
    let entry = entries::entry(conn, activity_id)?;
    let company = crate::customers::company::get(conn, &entry.company_id)?;
    let contacts = entry
        .contacts
        .iter()
        .filter(|c| !c.removed)
        .map(|c| crate::customers::contact::contact(conn, &c.id))
        .collect::<Result<Vec<_>>>()?;
    let names: Vec<&str> = contacts.iter().map(|c| c.name.as_str()).collect();
    let draft = thank_you_mail(lang, &entry, &company.name, &names, sender_name, offset);
    let (usable, unusable): (Vec<_>, Vec<_>) = contacts.iter().partition(|c| email::is_valid(&c.email));
    let to: Vec<String> = usable.iter().map(|c| c.email.trim().to_string()).collect();
    Ok(ThankYouDraft {
        mailto: mailto_url(&to, &draft),
        contact_ids: contacts.iter().map(|c| c.id.clone()).collect(),
        unaddressed: unusable
            .into_iter()
            .map(|c| Unaddressed {
                contact_id: c.id.clone(),
                name: c.name.clone(),
                email: c.email.clone(),
            })
            .collect(),
        activity_id: entry.id,
        company_id: entry.company_id,
        deal_id: entry.deal_id,
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
    contact_ids: &[String],
    draft: &MailDraft,
) -> Result<String> {
    let subject: String = draft.subject.trim().chars().take(500).collect();
    let untitled = subject.is_empty();
    let id = activity::log(
        ctx,
        &NewActivity {
            company_id: company_id.to_string(),
            contact_ids: contact_ids.to_vec(),
            deal_id: deal_id.map(String::from),
            kind: ActivityKind::Email,
            direction: Some(Direction::Outbound),
            occurred_at: to_db(ctx.clock.now()),
            summary: if untitled {
                EngineText::ThankYouSent.render(ctx.lang)
            } else {
                subject
            },
            body: draft.body.clone(),
            minutes: String::new(),
            next_todos: String::new(),
            next_appointment_at: None,
            signals: Vec::new(),
        },
    )?;
    // A subject is what was sent, in the mail's language; without one the
    // entry says what happened, in each reader's.
    if untitled {
        activity::set_engine_text(ctx, &id, &EngineText::ThankYouSent)?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sql;
    use crate::testutil::{contact, entry, fixture, log, seed_pipeline, Fixture};
    use crate::timeline::entries::{timeline, TimelineQuery};

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
            engine_text: None,
            body: String::new(),
            minutes: "・月末に作業が集中している\n・決裁者は部長\n\n".into(),
            next_todos: "・概算見積の送付".into(),
            next_appointment_at: Some("2026-12-03T05:00:00Z".into()),
            signals: vec![],
            author_id: None,
            author_name: None,
            deal_id: None,
            deal_title: None,
            contacts: vec![],
            follow_up_id: None,
            deleted: false,
            updated_at: "2026-11-25T01:00:00Z".into(),
            sequence_mail: false,
        }
    }

    fn body_of(d: &ThankYouDraft) -> &str {
        &d.draft.body
    }

    #[test]
    fn a_draft_for_a_meeting_is_addressed_to_every_contact_met() {
        let Fixture { mut db, _keep, .. } = fixture();
        let seed = seed_pipeline(&mut db);
        let yamada = contact(&mut db, &seed.company_id, "山田 花子", "hanako@example.co.jp");
        let ito = contact(&mut db, &seed.company_id, "伊藤 誠", "makoto@例え.jp");
        let mut a = entry(&seed.company_id, ActivityKind::Meeting, "2026-11-25T01:00:00Z", "訪問");
        a.contact_ids = vec![yamada.clone(), ito.clone()];
        a.minutes = "・月末に作業が集中している".into();
        let id = log(&mut db, &a);

        let d = draft_for(db.sql(), &id, Language::Ja, "田中 太郎", tokyo()).unwrap();
        assert_eq!(d.to, ["hanako@example.co.jp", "makoto@例え.jp"]);
        assert_eq!(d.contact_ids, [yamada.clone(), ito.clone()]);
        assert!(d.unaddressed.is_empty());
        assert!(
            body_of(&d).starts_with("株式会社テスト\n山田 花子 様\n伊藤 誠 様\n\nいつも大変お世話になっております。"),
            "{}",
            body_of(&d)
        );
        assert!(!body_of(&d).contains("ご担当者様"));
        assert!(body_of(&d).contains("・月末に作業が集中している"));
        assert!(
            d.mailto
                .starts_with("mailto:hanako@example.co.jp,makoto@%E4%BE%8B%E3%81%88.jp?subject="),
            "{}",
            d.mailto
        );
        assert_eq!(d.company_id, seed.company_id);

        let d = draft_for(db.sql(), &id, Language::En, "Taro Tanaka", tokyo()).unwrap();
        assert!(
            body_of(&d).starts_with("Dear 山田 花子 and 伊藤 誠,\n\n"),
            "{}",
            body_of(&d)
        );
        assert_eq!(d.to.len(), 2);

        let missing = draft_for(db.sql(), "nope", Language::Ja, "田中 太郎", tokyo());
        assert_eq!(missing.unwrap_err().code(), crate::ErrorCode::NotFound);
    }

    #[test]
    fn with_nobody_named_the_mail_goes_to_whom_it_may_concern() {
        let Fixture { mut db, _keep, .. } = fixture();
        let seed = seed_pipeline(&mut db);
        contact(&mut db, &seed.company_id, "山田 花子", "hanako@example.co.jp");
        let id = log(
            &mut db,
            &entry(&seed.company_id, ActivityKind::Meeting, "2026-11-25T01:00:00Z", "訪問"),
        );
        let d = draft_for(db.sql(), &id, Language::Ja, "田中 太郎", tokyo()).unwrap();
        assert!(d.to.is_empty() && d.contact_ids.is_empty() && d.unaddressed.is_empty());
        assert!(
            body_of(&d).starts_with("株式会社テスト\nご担当者様\n\n"),
            "{}",
            body_of(&d)
        );
        assert!(d.mailto.starts_with("mailto:?subject="), "{}", d.mailto);
        let d = draft_for(db.sql(), &id, Language::En, "Taro Tanaka", tokyo()).unwrap();
        assert!(body_of(&d).starts_with("Dear 株式会社テスト team,"), "{}", body_of(&d));
    }

    #[test]
    fn a_stored_address_holding_two_never_becomes_two_recipients() {
        let Fixture { mut db, _keep, .. } = fixture();
        let seed = seed_pipeline(&mut db);
        let yamada = contact(&mut db, &seed.company_id, "山田 花子", "hanako@example.co.jp");
        let sato = contact(&mut db, &seed.company_id, "佐藤 一郎", "");
        let nobody = contact(&mut db, &seed.company_id, "鈴木 次郎", "");
        // Written before addresses were checked (or by hand): as an old file holds it.
        db.write(|ctx| {
            ctx.sql().execute(
                "UPDATE contacts SET email = 'a@x.jp,boss@y.jp' WHERE id = ?1",
                crate::store::sql::params![&sato],
            )?;
            Ok(())
        })
        .unwrap();
        let mut a = entry(&seed.company_id, ActivityKind::Meeting, "2026-11-25T01:00:00Z", "訪問");
        a.contact_ids = vec![sato.clone(), yamada.clone(), nobody.clone()];
        let id = log(&mut db, &a);
        let d = draft_for(db.sql(), &id, Language::Ja, "田中 太郎", tokyo()).unwrap();
        assert_eq!(d.to, ["hanako@example.co.jp"]);
        let flagged: Vec<(&str, &str)> = d
            .unaddressed
            .iter()
            .map(|u| (u.name.as_str(), u.email.as_str()))
            .collect();
        assert_eq!(flagged, [("佐藤 一郎", "a@x.jp,boss@y.jp"), ("鈴木 次郎", "")]);
        // Still thanked by name: only the address is left out.
        assert!(
            body_of(&d).contains("佐藤 一郎 様\n山田 花子 様\n鈴木 次郎 様\n"),
            "{}",
            body_of(&d)
        );
        let recipients = d.mailto.trim_start_matches("mailto:").split('?').next().unwrap();
        assert_eq!(recipients, "hanako@example.co.jp");
        assert!(!d.mailto.contains("boss"), "{}", d.mailto);

        // The link itself never trusts what it is given.
        let m = MailDraft {
            subject: "s".into(),
            body: "b".into(),
        };
        for bad in [
            "a@x.jp,b@y.jp",
            "a@x.jp;b@y.jp",
            "a@x.jp b@y.jp",
            "a@x.jp%2Cb@y.jp",
            "a@b.c?cc=x@y.jp",
        ] {
            assert_eq!(mailto_url(&[bad.into()], &m), "mailto:?subject=s&body=b", "{bad}");
        }
    }

    #[test]
    fn a_contact_removed_since_is_not_written_to() {
        let Fixture { mut db, _keep, .. } = fixture();
        let seed = seed_pipeline(&mut db);
        let yamada = contact(&mut db, &seed.company_id, "山田 花子", "hanako@example.co.jp");
        let left = contact(&mut db, &seed.company_id, "退職 太郎", "taro@example.co.jp");
        let mut a = entry(&seed.company_id, ActivityKind::Meeting, "2026-11-25T01:00:00Z", "訪問");
        a.contact_ids = vec![yamada, left.clone()];
        let id = log(&mut db, &a);
        db.write(|ctx| crate::customers::contact::delete_contact(ctx, &left, 1))
            .unwrap();
        let d = draft_for(db.sql(), &id, Language::Ja, "田中 太郎", tokyo()).unwrap();
        assert_eq!(d.to, ["hanako@example.co.jp"]);
        assert!(!body_of(&d).contains("退職"), "{}", body_of(&d));
    }

    #[test]
    fn a_japanese_thank_you_mail_in_business_language() {
        let m = thank_you_mail(
            Language::Ja,
            &meeting(),
            "株式会社テスト",
            &["山田 花子"],
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
        let m = thank_you_mail(Language::Ja, &e, "株式会社テスト", &[], "田中", tokyo());
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
            &["Ms. Smith"],
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
        let m = thank_you_mail(Language::En, &meeting(), "Acme Corp.", &[], "", tokyo());
        assert!(m.body.starts_with("Dear Acme Corp. team,"));
        let m = thank_you_mail(
            Language::En,
            &meeting(),
            "Acme Corp.",
            &["Ms. Smith", " ", "Mr. Jones", "Dr. Lee"],
            "",
            tokyo(),
        );
        assert!(
            m.body.starts_with("Dear Ms. Smith, Mr. Jones and Dr. Lee,\n"),
            "{}",
            m.body
        );
    }

    #[test]
    fn mailto_encodes_utf8_and_line_breaks() {
        let d = MailDraft {
            subject: "お礼 & 確認?".into(),
            body: "1行目\n2行目 #3 100%+a=b\r\n".into(),
        };
        let url = mailto_url(&[" hanako.yamada+crm@example.co.jp ".into()], &d);
        assert_eq!(
            url,
            "mailto:hanako.yamada+crm@example.co.jp\
             ?subject=%E3%81%8A%E7%A4%BC%20%26%20%E7%A2%BA%E8%AA%8D%3F\
             &body=1%E8%A1%8C%E7%9B%AE%0D%0A2%E8%A1%8C%E7%9B%AE%20%233%20100%25%2Ba%3Db%0D%0A"
        );
        // Without an address the mail program asks for one.
        assert!(mailto_url(&[], &d).starts_with("mailto:?subject="));
        // Characters an address may hold that mean something in a URL are encoded.
        assert!(mailto_url(&["o'brien#1&co=x%y@example.ie".into()], &d)
            .starts_with("mailto:o%27brien%231%26co%3Dx%25y@example.ie?subject="),);
    }

    #[test]
    fn sending_is_a_touch_on_the_timeline() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        let deal = s.deal(&mut f.db, "A", s.stage("提案"), 1, "JPY");
        let draft = thank_you_mail(Language::Ja, &meeting(), "株式会社テスト", &[], "田中", tokyo());
        let id =
            f.db.write(|ctx| record_mail_sent(ctx, &s.company_id, Some(&deal), &[], &draft))
                .unwrap();
        let page = timeline(
            f.db.sql(),
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
            f.db.sql()
                .query_one(
                    "SELECT last_contact_at FROM companies WHERE id = ?1",
                    sql::params![&s.company_id],
                    |r| r.get(0),
                )
                .unwrap();
        assert_eq!(last.as_deref(), Some("2026-11-25T01:00:00Z"));
    }

    #[test]
    fn a_mail_sent_without_subject_says_so_in_each_language_until_its_author_rewrites_it() {
        let mut f = fixture();
        let s = seed_pipeline(&mut f.db);
        f.db.set_language(Language::En);
        let draft = MailDraft {
            subject: "  ".into(),
            body: "Thank you.".into(),
        };
        let id =
            f.db.write(|ctx| record_mail_sent(ctx, &s.company_id, None, &[], &draft))
                .unwrap();
        let e = crate::timeline::entries::entry(f.db.sql(), &id).unwrap();
        assert_eq!(e.summary, "Thank-you mail sent");
        assert_eq!(e.engine_text, Some(EngineText::ThankYouSent));
        assert_eq!(e.engine_text.unwrap().render(Language::Ja), "お礼メール送信");
        // Found by the words of either language.
        for q in ["お礼メール", "thank-you mail"] {
            let r = crate::timeline::search::search(f.db.sql(), q, 0, Language::Ja).unwrap();
            assert_eq!(r.activities.hits.len(), 1, "{q}");
        }
        // Saved unchanged, it stays the engine's; rewritten, it is the author's.
        let mut edit = crate::timeline::activity::ActivityEdit {
            contact_ids: Vec::new(),
            deal_id: None,
            kind: e.kind,
            direction: e.direction,
            occurred_at: e.occurred_at.clone(),
            summary: e.summary.clone(),
            body: "Thank you!".into(),
            minutes: String::new(),
            next_todos: String::new(),
            next_appointment_at: None,
            signals: Vec::new(),
        };
        f.db.write(|ctx| activity::update_activity(ctx, &id, 1, &edit)).unwrap();
        let e = crate::timeline::entries::entry(f.db.sql(), &id).unwrap();
        assert_eq!(e.engine_text, Some(EngineText::ThankYouSent));
        edit.summary = "Thanks for Tuesday".into();
        f.db.write(|ctx| activity::update_activity(ctx, &id, 2, &edit)).unwrap();
        let e = crate::timeline::entries::entry(f.db.sql(), &id).unwrap();
        assert_eq!((e.summary.as_str(), e.engine_text), ("Thanks for Tuesday", None));
        let r = crate::timeline::search::search(f.db.sql(), "お礼メール", 0, Language::Ja).unwrap();
        assert!(r.activities.hits.is_empty(), "the old words left the index");
    }
}
