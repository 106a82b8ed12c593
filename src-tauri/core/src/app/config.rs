//! The per-user configuration file (not the team database): which database
//! this desktop opens, the UI language, window behaviour. It lives on the
//! user's own disk, so it is there even when the share is not.

use crate::error::Result;
use crate::language::Language;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct UserConfig {
    /// The team database this desktop opens; `None` means the local one.
    #[ts(type = "string | null")]
    pub database: Option<PathBuf>,
    /// The user has answered the first-run question.
    pub first_run_done: bool,
    /// `None` follows the operating system's language.
    pub language: Option<Language>,
    /// Closing the window keeps Kizuna running in the tray, so reminders still arrive.
    pub close_to_tray: bool,
    /// Who this profile is in each team file it opened: the file's id
    /// (`Db::team_key`) → member id. Per profile, never by OS login, since
    /// one login often serves several people.
    pub identities: BTreeMap<String, String>,
    /// This profile's id in the team files' heartbeats (presence.rs), made
    /// on the first start.
    pub computer_id: Option<String>,
    /// Each member's company SMTP server on this computer (member id →
    /// account), without the password: that is in the operating system's
    /// credential store (mail/secret.rs).
    pub smtp_accounts: BTreeMap<String, crate::mail::SmtpAccount>,
    /// How charts write large numbers (docs/reports.md).
    pub number_style: NumberStyle,
    /// The team server this desktop connects to, when it uses one instead
    /// of a file (its password is in the credential store:
    /// app/server_choice.rs).
    pub server: Option<crate::app::server_choice::ServerChoice>,
}

/// Large numbers in charts: grouped into 万 and 億 (in English, thousands,
/// millions and billions), or every digit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NumberStyle {
    #[default]
    Compact,
    Full,
}

impl Default for UserConfig {
    fn default() -> Self {
        UserConfig {
            database: None,
            first_run_done: false,
            language: None,
            close_to_tray: true,
            identities: BTreeMap::new(),
            computer_id: None,
            smtp_accounts: BTreeMap::new(),
            number_style: NumberStyle::Compact,
            server: None,
        }
    }
}

impl UserConfig {
    /// A missing file is a first run. An unreadable one is set aside (never
    /// deleted) and replaced by defaults, so a bad edit cannot lock the user out.
    pub fn load(path: &Path) -> UserConfig {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                let _ = std::fs::rename(path, path.with_extension("json.broken"));
                UserConfig::default()
            }),
            Err(_) => UserConfig::default(),
        }
    }

    /// Written to a temporary file and renamed, so a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec_pretty(self).map_err(|e| crate::Error::Internal(e.to_string()))?,
        )?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

/// Where this user's files live. Tests and admins point everything at one
/// folder with `KIZUNA_HOME`, so nothing touches the real profile.
#[derive(Debug, Clone)]
pub struct Dirs {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
}

impl Dirs {
    pub fn new(config_dir: PathBuf, data_dir: PathBuf) -> Dirs {
        Dirs {
            config_file: config_dir.join("config.json"),
            data_dir,
        }
    }

    /// The folders the operating system gives Kizuna for this user — the
    /// same ones Tauri's `app_config_dir` / `app_data_dir` name:
    /// `%APPDATA%\jp.kizuna.desktop` on Windows (the roaming profile, so the
    /// choice of team file follows the user to another PC of the domain),
    /// `~/Library/Application Support/jp.kizuna.desktop` on macOS,
    /// `~/.config/…` and `~/.local/share/…` on Linux. `KIZUNA_HOME` wins.
    pub fn for_this_user() -> Option<Dirs> {
        let app = crate::platform::APP_ID;
        Some(Dirs::from_env_or(
            dirs::config_dir()?.join(app),
            dirs::data_dir()?.join(app),
        ))
    }

    /// `KIZUNA_HOME` when set, else the platform folders the caller found.
    pub fn from_env_or(config_dir: PathBuf, data_dir: PathBuf) -> Dirs {
        match std::env::var_os("KIZUNA_HOME").filter(|v| !v.is_empty()) {
            Some(home) => {
                let home = PathBuf::from(home);
                Dirs::new(home.clone(), home)
            }
            None => Dirs::new(config_dir, data_dir),
        }
    }

