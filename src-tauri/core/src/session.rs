//! Which database this desktop has open, and the user's own settings: the
//! logic behind the first-run screen and the Settings page, kept here so it
//! is tested without a window.
//!
//! With nothing configured the user gets a local database in their app-data
//! folder, filled with sample data the first time, so the app never opens
//! onto an empty screen; choosing or creating a team database on the shared
//! drive is remembered in the per-user config file.

use crate::clock::Clock;
use crate::config::{Dirs, Language, UserConfig};
use crate::db::{Db, OpenNotice, OpenOptions, ReadOnlyReason};
use crate::error::{Error, ErrorPayload, Result};
use crate::user::User;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DatabaseInfo {
    pub path: String,
    /// The per-user local database rather than a team file.
    pub is_local: bool,
    pub read_only: Option<ReadOnlyReason>,
    #[ts(type = "number")]
    pub schema_version: i64,
    /// The file lies in a cloud-sync folder (OneDrive, Dropbox, …), which
    /// forks or corrupts a file several people write: the user is warned.
    pub cloud_sync: Option<String>,
    /// What happened when the file was opened that the user should know
    /// (a crashed save rolled back, a WAL file switched back).
    pub notices: Vec<OpenNotice>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppStatus {
    /// `None` when the configured database could not be opened.
    pub database: Option<DatabaseInfo>,
    /// Why the configured database is not open.
    pub open_error: Option<ErrorPayload>,
    pub user: User,
    /// The first-run question has not been answered yet.
    pub first_run: bool,
    /// The language the UI shows now.
    pub language: Language,
    /// What the user chose; `None` follows the operating system.
    pub language_setting: Option<Language>,
    pub close_to_tray: bool,
}

/// What a restore did: where a damaged file was moved, and the new state.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RestoreOutcome {
    pub kept_aside: Option<String>,
    pub status: AppStatus,
}

pub struct Session {
    dirs: Dirs,
    config: UserConfig,
    db: Option<Db>,
    open_error: Option<Error>,
    opts: OpenOptions,
    os_language: Language,
}

impl Session {
    /// Opens what the config names (or the local database) without ever
    /// failing: a database that cannot be opened is reported in the status.
    pub fn start(dirs: Dirs, os_locale: Option<&str>, clock: Arc<dyn Clock>) -> Session {
        let login = crate::config::os_login();
        let opts = OpenOptions::new(login.clone(), login)
            .with_clock(clock)
            .with_backup_dir(dirs.data_dir.join("backups"));
        let config = UserConfig::load(&dirs.config_file);
        let os_language = Language::from_locale(os_locale);
        // What the engine writes in this user's name, and a database they
        // create, come in the language the UI shows.
        let opts = opts.with_language(config.language.unwrap_or(os_language));
        let mut s = Session {
            dirs,
            config,
            db: None,
            open_error: None,
            opts,
            os_language,
        };
        s.reopen();
        s
    }

    /// The path the config asks for: the team file, or the local database.
    fn wanted_path(&self) -> PathBuf {
        self.config
            .database
            .clone()
            .unwrap_or_else(|| self.dirs.local_database())
    }

    fn reopen(&mut self) {
        self.db = None;
        let path = self.wanted_path();
        let result = if self.config.database.is_none() {
            self.open_local()
        } else {
            Db::open(&path, self.opts.clone())
        };
        match result {
            Ok(db) => {
                self.db = Some(db);
                self.open_error = None;
            }
            Err(e) => self.open_error = Some(e),
        }
    }

    /// The local database, created with sample data when it does not exist.
    fn open_local(&self) -> Result<Db> {
        let path = self.dirs.local_database();
        if path.exists() {
            return Db::open(&path, self.opts.clone());
        }
        std::fs::create_dir_all(&self.dirs.data_dir)?;
        let mut db = Db::create(&path, self.opts.clone())?;
        crate::sample::populate(&mut db)?;
        Ok(db)
    }

