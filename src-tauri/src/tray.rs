//! The tray icon: Kizuna keeps running there when its window is closed, so
//! reminders still arrive. Its two labels are the shell's only own strings.

use crate::state::AppState;
use kizuna_core::config::Language;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Wry};

const TRAY_ID: &str = "kizuna";

fn labels(lang: Language) -> (&'static str, &'static str) {
    match lang {
        Language::Ja => ("Kizuna を開く", "終了"),
        Language::En => ("Open Kizuna", "Quit"),
    }
}

/// Items kept in app state so their text can follow the language setting.
struct TrayItems {
    open: MenuItem<Wry>,
    quit: MenuItem<Wry>,
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let lang = sys_locale::get_locale()
        .map(|l| Language::from_locale(Some(&l)))
        .unwrap_or(Language::En);
    let (open_text, quit_text) = labels(lang);
    let open = MenuItem::with_id(app, "open", open_text, true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", quit_text, true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let icon = tauri::image::Image::from_bytes(include_bytes!("../../icons/tray.png"))?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon)
        .tooltip("Kizuna")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_main_window(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_main_window(tray.app_handle());
            }
        })
        .build(app)?;
    app.manage(TrayItems { open, quit });
    // The configured language is known once the session has started.
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<AppState>();
        if let Ok(status) = state.status().await {
            relabel(&handle, status.language);
        }
    });
    Ok(())
}

pub fn relabel(app: &AppHandle, lang: Language) {
    if let Some(items) = app.try_state::<TrayItems>() {
        let (open, quit) = labels(lang);
        let _ = items.open.set_text(open);
        let _ = items.quit.set_text(quit);
    }
}

pub fn show_main_window(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}
