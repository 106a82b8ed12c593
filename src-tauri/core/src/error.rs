//! Typed errors. Every error carries an [`ErrorCode`] that the UI translates;
//! the English `message` is for logs and the CLI, never the only thing a user sees.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stable, machine-readable reason. The UI has a translation for each
/// (`error.<code>` in both catalogues); a test keeps the lists in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    NotKizuna,
    Damaged,
    SchemaTooNew,
    FileMissing,
    FileExists,
    NotFound,
    Conflict,
    Invalid,
    Busy,
    ReadOnly,
    Unreachable,
    /// Not written to the team file yet: kept in this computer's outbox,
    /// sent when the share answers again. The user's work is safe.
    Queued,
    NoDatabase,
    /// A crashed save must be rolled back before anyone can open the file,
    /// and this desktop may not write to it (a read-only share).
    RecoveryBlocked,
    /// This computer profile has not said which member it is in the open
    /// team file yet: nothing is written until it does.
    IdentityRequired,
    /// Only a member holding the manager role may do this (read the audit
    /// trail, answer a personal-data request: docs/security.md).
    ManagerOnly,
    /// The team file holds a value this Kizuna does not know (written by a
    /// newer version, or edited by hand): shown as an error, never guessed.
    UnknownValue,
    /// The mail server could not be reached (refused, no such host, timed out).
    MailUnreachable,
    /// The mail server refused the user name or password.
    MailAuth,
    /// The secure connection to the mail server failed (certificate, protocol).
    MailTls,
    /// The mail server refused the recipient or the message.
    MailRejected,
    /// The mail server answered with another error (often temporary).
    MailServer,
    /// No SMTP password is kept in this computer's credential store.
    MailNoPassword,
    /// The member connected no mail server on this computer.
    MailNoAccount,
    /// Another computer of the member claimed the mail and is sending it.
    MailSendingElsewhere,
    /// A claimed send never reported back: whether it went out is unknown.
    MailOutcomeUnknown,
    /// The operating system's credential store refused or failed.
    CredentialStore,
    /// The file to import is neither a spreadsheet nor text Kizuna can read.
    ImportUnreadable,
    /// The file's bytes are not valid in the chosen encoding.
    ImportEncoding,
    /// The workbook has no sheet of that name.
    ImportUnknownSheet,
    /// The file (or the sheet) holds no rows below its header.
    ImportEmpty,
    /// The import batch was undone already (or is still running).
    ImportBatchClosed,
    /// A character the chosen file encoding cannot hold (Shift_JIS and 𠮷):
    /// the export stopped rather than drop it; `current` names the row,
    /// column and character.
    Unencodable,
    /// The team file is encrypted and this computer holds no passphrase
    /// for it: the window asks for one (never "damaged").
    PassphraseRequired,
    /// The passphrase (or recovery key) given does not open the team file.
    PassphraseWrong,
    /// The open team file was encrypted, decrypted or given a new
    /// passphrase by a colleague: this desktop must open it again.
    KeyChanged,
    /// The team server could not be reached (refused, no such host, timed out).
    ServerUnreachable,
    /// The team server refused the login or password.
    ServerAuth,
    /// A team server on another computer was asked for without TLS, or the
    /// TLS handshake failed (certificate, protocol).
    ServerTls,
    /// The team server refused what was asked (rights, a missing schema…).
    ServerRefused,
    /// A copy between a team file and a server did not come out equal:
    /// nothing was kept (`kizuna migrate`).
    TransferMismatch,
    /// The place a team is copied to already holds a team.
    TransferTargetNotEmpty,
    /// Asked of a team server, a part of Kizuna that works on the team
    /// file only so far: nothing was written.
    NotOnServer,
    Io,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path} is not a Kizuna database")]
    NotKizuna { path: String },
    #[error("{path} is damaged: {detail}")]
    Damaged { path: String, detail: String },
    #[error("the database uses schema {found}; this Kizuna knows up to {known}")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("{path} does not exist")]
    FileMissing { path: String },
    #[error("{path} already exists")]
    FileExists { path: String },
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{entity} {id} was changed by someone else (now version {current_version})")]
    Conflict {
        entity: &'static str,
        id: String,
        current_version: i64,
        current: serde_json::Value,
    },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: &'static str },
    #[error("the team database stayed busy; nothing was written")]
    Busy,
    #[error("the database is open read-only: {reason}")]
    ReadOnly { reason: String },
    #[error("the database cannot be reached: {detail}")]
    Unreachable { detail: String },
    /// Kept in this computer's outbox: the share was away, or (`busy`)
    /// colleagues' saves kept the file past the window's wait limit.
    #[error("{}; kept in this computer's outbox (entry {seq})", if *busy { "the team database stayed busy" } else { "the team database cannot be reached" })]
    Queued { seq: i64, busy: bool },
    #[error("no database is open")]
    NoDatabase,
    #[error("{path} holds a save that was cut off and must be rolled back, but this computer may not write to it")]
    RecoveryBlocked { path: String },
    #[error("choose who you are in this team database first")]
    IdentityRequired,
    #[error("only a member with the manager role may do this")]
    ManagerOnly,
    #[error("{table} {id} holds {value:?}, which this Kizuna does not know")]
    UnknownValue {
        table: &'static str,
        id: String,
        value: String,
    },
    /// Sending through the company's mail server failed (mail/transport.rs);
    /// `detail` is the server's own words, for the user and the ledger.
    #[error("mail not sent: {detail}")]
    Mail { failure: MailFailure, detail: String },
    #[error("no SMTP password is kept for this member on this computer")]
    MailNoPassword,
    #[error("no mail server is connected for this member on this computer")]
    MailNoAccount,
    #[error("being sent from another computer ({computer_id}) since {since}")]
    MailSendingElsewhere { computer_id: String, since: String },
    #[error("a send from {computer_id} at {since} never reported back")]
    MailOutcomeUnknown { computer_id: String, since: String },
    #[error("{path} is encrypted: enter the team passphrase")]
    PassphraseRequired { path: String },
    #[error("the passphrase does not open {path}")]
    PassphraseWrong { path: String },
    #[error("the credential store failed: {0}")]
    CredentialStore(String),
    #[error("import: {0}")]
    Import(ImportProblem),
    /// The export's row (the header is row 1) and column holding a character
    /// the chosen encoding cannot write (writers/csv.rs).
    #[error("row {row}, {column}: {character:?} cannot be written in this encoding")]
    Unencodable {
        row: u64,
        column: String,
        character: String,
    },
    /// The team server (store/server/): `detail` is the server's own words.
    #[error("team server: {detail}")]
    Server { failure: ServerFailure, detail: String },
    /// `kizuna migrate` found the copy unequal to its source (store/transfer.rs).
    #[error("the copy differs from its source in {table}: {detail}; nothing was kept")]
    TransferMismatch { table: String, detail: String },
    #[error("{target} already holds a team: copy into an empty database or a new file")]
    TransferTargetNotEmpty { target: String },
    /// A save the team server cannot take yet (store/write.rs): refused
    /// before anything was written.
    #[error("this is not available on a team server yet")]
    NotOnServer,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("{0}")]
    Internal(String),
}

