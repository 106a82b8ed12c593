//! This member's company SMTP server on this computer (kizuna_core::mail).
//! The password goes one way only: from the form into the credential store.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::session::MailAccountView;
use kizuna_core::mail::{self, MailSend, Resolution, Smtp, SmtpAccount};
use kizuna_core::Error;
use tauri::State;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn mail_account(state: State<'_, AppState>) -> Reply<MailAccountView> {
    state.with_session(|s| s.mail_account()).await
}

/// `password` empty keeps the one saved before.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn save_mail_account(
    state: State<'_, AppState>,
    account: SmtpAccount,
    password: String,
) -> Reply<MailAccountView> {
    state
        .with_session(move |s| s.save_mail_account(&account, &password))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn forget_mail_password(state: State<'_, AppState>) -> Reply<MailAccountView> {
    state.with_session(|s| s.forget_mail_password()).await
}

/// Sends a test mail to the member's own address; the Message-ID on
/// success. The send runs outside the session, so a slow server (up to its
/// 30 s timeout) holds up no other command.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn send_test_mail(state: State<'_, AppState>) -> Reply<String> {
    let (sender, lang) = state
        .with_session(|s| {
            let sender = s.mail_sender()?.ok_or(Error::invalid("host", "required"))?;
            Ok((sender, s.status().language))
        })
        .await?;
    match tauri::async_runtime::spawn_blocking(move || mail::send_test(&sender, &Smtp::new(), lang)).await {
        Ok(sent) => sent.map_err(|e| e.payload()),
        Err(e) => Err(Error::Internal(e.to_string()).payload()),
    }
}

/// This member's mails that failed or whose fate is unknown (a computer
/// stopped mid-send): what Settings → Sending mail lists for a decision.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn mails_needing_attention(state: State<'_, AppState>) -> Reply<Vec<MailSend>> {
    state
        .with_session(|s| {
            let db = s.team()?;
            mail::needing_attention(db.sql(), &db.user().id)
        })
        .await
}

/// The member's answer for a mail whose fate was unknown: it is in the
/// sent folder, or it did not leave and may be sent again.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "warn", Display))]
pub async fn resolve_unknown_mail(
    state: State<'_, AppState>,
    key: String,
    version: i64,
    resolution: Resolution,
) -> Reply<()> {
    state
        .with_session(move |s| mail::resolve_unknown(s.team()?, &key, version, resolution))
        .await
}
