//! Leads: the inbox, a lead's panel, and every step on a lead; nurture of
//! lost deals, mail opt-out, the newsletter export and the numbers.
//! Receiving, answering and converting a lead wait in the outbox while the
//! share is away, as logging a touch does.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::lead_close;
use kizuna_core::app::outbox::Op;
use kizuna_core::leads::inbox::{self, LeadDetail, LeadQuery, LeadsView};
use kizuna_core::leads::lead::{self, Contacted, LeadEdit, NewLead};
use kizuna_core::leads::matching::Matches;
use kizuna_core::leads::numbers::{self, LeadNumbers};
use kizuna_core::leads::nurture;
use kizuna_core::leads::qualify::{self, Convert, Converted};
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn leads_inbox(state: State<'_, AppState>, query: LeadQuery) -> Reply<LeadsView> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            inbox::view(db.sql(), db.clock(), &db.user().id, &query)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn lead_detail(state: State<'_, AppState>, id: String) -> Reply<LeadDetail> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            inbox::lead_detail(db.sql(), db.clock(), &db.user().id, &id)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn lead_matches(state: State<'_, AppState>, id: String) -> Reply<Matches> {
    state
        .with_session(move |s| qualify::matches(s.team()?.sql(), &id))
        .await
}

/// Returns the new lead's id, chosen here so the window can open it even
/// when it waits in the outbox.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn add_lead(state: State<'_, AppState>, new_lead: NewLead) -> Reply<String> {
    let mut lead = new_lead;
    lead.id = Some(lead.id.unwrap_or_else(kizuna_core::id::new_id));
    state
        .write_or_queue(Op::AddLead { lead }, |_, applied| Ok(applied.id))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn update_lead(state: State<'_, AppState>, id: String, version: i64, edit: LeadEdit) -> Reply<i64> {
    state
        .with_session(move |s| s.team()?.write(|ctx| lead::update(ctx, &id, version, &edit)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_lead_owner(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    owner_id: Option<String>,
) -> Reply<i64> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| lead::set_owner(ctx, &id, version, owner_id.as_deref()))
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn lead_contacted(state: State<'_, AppState>, contacted: Contacted) -> Reply<()> {
    state
        .write_or_queue(Op::LeadContacted { contacted }, |_, _| Ok(()))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn convert_lead(state: State<'_, AppState>, convert: Convert) -> Reply<Converted> {
    state
        .write_or_queue(Op::ConvertLead { convert }, |_, applied| applied.reply_as())
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn disqualify_lead(state: State<'_, AppState>, id: String, version: i64, reason: String) -> Reply<i64> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| lead_close::disqualify(ctx, &id, version, &reason))
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn nurture_lead(state: State<'_, AppState>, id: String, version: i64, reason: String) -> Reply<i64> {
    state
        .with_session(move |s| s.team()?.write(|ctx| nurture::to_nurture(ctx, &id, version, &reason)))
        .await
}

/// Hands a lost deal to nurture; returns the nurture lead's id.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn nurture_lost_deal(state: State<'_, AppState>, deal_id: String, reason: String) -> Reply<String> {
    state
        .with_session(move |s| s.team()?.write(|ctx| nurture::deal_to_nurture(ctx, &deal_id, &reason)))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_lead_mail_opt_out(state: State<'_, AppState>, id: String, version: i64, opt_out: bool) -> Reply<i64> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| lead::set_mail_opt_out(ctx, &id, version, opt_out))
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn set_contact_mail_opt_out(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    opt_out: bool,
) -> Reply<i64> {
    state
        .with_session(move |s| {
            s.team()?
                .write(|ctx| nurture::set_contact_opt_out(ctx, &id, version, opt_out))
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn delete_lead(state: State<'_, AppState>, id: String, version: i64) -> Reply<()> {
    state
        .with_session(move |s| s.team()?.write(|ctx| lead_close::delete(ctx, &id, version)))
        .await
}

/// Writes the nurture newsletter list to `path` (the user chose it in the
/// save dialog); returns how many people it holds.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn export_nurture(state: State<'_, AppState>, path: String) -> Reply<u32> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            let csv = nurture::export_csv(db.sql(), db.language())?;
            std::fs::write(&path, csv.as_bytes())?;
            // Every row ends its line; the first is the header.
            let rows = csv.matches("\r\n").count().saturating_sub(1);
            Ok(u32::try_from(rows).unwrap_or(u32::MAX))
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn lead_numbers(state: State<'_, AppState>, months: u32) -> Reply<LeadNumbers> {
    state
        .with_session(move |s| {
            let db = s.team()?;
            numbers::view(db.sql(), db.clock(), months)
        })
        .await
}
