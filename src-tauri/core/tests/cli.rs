//! The `kizuna` CLI as an admin uses it: real process, real files.

mod common;

use std::path::Path;
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

#[test]
fn demo_check_backup_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    let out = kizuna(&["--db", db_s, "demo"]);
    assert!(out.status.success(), "{}", text(&out));

    let out = kizuna(&["--db", db_s, "check"]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("integrity ok") && t.contains("journal:    delete"), "{t}");
    // The board's 120 and one qualified from a sample lead.
    assert!(t.contains("deals:      121"), "{t}");
    // Every label stands apart from its value, however long the label.
    for line in String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.contains(':')) {
        let (label, value) = line.split_once(':').unwrap();
        assert!(value.starts_with(' '), "{label} runs into its value: {line}");
    }

    let copy = dir.path().join("copy.db");
    let out = kizuna(&["--db", db_s, "backup", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let out = kizuna(&["--db", copy.to_str().unwrap(), "check"]);
    assert!(out.status.success(), "the backup is a healthy database: {}", text(&out));

    // Never overwrite: neither an existing database nor an existing backup.
    assert!(!kizuna(&["--db", db_s, "demo"]).status.success());
    assert!(!kizuna(&["--db", db_s, "backup", copy.to_str().unwrap()])
        .status
        .success());
}

/// The stage names of a file's first pipeline, in board order.
fn stages(db: &Path) -> Vec<String> {
    let conn = common::open(db);
    let mut st = conn
        .prepare(
            "SELECT s.name FROM stages s JOIN pipelines p ON p.id = s.pipeline_id
              WHERE p.position = 0 ORDER BY s.position",
        )
        .unwrap();
    let names = st.query_map([], |r| r.get(0)).unwrap();
    names.map(|n| n.unwrap()).collect()
}

#[test]
fn demo_names_stages_in_the_language_asked_for_or_the_systems() {
    let dir = tempfile::tempdir().unwrap();
    let en = dir.path().join("en.db");
    let out = kizuna(&["--db", en.to_str().unwrap(), "demo", "--lang", "en"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        stages(&en),
        ["Lead", "First meeting", "Proposal", "Quote", "Closing", "Won", "Lost"]
    );
    let ja = dir.path().join("ja.db");
    assert!(kizuna(&["--db", ja.to_str().unwrap(), "demo", "--lang", "ja"])
        .status
        .success());
    assert_eq!(stages(&ja)[0], "リード");
    // Without --lang, the system's language: on Unix the locale's variables.
    // (Windows takes the user's display language from its own settings,
    // which no environment variable changes.)
    #[cfg(unix)]
    {
        let os = dir.path().join("os.db");
        let out = Command::new(env!("CARGO_BIN_EXE_kizuna"))
            .args(["--db", os.to_str().unwrap(), "demo"])
            .env("LC_ALL", "ja_JP.UTF-8")
            .env("LANG", "ja_JP.UTF-8")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(stages(&os)[0], "リード");
    }
    let bad = dir.path().join("bad.db");
    let out = kizuna(&["--db", bad.to_str().unwrap(), "demo", "--lang", "fr"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("invalid"), "{}", text(&out));
    assert!(!bad.exists(), "nothing created");
}

#[test]
fn check_fails_on_problems_and_leaves_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let not_db = dir.path().join("memo.txt");
    std::fs::write(&not_db, "議事録のメモ").unwrap();
    let out = kizuna(&["--db", not_db.to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not_kizuna"));
    assert_eq!(std::fs::read_to_string(&not_db).unwrap(), "議事録のメモ");

    let db = dir.path().join("team.db");
    assert!(kizuna(&["--db", db.to_str().unwrap(), "demo"]).status.success());
    corrupt(&db);
    let before = std::fs::read(&db).unwrap();
    let out = kizuna(&["--db", db.to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(std::fs::read(&db).unwrap(), before, "check never writes");

    let missing = kizuna(&["--db", dir.path().join("nope.db").to_str().unwrap(), "check"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).contains("file_missing"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(kizuna(&[]).status.code(), Some(2));
    assert_eq!(kizuna(&["--db", "x.db", "frobnicate"]).status.code(), Some(2));
    assert_eq!(kizuna(&["--bogus"]).status.code(), Some(2));
}

/// Overwrites interior pages (not the header) so SQLite sees a damaged file.
fn corrupt(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let end = bytes.len().min(4096 * 40);
    for b in &mut bytes[4096 * 2..end] {
        *b = 0xA5;
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_colleague_plans_a_follow_up_for_a_team_member() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "demo"]).status.success());
    // The assignee must be a known team member: "tanaka" has never opened it.
    let out = kizuna(&[
        "--db",
        db_s,
        "--as",
        "sato",
        "follow-up",
        "--to",
        "tanaka",
        "--title",
        "x",
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("[invalid]"), "{}", text(&out));
    // Opening the file made sato a member; tanaka becomes one the same way.
    let out = kizuna(&[
        "--db",
        db_s,
        "--as",
        "tanaka",
        "follow-up",
        "--to",
        "sato",
        "--title",
        "引き継ぎ",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = kizuna(&[
        "--db",
        db_s,
        "--as",
        "sato",
        "follow-up",
        "--to",
        "tanaka",
        "--title",
        "折り返し電話",
        "--in",
        "60",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let conn = common::open(&db);
    let (title, who, creator): (String, String, String) = conn
        .query_row(
            "SELECT f.title, a.login, c.login FROM follow_ups f JOIN users a ON a.id = f.assignee_id
             JOIN users c ON c.id = f.updated_by WHERE f.id = ?1",
            [String::from_utf8_lossy(&out.stdout).trim()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (title.as_str(), who.as_str(), creator.as_str()),
        ("折り返し電話", "tanaka", "sato")
    );
}

#[test]
fn restore_puts_a_backup_back_and_never_writes_into_a_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    let copy = dir.path().join("backup.db");
    let copy_s = copy.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "demo"]).status.success());
    assert!(kizuna(&["--db", db_s, "backup", copy_s]).status.success());
    let count = |p: &Path| -> i64 {
        common::open(p)
            .query_row("SELECT COUNT(*) FROM follow_ups", [], |r| r.get(0))
            .unwrap()
    };
    let before = count(&db);
    assert!(kizuna(&[
        "--db",
        db_s,
        "--as",
        "sato",
        "follow-up",
        "--to",
        "sato",
        "--title",
        "後から追加"
    ])
    .status
    .success());
    assert_eq!(count(&db), before + 1);

    // Healthy target: restored in place.
    let out = kizuna(&["--db", db_s, "restore", copy_s]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(count(&db), before);
    assert!(kizuna(&["--db", db_s, "check"]).status.success());

    // Damaged target: kept aside byte for byte, the backup takes its place.
    corrupt(&db);
    let damaged = std::fs::read(&db).unwrap();
    let out = kizuna(&["--db", db_s, "restore", copy_s]);
    assert!(out.status.success(), "{}", text(&out));
    let aside = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension()
                .is_some_and(|e| e.to_string_lossy().starts_with("damaged-"))
        })
        .expect("the damaged file is kept aside");
    assert_eq!(std::fs::read(&aside).unwrap(), damaged);
    assert!(kizuna(&["--db", db_s, "check"]).status.success());
    assert_eq!(count(&db), before);

    // A file that is not a Kizuna backup is refused; the team file stays.
    let text_file = dir.path().join("notes.txt");
    std::fs::write(&text_file, "not a database").unwrap();
    let out = kizuna(&["--db", db_s, "restore", text_file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("[not_kizuna]"), "{}", text(&out));
    assert_eq!(count(&db), before);
}

#[test]
fn check_backup_and_writes_work_after_the_last_writer_crashed_mid_save() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "demo"]).status.success());
    let acked = common::kill_the_last_writer_mid_save(Path::new(env!("CARGO_BIN_EXE_kizuna")), &db);
    assert!(common::hot_journal(&db), "the crash left a hot journal");

    let out = kizuna(&["--db", db_s, "check"]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("integrity ok") && t.contains("rolled back"), "{t}");
    let stored = common::stored(&db);
    let missing: Vec<_> = acked.difference(&stored).take(5).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the crash but missing: {missing:?}"
    );

    let copy = dir.path().join("copy.db");
    assert!(kizuna(&["--db", db_s, "backup", copy.to_str().unwrap()])
        .status
        .success());
    let out = kizuna(&[
        "--db",
        db_s,
        "--as",
        "sato",
        "follow-up",
        "--to",
        "sato",
        "--title",
        "翌朝の電話",
    ]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn backup_and_follow_up_recover_a_crashed_save_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "demo"]).status.success());
    common::kill_the_last_writer_mid_save(Path::new(env!("CARGO_BIN_EXE_kizuna")), &db);
    let copy = dir.path().join("copy.db");
    let out = kizuna(&["--db", db_s, "backup", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(kizuna(&["--db", copy.to_str().unwrap(), "check"]).status.success());
}

#[test]
fn check_of_a_wal_file_creates_nothing_and_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    // Plain in the encrypted run too: only SQLite's header, which an
    // encrypted file does not show, lets another program switch it to WAL.
    assert!(kizuna_with(&["--db", db.to_str().unwrap(), "demo"], &[])
        .status
        .success());
    common::open(&db).pragma_update(None, "journal_mode", "WAL").unwrap();
    let out = kizuna(&["--db", db.to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("journal:    wal"), "{}", text(&out));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("team.db")], "no -wal or -shm created");
}

#[test]
fn a_follow_up_too_far_away_is_refused_in_words_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "demo"]).status.success());
    let out = kizuna(&[
        "--db",
        db_s,
        "--as",
        "sato",
        "follow-up",
        "--to",
        "sato",
        "--title",
        "x",
        "--in",
        "99999999999999",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("invalid in: out_of_range [invalid]"), "{t}");
    assert!(!t.contains("panicked"), "{t}");
}

