//! Versioned migrations. `PRAGMA user_version` is the schema version and
//! `PRAGMA application_id` marks a file as Kizuna's, so a stray SQLite file of
//! another program is recognised and left untouched.

use crate::engine_text::legacy;
use crate::error::Result;
use crate::store::sql::{self, Sql};
use rusqlite::Connection;

/// "KZNA" in ASCII.
pub const APPLICATION_ID: i64 = 0x4B5A_4E41;

/// One schema version: its SQL, and for changes SQL cannot express (taking
/// old text apart) a step in Rust run right after it, in the same transaction.
struct Migration {
    sql: &'static str,
    then: Option<fn(&Connection) -> Result<()>>,
}

const fn sql(sql: &'static str) -> Migration {
    Migration { sql, then: None }
}

const MIGRATIONS: &[Migration] = &[
    sql(include_str!("../../migrations/0001_init.sql")),
    sql(include_str!("../../migrations/0002_board.sql")),
    sql(include_str!("../../migrations/0003_timeline.sql")),
    sql(include_str!("../../migrations/0004_reminders.sql")),
    sql(include_str!("../../migrations/0005_renewals.sql")),
    sql(include_str!("../../migrations/0006_outbox.sql")),
    sql(include_str!("../../migrations/0007_touch_contacts.sql")),
    sql(include_str!("../../migrations/0008_deletion_batches.sql")),
    Migration {
        sql: include_str!("../../migrations/0009_engine_text.sql"),
        then: Some(|conn| convert_engine_texts(conn.into()).map(drop)),
    },
    sql(include_str!("../../migrations/0010_members.sql")),
    sql(include_str!("../../migrations/0011_search_bigrams.sql")),
    sql(include_str!("../../migrations/0012_roles.sql")),
    sql(include_str!("../../migrations/0013_support_cases.sql")),
    sql(include_str!("../../migrations/0014_handoffs.sql")),
    sql(include_str!("../../migrations/0015_health_index.sql")),
    sql(include_str!("../../migrations/0016_leads.sql")),
    sql(include_str!("../../migrations/0017_mail_sends.sql")),
    sql(include_str!("../../migrations/0018_sequences.sql")),
    sql(include_str!("../../migrations/0019_import.sql")),
    sql(include_str!("../../migrations/0020_merge.sql")),
    sql(include_str!("../../migrations/0021_archive.sql")),
    sql(include_str!("../../migrations/0023_meeting.sql")),
    sql(include_str!("../../migrations/0025_privacy.sql")),
];

/// The newest schema this build knows.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// Brings a database from `from` to [`CURRENT`]. The caller holds the write
/// lock (an IMMEDIATE transaction), so exactly one client migrates.
pub(crate) fn migrate(conn: &Connection, from: i64) -> Result<()> {
    for (i, m) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        conn.execute_batch(m.sql)?;
        if let Some(step) = m.then {
            step(conn)?;
        }
        conn.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    Ok(())
}

