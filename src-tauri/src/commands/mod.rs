//! Tauri commands: thin on purpose. Each one parses its input, calls the
//! engine through the session, and returns the engine's typed error payload.

use crate::state::AppState;
use crate::tray;
use kizuna_core::app::outbox::{DrainReport, Entry, Op, OutboxCounts};
use kizuna_core::app::session::{AppStatus, RestoreOutcome};
use kizuna_core::customers::company;
use kizuna_core::customers::company::{
    Company, CompanyEdit, CompanyListItem, CompanyQuery, DeletionImpact, NewCompany,
};
use kizuna_core::language::Language;
use kizuna_core::overview::customer::CompanySummary;
use kizuna_core::pipeline::board::{Board, BoardFilter, CardCursor, CardPage};
use kizuna_core::pipeline::deal::{Deal, DealEdit, MoveDeal, MoveOutcome, NewDeal};
use kizuna_core::pipeline::stage::{PipelineStages, StageEdit};
use kizuna_core::pipeline::{board, deal, stage};
use kizuna_core::store::backup::BackupInfo;
use kizuna_core::store::deletion;
use kizuna_core::store::deletion::{Deletion, Restored};
use kizuna_core::team::member::User;
use kizuna_core::team::settings::{TeamSettings, VersionedSettings};
use kizuna_core::team::{member, settings};
use kizuna_core::timeline::activity::{ActivityEdit, NewActivity};
use kizuna_core::timeline::entries::{TimelinePage, TimelineQuery};
use kizuna_core::timeline::mail::{MailDraft, ThankYouDraft};
use kizuna_core::timeline::search::{SearchCursor, SearchGroup, SearchKind, SearchResults};
use kizuna_core::timeline::{activity, entries, mail, search};
use kizuna_core::ErrorPayload;
use std::collections::HashMap;
use std::path::PathBuf;
use tauri::{AppHandle, State};

pub mod contacts;
pub mod follow_ups;
pub mod members;
pub mod renewals;
pub mod updates;

pub(crate) type Reply<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Reply<AppStatus> {
    state.status().await
}

/// Whether the team file answered the change watcher's last probe (the
/// `db-reachability` event says when that changes).
#[tauri::command]
pub fn database_reachable(state: State<'_, AppState>) -> bool {
    state.reachable()
}

/// This desktop's copies of the database, newest first.
#[tauri::command]
pub async fn backups(state: State<'_, AppState>) -> Reply<Vec<BackupInfo>> {
    state.with_session(|s| s.backups()).await
}

#[tauri::command]
pub async fn back_up_now(state: State<'_, AppState>) -> Reply<BackupInfo> {
    state.with_session(|s| s.back_up_now()).await
}

#[tauri::command]
pub async fn restore_backup(state: State<'_, AppState>, path: String) -> Reply<RestoreOutcome> {
    state
        .with_session(move |s| s.restore_backup(std::path::Path::new(&path)))
        .await
}

/// How much work waits in this computer's outbox.
#[tauri::command]
pub fn outbox_counts(state: State<'_, AppState>) -> Reply<OutboxCounts> {
    state.outbox_counts()
}

#[tauri::command]
pub fn outbox_entries(state: State<'_, AppState>) -> Reply<Vec<Entry>> {
    state.outbox_entries()
}

#[tauri::command]
pub async fn drain_outbox(state: State<'_, AppState>) -> Reply<DrainReport> {
    state.drain_outbox().await
}

/// A conflict's answer: `apply_mine` puts the waiting edit on top of the
/// colleague's version; otherwise it is let go.
#[tauri::command]
pub async fn resolve_outbox(state: State<'_, AppState>, seq: i64, apply_mine: bool) -> Reply<()> {
    state.resolve_outbox(seq, apply_mine).await
}

/// The board: per column the count, the totals and the first cards; a
/// column listed in `loaded` (stage id → cards on screen) keeps that many.
#[tauri::command]
pub async fn board(
    state: State<'_, AppState>,
    pipeline_id: Option<String>,
    filter: Option<BoardFilter>,
    loaded: Option<HashMap<String, u32>>,
) -> Reply<Board> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            board::load_keeping(
                db.conn(),
                db.clock(),
                pipeline_id.as_deref(),
                &filter.unwrap_or_default(),
                &loaded.unwrap_or_default(),
            )
        })
        .await
}

/// The next cards of a column as it scrolls.
#[tauri::command]
pub async fn board_column_page(
    state: State<'_, AppState>,
    stage_id: String,
    filter: Option<BoardFilter>,
    after: CardCursor,
) -> Reply<CardPage> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            board::column_page(
                db.conn(),
                db.clock(),
                &stage_id,
                &filter.unwrap_or_default(),
                &after,
                board::PAGE,
            )
        })
        .await
}

#[tauri::command]
pub async fn deal(state: State<'_, AppState>, id: String) -> Reply<Deal> {
    state.with_session(move |s| deal::get(s.db()?.conn(), &id)).await
}

