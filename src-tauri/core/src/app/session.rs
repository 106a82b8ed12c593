//! Which database this desktop has open, and the user's own settings: the
//! logic behind the first-run screen and the Settings page, kept here so it
//! is tested without a window.
//!
//! With nothing configured the user gets a local database in their app-data
//! folder, filled with sample data the first time, so the app never opens
//! onto an empty screen; choosing or creating a team database on the shared
//! drive is remembered in the per-user config file.

use crate::app::config::{Dirs, UserConfig};
use crate::app::server_choice::{self, ServerChoice};
use crate::clock::Clock;
use crate::error::{Error, ErrorPayload, Result};
use crate::language::Language;
use crate::store::db::{Db, OpenNotice, OpenOptions, ReadOnlyReason};
use crate::store::server::ServerDb;
use crate::store::team_db::{StoreKind, TeamDb};
use crate::team::member::{self, Member, MergeReport, User};
use crate::team::presence::{self, Computer, Presence};
use crate::team::role::{self, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DatabaseInfo {
    /// The file's path, or the server as `login@host:port/database`.
    pub path: String,
    /// The shared file or the team server.
    pub kind: StoreKind,
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
    /// The member this computer profile acts as (`id` empty: not chosen yet).
    pub user: User,
    /// That member's roles, read afresh like the name: which view the
    /// window starts on and what "mine" means follow them.
    pub roles: Vec<Role>,
    /// The first-run question has not been answered yet.
    pub first_run: bool,
    /// A database is open but this profile has not said who it is there:
    /// the window asks ("who are you?") before anything is written.
    pub needs_identity: bool,
    /// The language the UI shows now.
    pub language: Language,
    /// What the user chose; `None` follows the operating system.
    pub language_setting: Option<Language>,
    pub close_to_tray: bool,
    /// How charts write large numbers.
    pub number_style: crate::app::config::NumberStyle,
}

/// What a restore did: where a damaged file was moved, and the new state.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RestoreOutcome {
    pub kept_aside: Option<String>,
    pub status: AppStatus,
}

/// The Settings section "Encryption and copies".
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EncryptionView {
    /// The team file is encrypted (store/cipher.rs).
    pub encrypted: bool,
    /// This desktop keeps the passphrase in its credential store.
    pub passphrase_saved: bool,
    /// The member may encrypt, decrypt, change the passphrase and place
    /// the copies (a manager), and the file is a team file.
    pub can_change: bool,
    pub placement: crate::store::backup::Placement,
    #[ts(type = "number")]
    pub placement_version: i64,
    /// The minimum length of a new passphrase.
    #[ts(type = "number")]
    pub min_passphrase: u32,
}

/// After encrypting or changing the passphrase: the recovery key, shown
/// once, and the reopened file's status.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EncryptionOutcome {
    pub recovery_key: Option<String>,
    pub status: AppStatus,
}

/// What Settings asks the engine to do with the team file's encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EncryptionChange {
    Encrypt,
    Rekey,
    Decrypt,
}

/// The "who are you?" question: the active members, and the one the OS
/// login suggests (only a suggestion: one login may serve several people).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct WhoAreYou {
    pub members: Vec<Member>,
    pub suggested_id: Option<String>,
    pub os_login: String,
}

/// The answer to "who are you?".
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum IdentityChoice {
    /// An existing member. `display_name` renames them in the same step
    /// (as of `version`): a member made from a login and never used yet
    /// gets the person's real name.
    Member {
        id: String,
        #[ts(type = "number")]
        version: i64,
        display_name: Option<String>,
    },
    /// Not listed: a new member with this name, the OS login as its hint.
    New { display_name: String },
}

/// Who runs this Kizuna: the OS login (a suggestion for "who are you?")
/// and the computer's name (shown to the same member on another computer).
#[derive(Debug, Clone)]
pub struct Machine {
    pub login: String,
    pub computer_name: String,
}

impl Machine {
    pub fn this() -> Machine {
        Machine {
            login: crate::app::config::os_login(),
            computer_name: crate::app::config::computer_name(),
        }
    }
}

/// The Settings section "Sending mail": the account, never the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MailAccountView {
    pub account: Option<crate::mail::SmtpAccount>,
    /// The credential store holds a password for this member.
    pub password_saved: bool,
}

/// Settings' "Team server" section: the server this desktop connects to.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TeamServerView {
    pub choice: Option<ServerChoice>,
    /// The credential store holds the password for it.
    pub password_saved: bool,
}

pub struct Session {
    dirs: Dirs,
    config: UserConfig,
    db: Option<TeamDb>,
    open_error: Option<Error>,
    opts: OpenOptions,
    os_language: Language,
    machine: Machine,
    /// The last heartbeat written: as which member, when.
    last_beat: Option<(String, DateTime<Utc>)>,
}

impl Session {
    /// Opens what the config names (or the local database) without ever
    /// failing: a database that cannot be opened is reported in the status.
    pub fn start(dirs: Dirs, os_locale: Option<&str>, clock: Arc<dyn Clock>) -> Session {
        Self::start_on(dirs, os_locale, clock, Machine::this())
    }

