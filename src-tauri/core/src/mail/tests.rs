use super::*;
use crate::error::{ErrorCode, MailFailure};
use crate::store::sql;
use crate::store::team_db::TeamDb;
use crate::testutil::{colleague, fixture, Fixture};
use base64::Engine as _;
use std::sync::Mutex;

fn account() -> SmtpAccount {
    SmtpAccount {
        host: "smtp.example.co.jp".into(),
        port: 587,
        security: Security::StartTls,
        user: "tanaka".into(),
        from_address: "tanaka@example.co.jp".into(),
        from_name: "田中 太郎（株式会社きずな）".into(),
    }
}

fn sender(computer: &str) -> Sender {
    Sender {
        account: account(),
        password: Some("secret".into()),
        computer_id: computer.into(),
    }
}

fn mail(key: &str) -> OutgoingMail {
    OutgoingMail {
        key: key.into(),
        to_name: "山田 花子 様".into(),
        to_address: "hanako@customer.example.jp".into(),
        subject: "【ご案内】先日のお打ち合わせの件（資料送付）".into(),
        body: "山田様\n\nいつもお世話になっております。株式会社きずなの田中です。\n①②③ 髙橋 﨑 〜 ～ ― ‖ −\n\n引き続きよろしくお願いいたします。\n".into(),
    }
}

/// The raw message's headers (unfolded) and its body bytes.
fn split(raw: &[u8]) -> (Vec<(String, String)>, Vec<u8>) {
    let text = String::from_utf8(raw.to_vec()).expect("a built message is ASCII");
    assert!(text.is_ascii(), "8-bit data in the message: {text}");
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let headers = unfolded
        .split("\r\n")
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.to_string(), v.trim().to_string())
        })
        .collect();
    let body: String = body.split("\r\n").collect();
    (
        headers,
        base64::engine::general_purpose::STANDARD.decode(body.trim()).unwrap(),
    )
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header"))
}

/// RFC 2047 decoding of the UTF-8 B and Q words lettre writes; the space
/// between two adjacent encoded words is dropped, as the RFC says.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while !rest.is_empty() {
        if let Some(start) = rest.find("=?") {
            let between = &rest[..start];
            if !(last_was_word && between.trim().is_empty()) {
                out.push_str(between);
            }
            let word = &rest[start + 2..];
            let mut parts = word.splitn(3, '?');
            let charset = parts.next().unwrap();
            assert!(charset.eq_ignore_ascii_case("utf-8"), "charset {charset}");
            let enc = parts.next().unwrap();
            let tail = parts.next().unwrap();
            let end = tail.find("?=").unwrap();
            let data = &tail[..end];
            let bytes = if enc.eq_ignore_ascii_case("b") {
                base64::engine::general_purpose::STANDARD.decode(data).unwrap()
            } else {
                let mut b = Vec::new();
                let d = data.as_bytes();
                let mut i = 0;
                while i < d.len() {
                    match d[i] {
                        b'_' => b.push(b' '),
                        b'=' => {
                            b.push(u8::from_str_radix(&data[i + 1..i + 3], 16).unwrap());
                            i += 2;
                        }
                        c => b.push(c),
                    }
                    i += 1;
                }
                b
            };
            out.push_str(&String::from_utf8(bytes).unwrap());
            rest = &tail[end + 2..];
            last_was_word = true;
        } else {
            out.push_str(rest);
            rest = "";
        }
    }
    out
}

