//! What Kizuna is to the operating system: its identifier (the Windows
//! AppUserModelID, the macOS bundle identifier, Tauri's `identifier`), the
//! per-user folders the OS gives it, and the Windows registration without
//! which toasts are dropped. Here rather than in the shell so that it runs
//! in the engine's tests — on Windows too, under Wine (docs/install.md).

/// The app's identifier: `identifier` in tauri.conf.json, the
/// AppUserModelID on Windows (the installer's shortcut carries it), the
/// bundle identifier on macOS, and the name of the config and data folders.
pub const APP_ID: &str = "jp.kizuna.desktop";

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::register_app_user_model_id;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_id_is_the_one_tauri_and_the_installer_use() {
        let conf: serde_json::Value = serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
        assert_eq!(conf["identifier"], APP_ID);
        let nsi = include_str!("../../../installer/windows/kizuna.nsi");
        assert!(
            nsi.contains(&format!("!define APP_ID \"{APP_ID}\"")),
            "installer/windows/kizuna.nsi"
        );
    }
}