#[test]
fn a_follow_up_on_a_file_this_kizuna_may_not_write_gives_the_real_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "demo"]).status.success());
    common::open(&db).pragma_update(None, "user_version", 999).unwrap();
    let out = kizuna(&[
        "--db",
        db_s,
        "--as",
        "sato",
        "follow-up",
        "--to",
        "sato",
        "--title",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("schema_too_new [read_only]"), "{t}");
}

/// `--as LOGIN` keeps working for scripts and admins now that a login is
/// only a hint: it finds (or, as before, creates) the member with that
/// login, `--as ID` names a member exactly, and a login two members share
/// is refused rather than guessed; a merged stray's login leads to the
/// member it was merged into.
#[test]
fn as_login_finds_a_member_and_refuses_a_shared_login() {
    use kizuna_core::{Db, OpenOptions};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "--as", "sato", "demo"]).status.success());
    let plan = |r#as: &str, to: &str| {
        kizuna(&[
            "--db",
            db_s,
            "--as",
            r#as,
            "follow-up",
            "--to",
            to,
            "--title",
            "お電話",
            "--in",
            "60",
        ])
    };
    let out = plan("sato", "sato.k");
    assert!(out.status.success(), "{}", text(&out));

    // A second person on a PC logged in as "sato" adds himself.
    let (sato, kenta, second) = {
        let mut admin = Db::open(&db, OpenOptions::new("sato", "sato")).unwrap();
        let sato = admin.user().clone();
        let kenta = kizuna_core::team::member::find_by_login(admin.conn(), "sato.k")
            .unwrap()
            .unwrap();
        let second = admin.join_as_new_member("sato", "佐藤 二郎").unwrap();
        (sato, kenta, second)
    };
    let out = plan("sato", "sato.k");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("ambiguous"), "{}", text(&out));
    let out = plan(&second.id, "sato.k");
    assert!(out.status.success(), "an id names one member: {}", text(&out));

    // The stray "sato" merged into 佐藤 健太: `--as sato` is him from now on
    // (once the other "sato" is merged too, the login names nobody else).
    {
        let mut admin = Db::open(&db, OpenOptions::new(kenta.id.clone(), "")).unwrap();
        admin
            .write(|ctx| kizuna_core::team::member::merge(ctx, &sato.id, sato.version, &kenta.id))
            .unwrap();
        admin
            .write(|ctx| kizuna_core::team::member::merge(ctx, &second.id, second.version, &kenta.id))
            .unwrap();
    }
    let out = plan("sato", "sato.k");
    assert!(out.status.success(), "{}", text(&out));
    let admin = Db::open(&db, OpenOptions::new("sato", "sato")).unwrap();
    assert_eq!(admin.user().id, kenta.id, "no new stray is made");
}