#[tauri::command]
pub async fn create_deal(state: State<'_, AppState>, deal: NewDeal) -> Reply<Deal> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            let id = db.write(|ctx| deal::create(ctx, &deal))?;
            deal::get(db.conn(), &id)
        })
        .await
}

#[tauri::command]
pub async fn update_deal(state: State<'_, AppState>, id: String, version: i64, edit: DealEdit) -> Reply<Deal> {
    state
        .write_or_queue(Op::UpdateDeal { id, version, edit }, |s, applied| {
            deal::get(s.db()?.conn(), &applied.id)
        })
        .await
}

/// Soft delete, version-checked; the answer's id undoes it.
#[tauri::command]
pub async fn delete_deal(state: State<'_, AppState>, id: String, version: i64) -> Reply<Deletion> {
    state
        .with_session(move |s| s.db()?.write(|ctx| deal::delete(ctx, &id, version)))
        .await
}

/// Puts back everything one delete (of a deal or a customer) took.
#[tauri::command]
pub async fn undo_deletion(state: State<'_, AppState>, deletion_id: String) -> Reply<Restored> {
    state
        .with_session(move |s| s.db()?.write(|ctx| deletion::undo(ctx, &deletion_id)))
        .await
}

#[tauri::command]
pub async fn move_deal(state: State<'_, AppState>, request: MoveDeal) -> Reply<MoveOutcome> {
    state
        .write_or_queue(Op::MoveDeal { request }, |_, applied| applied.reply_as())
        .await
}

#[tauri::command]
pub async fn users(state: State<'_, AppState>) -> Reply<Vec<User>> {
    state.with_session(|s| member::list(s.db()?.conn())).await
}

#[tauri::command]
pub async fn pipelines(state: State<'_, AppState>) -> Reply<Vec<PipelineStages>> {
    state.with_session(|s| stage::all_with_stages(s.db()?.conn())).await
}

#[tauri::command]
pub async fn create_pipeline(state: State<'_, AppState>, name: String) -> Reply<Vec<PipelineStages>> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            db.write(|ctx| stage::create_pipeline(ctx, &name))?;
            stage::all_with_stages(db.conn())
        })
        .await
}

#[tauri::command]
pub async fn save_pipeline(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    name: String,
    stages: Vec<StageEdit>,
) -> Reply<Vec<PipelineStages>> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            db.write(|ctx| stage::save_pipeline(ctx, &id, version, &name, &stages))?;
            stage::all_with_stages(db.conn())
        })
        .await
}

#[tauri::command]
pub async fn delete_pipeline(state: State<'_, AppState>, id: String, version: i64) -> Reply<Vec<PipelineStages>> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            db.write(|ctx| stage::delete_pipeline(ctx, &id, version))?;
            stage::all_with_stages(db.conn())
        })
        .await
}

#[tauri::command]
pub async fn team_settings(state: State<'_, AppState>) -> Reply<VersionedSettings> {
    state
        .with_session(|s| {
            let (settings, version) = settings::load_versioned(s.db()?.conn())?;
            Ok(VersionedSettings { settings, version })
        })
        .await
}

#[tauri::command]
pub async fn update_team_settings(
    state: State<'_, AppState>,
    version: i64,
    settings: TeamSettings,
) -> Reply<VersionedSettings> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            db.write(|ctx| settings::update(ctx, version, &settings))?;
            // Read back: validation trims and de-duplicates what was typed.
            let (settings, version) = settings::load_versioned(db.conn())?;
            Ok(VersionedSettings { settings, version })
        })
        .await
}

#[tauri::command]
pub async fn companies(state: State<'_, AppState>, query: CompanyQuery) -> Reply<Vec<CompanyListItem>> {
    state.with_session(move |s| company::list(s.db()?.conn(), &query)).await
}

#[tauri::command]
pub async fn create_company(state: State<'_, AppState>, company: NewCompany) -> Reply<String> {
    state
        .write_or_queue(Op::CreateCompany { company }, |_, applied| Ok(applied.id))
        .await
}

#[tauri::command]
pub async fn company(state: State<'_, AppState>, id: String) -> Reply<Company> {
    state.with_session(move |s| company::get(s.db()?.conn(), &id)).await
}

#[tauri::command]
pub async fn update_company(state: State<'_, AppState>, id: String, version: i64, edit: CompanyEdit) -> Reply<i64> {
    state
        .write_or_queue(Op::UpdateCompany { id, version, edit }, |_, applied| {
            applied
                .version
                .ok_or_else(|| kizuna_core::Error::Internal("an edit without its new version".into()))
        })
        .await
}

/// What deleting a customer would take with it, for the question before.
#[tauri::command]
pub async fn company_deletion_impact(state: State<'_, AppState>, id: String) -> Reply<DeletionImpact> {
    state
        .with_session(move |s| company::deletion_impact(s.db()?.conn(), &id))
        .await
}

