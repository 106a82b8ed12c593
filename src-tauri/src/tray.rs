//! The tray icon: Kizuna keeps running there when its window is closed, so
//! reminders still arrive, and it shows how many follow-ups are due. Its
//! labels are the shell's only own strings.

use crate::state::AppState;
use kizuna_core::language::Language;
use std::sync::Mutex;
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

fn due_label(lang: Language, count: u32) -> String {
    match (lang, count) {
        (Language::Ja, 0) => "今日の期限はありません".into(),
        (Language::Ja, n) => format!("今日までの期限: {n} 件"),
        (Language::En, 0) => "Nothing due today".into(),
        (Language::En, 1) => "1 item due".into(),
        (Language::En, n) => format!("{n} items due"),
    }
}

/// Items kept in app state so their text can follow the language setting
/// and the due count.
struct TrayItems {
    due: MenuItem<Wry>,
    open: MenuItem<Wry>,
    quit: MenuItem<Wry>,
    shown: Mutex<(Language, u32)>,
}

impl TrayItems {
    fn refresh(&self, app: &AppHandle) {
        let (lang, count) = *self.shown.lock().unwrap_or_else(|p| p.into_inner());
        let (open, quit) = labels(lang);
        let due = due_label(lang, count);
        let _ = self.open.set_text(open);
        let _ = self.quit.set_text(quit);
        let _ = self.due.set_text(&due);
        if let Some(tray) = app.tray_by_id(TRAY_ID) {
            let _ = tray.set_tooltip(Some(format!("Kizuna — {due}")));
            // Shown beside the icon where the desktop supports it (Linux, macOS).
            let _ = tray.set_title((count > 0).then(|| count.to_string()));
        }
    }
}

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let lang = sys_locale::get_locale()
        .map(|l| Language::from_locale(Some(&l)))
        .unwrap_or(Language::En);
    let (open_text, quit_text) = labels(lang);
    let due = MenuItem::with_id(app, "due", due_label(lang, 0), true, None::<&str>)?;
    let open = MenuItem::with_id(app, "open", open_text, true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", quit_text, true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&due, &open, &quit])?;
    let icon = tauri::image::Image::from_bytes(include_bytes!("../../icons/tray.png"))?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon)
        .tooltip("Kizuna")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_main_window(app),
            "due" => {
                show_main_window(app);
                crate::events::SHOW_FOLLOW_UPS.emit(app, ());
            }
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
    app.manage(TrayItems {
        due,
        open,
        quit,
        shown: Mutex::new((lang, 0)),
    });
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
        items.shown.lock().unwrap_or_else(|p| p.into_inner()).0 = lang;
        items.refresh(app);
    }
}

/// Called by the reminder scheduler whenever it has looked at the due list.
pub fn set_due_count(app: &AppHandle, count: u32) {
    let app2 = app.clone();
    // Menu and tray objects live on the main thread.
    let _ = app.run_on_main_thread(move || {
        if let Some(items) = app2.try_state::<TrayItems>() {
            let changed = {
                let mut shown = items.shown.lock().unwrap_or_else(|p| p.into_inner());
                let changed = shown.1 != count;
                shown.1 = count;
                changed
            };
            if changed {
                items.refresh(&app2);
            }
        }
    });
}

pub fn show_main_window(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}