#[test]
fn a_web_form_lead_arrives_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "demo", "--lang", "ja"]).status.success());
    let lead = |source: &str, extra: &[&str]| {
        let mut args = vec![
            "--db",
            db_s,
            "--as",
            "webform",
            "lead",
            "add",
            "--source",
            source,
            "--company",
            "株式会社フォーム",
            "--name",
            "入力 太郎",
            "--mail",
            "taro@form.co.jp",
            "--message",
            "見積をお願いします",
        ];
        args.extend_from_slice(extra);
        kizuna(&args)
    };
    let out = lead("web_form", &[]);
    assert!(out.status.success(), "{}", text(&out));
    let conn = common::open(&db);
    let (source, company, status, by): (String, String, String, String) = conn
        .query_row(
            "SELECT l.source, l.company_name, l.status, u.login FROM leads l JOIN users u ON u.id = l.updated_by
              WHERE l.id = ?1",
            [String::from_utf8_lossy(&out.stdout).trim()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (source.as_str(), company.as_str(), status.as_str(), by.as_str()),
        ("web_form", "株式会社フォーム", "new", "webform")
    );
    // A source the team does not have, a member nobody knows, no source.
    for (source, extra) in [("fax", &[][..]), ("web_form", &["--to", "nobody"][..])] {
        let out = lead(source, extra);
        assert!(!out.status.success());
        assert!(text(&out).contains("[invalid]"), "{}", text(&out));
    }
    let out = kizuna(&["--db", db_s, "lead", "add", "--company", "x"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

fn live_companies(db: &Path) -> i64 {
    let conn = common::open(db);
    conn.query_row("SELECT COUNT(*) FROM companies WHERE deleted_at IS NULL", [], |r| {
        r.get(0)
    })
    .unwrap()
}

#[test]
fn an_admin_imports_a_shift_jis_csv_dry_run_first_then_undoes_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "demo", "--lang", "ja"]).status.success());
    let before = live_companies(&db);
    let csv = dir.path().join("顧客.csv");
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(
        "顧客一覧\r\n会社名,業種,電話番号,営業担当\r\n株式会社髙木工業,製造,03-9999-0001,\r\n﨑田商事株式会社,卸売,06-9999-0002,誰でもない人\r\n株式会社髙木工業,製造,03-9999-0001,\r\n",
    );
    std::fs::write(&csv, bytes).unwrap();
    let csv_s = csv.to_str().unwrap();

    let out = kizuna(&["--db", db_s, "import", csv_s, "--kind", "companies", "--dry-run"]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("shift_jis, comma, header on row 2"), "{t}");
    assert!(
        t.contains("会社名 -> company_name") && t.contains("営業担当 -> owner"),
        "{t}"
    );
    assert!(
        t.contains("3 rows: 1 new, 0 update, 0 match (skipped), 1 repeated in the file, 1 with problems"),
        "{t}"
    );
    assert!(t.contains("row 4: unknown_owner (owner: \"誰でもない人\")"), "{t}");
    assert_eq!(live_companies(&db), before, "a dry run writes nothing");

    let out = kizuna(&["--db", db_s, "import", csv_s, "--kind", "companies"]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("1 added, 0 updated, 2 skipped, 0 failed"), "{t}");
    assert!(t.contains("rows per second"), "{t}");
    let batch = t.lines().find_map(|l| l.strip_prefix("batch ")).unwrap().to_string();
    assert_eq!(live_companies(&db), before + 1);

    // The same file again adds nothing.
    let out = kizuna(&["--db", db_s, "import", csv_s, "--kind", "companies"]);
    assert!(text(&out).contains("0 added"), "{}", text(&out));
    assert_eq!(live_companies(&db), before + 1);

    let out = kizuna(&["--db", db_s, "import", "--undo", &batch]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1 removed"), "{}", text(&out));
    assert_eq!(live_companies(&db), before);
    let again = kizuna(&["--db", db_s, "import", "--undo", &batch]);
    assert!(!again.status.success());
    assert!(text(&again).contains("[import_batch_closed]"), "{}", text(&again));

    let out = kizuna(&["--db", db_s, "import", csv_s, "--kind", "invoices"]);
    assert!(text(&out).contains("[invalid]"), "{}", text(&out));
}

