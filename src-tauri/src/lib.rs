//! The desktop shell: wires the engine to Tauri. Commands parse, call the
//! engine off the UI thread, and map errors; the tray and the window live
//! here too. Anything worth testing without a window belongs in kizuna-core.

mod commands;
mod events;
mod live;
mod logging;
mod notifier;
mod sequence_sender;
mod state;
mod tray;

use state::AppState;
use std::sync::Arc;
use tauri::{Manager, WindowEvent};
use tauri_plugin_window_state::StateFlags;

/// The argument autostart launches Kizuna with.
const START_HIDDEN: &str = "--hidden";

/// One Kizuna per user profile: a second launch brings the first window
/// forward. A separate profile (`KIZUNA_HOME`, as tests and a second
/// "colleague" on one machine use) is a separate instance on Linux, where
/// the lock is a D-Bus name; elsewhere the plugin keys on the app id only.
fn single_instance() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    let builder = tauri_plugin_single_instance::Builder::new().callback(|app, _args, _cwd| tray::show_main_window(app));
    let builder = match std::env::var("KIZUNA_HOME").ok().filter(|h| !h.is_empty()) {
        Some(home) => {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            home.hash(&mut h);
            builder.dbus_id(format!("jp.kizuna.desktop.profile_{:016x}", h.finish()))
        }
        None => builder,
    };
    builder.build()
}

