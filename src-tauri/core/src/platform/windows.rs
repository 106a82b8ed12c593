//! Windows only: the per-user AppUserModelID registration.

use super::APP_ID;
use std::path::Path;
use winreg::enums::HKEY_CURRENT_USER;
use winreg::RegKey;

/// Windows shows a toast only for an app whose AppUserModelID is known. The
/// installer's Start-menu shortcut carries it and the installer writes this
/// key too; the app writes it again at every start, so a copy run without
/// the installer (or after a profile reset) still gets its reminders. The
/// icon the toast shows is kept in `data_dir`.
pub fn register_app_user_model_id(data_dir: &Path) -> std::io::Result<()> {
    let icon = data_dir.join("notification-icon.png");
    std::fs::create_dir_all(data_dir)?;
    std::fs::write(&icon, include_bytes!("../../../../icons/128x128.png"))?;
    let hkcu = RegKey::predef(HKEY_CURRENT_USER);
    let (key, _) = hkcu.create_subkey(format!(r"Software\Classes\AppUserModelId\{APP_ID}"))?;
    key.set_value("DisplayName", &"Kizuna")?;
    key.set_value("IconUri", &icon.display().to_string())?;
    Ok(())
}