fn live(db: &Path, sql: &str) -> i64 {
    let conn = common::open(db);
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn an_admin_imports_past_touches_and_contracts_of_known_companies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna(&["--db", db_s, "demo", "--lang", "ja"]).status.success());
    let companies = dir.path().join("顧客.csv");
    std::fs::write(&companies, "会社名,業種\n株式会社髙木工業,製造\n").unwrap();
    let out = kizuna(&[
        "--db",
        db_s,
        "import",
        companies.to_str().unwrap(),
        "--kind",
        "companies",
    ]);
    assert!(out.status.success(), "{}", text(&out));

    let touches = dir.path().join("対応履歴.csv");
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(
        "日付,会社名,種別,内容\r\n2024/4/1,髙木工業(株),訪問,工場見学\r\n2024/4/8,株式会社髙木工業,電話,見積の確認\r\n2024/4/9,株式会社髙木工業,FAX,送付\r\n",
    );
    std::fs::write(&touches, bytes).unwrap();
    let touches_s = touches.to_str().unwrap();
    let out = kizuna(&["--db", db_s, "import", touches_s, "--kind", "touches", "--dry-run"]);
    let t = text(&out);
    assert!(t.contains("種別 -> touch_kind") && t.contains("内容 -> summary"), "{t}");
    assert!(t.contains("row 4: unknown_kind (touch_kind: \"FAX\")"), "{t}");
    let entries = "SELECT COUNT(*) FROM activities a JOIN companies c ON c.id = a.company_id
                    WHERE c.name = '株式会社髙木工業' AND a.deleted_at IS NULL";
    let out = kizuna(&["--db", db_s, "import", touches_s, "--kind", "touches"]);
    assert!(text(&out).contains("2 added, 0 updated, 1 skipped"), "{}", text(&out));
    assert_eq!(live(&db, entries), 2);
    let out = kizuna(&["--db", db_s, "import", touches_s, "--kind", "touches"]);
    assert!(text(&out).contains("0 added"), "{}", text(&out));
    assert_eq!(live(&db, entries), 2);

    let contracts = dir.path().join("契約.csv");
    std::fs::write(
        &contracts,
        "会社名,プラン,開始日,満了日,契約金額\n株式会社髙木工業,年間保守,2026/4/1,2027/3/31,\"360,000円\"\n",
    )
    .unwrap();
    let out = kizuna(&[
        "--db",
        db_s,
        "import",
        contracts.to_str().unwrap(),
        "--kind",
        "contracts",
    ]);
    assert!(text(&out).contains("1 added"), "{}", text(&out));
    assert_eq!(
        live(
            &db,
            "SELECT amount FROM contracts WHERE plan = '年間保守' AND deleted_at IS NULL"
        ),
        360_000
    );
}