    pub fn status(&self) -> AppStatus {
        let database = self.db.as_ref().map(|db| DatabaseInfo {
            cloud_sync: crate::config::cloud_sync_service(db.path()).map(String::from),
            path: db.path().display().to_string(),
            is_local: self.config.database.is_none(),
            read_only: db.read_only(),
            schema_version: db.schema_version().unwrap_or(0),
            notices: db.notices().to_vec(),
        });
        let user = self.db.as_ref().map(|db| db.user().clone()).unwrap_or_else(|| User {
            id: String::new(),
            login: self.opts.login.clone(),
            display_name: self.opts.display_name.clone(),
        });
        AppStatus {
            database,
            open_error: self.open_error.as_ref().map(Error::payload),
            user,
            first_run: !self.config.first_run_done,
            language: self.config.language.unwrap_or(self.os_language),
            language_setting: self.config.language,
            close_to_tray: self.config.close_to_tray,
        }
    }

    pub fn config(&self) -> &UserConfig {
        &self.config
    }

    /// Rows this desktop has written to the open database so far (SQLite's
    /// count for the connection): tells a caller whether a call wrote.
    pub fn rows_written(&self) -> u64 {
        self.db.as_ref().map_or(0, |db| db.conn().total_changes())
    }

    /// What the reminder scheduler should watch: the open database, as this
    /// user, in the language the UI shows.
    pub fn reminder_target(&self) -> Option<crate::scheduler::Target> {
        let db = self.db.as_ref()?;
        Some(crate::scheduler::Target {
            path: db.path().to_path_buf(),
            opts: self.opts.clone(),
            language: self.config.language.unwrap_or(self.os_language),
        })
    }

    /// The file open now, for the change watcher.
    pub fn database_path(&self) -> Option<PathBuf> {
        self.db.as_ref().map(|db| db.path().to_path_buf())
    }

    pub fn db(&mut self) -> Result<&mut Db> {
        self.db.as_mut().ok_or(Error::NoDatabase)
    }

    fn remember(&mut self, change: impl FnOnce(&mut UserConfig)) -> Result<()> {
        let mut next = self.config.clone();
        change(&mut next);
        next.save(&self.dirs.config_file)?;
        self.config = next;
        Ok(())
    }

    /// Creates a new team database at `path` and switches to it. The
    /// database open until now stays open if anything fails.
    pub fn create_team_database(&mut self, path: &Path) -> Result<AppStatus> {
        let path = normalise(path)?;
        let db = Db::create(&path, self.opts.clone())?;
        self.switch_to(db, path)
    }

    /// Opens an existing team database and switches to it. A file that is not
    /// Kizuna's or is damaged is reported and left exactly as it was.
    pub fn open_team_database(&mut self, path: &Path) -> Result<AppStatus> {
        let path = normalise(path)?;
        let db = Db::open(&path, self.opts.clone())?;
        self.switch_to(db, path)
    }

    fn switch_to(&mut self, db: Db, path: PathBuf) -> Result<AppStatus> {
        self.remember(|c| {
            c.database = Some(path);
            c.first_run_done = true;
        })?;
        self.db = Some(db);
        self.open_error = None;
        Ok(self.status())
    }

    /// "Try with sample data": the local database, remembered as the choice.
    pub fn use_local_database(&mut self) -> Result<AppStatus> {
        self.remember(|c| {
            c.database = None;
            c.first_run_done = true;
        })?;
        self.reopen();
        Ok(self.status())
    }

    /// After the share was away: a connection whose handle went stale with
    /// it (an SMB server restart) answers with I/O errors for good, so it is
    /// replaced when it cannot read even the schema version — but only by a
    /// connection that opens: while the share is still away the old one
    /// stays, and with it what the window shows.
    pub fn heal(&mut self) {
        let Some(db) = &self.db else { return };
        if db.schema_version().is_ok() {
            return;
        }
        if let Ok(fresh) = Db::open(db.path(), self.opts.clone()) {
            self.db = Some(fresh);
        }
    }

    pub fn retry_open(&mut self) -> AppStatus {
        self.reopen();
        self.status()
    }

    pub fn set_language(&mut self, language: Option<Language>) -> Result<AppStatus> {
        self.remember(|c| c.language = language)?;
        let effective = language.unwrap_or(self.os_language);
        self.opts.language = effective;
        if let Some(db) = &mut self.db {
            db.set_language(effective);
        }
        Ok(self.status())
    }

    pub fn set_close_to_tray(&mut self, enabled: bool) -> Result<AppStatus> {
        self.remember(|c| c.close_to_tray = enabled)?;
        Ok(self.status())
    }

    /// This desktop's copies of its database, newest first.
    pub fn backups(&self) -> Result<Vec<crate::backup::BackupInfo>> {
        crate::backup::list(&self.backup_dir())
    }