#[tauri::command]
pub async fn delete_company(
    state: State<'_, AppState>,
    id: String,
    version: i64,
    with_open_work: bool,
) -> Reply<Deletion> {
    state
        .with_session(move |s| s.db()?.write(|ctx| company::delete(ctx, &id, version, with_open_work)))
        .await
}

#[tauri::command]
pub async fn company_summary(state: State<'_, AppState>, id: String) -> Reply<CompanySummary> {
    state
        .with_session(move |s| {
            let db = s.db()?;
            kizuna_core::overview::customer::summary(db.conn(), db.clock(), &id)
        })
        .await
}

#[tauri::command]
pub async fn timeline(state: State<'_, AppState>, query: TimelineQuery) -> Reply<TimelinePage> {
    state
        .with_session(move |s| entries::timeline(s.db()?.conn(), &query))
        .await
}

#[tauri::command]
pub async fn log_activity(state: State<'_, AppState>, activity: NewActivity) -> Reply<String> {
    state
        .write_or_queue(Op::LogActivity { activity }, |_, applied| Ok(applied.id))
        .await
}

#[tauri::command]
pub async fn update_activity(state: State<'_, AppState>, id: String, version: i64, edit: ActivityEdit) -> Reply<i64> {
    state
        .with_session(move |s| s.db()?.write(|ctx| activity::update_activity(ctx, &id, version, &edit)))
        .await
}

#[tauri::command]
pub async fn delete_activity(state: State<'_, AppState>, id: String, version: i64) -> Reply<()> {
    state
        .with_session(move |s| s.db()?.write(|ctx| activity::delete_activity(ctx, &id, version)))
        .await
}

/// The thank-you mail for a meeting, in the UI's language and signed by the current user.
#[tauri::command]
pub async fn thank_you_mail(state: State<'_, AppState>, activity_id: String) -> Reply<ThankYouDraft> {
    state
        .with_session(move |s| {
            let status = s.status();
            let (lang, sender) = (status.language, status.user.display_name);
            let db = s.db()?;
            mail::draft_for(db.conn(), &activity_id, lang, &sender, db.clock().offset())
        })
        .await
}

#[tauri::command]
pub async fn record_mail_sent(
    state: State<'_, AppState>,
    company_id: String,
    deal_id: Option<String>,
    contact_ids: Vec<String>,
    draft: MailDraft,
) -> Reply<String> {
    state
        .with_session(move |s| {
            s.db()?
                .write(|ctx| mail::record_mail_sent(ctx, &company_id, deal_id.as_deref(), &contact_ids, &draft))
        })
        .await
}

/// Results per kind at first: enough to find the record, few enough to scan by eye.
const SEARCH_LIMIT: u32 = 8;
/// Each "show more" of one kind.
const SEARCH_MORE: u32 = 20;

#[tauri::command]
pub async fn search(state: State<'_, AppState>, query: String) -> Reply<SearchResults> {
    state
        .with_session(move |s| {
            let lang = s.status().language;
            search::search(s.db()?.conn(), &query, SEARCH_LIMIT, lang)
        })
        .await
}

#[tauri::command]
pub async fn search_more(
    state: State<'_, AppState>,
    query: String,
    kind: SearchKind,
    after: SearchCursor,
) -> Reply<SearchGroup> {
    state
        .with_session(move |s| {
            let lang = s.status().language;
            search::search_more(s.db()?.conn(), &query, kind, &after, SEARCH_MORE, lang)
        })
        .await
}

#[tauri::command]
pub async fn create_team_database(state: State<'_, AppState>, path: String) -> Reply<AppStatus> {
    state
        .with_session(move |s| s.create_team_database(&PathBuf::from(path)))
        .await
}

#[tauri::command]
pub async fn open_team_database(state: State<'_, AppState>, path: String) -> Reply<AppStatus> {
    state
        .with_session(move |s| s.open_team_database(&PathBuf::from(path)))
        .await
}

#[tauri::command]
pub async fn use_local_database(state: State<'_, AppState>) -> Reply<AppStatus> {
    state.with_session(|s| s.use_local_database()).await
}

#[tauri::command]
pub async fn retry_open(state: State<'_, AppState>) -> Reply<AppStatus> {
    state.with_session(|s| Ok(s.retry_open())).await
}

#[tauri::command]
pub async fn set_language(app: AppHandle, state: State<'_, AppState>, language: Option<Language>) -> Reply<AppStatus> {
    let status = state.with_session(move |s| s.set_language(language)).await?;
    tray::relabel(&app, status.language);
    Ok(status)
}

#[tauri::command]
pub async fn set_close_to_tray(state: State<'_, AppState>, enabled: bool) -> Reply<AppStatus> {
    state.with_session(move |s| s.set_close_to_tray(enabled)).await
}

#[tauri::command]
pub async fn set_display_name(state: State<'_, AppState>, version: i64, name: String) -> Reply<AppStatus> {
    state.with_session(move |s| s.set_display_name(version, &name)).await
}