/// Why a file cannot be imported (import/), each with its own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    Unreadable(String),
    Encoding,
    UnknownSheet(String),
    Empty,
    BatchClosed,
}

impl ImportProblem {
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportProblem::Unreadable(_) => ErrorCode::ImportUnreadable,
            ImportProblem::Encoding => ErrorCode::ImportEncoding,
            ImportProblem::UnknownSheet(_) => ErrorCode::ImportUnknownSheet,
            ImportProblem::Empty => ErrorCode::ImportEmpty,
            ImportProblem::BatchClosed => ErrorCode::ImportBatchClosed,
        }
    }
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportProblem::Unreadable(why) => write!(f, "the file cannot be read as a spreadsheet or text: {why}"),
            ImportProblem::Encoding => f.write_str("the file is not valid text in the chosen encoding"),
            ImportProblem::UnknownSheet(name) => write!(f, "the workbook has no sheet {name:?}"),
            ImportProblem::Empty => f.write_str("the file holds no rows to import"),
            ImportProblem::BatchClosed => f.write_str("the import batch is undone already or still running"),
        }
    }
}

/// How a send through the mail server failed: each has its own message in
/// the user's language (mail/transport.rs decides which it was).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailFailure {
    Unreachable,
    Auth,
    Tls,
    Rejected,
    Server,
}

