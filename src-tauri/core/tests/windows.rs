//! What differs on Windows, run under Wine by `make windows-test` (and on a
//! real Windows the same way): team files reached through a mapped drive
//! letter and a UNC share with Japanese names and spaces, pasted the way
//! Explorer's "Copy as path" puts them (in quotes); SQLite's Windows locks
//! between processes that reach one file by both spellings, killed at random
//! moments; the locking probe over the share; the AppUserModelID in the
//! registry. The share and the drive come from scripts/wine-run.sh
//! (KIZUNA_TEST_UNC, KIZUNA_TEST_DRIVE); docs/install.md says what Wine
//! cannot show.
#![cfg(windows)]

mod common;

use kizuna_core::app::config::Dirs;
use kizuna_core::app::session::{IdentityChoice, Session};
use kizuna_core::FixedClock;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const KIZUNA: &str = env!("CARGO_BIN_EXE_kizuna");

/// A fresh folder on the test share, as `(UNC path, drive-letter path)` of
/// the same folder. `None` (and a note) where no share is set up; under CI
/// that is a failure.
fn share_folder(name: &str) -> Option<(PathBuf, PathBuf)> {
    let (Some(unc), Some(drive)) = (
        std::env::var_os("KIZUNA_TEST_UNC"),
        std::env::var_os("KIZUNA_TEST_DRIVE"),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "KIZUNA_TEST_UNC / KIZUNA_TEST_DRIVE are set by scripts/wine-run.sh"
        );
        eprintln!("skipping: no test share (run through scripts/wine-run.sh)");
        return None;
    };
    let folder = format!("{name} {}-{:08x}", std::process::id(), rand_suffix());
    let unc = PathBuf::from(unc).join(&folder);
    std::fs::create_dir(&unc).expect("create a folder on the UNC share");
    let mut drive = PathBuf::from(drive);
    drive.push("\\");
    Some((unc, drive.join(folder)))
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

fn session(home: &Path) -> Session {
    let dirs = Dirs::new(home.join("config"), home.join("data"));
    Session::start(
        dirs,
        Some("ja-JP"),
        Arc::new(FixedClock::at("2026-11-25T10:00:00+09:00")),
    )
}

fn kizuna(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(KIZUNA);
    c.arg("--db").arg(db).args(args);
    c
}

fn check_is_clean(db: &Path) {
    let out = kizuna(db, &["check"]).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && text.contains("integrity ok"), "{text}");
}

#[test]
fn a_team_file_on_a_unc_share_with_japanese_names_is_created_remembered_and_reopened() {
    let Some((unc, drive)) = share_folder("営業 共有") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let db = unc.join("顧客 管理.db");
    // Explorer's "Copy as path" puts the path in double quotes.
    let pasted = format!("\"{}\"", db.display());
    assert!(pasted.starts_with("\"\\\\kizuna-nas\\営業 部\\"), "{pasted}");
    let mut s = session(home.path());
    let st = s.create_team_database(Path::new(&pasted)).unwrap();
    let info = st.database.unwrap();
    assert_eq!(info.path, db.display().to_string());
    assert_eq!(info.read_only, None, "locks work on the share: opened for writing");
    assert_eq!(info.cloud_sync, None);
    s.identify(&IdentityChoice::New {
        display_name: "佐藤 花子".into(),
    })
    .unwrap();
    drop(s);

    // The config keeps the UNC path; the next start opens it again.
    let config = std::fs::read_to_string(home.path().join("config").join("config.json")).unwrap();
    assert!(config.contains("営業 部"), "{config}");
    let s = session(home.path());
    assert_eq!(s.status().database.unwrap().path, db.display().to_string());
    assert_eq!(s.status().user.display_name, "佐藤 花子");

    // The same file through the mapped drive letter is the same database.
    let by_letter = drive.join("顧客 管理.db");
    assert!(by_letter.starts_with("K:\\"), "{}", by_letter.display());
    let mut other = session(tempfile::tempdir().unwrap().path());
    let st = other.open_team_database(&by_letter).unwrap();
    assert_eq!(st.database.unwrap().read_only, None);
    let names: i64 = other
        .db()
        .unwrap()
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM users WHERE display_name = '佐藤 花子'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(names, 1);
    drop((s, other));
    check_is_clean(&db);
    check_is_clean(&by_letter);
}

