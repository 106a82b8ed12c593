//! Follow-up sequences (追客シナリオ): the team's definitions in Settings,
//! enrolling a deal or a contact, its state on the record, "they replied",
//! a late automatic mail's confirmation, and the rep's signature.

use super::Reply;
use crate::state::AppState;
use kizuna_core::language::Language;
use kizuna_core::sequences::definition::{self, Sequence, SequenceInput};
use kizuna_core::sequences::engine::{self, Preview};
use kizuna_core::sequences::enrolment::{self, EnrolmentView, Target};
use kizuna_core::sequences::{stop, template};
use kizuna_core::Error;
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn sequences(state: State<'_, AppState>) -> Reply<Vec<Sequence>> {
    state.with_session(move |s| definition::list(s.team()?.sql())).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn create_sequence(state: State<'_, AppState>, input: SequenceInput) -> Reply<String> {
    state
        .with_session(move |s| s.team()?.write(|ctx| definition::create(ctx, &input)))
        .await
}

/// The new version.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_sequence(state: State<'_, AppState>, id: String, version: i64, input: SequenceInput) -> Reply<i64> {
    state
        .with_session(move |s| s.team()?.write(|ctx| definition::update(ctx, &id, version, &input)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn delete_sequence(state: State<'_, AppState>, id: String, version: i64) -> Reply<()> {
    state
        .with_session(move |s| s.team()?.write(|ctx| definition::delete(ctx, &id, version)))
        .await
}

/// A mail template as it would go out to `target`, from the current member.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn preview_sequence_mail(
    state: State<'_, AppState>,
    language: Language,
    subject: String,
    body: String,
    target: Target,
) -> Reply<Preview> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let me = db.member().map(|m| m.id.clone()).ok_or(Error::IdentityRequired)?;
            engine::preview(db.sql(), db.clock(), language, &subject, &body, &target, &me)
        })
        .await
}

/// Enrols a deal or a contact; the enrolment's id.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn enrol_in_sequence(state: State<'_, AppState>, sequence_id: String, target: Target) -> Reply<String> {
    state
        .with_session(move |s| s.team()?.write(|ctx| enrolment::enrol(ctx, &sequence_id, &target)))
        .await
}

/// A record's enrolments: `kind` company, deal, contact or lead.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn enrolments(state: State<'_, AppState>, kind: String, id: String) -> Reply<Vec<EnrolmentView>> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            enrolment::for_record(db.sql(), db.clock(), &kind, &id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn stop_enrolment(state: State<'_, AppState>, id: String, version: i64) -> Reply<()> {
    state
        .with_session(move |s| s.team()?.write(|ctx| stop::stop_by_user(ctx, &id, version)))
        .await
}

/// "They replied", from the enrolment panel (`enrolment_id`) or beside a
/// mail a sequence sent on the timeline (`activity_id`); the reply's entry.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn they_replied(
    state: State<'_, AppState>,
    enrolment_id: Option<String>,
    activity_id: Option<String>,
) -> Reply<String> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let id = match (enrolment_id, activity_id) {
                (Some(id), _) => id,
                (None, Some(a)) => stop::enrolment_of_mail(db.sql(), &a)?,
                (None, None) => return Err(Error::invalid("enrolment_id", "required")),
            };
            db.write(|ctx| stop::replied(ctx, &id))
        })
        .await
}

/// A late automatic mail: send it now, or skip it.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn confirm_late_mail(state: State<'_, AppState>, id: String, version: i64, send: bool) -> Reply<()> {
    state
        .with_session(move |s| s.team()?.write(|ctx| enrolment::confirm_late(ctx, &id, version, send)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn mail_signature(state: State<'_, AppState>) -> Reply<String> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let me = db.member().map(|m| m.id.clone()).ok_or(Error::IdentityRequired)?;
            template::signature(db.sql(), &me)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_mail_signature(state: State<'_, AppState>, signature: String) -> Reply<()> {
    state
        .with_session(move |s| s.team()?.write(|ctx| template::set_signature(ctx, &signature)))
        .await
}