impl MailFailure {
    pub fn code(self) -> ErrorCode {
        match self {
            MailFailure::Unreachable => ErrorCode::MailUnreachable,
            MailFailure::Auth => ErrorCode::MailAuth,
            MailFailure::Tls => ErrorCode::MailTls,
            MailFailure::Rejected => ErrorCode::MailRejected,
            MailFailure::Server => ErrorCode::MailServer,
        }
    }
}

/// How talking to the team server failed, each with its own message in the
/// user's language (store/server/connect.rs decides which it was).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerFailure {
    Unreachable,
    Auth,
    Tls,
    Refused,
    /// Two saves met (a serialization failure or a deadlock): the save is
    /// tried again, and reports busy only when it kept meeting others.
    Busy,
}

impl ServerFailure {
    pub fn code(self) -> ErrorCode {
        match self {
            ServerFailure::Unreachable => ErrorCode::ServerUnreachable,
            ServerFailure::Auth => ErrorCode::ServerAuth,
            ServerFailure::Tls => ErrorCode::ServerTls,
            ServerFailure::Refused => ErrorCode::ServerRefused,
            ServerFailure::Busy => ErrorCode::Busy,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &'static str, reason: &'static str) -> Self {
        Error::Invalid { field, reason }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotKizuna { .. } => ErrorCode::NotKizuna,
            Error::Damaged { .. } => ErrorCode::Damaged,
            Error::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            Error::FileMissing { .. } => ErrorCode::FileMissing,
            Error::FileExists { .. } => ErrorCode::FileExists,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::Invalid { .. } => ErrorCode::Invalid,
            Error::Busy => ErrorCode::Busy,
            Error::ReadOnly { .. } => ErrorCode::ReadOnly,
            Error::Unreachable { .. } => ErrorCode::Unreachable,
            Error::Queued { .. } => ErrorCode::Queued,
            Error::NoDatabase => ErrorCode::NoDatabase,
            Error::RecoveryBlocked { .. } => ErrorCode::RecoveryBlocked,
            Error::IdentityRequired => ErrorCode::IdentityRequired,
            Error::ManagerOnly => ErrorCode::ManagerOnly,
            Error::UnknownValue { .. } => ErrorCode::UnknownValue,
            Error::Mail { failure, .. } => failure.code(),
            Error::MailNoPassword => ErrorCode::MailNoPassword,
            Error::MailNoAccount => ErrorCode::MailNoAccount,
            Error::MailSendingElsewhere { .. } => ErrorCode::MailSendingElsewhere,
            Error::MailOutcomeUnknown { .. } => ErrorCode::MailOutcomeUnknown,
            Error::CredentialStore(_) => ErrorCode::CredentialStore,
            Error::PassphraseRequired { .. } => ErrorCode::PassphraseRequired,
            Error::PassphraseWrong { .. } => ErrorCode::PassphraseWrong,
            Error::Import(p) => p.code(),
            Error::Unencodable { .. } => ErrorCode::Unencodable,
            Error::Server { failure, .. } => failure.code(),
            Error::TransferMismatch { .. } => ErrorCode::TransferMismatch,
            Error::TransferTargetNotEmpty { .. } => ErrorCode::TransferTargetNotEmpty,
            Error::NotOnServer => ErrorCode::NotOnServer,
            Error::Io(e) if is_unreachable_io(e) => ErrorCode::Unreachable,
            Error::Io(_) => ErrorCode::Io,
            Error::Sqlite(e) => sqlite_code(e),
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// What the UI receives: the code to translate, the detail for the log,
    /// and structured fields (the invalid field, the colleague's version).
    pub fn payload(&self) -> ErrorPayload {
        let (field, reason, current) = match self {
            Error::Invalid { field, reason } => (Some(field.to_string()), Some(reason.to_string()), None),
            Error::Conflict { current, .. } => (None, None, Some(current.clone())),
            Error::Queued { busy: true, .. } => (None, Some("busy".to_string()), None),
            Error::Unencodable { row, column, character } => (
                None,
                None,
                Some(serde_json::json!({ "row": row, "column": column, "character": character })),
            ),
            _ => (None, None, None),
        };
        ErrorPayload {
            code: self.code(),
            message: self.to_string(),
            field,
            reason,
            current,
        }
    }
}

/// A value read from the team file as one the engine knows. An unknown one
/// (from a newer Kizuna, or a hand edit) is an error naming the row: read as
/// some default, it would be shown, and later saved, as something it is not.
pub(crate) fn known<T>(table: &'static str, id: &str, value: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
    parse(value).ok_or_else(|| Error::UnknownValue {
        table,
        id: id.to_string(),
        value: value.to_string(),
    })
}

/// [`known`] inside a rusqlite row closure: the unknown value travels as a
/// conversion failure and comes out as [`Error::UnknownValue`] again.
pub(crate) fn known_in_row<T>(
    table: &'static str,
    id: &str,
    value: String,
    parse: impl FnOnce(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    known(table, id, &value, parse)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::FromSqlConversionFailure(_, _, inner) if inner.is::<Error>() => {
                match inner.downcast::<Error>() {
                    Ok(inner) => *inner,
                    Err(other) => Error::Sqlite(rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        other,
                    )),
                }
            }
            e => Error::Sqlite(e),
        }
    }
}