#[test]
fn the_locking_probe_passes_on_the_share_and_leaves_nothing_there() {
    let Some((unc, drive)) = share_folder("probe") else {
        return;
    };
    let db = unc.join("kizuna.db");
    std::fs::write(&db, b"x").unwrap();
    assert_eq!(kizuna_core::store::locking::probe(&db), Ok(()));
    assert_eq!(kizuna_core::store::locking::probe(&drive.join("kizuna.db")), Ok(()));
    let names: Vec<_> = std::fs::read_dir(&unc)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("kizuna.db")]);
}

/// Two desktops on one team file, one through `K:`, one through the UNC
/// path, both killed (TerminateProcess: no chance to clean up) at random
/// moments, round after round: every acknowledged save is in the file, and
/// `kizuna check` finds it whole.
#[test]
fn two_windows_processes_killed_while_writing_one_file_lose_nothing() {
    let Some((unc, drive)) = share_folder("stress") else {
        return;
    };
    let db = unc.join("kizuna.db");
    let out = kizuna(&db, &["demo"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let paths = [drive.join("kizuna.db"), db.clone()];
    let mut acked = HashSet::new();
    for round in 0..4u64 {
        let mut children: Vec<_> = paths
            .iter()
            .enumerate()
            .map(|(k, path)| {
                kizuna(path, &["--as", &format!("w{round}-{k}"), "stress", "100000"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let readers: Vec<_> = children.iter_mut().map(common::acks_of).collect();
        for (k, child) in children.iter_mut().enumerate() {
            std::thread::sleep(Duration::from_millis(700 + 211 * (k as u64 + round)));
            child.kill().unwrap();
            child.wait().unwrap();
        }
        for r in readers {
            acked.extend(r.join().unwrap());
        }
    }
    // Writers are "w<round>-0" (through K:) and "w<round>-1" (the UNC path).
    let writers: HashSet<_> = acked.iter().filter_map(|a| a.split(' ').next()).collect();
    let through = |spelling: &str| writers.iter().any(|w| w.ends_with(spelling));
    assert!(
        acked.len() > 40 && through("-0") && through("-1"),
        "both spellings wrote before being killed: {} saves by {writers:?}",
        acked.len()
    );
    // The last kill may have left a save half done: `check` rolls it back
    // (as every Kizuna does) and finds the file whole.
    check_is_clean(&db);
    let in_file = common::stored(&db);
    let missing: Vec<_> = acked.difference(&in_file).take(5).collect();
    assert!(
        missing.is_empty(),
        "acknowledged but missing after the kills: {missing:?}"
    );
    // And the file takes writes again: no lock left behind by the dead.
    let out = kizuna(&db, &["--as", "after", "stress", "3"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The registration Windows needs before it shows a toast, read back by
/// Windows' own `reg.exe` (a separate process: it is in the registry, not
/// just in this process's view of it). Only under Wine, whose registry is a
/// throwaway prefix; on a developer's Windows it would write their profile.
#[test]
fn the_app_user_model_id_is_registered_for_toasts() {
    if std::env::var_os("WINEPREFIX").is_none() {
        eprintln!("skipping: writes HKCU; runs under Wine only");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    kizuna_core::platform::register_app_user_model_id(data.path()).unwrap();
    let key = format!(
        r"HKCU\Software\Classes\AppUserModelId\{}",
        kizuna_core::platform::APP_ID
    );
    let out = Command::new("reg.exe").args(["query", &key]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("DisplayName") && text.contains("Kizuna"), "{text}");
    let icon = data.path().join("notification-icon.png");
    assert!(text.contains(&icon.display().to_string()), "{text}");
    assert!(
        std::fs::metadata(&icon).unwrap().len() > 1000,
        "the icon the toast shows"
    );
}