    pub fn backup_dir(&self) -> PathBuf {
        self.opts
            .backup_dir
            .clone()
            .unwrap_or_else(|| self.dirs.data_dir.join("backups"))
    }

    /// A copy now, at the user's request.
    pub fn back_up_now(&mut self) -> Result<crate::backup::BackupInfo> {
        let source = self.db.as_ref().ok_or(Error::NoDatabase)?.path().to_path_buf();
        let now = self.opts.clock.now();
        let taken = crate::backup::take(&source, &self.backup_dir(), crate::backup::BackupKind::Manual, now)?;
        self.backups()?
            .into_iter()
            .find(|b| Path::new(&b.path) == taken)
            .ok_or_else(|| Error::Internal("the new copy is not in the list".into()))
    }

    /// Puts one of this desktop's copies back as the database it uses (also
    /// when that file is damaged and could not be opened), then opens it.
    /// The copy must be one of the listed backups: Settings offers only those.
    pub fn restore_backup(&mut self, backup: &Path) -> Result<RestoreOutcome> {
        let known = self.backups()?.into_iter().any(|b| Path::new(&b.path) == backup);
        if !known {
            return Err(Error::FileMissing {
                path: backup.display().to_string(),
            });
        }
        let target = self.wanted_path();
        // Let go of the file first: a damaged one is renamed aside.
        self.db = None;
        let now = crate::clock::to_db(self.opts.clock.now());
        let restored = crate::db::restore(&target, backup, &now);
        self.reopen();
        let kept_aside = match restored? {
            crate::db::Restored::InPlace => None,
            crate::db::Restored::Replaced { kept_aside } => kept_aside.map(|p| p.display().to_string()),
        };
        Ok(RestoreOutcome {
            kept_aside,
            status: self.status(),
        })
    }

    pub fn set_display_name(&mut self, name: &str) -> Result<AppStatus> {
        self.db()?.set_display_name(name)?;
        Ok(self.status())
    }
}

