//! A customer's timeline: logged activities and the thank-you mail.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::outbox::Op;
use kizuna_core::timeline::activity::{self, ActivityEdit, NewActivity};
use kizuna_core::timeline::entries::{self, TimelinePage, TimelineQuery};
use kizuna_core::timeline::mail::{self, MailDraft, ThankYouDraft};
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn timeline(state: State<'_, AppState>, query: TimelineQuery) -> Reply<TimelinePage> {
    state
        .with_session(move |s| entries::timeline(s.team()?.sql(), &query))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn log_activity(state: State<'_, AppState>, activity: NewActivity) -> Reply<String> {
    state
        .write_or_queue(Op::LogActivity { activity }, |_, applied| Ok(applied.id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_activity(state: State<'_, AppState>, id: String, version: i64, edit: ActivityEdit) -> Reply<i64> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| activity::update_activity(ctx, &id, version, &edit))
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn delete_activity(state: State<'_, AppState>, id: String, version: i64) -> Reply<()> {
    state
        .with_session(move |s| s.team()?.write(|ctx| activity::delete_activity(ctx, &id, version)))
        .await
}

/// The thank-you mail for a meeting, in the UI's language and signed by the current user.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn thank_you_mail(state: State<'_, AppState>, activity_id: String) -> Reply<ThankYouDraft> {
    state
        .with_session(move |s| {
            let status = s.status();
            let (lang, sender) = (status.language, status.user.display_name);
            let db = s.team()?;
            mail::draft_for(db.sql(), &activity_id, lang, &sender, db.clock().offset())
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn record_mail_sent(
    state: State<'_, AppState>,
    company_id: String,
    deal_id: Option<String>,
    contact_ids: Vec<String>,
    draft: MailDraft,
) -> Reply<String> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| mail::record_mail_sent(ctx, &company_id, deal_id.as_deref(), &contact_ids, &draft))
        })
        .await
}