fn is_unreachable_io(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        NotFound | TimedOut | NotConnected | ConnectionAborted | ConnectionReset | BrokenPipe
    )
}

/// SQLite refused a read-only connection because a crashed save's journal
/// must be rolled back first.
pub fn is_hot_journal_refusal(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK)
}

fn sqlite_code(e: &rusqlite::Error) -> ErrorCode {
    use rusqlite::ffi::ErrorCode as C;
    if is_hot_journal_refusal(e) {
        // A read that met a crashed save nobody could roll back yet.
        return ErrorCode::RecoveryBlocked;
    }
    match e.sqlite_error_code() {
        Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => ErrorCode::Busy,
        // Opening maps this itself (not Kizuna's); on an open connection it
        // means the file's key changed under it (store/cipher.rs).
        Some(C::NotADatabase) => ErrorCode::KeyChanged,
        Some(C::DatabaseCorrupt) => ErrorCode::Damaged,
        Some(C::ReadOnly) => ErrorCode::ReadOnly,
        Some(C::SystemIoFailure) | Some(C::CannotOpen) => ErrorCode::Unreachable,
        _ => ErrorCode::Internal,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    pub reason: Option<String>,
    #[ts(type = "unknown")]
    pub current: Option<serde_json::Value>,
}

impl From<Error> for ErrorPayload {
    fn from(e: Error) -> Self {
        e.payload()
    }
}

/// The code as the UI's catalogues name it (`conflict`, `busy`).
impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(code)) => f.write_str(&code),
            _ => write!(f, "{self:?}"),
        }
    }
}

/// The code alone: this is what the desktop's log keeps of a failed
/// command, and the message may name a customer, a colleague or a path.
impl std::fmt::Display for ErrorPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.code, f)
    }
}
