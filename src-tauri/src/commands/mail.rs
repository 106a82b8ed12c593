//! This member's company SMTP server on this computer (kizuna_core::mail).
//! The password goes one way only: from the form into the credential store.

use super::Reply;
use crate::state::AppState;
use kizuna_core::app::session::MailAccountView;
use kizuna_core::mail::{self, Smtp, SmtpAccount};
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
