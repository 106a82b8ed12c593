//! Versioned migrations. `PRAGMA user_version` is the schema version and
//! `PRAGMA application_id` marks a file as Kizuna's, so a stray SQLite file of
//! another program is recognised and left untouched.

use crate::error::Result;
use rusqlite::Connection;

/// "KZNA" in ASCII.
pub const APPLICATION_ID: i64 = 0x4B5A_4E41;

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_board.sql"),
    include_str!("../migrations/0003_timeline.sql"),
    include_str!("../migrations/0004_reminders.sql"),
    include_str!("../migrations/0005_renewals.sql"),
    include_str!("../migrations/0006_outbox.sql"),
    include_str!("../migrations/0009_touch_contacts.sql"),
    include_str!("../migrations/0010_deletion_batches.sql"),
];

/// The newest schema this build knows.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// Brings a database from `from` to [`CURRENT`]. The caller holds the write
/// lock (an IMMEDIATE transaction), so exactly one client migrates.
pub(crate) fn migrate(conn: &Connection, from: i64) -> Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        conn.execute_batch(sql)?;
        conn.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    Ok(())
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
            conn.execute_batch(MIGRATIONS[0]).unwrap();
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
        assert_eq!(CURRENT, 8);
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
            .starts_with("kizuna-before-v8-"));
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
            for sql in &MIGRATIONS[..6] {
                conn.execute_batch(sql).unwrap();
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
        assert_eq!(crate::activity::contact_ids(conn, "a1").unwrap(), ["k"]);
        assert!(crate::activity::contact_ids(conn, "a2").unwrap().is_empty());
        assert!(crate::activity::contact_ids(conn, "a3").unwrap().is_empty());
        // The old address holding two is still read, gets no link, and the draft leaves it out.
        let k = crate::company::contact(conn, "k").unwrap();
        assert_eq!((k.email.as_str(), k.mailto), ("a@x.jp,b@y.jp", None));
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        let d = crate::mail::draft_for(conn, "a1", crate::config::Language::Ja, "田中", tokyo).unwrap();
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
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(MIGRATIONS[1]).unwrap();
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
        let r = crate::search::search(conn, "議事録", 0).unwrap();
        assert_eq!(r.activities.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["a1"]);
        let r = crate::search::search(conn, "さくらしょう", 0).unwrap();
        assert_eq!(r.companies.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["c"]);
        assert!(crate::search::search(conn, "削除済み", 0).unwrap().companies.is_empty());
        assert_eq!(crate::search::search(conn, "山田 花子", 0).unwrap().contacts.len(), 1);
        assert_eq!(crate::search::search(conn, "クラウド移行", 0).unwrap().deals.len(), 1);
        let signals: String = conn
            .query_row("SELECT signals FROM activities WHERE id = 'a1'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(signals, r#"["questions_after_meeting","second_visit"]"#);
        for t in ["companies_fts", "contacts_fts", "deals_fts", "activities_fts"] {
            conn.execute(&format!("INSERT INTO {t} ({t}) VALUES ('integrity-check')"), [])
                .unwrap();
        }
        // The new timeline works on the old rows.
        let page = crate::timeline::timeline(
            conn,
            &crate::timeline::TimelineQuery {
                company_id: Some("c".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(page.entries.len(), 3);
        assert_eq!(page.entries.iter().filter(|e| e.deleted).count(), 1);
    }
}