    /// The database used until the team chooses a shared one.
    pub fn local_database(&self) -> PathBuf {
        self.data_dir.join("kizuna-local.db")
    }
}

/// The OS login of whoever runs this process.
pub fn os_login() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "user".to_string())
}

/// The name colleagues know this computer by (shown when one member is
/// active on two computers): Windows' computer name, the host name elsewhere.
pub fn computer_name() -> String {
    let from_env = ["COMPUTERNAME", "HOSTNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()));
    from_env.or_else(host_name).unwrap_or_else(|| "?".to_string())
}

#[cfg(unix)]
fn host_name() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at
    // most that many bytes and the result is read up to the first NUL.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..end]).trim().to_string();
    (!name.is_empty()).then_some(name)
}

#[cfg(not(unix))]
fn host_name() -> Option<String> {
    None
}

/// The cloud-sync service whose folder holds `path`, if any. Those services
/// upload and download whole files behind SQLite's back: two writers there
/// fork the file into "conflicted copies" or corrupt it, so the user is
/// warned (docs/shared-database.md, "Cloud-sync folders").
pub fn cloud_sync_service(path: &std::path::Path) -> Option<&'static str> {
    for part in path.components() {
        let name = part.as_os_str().to_string_lossy().to_lowercase();
        let service = if name == "onedrive" || name.starts_with("onedrive -") || name.starts_with("onedrive-") {
            "OneDrive"
        } else if name == "dropbox" || name.starts_with("dropbox (") || name.starts_with("dropbox-") {
            "Dropbox"
        } else if name == "google drive"
            || name == "googledrive"
            // Google Drive for desktop's drive letter on Windows: G:\My Drive.
            || name == "my drive"
            || name.starts_with("googledrive-")
            || name == "マイドライブ"
        {
            "Google Drive"
        } else if name == "icloud drive"
            || name == "iclouddrive"
            || name == "mobile documents"
            || name == "com~apple~clouddocs"
        {
            "iCloud Drive"
        } else if name == "box" || name == "box sync" || name.starts_with("box-") {
            "Box"
        } else {
            continue;
        };
        return Some(service);
    }
    None
}

#[cfg(test)]
mod tests {

    #[test]
    fn cloud_sync_folders_are_recognised_and_office_shares_are_not() {
        use std::path::Path;
        let cases = [
            (
                r"C:\Users\tanaka\OneDrive - 株式会社サンプル\営業\kizuna.db",
                Some("OneDrive"),
            ),
            (
                "/Users/tanaka/Library/CloudStorage/OneDrive-Personal/kizuna.db",
                Some("OneDrive"),
            ),
            ("/Users/tanaka/Dropbox (Team)/kizuna.db", Some("Dropbox")),
            (
                "/Users/tanaka/Library/CloudStorage/GoogleDrive-tanaka@example.jp/マイドライブ/k.db",
                Some("Google Drive"),
            ),
            (
                "/Users/tanaka/Library/Mobile Documents/com~apple~CloudDocs/kizuna.db",
                Some("iCloud Drive"),
            ),
            ("/home/tanaka/Box/kizuna.db", Some("Box")),
            ("G:/My Drive/営業/kizuna.db", Some("Google Drive")),
            (r"\\fileserver\営業\kizuna.db", None),
            ("/Volumes/Sales/kizuna.db", None),
            ("/home/tanaka/boxes/dropboxes.db", None),
        ];
        for (path, want) in cases {
            // Windows paths are checked as text components on every OS.
            let p = path.replace('\\', "/");
            assert_eq!(cloud_sync_service(Path::new(&p)), want, "{path}");
        }
    }

    use super::*;

    /// The same, read the way Windows reads a path: drive letters, UNC
    /// shares and the folder names the sync clients give on Windows.
    #[test]
    #[cfg(windows)]
    fn cloud_sync_folders_are_recognised_in_windows_paths() {
        let cases = [
            (
                r"C:\Users\田中\OneDrive - 株式会社サンプル\営業\kizuna.db",
                Some("OneDrive"),
            ),
            (r"C:\Users\tanaka\OneDrive\ドキュメント\kizuna.db", Some("OneDrive")),
            (r"D:\Dropbox (株式会社サンプル)\営業\kizuna.db", Some("Dropbox")),
            (r"G:\マイドライブ\営業\kizuna.db", Some("Google Drive")),
            (r"G:\My Drive\kizuna.db", Some("Google Drive")),
            (r"C:\Users\tanaka\iCloudDrive\営業\kizuna.db", Some("iCloud Drive")),
            (r"C:\Users\tanaka\Box\営業\kizuna.db", Some("Box")),
            (r"\\fileserver\営業 部\kizuna.db", None),
            (r"\\?\UNC\fileserver\営業\kizuna.db", None),
            (r"Z:\営業\kizuna.db", None),
            (r"C:\Users\tanaka\Documents\OneDriveの資料\kizuna.db", None),
        ];
        for (path, want) in cases {
            assert_eq!(cloud_sync_service(Path::new(path)), want, "{path}");
        }
    }