pub fn run() {
    tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(single_instance())
        .plugin(
            tauri_plugin_window_state::Builder::default()
                // A window hidden in the tray must come back visible next time.
                .with_state_flags(StateFlags::all() & !StateFlags::VISIBLE)
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        // Hands mailto: links (the thank-you mail) to the user's mail program.
        .plugin(tauri_plugin_opener::init())
        // Starting at login goes straight to the tray: reminders run, no window pops up.
        .plugin(tauri_plugin_autostart::Builder::new().arg(START_HIDDEN).build())
        .setup(|app| {
            // Tauri's app_config_dir / app_data_dir, found by the engine so its
            // tests cover them on every OS (KIZUNA_HOME overrides them).
            let dirs = kizuna_core::app::config::Dirs::for_this_user()
                .ok_or("the operating system names no folder for Kizuna's settings")?;
            let log_folder = logging::folder(&dirs.data_dir);
            logging::init(&log_folder);
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "Kizuna starts");
            app.manage(logging::Folder(log_folder));
            let notifier = Arc::new(notifier::DesktopNotifier::new(app.handle().clone()));
            let sink = Arc::new(live::WindowSink::new(app.handle().clone()));
            let state = AppState::start(dirs, sys_locale::get_locale(), notifier, sink, app.handle().clone());
            app.manage(state);
            app.manage(commands::import::Running::default());
            tray::create(app.handle())?;
            if std::env::args().any(|a| a == START_HIDDEN) {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.hide();
                }
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                // Keep running in the tray so reminders still arrive.
                if window.app_handle().state::<AppState>().close_to_tray() {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::database::app_status,
            commands::database::database_reachable,
            commands::database::backups,
            commands::database::back_up_now,
            commands::database::restore_backup,
            commands::encryption::unlock_team_database,
            commands::encryption::encryption,
            commands::encryption::change_encryption,
            commands::encryption::set_backup_placement,
            commands::encryption::leave_team,
            commands::outbox::outbox_counts,
            commands::outbox::outbox_entries,
            commands::outbox::drain_outbox,
            commands::outbox::resolve_outbox,
            commands::deals::board,
            commands::reports::dashboard,
            commands::reports::report_drill,
            commands::reports::export_chart_table,
            commands::reports::save_chart_png,
            commands::deals::board_column_page,
            commands::deals::deal,
            commands::deals::create_deal,
            commands::deals::update_deal,
            commands::deals::delete_deal,
            commands::deletions::undo_deletion,
            commands::deals::move_deal,
            commands::members::users,
            commands::pipelines::pipelines,
            commands::meeting::meeting,
            commands::meeting::meeting_fullscreen,
            commands::pipelines::create_pipeline,
            commands::pipelines::save_pipeline,
            commands::pipelines::delete_pipeline,
            commands::team_settings::team_settings,
            commands::team_settings::update_team_settings,
            commands::customers::companies,
            commands::customers::create_company,
            commands::customers::company,
            commands::customers::update_company,
            commands::contacts::create_contact,
            commands::contacts::update_contact,
            commands::contacts::delete_contact,
            commands::customers::company_deletion_impact,
            commands::customers::delete_company,
            commands::customers::set_company_archived,
            commands::customers::change_company_owner,
            commands::export::export_data,
            commands::audit::audit_trail,
            commands::audit::export_audit_trail,
            commands::privacy::erase_preview,
            commands::privacy::erase_contact,
            commands::privacy::disclose_contact,
            commands::customers::company_summary,
            commands::contacts::contacts,
            commands::timeline::timeline,
            commands::timeline::log_activity,
            commands::timeline::update_activity,
            commands::timeline::delete_activity,
            commands::timeline::thank_you_mail,
            commands::timeline::record_mail_sent,
            commands::search::search,
            commands::search::search_more,
            commands::members::who_are_you,
            commands::members::identify,
            commands::members::presence,
            commands::members::members,
            commands::members::rename_member,
            commands::members::set_member_active,
            commands::members::set_member_roles,
            commands::members::merge_members,
            commands::duplicates::duplicates,
            commands::duplicates::dismiss_duplicate,
            commands::duplicates::company_merge_preview,
            commands::duplicates::merge_companies,
            commands::duplicates::contact_merge_preview,
            commands::duplicates::merge_contacts,
            commands::follow_ups::follow_ups,
            commands::follow_ups::create_follow_up,
            commands::follow_ups::complete_follow_up,
            commands::follow_ups::snooze_follow_up,
            commands::follow_ups::reassign_follow_up,
            commands::follow_ups::cadence,
            commands::follow_ups::nobody_forgotten,
            commands::follow_ups::due_count,
            commands::follow_ups::notify_prefs,
            commands::follow_ups::save_notify_prefs,
            commands::follow_ups::autostart,
            commands::follow_ups::set_autostart,
            commands::renewals::renewal_board,
            commands::renewals::company_contracts,
            commands::renewals::create_contract,
            commands::renewals::delete_contract,
            commands::renewals::update_contract,
            commands::renewals::advance_renewal,
            commands::renewals::renewal_rate,
            commands::import::import_inspect,
            commands::import::import_preview,
            commands::import::import_start,
            commands::import::import_cancel,
            commands::import::import_batches,
            commands::import::undo_import,
            commands::leads::leads_inbox,
            commands::leads::lead_detail,
            commands::leads::lead_matches,
            commands::leads::add_lead,
            commands::leads::update_lead,
            commands::leads::set_lead_owner,
            commands::leads::lead_contacted,
            commands::leads::convert_lead,
            commands::leads::disqualify_lead,
            commands::leads::nurture_lead,
            commands::leads::nurture_lost_deal,
            commands::leads::set_lead_mail_opt_out,
            commands::leads::set_contact_mail_opt_out,
            commands::leads::delete_lead,
            commands::leads::export_nurture,
            commands::leads::lead_numbers,
            commands::support::support_inbox,
            commands::support::support_case,
            commands::support::company_cases,
            commands::support::open_case,
            commands::support::reply_to_case,
            commands::support::note_on_case,
            commands::support::update_case,
            commands::support::set_case_status,
            commands::support::assign_case,
            commands::support::set_case_priority,
            commands::support::delete_case,
            commands::sequences::sequences,
            commands::sequences::create_sequence,
            commands::sequences::update_sequence,
            commands::sequences::delete_sequence,
            commands::sequences::preview_sequence_mail,
            commands::sequences::enrol_in_sequence,
            commands::sequences::enrolments,
            commands::sequences::stop_enrolment,
            commands::sequences::they_replied,
            commands::sequences::confirm_late_mail,
            commands::sequences::mail_signature,
            commands::sequences::set_mail_signature,
            commands::handoff::handoff_draft,
            commands::handoff::send_handoff,
            commands::handoff::update_handoff,
            commands::handoff::handoff,
            commands::handoff::acknowledge_handoff,
            commands::handoff::handoff_message,
            commands::handoff::handoff_lists,
            commands::handoff::company_handoffs,
            commands::handoff::to_sales_target,
            commands::handoff::hand_to_sales,
            commands::database::create_team_database,
            commands::database::open_team_database,
            commands::database::use_local_database,
            commands::database::team_server,
            commands::database::connect_team_server,
            commands::database::retry_open,
            commands::preferences::set_language,
            commands::preferences::set_close_to_tray,
            commands::preferences::set_number_style,
            commands::preferences::set_display_name,
            commands::preferences::log_location,
            commands::mail::mail_account,
            commands::mail::save_mail_account,
            commands::mail::forget_mail_password,
            commands::mail::send_test_mail,
            commands::mail::mails_needing_attention,
            commands::mail::resolve_unknown_mail,
            commands::updates::update_check,
            commands::updates::install_update,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            tracing::error!("Kizuna could not start: {e}");
            // The log may not exist yet: say it where a terminal sees it too.
            eprintln!("Kizuna could not start: {e}");
            std::process::exit(1);
        });
}