/// Accepts what people paste: surrounding quotes and blanks, `file://` is not
/// a path we can lock reliably, so it is refused with a clear reason.
fn normalise(path: &Path) -> Result<PathBuf> {
    let s = path.to_string_lossy();
    let s = s.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if s.is_empty() {
        return Err(Error::invalid("path", "required"));
    }
    if s.starts_with("file:") {
        return Err(Error::invalid("path", "not_a_file_path"));
    }
    Ok(PathBuf::from(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::ErrorCode;

    fn start(home: &Path) -> Session {
        let dirs = Dirs::new(home.join("config"), home.join("data"));
        Session::start(
            dirs,
            Some("ja-JP"),
            Arc::new(FixedClock::at("2026-11-25T10:00:00+09:00")),
        )
    }

    #[test]
    fn first_start_opens_a_local_database_with_sample_data() {
        let home = tempfile::tempdir().unwrap();
        let mut s = start(home.path());
        let st = s.status();
        assert!(st.first_run);
        assert_eq!(st.language, Language::Ja);
        let info = st.database.expect("local database open");
        assert!(info.is_local);
        assert!(info.path.ends_with("kizuna-local.db"));
        let deals: i64 = s
            .db()
            .unwrap()
            .conn()
            .query_row("SELECT COUNT(*) FROM deals", [], |r| r.get(0))
            .unwrap();
        assert!(deals >= 100, "sample data loaded, got {deals} deals");
        // The answer to the first-run question is remembered.
        s.use_local_database().unwrap();
        drop(s);
        let mut again = start(home.path());
        assert!(!again.status().first_run);
        let deals2: i64 = again
            .db()
            .unwrap()
            .conn()
            .query_row("SELECT COUNT(*) FROM deals", [], |r| r.get(0))
            .unwrap();
        assert_eq!(deals, deals2, "sample data is created once, not on every start");
    }

    #[test]
    fn an_english_user_gets_english_stages_and_the_engine_writes_in_the_language_chosen() {
        let home = tempfile::tempdir().unwrap();
        let dirs = Dirs::new(home.path().join("config"), home.path().join("data"));
        let clock = Arc::new(FixedClock::at("2026-11-25T10:00:00+09:00"));
        let mut s = Session::start(dirs, Some("en-US"), clock);
        let stage_names = |s: &mut Session| -> Vec<String> {
            let conn = s.db().unwrap().conn();
            let p = crate::pipeline::list(conn).unwrap()[0].id.clone();
            crate::pipeline::stages(conn, &p)
                .unwrap()
                .into_iter()
                .map(|x| x.name)
                .collect()
        };
        assert_eq!(stage_names(&mut s)[0], "Lead", "the sample database");
        let reasons = crate::settings::TeamSettings::load(s.db().unwrap().conn())
            .unwrap()
            .lost_reasons;
        let lost: Vec<String> = s
            .db()
            .unwrap()
            .conn()
            .prepare("SELECT DISTINCT lost_reason FROM deals WHERE lost_reason IS NOT NULL")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(!lost.is_empty() && lost.iter().all(|r| reasons.contains(r)), "{lost:?}");
        let team = home.path().join("team.db");
        s.create_team_database(&team).unwrap();
        assert_eq!(stage_names(&mut s)[4], "Closing");

        // Switched to Japanese: what the engine writes from now on is stored
        // in Japanese beside its kind.
        s.set_language(Some(Language::Ja)).unwrap();
        let db = s.db().unwrap();
        let company = db
            .write(|ctx| {
                crate::company::create(
                    ctx,
                    &crate::company::NewCompany {
                        name: "Acme".into(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        let mut a = crate::testutil::entry(
            &company,
            crate::activity::ActivityKind::Meeting,
            "2026-11-25T00:00:00Z",
            "会議",
        );
        a.next_appointment_at = Some("2026-12-01T01:00:00Z".into());
        db.write(|ctx| crate::activity::log(ctx, &a)).unwrap();
        let title: String = db
            .conn()
            .query_row("SELECT title FROM follow_ups WHERE company_id = ?1", [&company], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(title, "次回アポイント: Acme");
    }

    #[test]
    fn a_foreign_file_is_refused_and_left_untouched() {
        let home = tempfile::tempdir().unwrap();
        let mut s = start(home.path());
        let before = s.status().database.unwrap().path;
        let foreign = home.path().join("notes.db");
        std::fs::write(
            &foreign,
            b"just some text, not a database at all....................................................",
        )
        .unwrap();
        let bytes = std::fs::read(&foreign).unwrap();
        let e = s.open_team_database(&foreign).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotKizuna);
        assert_eq!(std::fs::read(&foreign).unwrap(), bytes, "never modified");
        assert_eq!(
            s.status().database.unwrap().path,
            before,
            "the open database stays open"
        );

        // Another program's SQLite database is not ours either.
        let other = home.path().join("other.sqlite");
        rusqlite::Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        let bytes = std::fs::read(&other).unwrap();
        assert_eq!(s.open_team_database(&other).unwrap_err().code(), ErrorCode::NotKizuna);
        assert_eq!(std::fs::read(&other).unwrap(), bytes);

        assert_eq!(
            s.open_team_database(&home.path().join("missing.db"))
                .unwrap_err()
                .code(),
            ErrorCode::FileMissing
        );
        assert_eq!(
            s.open_team_database(Path::new("  ")).unwrap_err().code(),
            ErrorCode::Invalid
        );
    }

    #[test]
    fn a_damaged_file_is_reported_and_not_written() {
        let home = tempfile::tempdir().unwrap();
        let mut s = start(home.path());
        let team = home.path().join("team.db");
        s.create_team_database(&team).unwrap();
        drop(s);
        // Scribble over the middle of the file, past the header.
        let mut bytes = std::fs::read(&team).unwrap();
        let len = bytes.len();
        for b in &mut bytes[4096..len.min(4096 * 6)] {
            *b = 0x5A;
        }
        std::fs::write(&team, &bytes).unwrap();
        let s = start(home.path());
        let st = s.status();
        assert!(st.database.is_none());
        let code = st.open_error.expect("reported").code;
        assert!(matches!(code, ErrorCode::Damaged | ErrorCode::NotKizuna), "{code:?}");
        assert_eq!(
            std::fs::read(&team).unwrap(),
            bytes,
            "a damaged file is never written to"
        );
    }

    #[test]
    fn team_database_is_created_remembered_and_reopened() {
        let home = tempfile::tempdir().unwrap();
        let mut s = start(home.path());
        let team = home.path().join("share").join("kizuna.db");
        assert_eq!(
            s.create_team_database(&team).unwrap_err().code(),
            ErrorCode::FileMissing,
            "folder must exist"
        );
        std::fs::create_dir_all(team.parent().unwrap()).unwrap();
        let st = s
            .create_team_database(Path::new(&format!("\"{}\"", team.display())))
            .unwrap();
        assert!(!st.first_run);
        assert!(!st.database.as_ref().unwrap().is_local);
        // A new team database has the default pipeline and no sample deals.
        let deals: i64 = s
            .db()
            .unwrap()
            .conn()
            .query_row("SELECT COUNT(*) FROM deals", [], |r| r.get(0))
            .unwrap();
        assert_eq!(deals, 0);
        assert_eq!(s.create_team_database(&team).unwrap_err().code(), ErrorCode::FileExists);
        drop(s);
        let s = start(home.path());
        assert_eq!(s.status().database.unwrap().path, team.display().to_string());
    }

    #[test]
    fn language_setting_overrides_the_os_and_can_follow_it_again() {
        let home = tempfile::tempdir().unwrap();
        let mut s = start(home.path());
        assert_eq!(s.set_language(Some(Language::En)).unwrap().language, Language::En);
        let st = start(home.path()).status();
        assert_eq!((st.language, st.language_setting), (Language::En, Some(Language::En)));
        assert_eq!(s.set_language(None).unwrap().language, Language::Ja);
    }

    #[test]
    fn display_name_is_validated_and_saved() {
        let home = tempfile::tempdir().unwrap();
        let mut s = start(home.path());
        assert_eq!(s.set_display_name("   ").unwrap_err().code(), ErrorCode::Invalid);
        assert_eq!(
            s.set_display_name(" 山田 花子 ").unwrap().user.display_name,
            "山田 花子"
        );
        let author: String = s
            .db()
            .unwrap()
            .conn()
            .query_row(
                "SELECT user_id FROM audit_log WHERE entity = 'user' ORDER BY at DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(author, s.status().user.id, "the change is attributed");
    }

    #[test]
    fn a_newer_schema_opens_read_only() {
        let home = tempfile::tempdir().unwrap();
        let team = home.path().join("team.db");
        let mut s = start(home.path());
        s.create_team_database(&team).unwrap();
        drop(s);
        rusqlite::Connection::open(&team)
            .unwrap()
            .pragma_update(None, "user_version", crate::schema::CURRENT + 1)
            .unwrap();
        let mut s = start(home.path());
        assert_eq!(
            s.status().database.unwrap().read_only,
            Some(ReadOnlyReason::SchemaTooNew)
        );
        assert_eq!(s.set_display_name("x").unwrap_err().code(), ErrorCode::ReadOnly);
    }

    #[test]
    fn a_damaged_team_file_is_restored_from_a_listed_copy_and_opens_again() {
        let home = tempfile::tempdir().unwrap();
        let team = home.path().join("team.db");
        let mut s = start(home.path());
        s.create_team_database(&team).unwrap();
        s.set_display_name("前の名前").unwrap();
        let copy = s.back_up_now().unwrap();
        assert_eq!(copy.kind, crate::backup::BackupKind::Manual);
        s.set_display_name("後の名前").unwrap();
        drop(s);

        // The share damages the file.
        let mut bytes = std::fs::read(&team).unwrap();
        for b in bytes.iter_mut().skip(4096).take(8192) {
            *b = 0x5A;
        }
        std::fs::write(&team, &bytes).unwrap();
        let mut s = start(home.path());
        assert!(s.status().database.is_none());
        assert_eq!(s.status().open_error.unwrap().code, ErrorCode::Damaged);

        // Only a listed copy is accepted.
        let stranger = home.path().join("elsewhere.db");
        std::fs::copy(&copy.path, &stranger).unwrap();
        assert_eq!(s.restore_backup(&stranger).unwrap_err().code(), ErrorCode::FileMissing);

        let out = s.restore_backup(Path::new(&copy.path)).unwrap();
        assert!(out.status.database.is_some(), "{:?}", out.status.open_error);
        assert_eq!(out.status.user.display_name, "前の名前");
        // The damaged file was moved aside, byte for byte, not written to.
        let aside = out.kept_aside.expect("kept aside");
        assert_eq!(std::fs::read(&aside).unwrap(), bytes);
    }
}