/// The CLI with only the environment given here: no key from the encrypted
/// test run, and a credential-store service of its own.
fn kizuna_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kizuna"));
    cmd.args(args)
        .env_remove("KIZUNA_TEST_ENCRYPTED")
        .env_remove("KIZUNA_PASSPHRASE")
        .env_remove("KIZUNA_NEW_PASSPHRASE")
        .env(
            "KIZUNA_VAULT_SERVICE",
            format!("kizuna-cli-test-{}", std::process::id()),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run kizuna")
}

#[test]
fn encrypt_check_rekey_and_decrypt_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let db_s = db.to_str().unwrap();
    assert!(kizuna_with(&["--db", db_s, "demo"], &[]).status.success());

    let first = "春の合言葉はとても長い";
    let out = kizuna_with(&["--db", db_s, "encrypt"], &[("KIZUNA_NEW_PASSPHRASE", first)]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let recovery = t
        .lines()
        .find_map(|l| l.strip_prefix("Recovery key (shown once): "))
        .expect("the recovery key is shown")
        .to_string();
    assert_eq!(recovery.len(), 79, "{recovery}");

    // Without the passphrase: asked for it, never "damaged".
    let out = kizuna_with(&["--db", db_s, "check"], &[]);
    assert!(!out.status.success());
    assert!(text(&out).contains("[passphrase_required]"), "{}", text(&out));
    let out = kizuna_with(
        &["--db", db_s, "check"],
        &[("KIZUNA_PASSPHRASE", "違う合言葉だけど長い")],
    );
    assert!(text(&out).contains("[passphrase_wrong]"), "{}", text(&out));
    // With it, or with the recovery key, everything works.
    let out = kizuna_with(&["--db", db_s, "check"], &[("KIZUNA_PASSPHRASE", first)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("deals:      121"), "{}", text(&out));
    let out = kizuna_with(&["--db", db_s, "check"], &[("KIZUNA_PASSPHRASE", &recovery)]);
    assert!(out.status.success(), "{}", text(&out));
    let copy = dir.path().join("copy.db");
    let out = kizuna_with(
        &["--db", db_s, "backup", copy.to_str().unwrap()],
        &[("KIZUNA_PASSPHRASE", first)],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(kizuna_with(&["--db", copy.to_str().unwrap(), "check"], &[])
        .status
        .code()
        .is_some_and(|c| c != 0));

    let second = "夏の合言葉もとても長い";
    let out = kizuna_with(
        &["--db", db_s, "rekey"],
        &[("KIZUNA_PASSPHRASE", first), ("KIZUNA_NEW_PASSPHRASE", second)],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = kizuna_with(&["--db", db_s, "check"], &[("KIZUNA_PASSPHRASE", first)]);
    assert!(text(&out).contains("[passphrase_wrong]"), "{}", text(&out));
    let out = kizuna_with(&["--db", db_s, "decrypt"], &[("KIZUNA_PASSPHRASE", second)]);
    assert!(out.status.success(), "{}", text(&out));
    let out = kizuna_with(&["--db", db_s, "check"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    // A short passphrase is refused before anything is touched.
    let out = kizuna_with(&["--db", db_s, "encrypt"], &[("KIZUNA_NEW_PASSPHRASE", "短い")]);
    assert!(text(&out).contains("[invalid]"), "{}", text(&out));
}
