//! `kizuna duplicates` and `kizuna merge` as an admin runs them: a real
//! process on a real file.

mod common;

use std::process::{Command, Output};

fn kizuna(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kizuna"))
        .args(args)
        .output()
        .expect("run kizuna")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Two spellings of one customer, as a spreadsheet brings them in.
fn plant(db: &std::path::Path) {
    let conn = common::open(db);
    for (id, name, kana, phone) in [
        (
            "dup-a",
            "株式会社 重複テスト商事",
            "じゅうふくてすとしょうじ",
            "03-9876-5432",
        ),
        (
            "dup-b",
            "重複テスト商事（株）",
            "ジュウフクテストショウジ",
            "+81-3-9876-5432",
        ),
    ] {
        conn.execute(
            "INSERT INTO companies (id, name, name_kana, phone, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            [id, name, kana, phone],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO activities (id, company_id, kind, occurred_at, summary, created_at, updated_at)
         VALUES ('dup-touch', 'dup-b', 'call', '2026-01-02T00:00:00Z', '電話', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')",
        [],
    )
    .unwrap();
}

#[test]
fn an_admin_lists_duplicates_with_reasons_and_merges_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "demo", "--lang", "ja"]).status.success());
    plant(&db);

    let out = kizuna(&["--db", db_s, "duplicates"]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    let line = listed
        .lines()
        .find(|l| l.starts_with("dup-a\t"))
        .unwrap_or_else(|| panic!("the planted pair is listed: {listed}"));
    assert_eq!(
        line,
        "dup-a\t株式会社 重複テスト商事\tdup-b\t重複テスト商事（株）\tname,phone,reading"
    );
    assert!(listed.trim_end().ends_with(" pairs"), "{listed}");

    let out = kizuna(&[
        "--db",
        db_s,
        "--as",
        "admin",
        "merge",
        "--survivor",
        "dup-a",
        "--loser",
        "dup-b",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("merged dup-b into dup-a: 1 records moved"),
        "{}",
        text(&out)
    );

    let out = kizuna(&["--db", db_s, "duplicates", "--kind", "companies"]);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("dup-a\t"),
        "{}",
        text(&out)
    );
    let conn = common::open(&db);
    let (company, alias): (String, String) = conn
        .query_row(
            "SELECT a.company_id, m.survivor_id FROM activities a, merged_ids m WHERE a.id = 'dup-touch' AND m.id = 'dup-b'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((company.as_str(), alias.as_str()), ("dup-a", "dup-a"));
    assert!(kizuna(&["--db", db_s, "check"]).status.success());

    // Merged already: said in words, not a panic.
    let out = kizuna(&["--db", db_s, "merge", "--survivor", "dup-a", "--loser", "dup-b"]);
    assert!(!out.status.success());
    assert!(!text(&out).contains("panicked"), "{}", text(&out));

    let out = kizuna(&["--db", db_s, "duplicates", "--kind", "people"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = kizuna(&["--db", db_s, "duplicates", "--kind", "contacts"]);
    assert!(out.status.success(), "{}", text(&out));
}