#[test]
fn a_japanese_mail_decodes_back_to_exactly_what_was_written() {
    let m = mail("k1");
    let (message, message_id) = build(&m, &account()).unwrap();
    let (headers, body) = split(&message.formatted());
    assert_eq!(decode_words(header(&headers, "Subject")), m.subject);
    assert_eq!(
        decode_words(header(&headers, "From")),
        "田中 太郎（株式会社きずな） <tanaka@example.co.jp>"
    );
    assert_eq!(
        decode_words(header(&headers, "To")),
        "山田 花子 様 <hanako@customer.example.jp>"
    );
    assert_eq!(header(&headers, "Message-ID"), message_id);
    assert!(message_id.ends_with("@example.co.jp>"), "{message_id}");
    assert!(chrono::DateTime::parse_from_rfc2822(header(&headers, "Date")).is_ok());
    assert_eq!(
        header(&headers, "Content-Type").to_ascii_lowercase(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(header(&headers, "Content-Transfer-Encoding"), "base64");
    assert_eq!(String::from_utf8(body).unwrap(), m.body.replace('\n', "\r\n"));
}

#[test]
fn a_line_break_in_a_subject_or_name_cannot_add_a_header() {
    let mut m = mail("k1");
    m.subject = "ご案内\r\nBcc: everyone@example.com".into();
    m.to_name = "山田\nBcc: x@example.com".into();
    let (message, _) = build(&m, &account()).unwrap();
    let (headers, _) = split(&message.formatted());
    assert!(!headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("bcc")));
    assert_eq!(
        decode_words(header(&headers, "Subject")),
        "ご案内 Bcc: everyone@example.com"
    );
}

#[test]
fn a_bad_recipient_or_empty_subject_is_refused_before_anything_is_claimed() {
    let mut f = fixture();
    let t = RecordingTransport::new();
    let mut m = mail("k1");
    m.to_address = "hanako@customer, boss@customer.example.jp".into();
    crate::testutil::assert_invalid(send_once(&mut f.db, &m, &sender("pc-a"), &t), "to_address", "several");
    let mut m = mail("k1");
    m.subject = " \n ".into();
    crate::testutil::assert_invalid(send_once(&mut f.db, &m, &sender("pc-a"), &t), "subject", "required");
    assert_eq!(get(f.db.sql(), "k1").unwrap(), None);
    assert!(t.sent().is_empty());
}

#[test]
fn plain_smtp_is_only_allowed_to_this_computer() {
    let mut a = account();
    a.security = Security::None;
    crate::testutil::assert_invalid(a.validated(), "security", "plain_remote");
    a.host = "127.0.0.1".into();
    assert_eq!(a.validated().unwrap().host, "127.0.0.1");
    a.host = "localhost".into();
    assert!(a.validated().is_ok());
    let mut a = account();
    a.from_address = "ｔａｎａｋａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ".into();
    assert_eq!(a.validated().unwrap().from_address, "tanaka@example.co.jp");
    a.from_address = "".into();
    crate::testutil::assert_invalid(a.validated(), "from_address", "required");
}

#[test]
fn the_second_computer_of_the_same_member_never_sends_a_mail_twice() {
    let mut f = fixture();
    let mut other = colleague(&f, "tanaka", "田中 太郎");
    assert_eq!(other.member().unwrap().id, f.db.member().unwrap().id);
    let t = RecordingTransport::new();
    let sent = send_once(&mut f.db, &mail("seq:e1:s1"), &sender("pc-a"), &t).unwrap();
    assert!(matches!(sent, SendOutcome::Sent { .. }));
    let again = send_once(&mut other, &mail("seq:e1:s1"), &sender("pc-b"), &t).unwrap();
    assert!(matches!(again, SendOutcome::AlreadySent { .. }), "{again:?}");
    let again_here = send_once(&mut f.db, &mail("seq:e1:s1"), &sender("pc-a"), &t).unwrap();
    assert!(matches!(again_here, SendOutcome::AlreadySent { .. }));
    assert_eq!(t.sent().len(), 1);
    let row = get(f.db.sql(), "seq:e1:s1").unwrap().unwrap();
    assert_eq!(row.state, SendState::Sent);
    assert_eq!(row.computer_id, "pc-a");
    assert_eq!(row.subject, mail("x").subject);
    assert_eq!(row.body, mail("x").body);
    let SendOutcome::Sent { message_id } = sent else {
        unreachable!()
    };
    assert_eq!(row.message_id.as_deref(), Some(message_id.as_str()));
}

/// While the first computer talks to the server, the second one tries the
/// same mail: it sees the claim and does nothing.
struct SecondComputerDuringSend {
    other: Mutex<TeamDb>,
    inner: RecordingTransport,
    seen: Mutex<Vec<SendOutcome>>,
}

impl Transport for SecondComputerDuringSend {
    fn send(&self, account: &SmtpAccount, password: Option<&str>, message: &lettre::Message) -> crate::Result<()> {
        let mut other = self.other.lock().unwrap();
        let outcome = send_once(&mut *other, &mail("seq:e1:s1"), &sender("pc-b"), &self.inner).unwrap();
        self.seen.lock().unwrap().push(outcome);
        self.inner.send(account, password, message)
    }
}

#[test]
fn a_claim_in_progress_keeps_the_other_computer_out() {
    let mut f = fixture();
    let t = SecondComputerDuringSend {
        other: Mutex::new(colleague(&f, "tanaka", "田中 太郎")),
        inner: RecordingTransport::new(),
        seen: Mutex::new(Vec::new()),
    };
    let outcome = send_once(&mut f.db, &mail("seq:e1:s1"), &sender("pc-a"), &t).unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }));
    let seen = t.seen.lock().unwrap().clone();
    assert!(
        matches!(&seen[..], [SendOutcome::ClaimedElsewhere { computer_id, .. }] if computer_id == "pc-a"),
        "{seen:?}"
    );
    assert_eq!(t.inner.sent().len(), 1, "only the first computer sent");
}