    /// [`Session::start`] on a given machine (tests: two people, one login).
    pub fn start_on(dirs: Dirs, os_locale: Option<&str>, clock: Arc<dyn Clock>, machine: Machine) -> Session {
        let opts = OpenOptions::member(None)
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
            machine,
            last_beat: None,
        };
        if s.config.computer_id.is_none() {
            let id = crate::id::new_id();
            // Unsaved, the id still serves this run; the next start tries again.
            if let Err(e) = s.remember(|c| c.computer_id = Some(id.clone())) {
                eprintln!("Kizuna: config.json cannot be written: {e}");
                s.config.computer_id = Some(id);
            }
        }
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
        let result = if let Some(choice) = self.config.server.clone() {
            self.open_server(&choice, None).map(TeamDb::Server)
        } else if self.config.database.is_none() {
            self.open_local().map(TeamDb::File)
        } else {
            self.open_as_me(&path).map(TeamDb::File)
        };
        match result {
            Ok(db) => {
                self.db = Some(db);
                self.open_error = None;
            }
            Err(e) => self.open_error = Some(e),
        }
    }

    /// Opens `path` as the member this profile is there (nobody yet when
    /// it has not said).
    fn open_as_me(&self, path: &Path) -> Result<Db> {
        // An encrypted file: the passphrase this desktop keeps for it.
        crate::app::passphrase::unlock_with_saved(path);
        let mut db = Db::open(path, self.opts.clone())?;
        self.take_remembered_identity(&mut db)?;
        Ok(db)
    }

    /// Connects to the team server as the login the choice names, with the
    /// password given or the one the credential store keeps. On a server the
    /// login is the member: a login's first visit joins the team under the
    /// login's name, which the member can change in Settings.
    fn open_server(&self, choice: &ServerChoice, password: Option<&str>) -> Result<ServerDb> {
        let saved;
        let password = match password.filter(|p| !p.is_empty()) {
            Some(p) => p,
            None => {
                saved = server_choice::saved_password(choice)?.ok_or(Error::Server {
                    failure: crate::error::ServerFailure::Auth,
                    detail: "no password is kept for this server on this computer".into(),
                })?;
                &saved
            }
        };
        self.session_on(&choice.server(password)?)
    }

    /// A session on `server` as its login, with this desktop's wait limit
    /// and language.
    fn session_on(&self, server: &crate::store::server::Server) -> Result<ServerDb> {
        let mut db = ServerDb::open_as_member(server, self.opts.clock.clone(), self.opts.language)?;
        db.set_wait_limit(self.opts.wait_limit);
        Ok(db)
    }

    fn take_remembered_identity(&self, db: &mut Db) -> Result<()> {
        let remembered = self.config.identities.get(&db.team_key()).cloned();
        db.act_as(remembered.as_deref())
    }

    /// The local database, created with sample data when it does not exist.
    /// Its "me" is a member made from the OS login, whom "who are you?"
    /// then suggests, so the sample's own share of the work becomes the
    /// user's under their real name.
    fn open_local(&self) -> Result<Db> {
        let path = self.dirs.local_database();
        if path.exists() {
            return self.open_as_me(&path);
        }
        std::fs::create_dir_all(&self.dirs.data_dir)?;
        let login = &self.machine.login;
        let mut db = Db::create(
            &path,
            OpenOptions {
                identity: crate::store::db::Identity::Login {
                    login: login.clone(),
                    display_name: login.clone(),
                },
                ..self.opts.clone()
            },
        )?;
        crate::app::sample::populate(&mut db)?;
        self.take_remembered_identity(&mut db)?;
        Ok(db)
    }

    pub fn status(&self) -> AppStatus {
        let database = self.db.as_ref().map(|team| {
            let file = team.as_file();
            DatabaseInfo {
                cloud_sync: file
                    .and_then(|db| crate::app::config::cloud_sync_service(db.path()))
                    .map(String::from),
                path: team.describe(),
                kind: team.kind(),
                is_local: self.config.database.is_none() && file.is_some(),
                read_only: file.and_then(Db::read_only),
                schema_version: match file {
                    Some(db) => db.schema_version().unwrap_or(0),
                    None => crate::store::server::schema::CURRENT,
                },
                notices: file.map(|db| db.notices().to_vec()).unwrap_or_default(),
            }
        });
        // Read afresh: a colleague may have renamed this member meanwhile.
        let member = self.db.as_ref().and_then(|db| {
            let me = db.member()?;
            Some(
                member::get(db.sql(), &me.id)
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| me.clone()),
            )
        });
        let needs_identity = self.db.is_some() && member.is_none();
        let user = member.unwrap_or_else(|| User::nobody(&self.machine.login, ""));
        let roles = match &self.db {
            Some(db) if !user.id.is_empty() => role::of(db.sql(), &user.id).unwrap_or_default(),
            _ => Vec::new(),
        };
        AppStatus {
            database,
            open_error: self.open_error.as_ref().map(Error::payload),
            user,
            roles,
            first_run: !self.config.first_run_done,
            needs_identity,
            language: self.config.language.unwrap_or(self.os_language),
            language_setting: self.config.language,
            close_to_tray: self.config.close_to_tray,
            number_style: self.config.number_style,
        }
    }

    pub fn config(&self) -> &UserConfig {
        &self.config
    }

    /// This user's data folder on this computer (local database, backups,
    /// outbox, installers copied for checking).
    pub fn data_dir(&self) -> &Path {
        &self.dirs.data_dir
    }

    /// Rows this desktop has written to the open database so far (SQLite's
    /// count for the connection): tells a caller whether a call wrote.
    pub fn rows_written(&self) -> u64 {
        self.db
            .as_ref()
            .and_then(TeamDb::as_file)
            .map_or(0, |db| db.conn().total_changes())
    }

    /// What the reminder scheduler should watch: the open file or server, as
    /// this user, in the language the UI shows.
    pub fn reminder_target(&self) -> Option<crate::followups::scheduler::Target> {
        let db = self.db.as_ref()?;
        // Nobody is reminded before the profile said who it is.
        let me = db.member()?;
        Some(crate::followups::scheduler::Target {
            place: self.watch_source()?,
            opts: OpenOptions {
                identity: crate::store::db::Identity::Member(Some(me.id.clone())),
                ..self.opts.clone()
            },
            language: self.config.language.unwrap_or(self.os_language),
        })
    }

    /// The file open now, for the change watcher.
    /// How long this desktop's saves wait for colleagues, and who hears
    /// that they wait: for the database open now and every one opened later.
    pub fn set_wait(&mut self, limit: std::time::Duration, observer: Option<crate::store::db::WaitObserver>) {
        match &mut self.db {
            Some(TeamDb::File(db)) => {
                db.set_wait_limit(limit);
                db.set_wait_observer(observer.clone());
            }
            Some(TeamDb::Server(db)) => db.set_wait_limit(limit),
            None => {}
        }
        self.opts = self.opts.clone().with_wait(limit, observer);
    }

    /// The member this desktop acts as in the open file, if it said.
    pub fn member_id(&self) -> Option<String> {
        self.db.as_ref()?.member().map(|u| u.id.clone())
    }

    /// The team file open now (none when a server is).
    pub fn database_path(&self) -> Option<PathBuf> {
        Some(self.db.as_ref()?.as_file()?.path().to_path_buf())
    }

    /// What the change watcher reads: the file open now, or the server's feed.
    pub fn watch_source(&self) -> Option<crate::store::changes::Source> {
        Some(match self.db.as_ref()? {
            TeamDb::File(db) => crate::store::changes::Source::File(db.path().to_path_buf()),
            TeamDb::Server(db) => crate::store::changes::Source::Server(Box::new(db.server().clone())),
        })
    }

    /// A connection of its own to the open team (file or server), as the same member,
    /// for long work (an import) that must not keep the window's other
    /// calls waiting behind the session: each of its saves still takes its
    /// turn with everyone else's.
    pub fn another_connection(&self) -> Result<TeamDb> {
        let db = self.db.as_ref().ok_or(Error::NoDatabase)?;
        let me = db.member().map(|u| u.id.clone()).ok_or(Error::IdentityRequired)?;
        Ok(match db {
            TeamDb::File(db) => {
                let mut fresh = Db::open(db.path(), self.opts.clone())?;
                fresh.act_as(Some(&me))?;
                TeamDb::File(fresh)
            }
            // On a server the login is the member: a new session as it.
            TeamDb::Server(db) => TeamDb::Server(self.session_on(db.server())?),
        })
    }

    /// The team file, for what only the file does so far: a server answers
    /// `not_on_server`.
    pub fn db(&mut self) -> Result<&mut Db> {
        self.team()?.file()
    }

    /// The team database open now, file or server.
    pub fn team(&mut self) -> Result<&mut TeamDb> {
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
        // Nobody yet: the creator is asked who they are like everyone else.
        let db = Db::create(&path, self.opts.clone())?;
        self.switch_to(db, path)
    }

    /// Opens an existing team database and switches to it. A file that is not
    /// Kizuna's or is damaged is reported and left exactly as it was.
    pub fn open_team_database(&mut self, path: &Path) -> Result<AppStatus> {
        let path = normalise(path)?;
        let db = self.open_as_me(&path)?;
        self.switch_to(db, path)
    }

    fn switch_to(&mut self, db: Db, path: PathBuf) -> Result<AppStatus> {
        self.remember(|c| {
            c.database = Some(path);
            c.server = None;
            c.first_run_done = true;
        })?;
        self.db = Some(TeamDb::File(db));
        self.open_error = None;
        Ok(self.status())
    }

    /// "Try with sample data": the local database, remembered as the choice.
    pub fn use_local_database(&mut self) -> Result<AppStatus> {
        self.remember(|c| {
            c.database = None;
            c.server = None;
            c.first_run_done = true;
        })?;
        self.reopen();
        Ok(self.status())
    }

    /// Connects to a team server and switches to it (Settings, or the
    /// first-run dialog). The password is kept in the credential store only
    /// once the server took it; an empty one uses the password kept before.
    /// The database open until now stays open if anything fails.
    pub fn connect_team_server(&mut self, choice: &ServerChoice, password: &str) -> Result<AppStatus> {
        let choice = choice.validated()?;
        let db = self.open_server(&choice, Some(password))?;
        if !password.is_empty() {
            server_choice::save_password(&choice, password)?;
        }
        self.remember(|c| {
            c.server = Some(choice.clone());
            c.first_run_done = true;
        })?;
        self.db = Some(TeamDb::Server(db));
        self.open_error = None;
        Ok(self.status())
    }

    /// The server this desktop connects to, and whether its password is kept.
    pub fn team_server(&self) -> Result<TeamServerView> {
        let choice = self.config.server.clone();
        let password_saved = match &choice {
            Some(c) => server_choice::saved_password(c)?.is_some(),
            None => false,
        };
        Ok(TeamServerView { choice, password_saved })
    }

    /// After the share (or the server) was away: a connection whose handle
    /// went stale with it (an SMB server restart, a server restart) answers
    /// with errors for good, so it is replaced when it cannot read even the
    /// schema version — but only by a
    /// connection that opens: while the share is still away the old one
    /// stays, and with it what the window shows.
    pub fn heal(&mut self) {
        if let Some(TeamDb::Server(db)) = &self.db {
            // A server that was restarted (or a network that dropped)
            // closed this connection for good: a new one, as the same login.
            if db.sql().query_one("SELECT 1", &[], |r| r.get::<i64>(0)).is_ok() {
                return;
            }
            if let Ok(fresh) = self.session_on(db.server()) {
                self.db = Some(TeamDb::Server(fresh));
            }
            return;
        }
        let Some(TeamDb::File(db)) = &self.db else { return };
        if db.schema_version().is_ok() {
            return;
        }
        let path = db.path().to_path_buf();
        let me = db.member().map(|u| u.id.clone());
        if let Ok(mut fresh) = Db::open(&path, self.opts.clone()) {
            // The same member as before the outage, whatever config says now.
            if fresh.act_as(me.as_deref()).is_ok() {
                self.db = Some(TeamDb::File(fresh));
            }
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

    /// The current member's SMTP account on this computer, and whether the
    /// credential store holds its password (the password itself never
    /// leaves the engine).
    pub fn mail_account(&mut self) -> Result<MailAccountView> {
        let member = self.current_member_id()?;
        let password_saved = crate::mail::Vault::kizuna().password(&member)?.is_some();
        Ok(MailAccountView {
            account: self.config.smtp_accounts.get(&member).cloned(),
            password_saved,
        })
    }

    /// Saves the account in config.json and, when given, the password in
    /// the credential store (an empty one keeps the password saved before).
    pub fn save_mail_account(&mut self, account: &crate::mail::SmtpAccount, password: &str) -> Result<MailAccountView> {
        let member = self.current_member_id()?;
        let account = account.validated()?;
        if !password.is_empty() {
            crate::mail::Vault::kizuna().save(&member, password)?;
        }
        self.remember(|c| {
            c.smtp_accounts.insert(member.clone(), account);
        })?;
        self.mail_account()
    }

    pub fn forget_mail_password(&mut self) -> Result<MailAccountView> {
        let member = self.current_member_id()?;
        crate::mail::Vault::kizuna().forget(&member)?;
        self.mail_account()
    }

    /// What sending as the current member from this computer needs (see
    /// `mail::sender`): `None` when the member connected no server.
    pub fn mail_sender(&mut self) -> Result<Option<crate::mail::Sender>> {
        let member = self.current_member_id()?;
        let account = self.config.smtp_accounts.get(&member).cloned();
        let computer = self.config.computer_id.clone().unwrap_or_default();
        crate::mail::sender(account, &crate::mail::Vault::kizuna(), &member, &computer)
    }

    fn current_member_id(&mut self) -> Result<String> {
        Ok(self.team()?.member().ok_or(Error::IdentityRequired)?.id.clone())
    }

    pub fn set_close_to_tray(&mut self, enabled: bool) -> Result<AppStatus> {
        self.remember(|c| c.close_to_tray = enabled)?;
        Ok(self.status())
    }

    pub fn set_number_style(&mut self, style: crate::app::config::NumberStyle) -> Result<AppStatus> {
        self.remember(|c| c.number_style = style)?;
        Ok(self.status())
    }

    /// This desktop's copies of its database, newest first.
    pub fn backups(&self) -> Result<Vec<crate::store::backup::BackupInfo>> {
        crate::store::backup::list(&self.backup_dir())
    }

    pub fn backup_dir(&self) -> PathBuf {
        self.opts
            .backup_dir
            .clone()
            .unwrap_or_else(|| self.dirs.data_dir.join("backups"))
    }

    /// A copy now, at the user's request.
    pub fn back_up_now(&mut self) -> Result<crate::store::backup::BackupInfo> {
        let source = self.db()?.path().to_path_buf();
        let now = self.opts.clock.now();
        let taken = crate::store::backup::take(
            &source,
            &self.backup_dir(),
            crate::store::backup::BackupKind::Manual,
            now,
        )?;
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
        let restored = crate::store::db::restore(&target, backup, &now);
        self.reopen();
        let kept_aside = match restored? {
            crate::store::db::Restored::InPlace => None,
            crate::store::db::Restored::Replaced { kept_aside } => kept_aside.map(|p| p.display().to_string()),
        };
        Ok(RestoreOutcome {
            kept_aside,
            status: self.status(),
        })
    }

    /// The passphrase (or recovery key) the user typed for the team file:
    /// kept in this desktop's credential store once it opens the file (a
    /// recovery key is not kept: it is for one opening, then a new
    /// passphrase), and the file opened.
    pub fn unlock(&mut self, input: &str) -> Result<AppStatus> {
        let path = self.wanted_path();
        let key = crate::store::cipher::Key::parse(input);
        crate::store::cipher::unlock(&path, &key)?;
        if let crate::store::cipher::Key::Passphrase(p) = &key {
            if let Err(e) = crate::app::passphrase::save(&path, p) {
                // Opened all the same; the next start asks again.
                eprintln!("Kizuna: the passphrase could not be kept: {e}");
            }
        }
        self.reopen();
        Ok(self.status())
    }

    /// Settings' encryption section.
    pub fn encryption(&mut self) -> Result<EncryptionView> {
        let is_team = self.config.database.is_some();
        let db = self.db()?;
        let path = db.path().to_path_buf();
        let manager = db
            .member()
            .map(|me| role::of(db.conn(), &me.id).unwrap_or_default().contains(&Role::Manager))
            .unwrap_or(false);
        let (placement, placement_version) = {
            let version: i64 = db
                .conn()
                .query_row("SELECT version FROM settings WHERE key = 'backup_placement'", [], |r| {
                    r.get(0)
                })
                .unwrap_or(0);
            (crate::store::backup::Placement::load(db.conn())?, version)
        };
        Ok(EncryptionView {
            encrypted: crate::store::cipher::looks_encrypted(&path).is_some(),
            passphrase_saved: crate::app::passphrase::saved(&path).ok().flatten().is_some(),
            can_change: manager && is_team && db.read_only().is_none(),
            placement,
            placement_version,
            min_passphrase: crate::store::cipher::MIN_PASSPHRASE as u32,
        })
    }

    fn ensure_manager(&mut self) -> Result<()> {
        let db = self.db()?;
        db.ensure_writable()?;
        let me = db.member().ok_or(Error::IdentityRequired)?.id.clone();
        role::require_manager(db.conn(), &me)
    }

    /// Encrypts the team file, gives it a new passphrase, or decrypts it,
    /// in place (store/cipher.rs: under the exclusive lock, after a checked
    /// copy); colleagues' desktops are asked to open it again. A manager's.
    pub fn change_encryption(&mut self, change: EncryptionChange, passphrase: &str) -> Result<EncryptionOutcome> {
        use crate::store::cipher::{self, Key};
        self.ensure_manager()?;
        if self.config.database.is_none() {
            return Err(Error::invalid("encryption", "local_database"));
        }
        let path = self.wanted_path();
        let encrypted = cipher::looks_encrypted(&path).is_some();
        let key = match change {
            EncryptionChange::Encrypt if encrypted => return Err(Error::invalid("encryption", "already_encrypted")),
            EncryptionChange::Rekey | EncryptionChange::Decrypt if !encrypted => {
                return Err(Error::invalid("encryption", "not_encrypted"))
            }
            EncryptionChange::Decrypt => None,
            _ => Some(Key::new_passphrase(passphrase)?),
        };
        // This desktop lets go of the file first, as a colleague's would.
        self.db = None;
        let done = cipher::convert(&path, key.as_ref());
        match (&done, &key) {
            (Ok(_), Some(Key::Passphrase(p))) => {
                if let Err(e) = crate::app::passphrase::save(&path, p) {
                    eprintln!("Kizuna: the passphrase could not be kept: {e}");
                }
            }
            (Ok(_), None) => {
                let _ = crate::app::passphrase::forget(&path);
            }
            _ => {}
        }
        self.reopen();
        let done = done?;
        // This desktop's own copies follow at once (colleagues' at their
        // next daily copy): plain ones encrypted with the new key.
        if let Some(raw) = cipher::key_of(&path) {
            crate::store::backup::protect_copies(&self.backup_dir(), &raw)?;
        }
        Ok(EncryptionOutcome {
            recovery_key: done.recovery_key,
            status: self.status(),
        })
    }

    /// Where the team keeps its daily copies (a manager's choice).
    pub fn set_backup_placement(
        &mut self,
        version: i64,
        placement: &crate::store::backup::Placement,
    ) -> Result<EncryptionView> {
        self.ensure_manager()?;
        let db = self.db()?;
        db.write(|ctx| {
            let current: i64 = ctx
                .tx()?
                .query_row("SELECT version FROM settings WHERE key = 'backup_placement'", [], |r| {
                    r.get(0)
                })
                .unwrap_or(0);
            if current != version {
                return Err(Error::Conflict {
                    entity: "settings",
                    id: "backup_placement".into(),
                    current_version: current,
                    current: serde_json::Value::Null,
                });
            }
            placement.save(ctx)
        })?;
        self.encryption()
    }

    /// Leaves the team on this desktop: the copies of the team file it
    /// keeps are deleted, the passphrase forgotten, and the desktop goes
    /// back to its local sample database. The team file itself is untouched.
    pub fn leave_team(&mut self) -> Result<AppStatus> {
        if let Some(choice) = self.config.server.clone() {
            // A server keeps the team: this desktop forgets the password and
            // goes back to its local database.
            self.db = None;
            server_choice::forget_password(&choice)?;
            self.remember(|c| {
                c.server = None;
                c.first_run_done = true;
            })?;
            self.reopen();
            return Ok(self.status());
        }
        let path = self.config.database.clone().ok_or(Error::NoDatabase)?;
        self.db = None;
        crate::store::backup::remove_all(&self.backup_dir())?;
        let _ = crate::app::passphrase::forget(&path);
        crate::store::cipher::forget_all();
        self.remember(|c| {
            c.database = None;
            c.first_run_done = true;
        })?;
        self.reopen();
        Ok(self.status())
    }

    /// Renames this profile's member as of the `version` the user saw (a
    /// colleague's rename in between is a conflict).
    pub fn set_display_name(&mut self, version: i64, name: &str) -> Result<AppStatus> {
        let db = self.team()?;
        let me = db.member().map(|u| u.id.clone()).ok_or(Error::IdentityRequired)?;
        db.write(|ctx| member::rename(ctx, &me, version, name))?;
        db.refresh_user()?;
        Ok(self.status())
    }

    /// The question the window asks while `needs_identity`.
    pub fn who_are_you(&mut self) -> Result<WhoAreYou> {
        let login = self.machine.login.clone();
        let mut members: Vec<Member> = member::members(self.team()?.sql())?
            .into_iter()
            .filter(|m| m.active)
            .collect();
        let mut by_login = members.iter().filter(|m| m.login == login);
        let suggested_id = match (by_login.next(), by_login.next()) {
            (Some(only), None) => Some(only.id.clone()),
            _ => None,
        };
        // The suggestion on top, the rest by name.
        members.sort_by_key(|m| Some(&m.id) != suggested_id.as_ref());
        Ok(WhoAreYou {
            members,
            suggested_id,
            os_login: login,
        })
    }

    /// Answers "who are you?" for the open team file: remembered in this
    /// profile's config (per team file), announced by a heartbeat.
    pub fn identify(&mut self, choice: &IdentityChoice) -> Result<AppStatus> {
        let login = self.machine.login.clone();
        // On a server the login is the member (see open_server).
        let db = self.db()?;
        let previous = db.member().map(|u| u.id.clone());
        let chosen = match choice {
            IdentityChoice::Member {
                id,
                version,
                display_name,
            } => {
                let u = member::resolve(db.conn(), id)?.ok_or_else(|| Error::NotFound {
                    entity: "user",
                    id: id.clone(),
                })?;
                db.act_as(Some(&u.id))?;
                let renamed = match display_name {
                    Some(name) if name.trim() != u.display_name => db
                        .write(|ctx| member::rename(ctx, &u.id, *version, name))
                        .and_then(|_| db.refresh_user()),
                    _ => Ok(()),
                };
                if let Err(e) = renamed {
                    db.act_as(previous.as_deref())?;
                    return Err(e);
                }
                u.id
            }
            IdentityChoice::New { display_name } => {
                let made = db.join_as_new_member(&login, display_name);
                if made.is_err() {
                    db.act_as(previous.as_deref())?;
                }
                made?.id
            }
        };
        let key = self.db()?.team_key();
        self.remember(|c| {
            c.identities.insert(key, chosen);
        })?;
        // Claimed at once: another computer asked the same question now
        // sees this member as in use here.
        self.last_beat = None;
        self.heartbeat()?;
        Ok(self.status())
    }

    fn computer(&self) -> Computer {
        Computer {
            id: self.config.computer_id.clone().unwrap_or_default(),
            name: self.machine.computer_name.clone(),
        }
    }

    /// Says "still here, as this member" (written at most every few
    /// minutes, see presence.rs) and returns the other computers active as
    /// the same member right now.
    pub fn heartbeat(&mut self) -> Result<Presence> {
        let computer = self.computer();
        let last = self.last_beat.clone();
        let Some(db) = self.db.as_mut() else {
            return Ok(Presence::default());
        };
        let read_only = db.as_file().and_then(Db::read_only);
        let Some(me) = db.member().map(|u| u.id.clone()) else {
            return Ok(Presence::default());
        };
        let now = db.clock().now();
        let due = presence::beat_due(last.as_ref().map(|(id, at)| (id.as_str(), *at)), &me, now);
        if let (Some(announce), None) = (due, read_only) {
            db.write(|ctx| presence::beat(ctx, &computer, announce))?;
            self.last_beat = Some((me.clone(), now));
        }
        presence::elsewhere(db.sql(), &me, &computer.id, now)
    }

    pub fn members(&mut self) -> Result<Vec<Member>> {
        member::members(self.team()?.sql())
    }

    pub fn rename_member(&mut self, id: &str, version: i64, name: &str) -> Result<Vec<Member>> {
        let db = self.team()?;
        db.write(|ctx| member::rename(ctx, id, version, name))?;
        db.refresh_user()?;
        member::members(db.sql())
    }

    /// Sets a member's roles as of the `version` the user saw (a colleague's
    /// edit of the same member in between is a conflict).
    pub fn set_member_roles(&mut self, id: &str, version: i64, roles: &[Role]) -> Result<Vec<Member>> {
        let db = self.team()?;
        db.write(|ctx| role::set(ctx, id, version, roles))?;
        db.refresh_user()?;
        member::members(db.sql())
    }

    pub fn set_member_active(&mut self, id: &str, version: i64, active: bool) -> Result<Vec<Member>> {
        let db = self.team()?;
        db.write(|ctx| member::set_active(ctx, id, version, active))?;
        member::members(db.sql())
    }

    /// Merges a stray member into another; when this profile was the stray,
    /// it is the survivor from now on.
    pub fn merge_members(&mut self, stray_id: &str, stray_version: i64, survivor_id: &str) -> Result<MergeReport> {
        let db = self.team()?;
        let report = db.write(|ctx| member::merge(ctx, stray_id, stray_version, survivor_id))?;
        db.refresh_user()?;
        // A file remembers who this profile is; on a server the login says.
        let Some(file) = db.as_file() else { return Ok(report) };
        let (key, me) = (file.team_key(), file.member().map(|u| u.id.clone()));
        if let Some(me) = me {
            if self.config.identities.get(&key) != Some(&me) {
                self.remember(|c| {
                    c.identities.insert(key, me);
                })?;
            }
        }
        Ok(report)
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
    use crate::testutil::assert_invalid;
    use crate::ErrorCode;

    fn clock() -> FixedClock {
        FixedClock::at("2026-11-25T10:00:00+09:00")
    }

    fn start(home: &Path) -> Session {
        start_as(home, "tanaka", "PC-1", clock())
    }

    /// A computer profile in `home`, logged in to the OS as `login`.
    fn start_as(home: &Path, login: &str, computer: &str, clock: FixedClock) -> Session {
        let dirs = Dirs::new(home.join("config"), home.join("data"));
        let machine = Machine {
            login: login.into(),
            computer_name: computer.into(),
        };
        Session::start_on(dirs, Some("ja-JP"), Arc::new(clock), machine)
    }

    /// "Who are you?" answered with a new member.
    fn join(s: &mut Session, name: &str) -> AppStatus {
        s.identify(&IdentityChoice::New {
            display_name: name.into(),
        })
        .unwrap()
    }

    /// "Who are you?" answered with an existing member, unchanged.
    fn pick(s: &mut Session, id: &str) -> AppStatus {
        let version = s.members().unwrap().into_iter().find(|m| m.id == id).unwrap().version;
        s.identify(&IdentityChoice::Member {
            id: id.into(),
            version,
            display_name: None,
        })
        .unwrap()
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
            let p = crate::pipeline::stage::list(conn).unwrap()[0].id.clone();
            crate::pipeline::stage::stages(conn, &p)
                .unwrap()
                .into_iter()
                .map(|x| x.name)
                .collect()
        };
        assert_eq!(stage_names(&mut s)[0], "Lead", "the sample database");
        let reasons = crate::team::settings::TeamSettings::load(s.db().unwrap().conn())
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
        join(&mut s, "Jane");

        // Switched to Japanese: what the engine writes from now on is stored
        // in Japanese beside its kind.
        s.set_language(Some(Language::Ja)).unwrap();
        let db = s.db().unwrap();
        let company = db
            .write(|ctx| {
                crate::customers::company::create(
                    ctx,
                    &crate::customers::company::NewCompany {
                        name: "Acme".into(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        let mut a = crate::testutil::entry(
            &company,
            crate::timeline::activity::ActivityKind::Meeting,
            "2026-11-25T00:00:00Z",
            "会議",
        );
        a.next_appointment_at = Some("2026-12-01T01:00:00Z".into());
        db.write(|ctx| crate::timeline::activity::log(ctx, &a)).unwrap();
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
        join(&mut s, "仮の名前");
        assert_eq!(s.set_display_name(1, "   ").unwrap_err().code(), ErrorCode::Invalid);
        assert_eq!(
            s.set_display_name(1, " 山田 花子 ").unwrap().user.display_name,
            "山田 花子"
        );
        let stale = s.set_display_name(1, "山田");
        assert_eq!(stale.unwrap_err().code(), ErrorCode::Conflict, "as of the version seen");
        let author: String = s
            .db()
            .unwrap()
            .conn()
            .query_row(
                "SELECT user_id FROM audit_log WHERE entity = 'user' ORDER BY at DESC, rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(author, s.status().user.id, "the change is attributed");
    }

    #[test]
    fn a_manager_encrypts_the_team_file_and_leaving_the_team_deletes_this_desktops_copies() {
        use crate::store::cipher;
        let home = tempfile::tempdir().unwrap();
        let team = home.path().join("team.db");
        let mut s = start(home.path());
        s.create_team_database(&team).unwrap();
        let me = join(&mut s, "田中").user;
        // Not a manager yet: refused.
        let change = if cipher::looks_encrypted(&team).is_some() {
            EncryptionChange::Rekey
        } else {
            EncryptionChange::Encrypt
        };
        let long = "十分に長い合言葉ですよ";
        assert_eq!(
            s.change_encryption(change, long).unwrap_err().code(),
            ErrorCode::ManagerOnly
        );
        s.set_member_roles(&me.id, me.version, &[Role::Manager]).unwrap();
        let copy = s.back_up_now().unwrap();
        assert_eq!(
            s.change_encryption(change, "短い").unwrap_err().code(),
            ErrorCode::Invalid
        );
        let out = s.change_encryption(change, long).unwrap();
        assert!(out.recovery_key.is_some());
        assert!(out.status.database.is_some(), "reopened");
        assert!(cipher::looks_encrypted(&team).is_some());
        assert!(s.encryption().unwrap().encrypted);
        // This desktop's plain copy was encrypted with the new key.
        assert!(cipher::looks_encrypted(Path::new(&copy.path)).is_some());
        assert!(crate::store::db::Db::inspect(Path::new(&copy.path)).is_ok());

        let status = s.leave_team().unwrap();
        assert!(status.database.unwrap().is_local);
        assert!(s.backups().unwrap().is_empty(), "no copy of the team file left here");
        assert_eq!(crate::app::passphrase::saved(&team).unwrap_or(None), None);
        assert!(team.exists(), "the team file itself is untouched");
    }

    #[test]
    fn a_newer_schema_opens_read_only() {
        let home = tempfile::tempdir().unwrap();
        let team = home.path().join("team.db");
        let mut s = start(home.path());
        s.create_team_database(&team).unwrap();
        join(&mut s, "田中");
        drop(s);
        rusqlite::Connection::open(&team)
            .unwrap()
            .pragma_update(None, "user_version", crate::store::schema::CURRENT + 1)
            .unwrap();
        let mut s = start(home.path());
        assert_eq!(
            s.status().database.unwrap().read_only,
            Some(ReadOnlyReason::SchemaTooNew)
        );
        assert_eq!(s.status().user.display_name, "田中", "who reads is still known");
        assert_eq!(s.set_display_name(1, "x").unwrap_err().code(), ErrorCode::ReadOnly);
    }

    #[test]
    fn a_damaged_team_file_is_restored_from_a_listed_copy_and_opens_again() {
        let home = tempfile::tempdir().unwrap();
        let team = home.path().join("team.db");
        let mut s = start(home.path());
        s.create_team_database(&team).unwrap();
        join(&mut s, "前の名前");
        let copy = s.back_up_now().unwrap();
        assert_eq!(copy.kind, crate::store::backup::BackupKind::Manual);
        s.set_display_name(1, "後の名前").unwrap();
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

    #[test]
    fn a_new_team_file_asks_who_you_are_and_the_profile_remembers_the_answer() {
        let home = tempfile::tempdir().unwrap();
        let team = home.path().join("team.db");
        let mut s = start(home.path());
        let st = s.create_team_database(&team).unwrap();
        assert!(st.needs_identity, "the creator is asked too");
        assert!(s.reminder_target().is_none(), "nobody is reminded before");
        // Nothing is written for nobody.
        let e = s.db().unwrap().write(|_| Ok(())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::IdentityRequired);
        assert!(s.who_are_you().unwrap().members.is_empty());
        assert_invalid(
            s.identify(&IdentityChoice::New {
                display_name: "  ".into(),
            }),
            "display_name",
            "required",
        );
        assert!(s.status().needs_identity, "a refused answer changes nothing");

        let me = join(&mut s, "田中 太郎");
        assert!(!me.needs_identity);
        assert_eq!(
            (me.user.display_name.as_str(), me.user.login.as_str()),
            ("田中 太郎", "tanaka")
        );
        drop(s);
        let s = start(home.path());
        assert_eq!(s.status().user.id, me.user.id, "remembered per profile");
        assert!(!s.status().needs_identity);

        // The same file at another path (a drive mapped anew) is the same team.
        let moved = home.path().join("Z").join("kizuna.db");
        std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
        drop(s);
        std::fs::rename(&team, &moved).unwrap();
        let mut s = start(home.path());
        let st = s.open_team_database(&moved).unwrap();
        assert_eq!(st.user.id, me.user.id);

        // Another team file is another question.
        let other = home.path().join("other.db");
        assert!(s.create_team_database(&other).unwrap().needs_identity);
        let config = UserConfig::load(&home.path().join("config").join("config.json"));
        assert_eq!(config.identities.len(), 1);
    }

    #[test]
    fn two_people_with_the_same_os_login_are_two_members() {
        let share = tempfile::tempdir().unwrap();
        let team = share.path().join("team.db");
        let (pc1, pc2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut sato = start_as(pc1.path(), "user", "EIGYO-1", clock());
        sato.create_team_database(&team).unwrap();
        let sato_id = join(&mut sato, "佐藤 健太").user.id;

        let mut suzuki = start_as(pc2.path(), "user", "EIGYO-2", clock());
        let st = suzuki.open_team_database(&team).unwrap();
        assert!(st.needs_identity, "a login is no identity");
        let who = suzuki.who_are_you().unwrap();
        assert_eq!(who.suggested_id.as_deref(), Some(sato_id.as_str()), "only a suggestion");
        assert_eq!(who.members[0].last_computer.as_deref(), Some("EIGYO-1"));
        let suzuki_id = join(&mut suzuki, "鈴木 美咲").user.id;
        assert_ne!(sato_id, suzuki_id);

        // Each sees their own follow-ups, and each is reminded of their own.
        let plan = |s: &mut Session, title: &str| {
            let f = crate::followups::follow_up::NewFollowUp {
                kind: crate::followups::follow_up::FollowUpKind::FollowUp,
                title: title.into(),
                due_at: "2026-11-25T00:00:00Z".into(),
                assignee_id: None,
                company_id: None,
                deal_id: None,
                contract_id: None,
                activity_id: None,
            };
            s.db()
                .unwrap()
                .write(|ctx| crate::followups::follow_up::create(ctx, &f))
                .unwrap();
        };
        plan(&mut sato, "佐藤の電話");
        plan(&mut suzuki, "鈴木の訪問");
        let mine = |s: &mut Session| -> Vec<String> {
            let db = s.db().unwrap();
            let me = db.user().id.clone();
            crate::followups::follow_up::list_open(db.conn(), db.clock(), Some(&me))
                .unwrap()
                .into_iter()
                .map(|f| f.title)
                .collect()
        };
        assert_eq!(mine(&mut sato), ["佐藤の電話"]);
        assert_eq!(mine(&mut suzuki), ["鈴木の訪問"]);
        let target = |s: &Session| match s.reminder_target().unwrap().opts.identity {
            crate::store::db::Identity::Member(id) => id,
            other => panic!("{other:?}"),
        };
        assert_eq!(target(&sato), Some(sato_id.clone()));
        assert_eq!(target(&suzuki), Some(suzuki_id.clone()));

        // Both restart: each profile is still its own member.
        drop((sato, suzuki));
        assert_eq!(
            start_as(pc1.path(), "user", "EIGYO-1", clock()).status().user.id,
            sato_id
        );
        assert_eq!(
            start_as(pc2.path(), "user", "EIGYO-2", clock()).status().user.id,
            suzuki_id
        );
    }

    #[test]
    fn the_samples_own_member_is_suggested_and_takes_the_real_name() {
        let home = tempfile::tempdir().unwrap();
        let mut s = start(home.path());
        let st = s.use_local_database().unwrap();
        assert!(st.needs_identity);
        let who = s.who_are_you().unwrap();
        let suggested = who
            .suggested_id
            .clone()
            .expect("the sample's member made from the login");
        let placeholder = who.members.iter().find(|m| m.id == suggested).unwrap();
        assert_eq!(
            (placeholder.login.as_str(), placeholder.last_seen_at.as_deref()),
            ("tanaka", None)
        );
        let st = s
            .identify(&IdentityChoice::Member {
                id: suggested.clone(),
                version: placeholder.version,
                display_name: Some(" 山田 花子 ".into()),
            })
            .unwrap();
        assert_eq!(
            (st.user.id.as_str(), st.user.display_name.as_str()),
            (suggested.as_str(), "山田 花子")
        );
        // The sample's share of the work is theirs.
        let db = s.db().unwrap();
        let open = crate::followups::follow_up::list_open(db.conn(), db.clock(), Some(&suggested)).unwrap();
        assert!(!open.is_empty());
        // Mails are signed with the chosen name, not the login.
        let meeting: String = db
            .conn()
            .query_row(
                "SELECT id FROM activities WHERE kind = 'meeting' AND deleted_at IS NULL LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let sender = db.user().display_name.clone();
        let draft =
            crate::timeline::mail::draft_for(db.conn(), &meeting, Language::Ja, &sender, db.clock().offset()).unwrap();
        assert!(
            draft.draft.body.contains("山田 花子でございます"),
            "{}",
            draft.draft.body
        );
        assert!(!draft.draft.body.contains("tanakaでございます"));
        // Claimed now: seen on this computer.
        let me = s.members().unwrap().into_iter().find(|m| m.id == suggested).unwrap();
        assert_eq!(me.last_computer.as_deref(), Some("PC-1"));
    }

    #[test]
    fn a_member_on_two_computers_at_once_is_warned_about_and_heartbeats_stay_rare() {
        let share = tempfile::tempdir().unwrap();
        let team = share.path().join("team.db");
        let (pc1, pc2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let t = clock();
        let mut a = start_as(pc1.path(), "user", "EIGYO-1", t.clone());
        a.create_team_database(&team).unwrap();
        let me = join(&mut a, "佐藤 健太").user.id;
        assert!(a.heartbeat().unwrap().elsewhere.is_empty(), "alone so far");

        let mut b = start_as(pc2.path(), "user", "EIGYO-2", t.clone());
        b.open_team_database(&team).unwrap();
        pick(&mut b, &me);
        let seen = b.heartbeat().unwrap();
        assert_eq!(seen.elsewhere.len(), 1);
        assert_eq!(seen.elsewhere[0].computer_name, "EIGYO-1");
        t.advance(chrono::Duration::seconds(30));
        assert_eq!(a.heartbeat().unwrap().elsewhere[0].computer_name, "EIGYO-2");

        // Asked every few seconds, a heartbeat is written only every BEAT_EVERY.
        t.advance(presence::BEAT_EVERY);
        let before = a.rows_written();
        a.heartbeat().unwrap();
        let written = a.rows_written();
        assert!(written > before, "due: written");
        for _ in 0..23 {
            t.advance(chrono::Duration::seconds(5));
            a.heartbeat().unwrap();
        }
        assert_eq!(a.rows_written(), written, "115 s of asking wrote nothing");
        t.advance(chrono::Duration::seconds(5));
        let changes = |s: &mut Session| -> i64 {
            s.db()
                .unwrap()
                .conn()
                .query_row(
                    "SELECT COUNT(*) FROM change_log WHERE entity = 'member_session'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        let announced = changes(&mut a);
        a.heartbeat().unwrap();
        assert_eq!(a.rows_written(), written + 1, "two minutes on, the next one: one row");
        assert_eq!(
            changes(&mut a),
            announced,
            "a periodic beat stays out of the change log"
        );

        // B closes: once its last heartbeat is older than ACTIVE_WITHIN, A is alone.
        drop(b);
        t.advance(presence::ACTIVE_WITHIN);
        assert_eq!(a.heartbeat().unwrap().elsewhere.len(), 0);

        // Two different members on two computers never warn each other.
        let mut c = start_as(pc2.path(), "user", "EIGYO-2", t.clone());
        join(&mut c, "鈴木 美咲");
        assert!(c.heartbeat().unwrap().elsewhere.is_empty());
        assert!(a.heartbeat().unwrap().elsewhere.is_empty());
    }

    #[test]
    fn a_profile_whose_member_was_merged_away_becomes_the_survivor() {
        let share = tempfile::tempdir().unwrap();
        let team = share.path().join("team.db");
        let (pc1, pc2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut a = start_as(pc1.path(), "kenta", "PC-1", clock());
        a.create_team_database(&team).unwrap();
        let kenta = join(&mut a, "佐藤 健太").user.id;
        let mut b = start_as(pc2.path(), "sato", "PC-2", clock());
        b.open_team_database(&team).unwrap();
        let stray = join(&mut b, "sato").user;

        let report = a.merge_members(&stray.id, stray.version, &kenta).unwrap();
        assert_eq!(report.moved, 0);
        drop(b);
        let b = start_as(pc2.path(), "sato", "PC-2", clock());
        assert_eq!(b.status().user.id, kenta, "the stray's computer acts as the survivor");
        assert!(!b.status().needs_identity);
        let deactivate_me = a.set_member_active(&kenta, 2, false).unwrap_err();
        assert_eq!(deactivate_me.code(), ErrorCode::Invalid);
    }

    #[test]
    fn a_deactivated_member_is_asked_again_and_not_offered() {
        let share = tempfile::tempdir().unwrap();
        let team = share.path().join("team.db");
        let (pc1, pc2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut a = start_as(pc1.path(), "kenta", "PC-1", clock());
        a.create_team_database(&team).unwrap();
        join(&mut a, "佐藤 健太");
        let mut b = start_as(pc2.path(), "user", "PC-2", clock());
        b.open_team_database(&team).unwrap();
        let left = join(&mut b, "退職者").user;
        drop(b);
        a.set_member_active(&left.id, left.version, false).unwrap();
        let mut b = start_as(pc2.path(), "user", "PC-2", clock());
        assert!(b.status().needs_identity);
        assert!(b.who_are_you().unwrap().members.iter().all(|m| m.id != left.id));
    }

    #[test]
    fn a_colleague_sets_my_roles_and_my_window_learns_them_version_checked() {
        let share = tempfile::tempdir().unwrap();
        let team = share.path().join("team.db");
        let (pc1, pc2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut a = start_as(pc1.path(), "kenta", "PC-1", clock());
        a.create_team_database(&team).unwrap();
        join(&mut a, "佐藤 健太");
        let mut b = start_as(pc2.path(), "misaki", "PC-2", clock());
        b.open_team_database(&team).unwrap();
        let misaki = join(&mut b, "鈴木 美咲").user;
        assert_eq!(b.status().roles, vec![Role::Sales], "everyone sells at first");

        let members = a
            .set_member_roles(&misaki.id, misaki.version, &[Role::Support])
            .unwrap();
        let row = members.iter().find(|m| m.id == misaki.id).unwrap();
        assert_eq!(
            (row.roles.clone(), row.version),
            (vec![Role::Support], misaki.version + 1)
        );
        assert_eq!(b.status().roles, vec![Role::Support], "her window reads them afresh");

        // A second screen still showing the old version is told, not obeyed.
        let stale = a
            .set_member_roles(&misaki.id, misaki.version, &[Role::Manager])
            .unwrap_err();
        assert_eq!(stale.code(), ErrorCode::Conflict);
        assert_eq!(b.status().roles, vec![Role::Support]);
        let none = a.set_member_roles(&misaki.id, row.version, &[]).unwrap_err();
        assert_eq!(none.code(), ErrorCode::Invalid);
    }
}