/// A new file at an older schema `version`, as an older Kizuna left it:
/// for tests of upgrades (any migration may be the newest one).
#[doc(hidden)]
pub fn create_at_version(path: &std::path::Path, version: i64) -> Result<()> {
    let mut conn = Connection::open(path)?;
    let tx = conn.transaction()?;
    for (i, m) in MIGRATIONS.iter().enumerate().take(version.max(0) as usize) {
        tx.execute_batch(m.sql)?;
        if let Some(step) = m.then {
            step(&tx)?;
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

/// What the migration converted, and what it left as text.
#[derive(Debug, Default, PartialEq, Eq)]
struct Converted {
    pub follow_ups: usize,
    pub activities: usize,
    pub left: usize,
}

/// A follow-up as the migration reads it.
struct OldFollowUp {
    id: String,
    kind: String,
    title: String,
    company: Option<String>,
    plan: Option<String>,
}

/// A timeline entry as the migration reads it.
struct OldEntry {
    id: String,
    company_id: String,
    kind: String,
    summary: String,
    body: String,
}

/// Migration 9's step after its SQL: stores the kind and parameters of
/// every old follow-up title and timeline summary `engine_text::legacy`
/// recognises. Runs in the migrating transaction; the stored texts are
/// left as they were.
fn convert_engine_texts(conn: Sql) -> Result<Converted> {
    let mut done = Converted::default();
    let follow_ups: Vec<OldFollowUp> = conn.query(
        "SELECT f.id, f.kind, f.title, c.name, k.plan FROM follow_ups f
           LEFT JOIN companies c ON c.id = f.company_id
           LEFT JOIN contracts k ON k.id = f.contract_id
          WHERE f.text_kind IS NULL AND f.kind IN ('appointment', 'decision_deadline', 'reapproach', 'renewal')",
        &[],
        |r| {
            Ok(OldFollowUp {
                id: r.get(0)?,
                kind: r.get(1)?,
                title: r.get(2)?,
                company: r.get(3)?,
                plan: r.get(4)?,
            })
        },
    )?;
    for f in follow_ups {
        match legacy::follow_up(&f.kind, &f.title, f.company.as_deref(), f.plan.as_deref()) {
            Some(t) => {
                let (k, p) = t.to_columns();
                conn.execute(
                    "UPDATE follow_ups SET text_kind = ?2, text_params = ?3 WHERE id = ?1",
                    sql::params![f.id, k, p],
                )?;
                done.follow_ups += 1;
            }
            None => done.left += 1,
        }
    }
    let entries: Vec<OldEntry> = conn.query(
        "SELECT id, company_id, kind, summary, body FROM activities
          WHERE text_kind IS NULL
            AND (kind IN ('stage_change', 'contract') OR (kind = 'email' AND summary = 'お礼メール送信'))",
        &[],
        |r| {
            Ok(OldEntry {
                id: r.get(0)?,
                company_id: r.get(1)?,
                kind: r.get(2)?,
                summary: r.get(3)?,
                body: r.get(4)?,
            })
        },
    )?;
    for e in entries {
        let plans: Vec<String> = if e.kind == "contract" {
            conn.query(
                "SELECT plan FROM contracts WHERE company_id = ?1 ORDER BY length(plan) DESC",
                sql::params![e.company_id],
                |r| r.get(0),
            )?
        } else {
            Vec::new()
        };
        match legacy::activity(&e.kind, &e.summary, &e.body, &plans) {
            Some(t) => {
                let (k, p) = t.to_columns();
                conn.execute(
                    "UPDATE activities SET text_kind = ?2, text_params = ?3, search_text = ?4 WHERE id = ?1",
                    sql::params![e.id, k, p, t.search_text()],
                )?;
                done.activities += 1;
            }
            None => done.left += 1,
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Db, OpenOptions};

    #[test]
    fn a_version_1_file_is_migrated_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0].sql).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
        }
        let backups = dir.path().join("backups");
        let db = Db::open(
            &path,
            OpenOptions::new("tanaka", "田中").with_backup_dir(backups.clone()),
        )
        .unwrap();
        assert_eq!(db.schema_version().unwrap(), CURRENT);
        assert_eq!(CURRENT, 23);
        // The copy taken before migrating is the old file, whole.
        let copies: Vec<_> = std::fs::read_dir(&backups)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(copies.len(), 1);
        assert!(copies[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("kizuna-before-v23-"));
        let old = Connection::open(&copies[0]).unwrap();
        assert_eq!(
            old.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
                .unwrap(),
            1
        );
        // Opening again migrates nothing and copies nothing.
        Db::open(
            &path,
            OpenOptions::new("tanaka", "田中").with_backup_dir(backups.clone()),
        )
        .unwrap();
        assert_eq!(std::fs::read_dir(&backups).unwrap().count(), 1);
        let count = |sql: &str| -> i64 { db.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT COUNT(lost_detail) FROM deals"), 0);
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'
                 AND name IN ('follow_ups_deal_open', 'activities_deal_signals', 'deals_stage', 'deals_board')"
            ),
            4
        );
    }

    #[test]
    fn a_version_6_file_indexes_its_lost_deals_and_keeps_who_was_met() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        {
            let conn = Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..6] {
                conn.execute_batch(m.sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 6).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
            let t = "2026-11-01T00:00:00Z";
            conn.execute_batch(&format!(
                "INSERT INTO companies (id, name, created_at, updated_at) VALUES ('c', '株式会社さくら商事', '{t}', '{t}');
                 INSERT INTO contacts (id, company_id, name, email, created_at, updated_at)
                   VALUES ('k', 'c', '山田 花子', 'a@x.jp,b@y.jp', '{t}', '{t}');
                 INSERT INTO pipelines (id, name, position, created_at, updated_at) VALUES ('p', '営業', 0, '{t}', '{t}');
                 INSERT INTO stages (id, pipeline_id, name, position, kind, created_at, updated_at)
                   VALUES ('s', 'p', '失注', 0, 'lost', '{t}', '{t}');
                 INSERT INTO deals (id, pipeline_id, stage_id, company_id, contact_id, title, stage_entered_at, lost_at,
                                    lost_reason, lost_detail, lost_to, created_at, updated_at)
                   VALUES ('d', 'p', 's', 'c', 'k', 'クラウド移行案件', '{t}', '{t}', '価格', '先方の予算が半分に削られた',
                           'ライバルソフト株式会社', '{t}', '{t}');
                 INSERT INTO deals (id, pipeline_id, stage_id, company_id, title, stage_entered_at, lost_detail,
                                    created_at, updated_at, deleted_at)
                   VALUES ('d2', 'p', 's', 'c', '削除した案件', '{t}', '予算が半分に消えた', '{t}', '{t}', '{t}');
                 INSERT INTO activities (id, company_id, contact_id, kind, occurred_at, summary, created_at, updated_at)
                   VALUES ('a1', 'c', 'k', 'meeting', '{t}', '初回訪問', '{t}', '{t}');
                 INSERT INTO activities (id, company_id, contact_id, deal_id, kind, occurred_at, summary, body,
                                         created_at, updated_at)
                   VALUES ('a2', 'c', 'k', 'd', 'stage_change', '{t}', '提案 → 失注', '{{}}', '{t}', '{t}');
                 INSERT INTO activities (id, company_id, kind, occurred_at, summary, created_at, updated_at)
                   VALUES ('a3', 'c', 'call', '{t}', '電話', '{t}', '{t}');"
            ))
            .unwrap();
        }
        let db = Db::open(&path, OpenOptions::new("tanaka", "田中")).unwrap();
        assert_eq!(db.schema_version().unwrap(), CURRENT);
        let conn = db.conn();
        let deals = |q: &str| crate::testutil::deal_hits(&db, q);
        assert_eq!(
            deals("予算が半分"),
            ["d"],
            "the detail of a deal lost before, not a deleted one"
        );
        assert_eq!(deals("ライバルソフト"), ["d"]);
        assert_eq!(deals("クラウド移行"), ["d"], "titles are still found");
        conn.execute("INSERT INTO deals_fts (deals_fts) VALUES ('integrity-check')", [])
            .unwrap();
        // The touch names the contact it named; the stage change met nobody.
        assert_eq!(crate::timeline::activity::contact_ids(conn, "a1").unwrap(), ["k"]);
        assert!(crate::timeline::activity::contact_ids(conn, "a2").unwrap().is_empty());
        assert!(crate::timeline::activity::contact_ids(conn, "a3").unwrap().is_empty());
        // The old address holding two is still read, gets no link, and the draft leaves it out.
        let k = crate::customers::contact::contact(conn, "k").unwrap();
        assert_eq!((k.email.as_str(), k.mailto), ("a@x.jp,b@y.jp", None));
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        let d = crate::timeline::mail::draft_for(conn, "a1", crate::language::Language::Ja, "田中", tokyo).unwrap();
        assert!(d.to.is_empty());
        assert_eq!(d.unaddressed[0].email, "a@x.jp,b@y.jp");
        assert!(d.draft.body.contains("山田 花子 様"), "{}", d.draft.body);
    }

    #[test]
    fn a_version_2_file_gets_the_search_index_with_what_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0].sql).unwrap();
            conn.execute_batch(MIGRATIONS[1].sql).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
            let t = "2026-11-01T00:00:00Z";
            conn.execute_batch(&format!(
                "INSERT INTO users (id, login, display_name, created_at, updated_at) VALUES ('u', 'tanaka', '田中', '{t}', '{t}');
                 INSERT INTO companies (id, name, name_kana, created_at, updated_at) VALUES ('c', '株式会社さくら商事', 'さくらしょうじ', '{t}', '{t}');
                 INSERT INTO companies (id, name, created_at, updated_at, deleted_at) VALUES ('c2', '削除済み商事', '{t}', '{t}', '{t}');
                 INSERT INTO contacts (id, company_id, name, created_at, updated_at) VALUES ('k', 'c', '山田 花子', '{t}', '{t}');
                 INSERT INTO pipelines (id, name, position, created_at, updated_at) VALUES ('p', '営業', 0, '{t}', '{t}');
                 INSERT INTO stages (id, pipeline_id, name, position, created_at, updated_at) VALUES ('s', 'p', 'リード', 0, '{t}', '{t}');
                 INSERT INTO deals (id, pipeline_id, stage_id, company_id, title, stage_entered_at, created_at, updated_at)
                   VALUES ('d', 'p', 's', 'c', 'クラウド移行案件', '{t}', '{t}', '{t}');
                 INSERT INTO activities (id, company_id, kind, occurred_at, summary, minutes, signals, created_at, updated_at)
                   VALUES ('a1', 'c', 'meeting', '{t}', '初回訪問', '前回の議事録を確認した', '[\"asked_questions\",\"second_visit\"]', '{t}', '{t}');
                 INSERT INTO activities (id, company_id, kind, occurred_at, summary, created_at, updated_at, deleted_at)
                   VALUES ('a2', 'c', 'call', '{t}', '消した議事録', '{t}', '{t}', '{t}');
                 INSERT INTO activities (id, company_id, deal_id, kind, occurred_at, summary, body, created_at, updated_at)
                   VALUES ('a3', 'c', 'd', 'stage_change', '{t}', 'リード → 議事録', '{{}}', '{t}', '{t}');"
            ))
            .unwrap();
        }
        let db = Db::open(&path, OpenOptions::new("tanaka", "田中")).unwrap();
        assert_eq!(db.schema_version().unwrap(), CURRENT);
        let conn = db.conn();
        let r = crate::timeline::search::search(conn, "議事録", 0, crate::language::Language::Ja).unwrap();
        assert_eq!(
            r.activities.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["a1"]
        );
        let r = crate::timeline::search::search(conn, "さくらしょう", 0, crate::language::Language::Ja).unwrap();
        assert_eq!(
            r.companies.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["c"]
        );
        assert!(
            crate::timeline::search::search(conn, "削除済み", 0, crate::language::Language::Ja)
                .unwrap()
                .companies
                .hits
                .is_empty()
        );
        assert_eq!(
            crate::timeline::search::search(conn, "山田 花子", 0, crate::language::Language::Ja)
                .unwrap()
                .contacts
                .hits
                .len(),
            1
        );
        assert_eq!(
            crate::timeline::search::search(conn, "クラウド移行", 0, crate::language::Language::Ja)
                .unwrap()
                .deals
                .hits
                .len(),
            1
        );
        let signals: String = conn
            .query_row("SELECT signals FROM activities WHERE id = 'a1'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(signals, r#"["questions_after_meeting","second_visit"]"#);
        for t in ["companies_fts", "contacts_fts", "deals_fts", "activities_fts"] {
            conn.execute(&format!("INSERT INTO {t} ({t}) VALUES ('integrity-check')"), [])
                .unwrap();
        }
        // The new timeline works on the old rows.
        let page = crate::timeline::entries::timeline(
            conn,
            &crate::timeline::entries::TimelineQuery {
                company_id: Some("c".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(page.entries.len(), 3);
        assert_eq!(page.entries.iter().filter(|e| e.deleted).count(), 1);
    }

    #[test]
    fn a_version_6_file_gets_its_old_japanese_sentences_as_kinds() {
        use crate::engine_text::EngineText;
        use crate::language::Language::{En, Ja};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        {
            let conn = Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..6] {
                conn.execute_batch(m.sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 6).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
            let t = "2026-11-01T00:00:00Z";
            conn.execute_batch(&format!(
                "INSERT INTO users (id, login, display_name, created_at, updated_at) VALUES ('u', 'tanaka', '田中', '{t}', '{t}');
                 INSERT INTO companies (id, name, created_at, updated_at) VALUES ('c', '株式会社さくら商事', '{t}', '{t}');
                 INSERT INTO contracts (id, company_id, plan, start_date, end_date, created_at, updated_at)
                   VALUES ('k', 'c', 'クラウド会計 年額', '2026-04-01', '2027-03-31', '{t}', '{t}');
                 INSERT INTO follow_ups (id, kind, title, due_at, company_id, contract_id, created_at, updated_at) VALUES
                   ('f1', 'renewal', '更新ヒアリング: 株式会社さくら商事 クラウド会計 年額', '{t}', 'c', 'k', '{t}', '{t}'),
                   ('f2', 'appointment', '次回アポイント: 株式会社さくら商事', '{t}', 'c', NULL, '{t}', '{t}'),
                   ('f3', 'follow_up', '見積回答の確認', '{t}', 'c', NULL, '{t}', '{t}'),
                   ('f4', 'renewal', '更新提案: 旧社名 旧プラン', '{t}', 'c', 'k', '{t}', '{t}');
                 INSERT INTO activities (id, company_id, kind, occurred_at, summary, body, created_at, updated_at) VALUES
                   ('a1', 'c', 'contract', '{t}', '契約開始: クラウド会計 年額（2026-04-01 〜 2027-03-31）', '', '{t}', '{t}'),
                   ('a2', 'c', 'contract', '{t}', '更新ヒアリング: クラウド会計 年額（満足度 4/5）', '締めが遅い', '{t}', '{t}'),
                   ('a3', 'c', 'stage_change', '{t}', '提案 → 失注', '{{\"from\":\"提案\",\"to\":\"失注\",\"lost_reason\":\"価格\"}}', '{t}', '{t}'),
                   ('a4', 'c', 'contract', '{t}', '契約書の原本を受領', '', '{t}', '{t}'),
                   ('a5', 'c', 'call', '{t}', '更新手続き: 先方と電話で確認', '', '{t}', '{t}');"
            ))
            .unwrap();
        }
        let db = Db::open(&path, OpenOptions::new("tanaka", "田中")).unwrap();
        assert_eq!(db.schema_version().unwrap(), CURRENT);
        let conn = db.conn();
        let clock = crate::clock::FixedClock::at("2026-11-25T10:00:00+09:00");
        let titles: Vec<(String, Option<String>)> = crate::followups::follow_up::list_open(conn, &clock, None)
            .unwrap()
            .into_iter()
            .map(|i| (i.title, i.engine_text.map(|t| t.render(En))))
            .collect();
        assert_eq!(
            titles,
            [
                (
                    "更新ヒアリング: 株式会社さくら商事 クラウド会計 年額".to_string(),
                    Some("Renewal hearing: 株式会社さくら商事 クラウド会計 年額".to_string())
                ),
                (
                    "次回アポイント: 株式会社さくら商事".into(),
                    Some("Next appointment: 株式会社さくら商事".into())
                ),
                // Typed by a person: theirs, in every language.
                ("見積回答の確認".into(), None),
                // Company and plan both renamed since: nothing says where one ends.
                ("更新提案: 旧社名 旧プラン".into(), None),
            ]
        );
        let q = crate::timeline::entries::TimelineQuery {
            company_id: Some("c".into()),
            ..Default::default()
        };
        let page = crate::timeline::entries::timeline(conn, &q).unwrap();
        let entry = |id: &str| page.entries.iter().find(|e| e.id == id).unwrap();
        assert_eq!(
            entry("a1").engine_text.as_ref().map(|t| t.render(En)).as_deref(),
            Some("Contract started: クラウド会計 年額 (2026-04-01 – 2027-03-31)")
        );
        assert_eq!(
            entry("a2").engine_text,
            Some(EngineText::RenewalHearingHeld {
                plan: "クラウド会計 年額".into(),
                satisfaction: 4
            })
        );
        assert_eq!(
            entry("a3").engine_text.as_ref().map(|t| t.render(Ja)).as_deref(),
            Some("提案 → 失注")
        );
        // The stored words stay as they were; what is not the engine's stays text.
        assert_eq!(entry("a3").summary, "提案 → 失注");
        assert_eq!(entry("a4").engine_text, None);
        assert_eq!(entry("a5").engine_text, None, "a call someone logged is theirs");
        // Converted entries are found by their English words too; the index is whole.
        let r = crate::timeline::search::search(conn, "Contract started", 0, En).unwrap();
        assert_eq!(
            r.activities.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["a1"]
        );
        let snippet: String = r.activities.hits[0].snippet.iter().map(|p| p.text.as_str()).collect();
        assert!(
            snippet.starts_with("Contract started: "),
            "the reader's words: {snippet}"
        );
        let r = crate::timeline::search::search(conn, "満足度", 0, Ja).unwrap();
        assert_eq!(r.activities.hits.len(), 1);
        conn.execute(
            "INSERT INTO activities_fts (activities_fts) VALUES ('integrity-check')",
            [],
        )
        .unwrap();
    }

    #[test]
    fn a_version_6_file_keeps_its_members_and_everything_pointing_at_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        create_at_version(&path, 6).unwrap();
        {
            let conn = Connection::open(&path).unwrap();
            let t = "2026-11-01T00:00:00Z";
            conn.execute_batch(&format!(
                "INSERT INTO users (id, login, display_name, created_at, updated_at, notify_prefs)
                   VALUES ('u', 'user', '佐藤', '{t}', '{t}', '{{\"enabled\":false}}');
                 INSERT INTO companies (id, name, owner_id, created_at, updated_at) VALUES ('c', 'みなと商事', 'u', '{t}', '{t}');
                 INSERT INTO follow_ups (id, title, due_at, assignee_id, company_id, created_at, updated_at)
                   VALUES ('f', '電話', '{t}', 'u', 'c', '{t}', '{t}');"
            ))
            .unwrap();
        }
        let mut db = Db::open(&path, OpenOptions::new("user", "佐藤")).unwrap();
        assert_eq!(db.user().id, "u", "the login still finds its member");
        let conn = db.conn();
        let broken: i64 = conn
            .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(broken, 0);
        let prefs: String = conn
            .query_row("SELECT notify_prefs FROM users WHERE id = 'u'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(prefs, r#"{"enabled":false}"#);
        assert!(!db.team_key().starts_with("path:"), "the file has its own id now");
        // One login, two people.
        let second = db.join_as_new_member("user", "鈴木").unwrap();
        assert_ne!(second.id, "u");
        // Foreign keys still hold.
        let orphan = db.write(|ctx| {
            ctx.tx()?
                .execute("UPDATE companies SET owner_id = 'nobody' WHERE id = 'c'", [])
                .map_err(crate::Error::from)
        });
        assert!(orphan.is_err());
    }

    #[test]
    fn a_file_from_before_the_bigram_index_gets_it_with_what_it_holds() {
        // A file at the schema before migration 0011, with rows of every kind,
        // one of them deleted and a stage change (never searched).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("before-bigrams.db");
        let before = MIGRATIONS
            .iter()
            .position(|m| m.sql.contains("_bigrams"))
            .expect("the bigram migration");
        create_at_version(&path, before as i64).unwrap();
        {
            let conn = Connection::open(&path).unwrap();
            let t = "2026-11-01T00:00:00Z";
            conn.execute_batch(&format!(
                "INSERT INTO companies (id, name, name_kana, created_at, updated_at) VALUES ('c', '林産業', 'はやしさんぎょう', '{t}', '{t}');
                 INSERT INTO companies (id, name, created_at, updated_at, deleted_at) VALUES ('c2', '林商店', '{t}', '{t}', '{t}');
                 INSERT INTO contacts (id, company_id, name, created_at, updated_at) VALUES ('k', 'c', '田中 花子', '{t}', '{t}');
                 INSERT INTO pipelines (id, name, position, created_at, updated_at) VALUES ('p', '営業', 0, '{t}', '{t}');
                 INSERT INTO stages (id, pipeline_id, name, position, created_at, updated_at) VALUES ('s', 'p', 'リード', 0, '{t}', '{t}');
                 INSERT INTO deals (id, pipeline_id, stage_id, company_id, title, stage_entered_at, created_at, updated_at)
                   VALUES ('d', 'p', 's', 'c', '稟議中の案件', '{t}', '{t}', '{t}');
                 INSERT INTO deals (id, pipeline_id, stage_id, company_id, title, lost_to, stage_entered_at, created_at, updated_at)
                   VALUES ('d2', 'p', 's', 'c', '失った案件', '競合A社', '{t}', '{t}', '{t}');
                 INSERT INTO activities (id, company_id, kind, occurred_at, summary, minutes, created_at, updated_at)
                   VALUES ('a1', 'c', 'meeting', '{t}', '初回訪問', '見積を提出、稟議は来月', '{t}', '{t}');
                 INSERT INTO activities (id, company_id, kind, occurred_at, summary, created_at, updated_at, deleted_at)
                   VALUES ('a2', 'c', 'call', '{t}', '消した見積', '{t}', '{t}', '{t}');
                 INSERT INTO activities (id, company_id, deal_id, kind, occurred_at, summary, body, created_at, updated_at)
                   VALUES ('a3', 'c', 'd', 'stage_change', '{t}', 'リード → 見積', '{{}}', '{t}', '{t}');"
            ))
            .unwrap();
        }
        let db = Db::open(&path, OpenOptions::new("tanaka", "田中")).unwrap();
        assert_eq!(db.schema_version().unwrap(), CURRENT);
        let conn = db.conn();
        let find = |q: &str| crate::timeline::search::search(conn, q, 0, crate::language::Language::Ja).unwrap();
        let ids = |g: &crate::timeline::search::SearchGroup| g.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&find("見積").activities), ["a1"]);
        let r = find("稟議");
        assert_eq!(
            (ids(&r.deals), ids(&r.activities)),
            (vec!["d".to_string()], vec!["a1".to_string()])
        );
        assert_eq!(ids(&find("田中").contacts), ["k"]);
        assert_eq!(ids(&find("林").companies), ["c"]);
        assert_eq!(ids(&find("競合").deals), ["d2"], "the competitor who won");
        for t in [
            "companies_bigrams",
            "contacts_bigrams",
            "deals_bigrams",
            "activities_bigrams",
        ] {
            conn.execute(&format!("INSERT INTO {t} ({t}) VALUES ('integrity-check')"), [])
                .unwrap();
        }
    }
}