    /// Config and the local database live in the roaming profile,
    /// `%APPDATA%\jp.kizuna.desktop`, as Tauri names it for the desktop.
    #[test]
    #[cfg(windows)]
    fn on_windows_config_and_data_live_under_appdata() {
        let appdata = PathBuf::from(std::env::var_os("APPDATA").expect("APPDATA is set on Windows"));
        let folder = appdata.join(crate::platform::APP_ID);
        if std::env::var_os("KIZUNA_HOME").is_some() {
            eprintln!("skipped: KIZUNA_HOME overrides the folders");
            return;
        }
        let dirs = Dirs::for_this_user().expect("Windows names the folders");
        assert_eq!(dirs.config_file, folder.join("config.json"));
        assert_eq!(dirs.data_dir, folder);
        assert_eq!(dirs.local_database(), folder.join("kizuna-local.db"));
        // Under Wine the profile is a throwaway prefix: start a session there
        // for real (on a developer's Windows this would touch their profile).
        if std::env::var_os("WINEPREFIX").is_none() {
            return;
        }
        let clock = std::sync::Arc::new(crate::FixedClock::at("2026-11-25T10:00:00+09:00"));
        let mut session = crate::app::session::Session::start(dirs, Some("ja-JP"), clock);
        assert!(session
            .status()
            .database
            .expect("opened")
            .path
            .starts_with(&*appdata.to_string_lossy()));
        session.set_close_to_tray(false).unwrap();
        assert!(folder.join("config.json").is_file());
        assert!(folder.join("kizuna-local.db").is_file());
    }

    #[test]
    fn language_follows_locale() {
        assert_eq!(Language::from_locale(Some("ja-JP")), Language::Ja);
        assert_eq!(Language::from_locale(Some("ja_JP.UTF-8")), Language::Ja);
        assert_eq!(Language::from_locale(Some("en-US")), Language::En);
        assert_eq!(Language::from_locale(Some("de")), Language::En);
        assert_eq!(Language::from_locale(None), Language::En);
    }

    #[test]
    fn config_round_trips_and_survives_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.json");
        assert_eq!(UserConfig::load(&path), UserConfig::default());
        let cfg = UserConfig {
            database: Some("/mnt/share/kizuna.db".into()),
            first_run_done: true,
            language: Some(Language::En),
            close_to_tray: false,
            identities: [("0190abcd".to_string(), "0190beef".to_string())].into(),
            computer_id: Some("0190cafe".into()),
            smtp_accounts: [(
                "0190beef".to_string(),
                crate::mail::SmtpAccount {
                    host: "smtp.example.co.jp".into(),
                    port: 587,
                    security: crate::mail::Security::StartTls,
                    user: "tanaka".into(),
                    from_address: "tanaka@example.co.jp".into(),
                    from_name: "田中 太郎".into(),
                },
            )]
            .into(),
            number_style: NumberStyle::Full,
            server: Some(crate::app::server_choice::ServerChoice {
                host: "crm.example.co.jp".into(),
                port: 5432,
                database: "kizuna".into(),
                user: "tanaka".into(),
                tls: crate::app::server_choice::TlsMode::Required,
            }),
        };
        cfg.save(&path).unwrap();
        assert_eq!(UserConfig::load(&path), cfg);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.to_lowercase().contains("password"),
            "no password in config.json: {text}"
        );
        std::fs::write(&path, b"{ not json").unwrap();
        assert_eq!(UserConfig::load(&path), UserConfig::default());
        assert!(
            path.with_extension("json.broken").exists(),
            "the broken file is kept for the user"
        );
    }
}