#[test]
fn a_failed_send_is_recorded_with_its_error_and_tried_again_next_time() {
    let mut f = fixture();
    let t = RecordingTransport::new();
    t.fail_with(Some(MailFailure::Rejected));
    let err = send_once(&mut f.db, &mail("k"), &sender("pc-a"), &t).unwrap_err();
    assert_eq!(err.code(), ErrorCode::MailRejected);
    let row = get(f.db.sql(), "k").unwrap().unwrap();
    assert_eq!(row.state, SendState::Failed);
    assert_eq!(row.error_code.as_deref(), Some("mail_rejected"));
    assert!(row.error.unwrap().contains("refused by the test transport"));
    let me = f.db.member().unwrap().id.clone();
    assert_eq!(needing_attention(f.db.sql(), &me).unwrap().len(), 1);

    // The other computer may pick it up: the failure released the key.
    let mut other = colleague(&f, "tanaka", "田中 太郎");
    t.fail_with(None);
    let outcome = send_once(&mut other, &mail("k"), &sender("pc-b"), &t).unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }));
    let row = get(f.db.sql(), "k").unwrap().unwrap();
    assert_eq!((row.state, row.attempts, row.error_code), (SendState::Sent, 2, None));
    assert_eq!(row.computer_id, "pc-b");
    assert!(needing_attention(f.db.sql(), &me).unwrap().is_empty());
    assert_eq!(t.sent().len(), 1);
}

/// A computer that claimed the mail and died before reporting back.
fn crashed_claim(f: &mut Fixture, key: &str) {
    let m = mail(key);
    f.db.write(|ctx| {
        ctx.sql().execute(
            "INSERT INTO mail_sends (key, member_id, state, computer_id, claimed_at, to_name, to_address, subject, body)
             VALUES (?1, ?2, 'claimed', 'pc-crashed', ?3, ?4, ?5, ?6, ?7)", sql::params![key, ctx.user_id, ctx.now, m.to_name, m.to_address, m.subject, m.body])?;
        Ok(())
    })
    .unwrap();
}

#[test]
fn a_claim_never_reported_back_becomes_unknown_and_is_not_resent_by_itself() {
    let mut f = fixture();
    crashed_claim(&mut f, "k");
    let t = RecordingTransport::new();
    let soon = send_once(&mut f.db, &mail("k"), &sender("pc-a"), &t).unwrap();
    assert!(matches!(soon, SendOutcome::ClaimedElsewhere { .. }), "{soon:?}");
    f.clock.advance(LEASE + chrono::Duration::seconds(1));
    let later = send_once(&mut f.db, &mail("k"), &sender("pc-a"), &t).unwrap();
    assert!(
        matches!(&later, SendOutcome::Unknown { computer_id, .. } if computer_id == "pc-crashed"),
        "{later:?}"
    );
    f.clock.advance(chrono::Duration::days(3));
    let much_later = send_once(&mut f.db, &mail("k"), &sender("pc-a"), &t).unwrap();
    assert!(matches!(much_later, SendOutcome::Unknown { .. }));
    assert!(t.sent().is_empty(), "nothing sent without the user");
    let row = get(f.db.sql(), "k").unwrap().unwrap();
    assert_eq!(row.state, SendState::Unknown);
    let me = f.db.member().unwrap().id.clone();
    assert_eq!(needing_attention(f.db.sql(), &me).unwrap()[0].key, "k");

    // The user says it did not leave: the next call sends it.
    resolve_unknown(&mut f.db, "k", row.version, Resolution::SendAgain).unwrap();
    let outcome = send_once(&mut f.db, &mail("k"), &sender("pc-a"), &t).unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }));
    assert_eq!(t.sent().len(), 1);
}

#[test]
fn the_user_can_settle_an_unknown_mail_as_sent_once_only() {
    let mut f = fixture();
    crashed_claim(&mut f, "k");
    f.clock.advance(LEASE + chrono::Duration::minutes(1));
    let t = RecordingTransport::new();
    send_once(&mut f.db, &mail("k"), &sender("pc-a"), &t).unwrap();
    let row = get(f.db.sql(), "k").unwrap().unwrap();
    resolve_unknown(&mut f.db, "k", row.version, Resolution::WasSent).unwrap();
    let err = resolve_unknown(&mut f.db, "k", row.version, Resolution::SendAgain).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    let outcome = send_once(&mut f.db, &mail("k"), &sender("pc-a"), &t).unwrap();
    assert!(matches!(outcome, SendOutcome::AlreadySent { .. }));
    assert!(t.sent().is_empty());
}

#[test]
fn a_sender_without_an_account_is_none() {
    let vault = Vault::named("kizuna-unit-test-unused");
    assert!(super::sender(None, &vault, "m", "pc").unwrap().is_none());
    let mut a = account();
    a.user = String::new();
    let s = super::sender(Some(a), &vault, "m", "pc").unwrap().unwrap();
    assert_eq!(s.password, None);
    assert!(!format!("{s:?}").contains("secret"));
}
