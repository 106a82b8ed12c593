//! `kizuna`: the admin and test CLI over the engine.
//!
//!     kizuna --db FILE demo [--lang ja|en]
//!                                    create FILE with sample data; stage names and
//!                                    lost reasons in that language (default: the OS's)
//!     kizuna --db FILE check         integrity and schema version (exit 1 on a problem)
//!     kizuna --db FILE backup DEST   consistent copy, safe while colleagues write
//!     kizuna --db FILE restore BACKUP  put a backup back (a damaged FILE is kept aside, never written)
//!     kizuna --db FILE [--as LOGIN] follow-up --to LOGIN --title TEXT
//!            [--company NAME] [--in SECONDS | --at RFC3339]
//!                                    plan a follow-up for a team member (scripts, imports)
//!     kizuna --db FILE [--as LOGIN] lead add --source CODE [--company NAME] [--name NAME]
//!            [--mail MAIL] [--phone PHONE] [--message TEXT] [--to LOGIN]
//!                                    receive an inquiry (a web form's script, an import):
//!                                    assigned by the team's rule unless --to; prints its id
//!     kizuna --db FILE [--as LOGIN] import FILE --kind companies|contacts|deals
//!            [--mapping MAPPING.json] [--dry-run] [--update] [--encoding sjis|utf8|utf16]
//!            [--delimiter comma|tab|semicolon] [--sheet NAME] [--header-row N]
//!                                    import an Excel or CSV file as one batch (docs/import.md);
//!                                    --dry-run prints the plan and every row's problems;
//!                                    MAPPING: {"header": "field", …}; prints the batch id
//!     kizuna --db FILE [--as LOGIN] import --undo BATCH_ID
//!                                    take an import back (rows colleagues changed stay, listed)
//!     kizuna --db FILE [--as LOGIN] stress N [--pause-ms MAX] [--timings]
//!                                    N small writes (timeline notes), each acknowledged
//!                                    on stdout once committed: the shared-file tests;
//!                                    --timings adds "took MS" after each (its wait and save)
//!     kizuna --db FILE idle SECONDS  an idle desktop: the change feed polled as the
//!                                    window polls it; prints the changes it saw
//!     kizuna --db FILE [--as LOGIN] retitle-deal ID VERSION TITLE
//!                                    a version-checked edit (exit 1 with [conflict] when stale)
//!     kizuna --db FILE duplicates [--kind companies|contacts]
//!                                    possible duplicates, strongest first, with why they match
//!     kizuna --db FILE [--as LOGIN] merge [--kind companies|contacts] --survivor ID --loser ID
//!                                    merge the loser into the survivor (the survivor's values
//!                                    kept, empty ones filled from the loser); prints what moved
//!     kizuna --db FILE export --kind customers|contacts|deals|timeline|follow-ups|contracts
//!            --format xlsx|csv|ics [--encoding utf8|sjis] [--lang ja|en] [--owner LOGIN] OUT
//!                                    the team's data as a file (docs/export.md); prints the rows
//!     kizuna --db FILE [--as LOGIN] erase-contact ID NAME
//!                                    erase a person (a manager only; NAME: their name typed to
//!                                    confirm): their data out of every row and index, the file
//!                                    compacted; cannot be undone (docs/security.md)
//!     kizuna --db FILE compact       rewrite the file without free space (VACUUM, in turn with
//!                                    colleagues' saves): what an erasure does last
//!     kizuna --db FILE [--as LOGIN] disclose ID --out FILE.xlsx
//!                                    everything the file holds about a contact (a manager only)
//!     kizuna --db FILE update [--install]
//!                                    what the Kizuna-updates folder beside FILE offers this
//!                                    computer; --install checks a copy and runs it
//!     kizuna --db FILE encrypt       encrypt FILE in place with a new team passphrase
//!                                    (KIZUNA_NEW_PASSPHRASE, or a line on stdin); prints
//!                                    the recovery key once
//!     kizuna --db FILE rekey         the same for an encrypted FILE: a new passphrase
//!     kizuna --db FILE decrypt       a plain FILE again
//!                                    An encrypted FILE opens with KIZUNA_PASSPHRASE (or a
//!                                    recovery key there), else the passphrase this computer's
//!                                    credential store keeps for it (docs/security.md)
//!     kizuna migrate --from FILE|postgres://… --to postgres://…|FILE
//!                                    copy a team between a team file and a team server
//!                                    (ids, versions, change log, notification log), checked
//!                                    table by table; the source is only read
//!                                    (docs/team-server.md)
//!     kizuna server init postgres://ADMIN@HOST/DB
//!                                    create or migrate the server's schema and the
//!                                    kizuna_member group role (run by the database's owner)
//!     kizuna server add-member postgres://ADMIN@HOST/DB LOGIN
//!                                    a member's own login in that group; the password
//!                                    from KIZUNA_MEMBER_PASSWORD or a line on stdin
//!                                    A server's password: in the URL's place, PGPASSWORD
//!     kizuna update-manifest DIR [--version V]
//!                                    write DIR/kizuna-update.json for the installers in DIR
//!                                    (make dist; V: installers built from another version)

use kizuna_core::app::config::os_login;
use kizuna_core::clock::to_db;
use kizuna_core::followups::follow_up::{self, FollowUpKind, NewFollowUp};
use kizuna_core::language::Language;
use kizuna_core::store::sql;
use kizuna_core::store::team_db::TeamDb;
use kizuna_core::{store::schema, Db, Error, OpenOptions};
use std::path::{Path, PathBuf};

#[path = "kizuna/team_server.rs"]
mod team_server;
use std::process::ExitCode;

const USAGE: &str = "usage: kizuna --db FILE [--as LOGIN] <demo [--lang ja|en] | check | backup DEST | restore BACKUP | follow-up --to LOGIN --title TEXT [--company NAME] [--in SECONDS | --at RFC3339] | import FILE --kind KIND [--mapping FILE] [--dry-run] [--update] [--encoding E] [--delimiter D] [--sheet NAME] [--header-row N] | import --undo BATCH_ID | lead add --source CODE [--company NAME] [--name NAME] [--mail MAIL] [--phone PHONE] [--message TEXT] [--to LOGIN] | duplicates [--kind companies|contacts] | merge [--kind companies|contacts] --survivor ID --loser ID | export --kind KIND --format xlsx|csv|ics [--encoding utf8|sjis] [--lang ja|en] [--owner LOGIN] OUT | erase-contact ID NAME | compact | disclose ID --out FILE | update [--install] | encrypt | rekey | decrypt>\n       kizuna migrate --from FILE|postgres://… --to postgres://…|FILE\n       kizuna server init|add-member postgres://… [LOGIN]";

fn main() -> ExitCode {
    // A bug must still end in one line that says what happened, not a
    // panic message and a backtrace hint.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        eprintln!("kizuna: internal error, nothing more was done: {what} [internal]");
    }));
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "update-manifest") {
        return report(update_manifest(&args[1..]));
    }
    if args.first().is_some_and(|a| a == "migrate" || a == "server") {
        let outcome = std::panic::catch_unwind(|| team_server::run(&args)).unwrap_or(Ok(ExitCode::from(1)));
        return report(outcome);
    }
    match parse(&args) {
        Some((db, cmd, rest)) => {
            report(std::panic::catch_unwind(|| run(db, cmd, rest)).unwrap_or(Ok(ExitCode::from(1))))
        }
        None => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The exit code, after one line for an error: its words and its code.
fn report(outcome: Result<ExitCode, Error>) -> ExitCode {
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "kizuna: {e} [{}]",
                serde_json::to_string(&e.code()).unwrap_or_default().trim_matches('"')
            );
            ExitCode::from(1)
        }
    }
}

/// `update-manifest DIR [--version V]`: what `make dist` puts beside the
/// installers, and what an older Kizuna checks them against.
fn update_manifest(args: &[String]) -> Result<ExitCode, Error> {
    let (dir, version) = match args {
        [dir] => (dir, kizuna_core::app::update::VERSION),
        [dir, flag, v] if flag == "--version" => (dir, v.as_str()),
        _ => {
            eprintln!("usage: kizuna update-manifest DIR [--version V]");
            return Ok(ExitCode::from(2));
        }
    };
    let dir = Path::new(dir);
    let manifest = kizuna_core::app::update::manifest_for(dir, version, schema::CURRENT)?;
    if manifest.installers.is_empty() {
        return Err(Error::invalid("installer", "no_installer"));
    }
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Internal(e.to_string()))?;
    std::fs::write(dir.join(kizuna_core::app::update::MANIFEST), json)?;
    for i in &manifest.installers {
        println!("{:<16}{} ({} bytes, sha256 {})", i.platform, i.file, i.size, i.sha256);
    }
    Ok(ExitCode::SUCCESS)
}

fn parse(args: &[String]) -> Option<(PathBuf, &str, &[String])> {
    let mut db = std::env::var_os("KIZUNA_DB").map(PathBuf::from);
    let mut i = 0;
    while i < args.len() && args[i].starts_with("--") {
        match args[i].as_str() {
            "--db" => {
                db = Some(PathBuf::from(args.get(i + 1)?));
                i += 2;
            }
            "--as" => {
                AS_LOGIN.set(args.get(i + 1)?.clone()).ok()?;
                i += 2;
            }
            _ => return None,
        }
    }
    let cmd = args.get(i)?.as_str();
    Some((db?, cmd, &args[i + 1..]))
}

/// `--as LOGIN`: act as that team member instead of the OS login.
static AS_LOGIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn opts() -> OpenOptions {
    let login = AS_LOGIN.get().cloned().unwrap_or_else(os_login);
    OpenOptions::new(login.clone(), login).with_language(Language::from_locale(sys_locale::get_locale().as_deref()))
}

/// The team `--db` names: a file, or a team server's `postgres://` address
/// (as its login, whose password is `PGPASSWORD`'s). A login's first visit
/// joins the team under its own name.
fn open_team(path: &Path) -> Result<TeamDb, Error> {
    open_team_with(path, opts())
}

/// [`open_team`] with options of the command's own (its language).
fn open_team_with(path: &Path, opts: OpenOptions) -> Result<TeamDb, Error> {
    use kizuna_core::store::server::{Server, ServerDb};
    let text = path.to_string_lossy();
    if !is_server(path) {
        return Ok(TeamDb::File(Db::open(path, opts)?));
    }
    Ok(TeamDb::Server(ServerDb::open_as_member(
        &Server::parse(&text, None)?,
        opts.clock,
        opts.language,
    )?))
}

fn is_server(path: &Path) -> bool {
    let text = path.to_string_lossy();
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// The commands that run on a team server (`--db postgres://…`).
const ON_SERVER: &[&str] = &[
    "follow-up",
    "lead",
    "import",
    "duplicates",
    "merge",
    "export",
    "erase-contact",
    "disclose",
    "stress",
    "retitle-deal",
];

fn run(path: PathBuf, cmd: &str, rest: &[String]) -> Result<ExitCode, Error> {
    // On a team server, the commands that work with the team's data; the
    // file's own care (its backups, checks, compaction, encryption, the
    // updates folder beside it, a new sample file) is IT's on a server.
    if is_server(&path) && !ON_SERVER.contains(&cmd) {
        return Err(Error::NotOnServer);
    }
    kizuna_core::store::vfs::install();
    kizuna_core::app::passphrase::unlock_with_saved(&path);
    match (cmd, rest) {
        ("encrypt", []) | ("rekey", []) => {
            let encrypted = kizuna_core::store::cipher::looks_encrypted(&path).is_some();
            if encrypted != (cmd == "rekey") {
                return Err(Error::invalid(
                    "encryption",
                    if encrypted {
                        "already_encrypted"
                    } else {
                        "not_encrypted"
                    },
                ));
            }
            let key = kizuna_core::store::cipher::Key::new_passphrase(&new_passphrase()?)?;
            let done = kizuna_core::store::cipher::convert(&path, Some(&key))?;
            println!("encrypted {} ({} rows, checked)", path.display(), done.rows);
            println!();
            println!("Recovery key (shown once): {}", done.recovery_key.unwrap_or_default());
            println!(
                "Write it down and keep it apart from the computers, e.g. in the office safe. It opens the file \
                 if the passphrase is forgotten; without both, nobody can read the data, not even Kizuna's makers."
            );
            Ok(ExitCode::SUCCESS)
        }
        ("decrypt", []) => {
            let done = kizuna_core::store::cipher::convert(&path, None)?;
            println!("decrypted {} ({} rows, checked)", path.display(), done.rows);
            Ok(ExitCode::SUCCESS)
        }
        ("demo", flags) => {
            let opts = match flags {
                [] => opts(),
                [flag, lang] if flag == "--lang" => opts().with_language(match lang.as_str() {
                    "ja" => Language::Ja,
                    "en" => Language::En,
                    _ => return Err(Error::invalid("lang", "unknown")),
                }),
                _ => {
                    eprintln!("{USAGE}");
                    return Ok(ExitCode::from(2));
                }
            };
            let mut db = Db::create(&path, opts)?;
            kizuna_core::app::sample::populate(&mut db)?;
            println!("created {} with sample data", path.display());
            Ok(ExitCode::SUCCESS)
        }
        ("check", []) => check(&path),
        ("follow-up", flags) => plan_follow_up(&path, flags),
        ("lead", [sub, flags @ ..]) if sub == "add" => add_lead(&path, flags),
        ("import", [flag, batch]) if flag == "--undo" => undo_import(&path, batch),
        ("import", [file, flags @ ..]) => import(&path, Path::new(file), flags),
        ("restore", [backup]) => {
            let now = to_db(chrono::Utc::now());
            match kizuna_core::store::db::restore(&path, Path::new(backup), &now)? {
                kizuna_core::store::db::Restored::InPlace => println!("restored {} from {backup}", path.display()),
                kizuna_core::store::db::Restored::Replaced { kept_aside } => {
                    println!("restored {} from {backup}", path.display());
                    if let Some(aside) = kept_aside {
                        println!("the damaged file is kept as {}", aside.display());
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ("stress", [n, rest @ ..]) => stress(&path, n, rest),
        ("idle", [seconds]) => idle(&path, seconds),
        ("retitle-deal", [id, version, title]) => {
            let version: i64 = version.parse().map_err(|_| Error::invalid("version", "format"))?;
            let mut db = open_team(&path)?;
            let d = kizuna_core::pipeline::deal::get(db.sql(), id)?;
            let edit = kizuna_core::pipeline::deal::DealEdit {
                title: title.clone(),
                ..kizuna_core::pipeline::deal::DealEdit::from(&d)
            };
            let new_version = db.write(|ctx| kizuna_core::pipeline::deal::update(ctx, id, version, &edit))?;
            println!("{new_version}");
            Ok(ExitCode::SUCCESS)
        }
        ("update", flags) => update(&path, flags),
        ("duplicates", flags) => duplicates(&path, flags),
        ("merge", flags) => merge(&path, flags),
        ("export", flags) => export(&path, flags),
        ("erase-contact", [id, confirm]) => {
            let mut db = open_team(&path)?;
            let done = kizuna_core::privacy::erase::erase_team(&mut db, id, confirm)?;
            println!(
                "erased contact {id}: {} rows changed{}",
                done.rows_changed,
                match (&db, done.compacted) {
                    (TeamDb::Server(_), _) => "",
                    (TeamDb::File(_), true) => ", file compacted",
                    (TeamDb::File(_), false) => "; the file was busy, not compacted yet",
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        ("compact", []) => {
            let mut db = Db::open(&path, opts())?;
            db.compact()?;
            println!("compacted {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        ("disclose", [id, flag, out]) if flag == "--out" => {
            let mut db = open_team(&path)?;
            let done = kizuna_core::privacy::disclose::disclose(&mut db, id, Path::new(out))?;
            println!("{} rows written to {}", done.rows, done.path);
            Ok(ExitCode::SUCCESS)
        }
        ("backup", [dest]) => {
            // Read-only inspection first: backing up must not migrate the source.
            Db::inspect(&path)?;
            let dest = PathBuf::from(dest);
            if dest.exists() {
                return Err(Error::FileExists {
                    path: dest.display().to_string(),
                });
            }
            let held = kizuna_core::store::backup::copy(&path, &dest)?;
            if let Err(e) = Db::inspect(&dest) {
                let _ = std::fs::remove_file(&dest);
                return Err(e);
            }
            println!(
                "backed up {} to {} (colleagues' saves could wait at most {} ms for it)",
                path.display(),
                dest.display(),
                held.as_millis()
            );
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("{USAGE}");
            Ok(ExitCode::from(2))
        }
    }
}

/// The new team passphrase: KIZUNA_NEW_PASSPHRASE, else one line on stdin.
fn new_passphrase() -> Result<String, Error> {
    if let Ok(p) = std::env::var("KIZUNA_NEW_PASSPHRASE") {
        return Ok(p);
    }
    eprint!(
        "new team passphrase (at least {} characters): ",
        kizuna_core::store::cipher::MIN_PASSPHRASE
    );
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// `--kind companies|contacts` (companies when absent); `None` when unknown.
fn duplicate_kind(flags: &[String]) -> Option<kizuna_core::dedupe::pairs::DuplicateKind> {
    use kizuna_core::dedupe::pairs::DuplicateKind;
    match flags.iter().position(|f| f == "--kind") {
        None => Some(DuplicateKind::Companies),
        Some(i) => flags.get(i + 1).and_then(|k| DuplicateKind::parse(k)),
    }
}

/// One pair per line: both records, tab-separated, then why they match.
fn duplicates(path: &Path, flags: &[String]) -> Result<ExitCode, Error> {
    let known = flags.is_empty() || (flags.len() == 2 && flags[0] == "--kind");
    let (true, Some(kind)) = (known, duplicate_kind(flags)) else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let db = open_team(path)?;
    let list = kizuna_core::dedupe::pairs::list(db.sql(), kind)?;
    for p in &list.pairs {
        let reasons: Vec<&str> = p
            .reasons
            .iter()
            .map(|r| match r {
                kizuna_core::dedupe::pairs::DuplicateReason::Mail => "mail",
                kizuna_core::dedupe::pairs::DuplicateReason::Name => "name",
                kizuna_core::dedupe::pairs::DuplicateReason::Phone => "phone",
                kizuna_core::dedupe::pairs::DuplicateReason::Reading => "reading",
                kizuna_core::dedupe::pairs::DuplicateReason::Domain => "domain",
            })
            .collect();
        println!(
            "{}\t{}\t{}\t{}\t{}",
            p.first.id,
            p.first.name,
            p.second.id,
            p.second.name,
            reasons.join(",")
        );
    }
    println!("{} pairs", list.total);
    Ok(ExitCode::SUCCESS)
}

fn merge(path: &Path, flags: &[String]) -> Result<ExitCode, Error> {
    use kizuna_core::dedupe::merge::{self, CompanyMerge, ContactMerge};
    use kizuna_core::dedupe::pairs::DuplicateKind;
    let flag = |name: &str| {
        flags
            .chunks(2)
            .find(|pair| pair[0] == name)
            .and_then(|pair| pair.get(1))
            .map(String::as_str)
    };
    let (Some(kind), Some(survivor), Some(loser)) = (duplicate_kind(flags), flag("--survivor"), flag("--loser")) else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let mut db = open_team(path)?;
    db.ensure_writable()?;
    // An admin merging from a script keeps the survivor's values and fills
    // only what it lacks, as the dialog suggests.
    let merged = match kind {
        DuplicateKind::Companies => {
            let p = merge::company_preview(db.sql(), survivor, loser)?;
            let m = CompanyMerge {
                survivor_id: survivor.to_string(),
                survivor_version: p.survivor.version,
                loser_id: loser.to_string(),
                loser_version: p.loser.version,
                take_from_loser: p.suggested,
            };
            db.write(|ctx| merge::companies(ctx, &m))?
        }
        DuplicateKind::Contacts => {
            let p = merge::contact_preview(db.sql(), survivor, loser)?;
            let m = ContactMerge {
                survivor_id: survivor.to_string(),
                survivor_version: p.survivor.version,
                loser_id: loser.to_string(),
                loser_version: p.loser.version,
                take_from_loser: p.suggested,
            };
            db.write(|ctx| merge::contacts(ctx, &m))?
        }
    };
    println!("merged {loser} into {survivor}: {} records moved", merged.moved);
    Ok(ExitCode::SUCCESS)
}

/// Writes `n` timeline notes, one transaction each, like a busy colleague:
/// every write is printed ("ack LOGIN I") only after its commit, so a test
/// can check that nothing acknowledged is ever lost, even when killed.
fn stress(path: &Path, n: &str, rest: &[String]) -> Result<ExitCode, Error> {
    use rand::Rng;
    use std::io::Write;
    let n: u32 = n.parse().map_err(|_| Error::invalid("n", "format"))?;
    let timings = rest.last().is_some_and(|a| a == "--timings");
    let rest = if timings { &rest[..rest.len() - 1] } else { rest };
    let pause_ms: u64 = match rest {
        [flag, ms] if flag == "--pause-ms" => ms.parse().map_err(|_| Error::invalid("pause_ms", "format"))?,
        [] => 0,
        _ => return Err(Error::invalid("stress", "format")),
    };
    let mut db = open_team(path)?;
    let login = db.user().login.clone();
    let company_id: String = db.sql().query_one(
        "SELECT id FROM companies WHERE deleted_at IS NULL ORDER BY id LIMIT 1",
        &[],
        |r| r.get(0),
    )?;
    let mut out = std::io::stdout().lock();
    let mut rng = rand::rng();
    for i in 0..n {
        let note = kizuna_core::timeline::activity::NewActivity {
            company_id: company_id.clone(),
            contact_ids: Vec::new(),
            deal_id: None,
            kind: kizuna_core::timeline::activity::ActivityKind::Note,
            direction: None,
            occurred_at: to_db(db.clock().now()),
            summary: format!("stress {login} {i}"),
            body: String::new(),
            minutes: String::new(),
            next_todos: String::new(),
            next_appointment_at: None,
            signals: Vec::new(),
        };
        let started = std::time::Instant::now();
        db.write(|ctx| kizuna_core::timeline::activity::log(ctx, &note))?;
        writeln!(out, "ack {login} {i}")?;
        if timings {
            writeln!(out, "took {:.1}", started.elapsed().as_secs_f64() * 1000.0)?;
        }
        out.flush()?;
        if pause_ms > 0 {
            std::thread::sleep(std::time::Duration::from_millis(rng.random_range(0..=pause_ms)));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An idle desktop for `seconds`, doing what an open window does without
/// anyone at it: the change feed polled every `changes::PROBE` and the
/// reminder scheduler waiting for due items and colleagues' changes (its
/// notices go nowhere). Prints how many changes it has seen whenever more
/// arrive ("saw N"), so a test knows it was looking, even when it ends it
/// early.
fn idle(path: &Path, seconds: &str) -> Result<ExitCode, Error> {
    use kizuna_core::followups::reminder::{Notice, NoticeText};
    use kizuna_core::followups::scheduler::{Notifier, Scheduler, Target};
    use kizuna_core::store::changes::{Feed, PROBE};
    struct Unseen;
    impl Notifier for Unseen {
        fn show(&self, _: &Notice, _: &NoticeText) -> std::result::Result<(), String> {
            Ok(())
        }
        fn failed(&self, _: &Notice, _: &NoticeText, _: &str) {}
        fn due_count(&self, _: u32) {}
    }
    let seconds: f64 = seconds.parse().map_err(|_| Error::invalid("seconds", "format"))?;
    let until = std::time::Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let opts = opts();
    let scheduler = Scheduler::start(std::sync::Arc::new(Unseen));
    scheduler.attach(Some(Target {
        place: path.to_path_buf().into(),
        language: opts.language,
        opts,
    }));
    let mut feed = Feed::open(path)?;
    let mut seen = 0;
    while std::time::Instant::now() < until {
        let batch = match feed.poll() {
            // As the window: a look that met colleagues' long saves is
            // tried again at the next probe.
            Err(e) if e.code() == kizuna_core::ErrorCode::Busy => Default::default(),
            other => other?,
        };
        if !batch.changes.is_empty() {
            seen += batch.changes.len();
            println!("saw {seen}");
        }
        std::thread::sleep(PROBE);
    }
    Ok(ExitCode::SUCCESS)
}

/// `export --kind K --format F [--encoding E] [--lang L] [--owner LOGIN] OUT`.
fn export(path: &Path, flags: &[String]) -> Result<ExitCode, Error> {
    use kizuna_core::export::{ExportFormat, ExportKind, ExportRequest};
    use kizuna_core::writers::csv::CsvEncoding;
    let Some((out, pairs)) = flags.split_last() else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    if pairs.len() % 2 != 0 || pairs.chunks(2).any(|p| !p[0].starts_with("--")) {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    }
    let flag = |name: &str| pairs.chunks(2).find(|p| p[0] == name).map(|p| p[1].as_str());
    let kind = ExportKind::parse(flag("--kind").unwrap_or_default()).ok_or(Error::invalid("kind", "unknown"))?;
    let format =
        ExportFormat::parse(flag("--format").unwrap_or_default()).ok_or(Error::invalid("format", "unknown"))?;
    let encoding = match flag("--encoding") {
        None => CsvEncoding::Utf8,
        Some(e) => CsvEncoding::parse(e).ok_or(Error::invalid("encoding", "unknown"))?,
    };
    let mut opts = opts();
    if let Some(lang) = flag("--lang") {
        opts = opts.with_language(match lang {
            "ja" => Language::Ja,
            "en" => Language::En,
            _ => return Err(Error::invalid("lang", "unknown")),
        });
    }
    let db = open_team_with(path, opts)?;
    let owner_id = match flag("--owner") {
        None => None,
        Some(login) => Some(
            db.sql()
                .query_opt(
                    "SELECT id FROM users WHERE login = ?1 AND deleted_at IS NULL",
                    sql::params![login],
                    |r| r.get::<String>(0),
                )?
                .ok_or(Error::invalid("owner", "unknown"))?,
        ),
    };
    let req = ExportRequest {
        kind,
        format,
        encoding,
        owner_id,
        pipeline_id: None,
    };
    let done = kizuna_core::export::export(db.sql(), db.language(), db.clock().offset(), &req, Path::new(out))?;
    println!("exported {} rows to {}", done.rows, done.path);
    Ok(ExitCode::SUCCESS)
}

/// Plans a follow-up through the engine, like a colleague's desktop would.
fn plan_follow_up(path: &Path, flags: &[String]) -> Result<ExitCode, Error> {
    let flag = |name: &str| -> Option<&str> {
        flags
            .chunks(2)
            .find(|pair| pair[0] == name)
            .and_then(|pair| pair.get(1))
            .map(String::as_str)
    };
    let (Some(to), Some(title)) = (flag("--to"), flag("--title")) else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let mut db = open_team(path)?;
    // Before looking anything up: on a file this desktop may not write to,
    // that is the answer, not an unknown name.
    db.ensure_writable()?;
    let due = match (flag("--at"), flag("--in")) {
        (Some(at), _) => at.to_string(),
        (None, secs) => {
            let secs: i64 = secs
                .unwrap_or("0")
                .parse()
                .map_err(|_| Error::invalid("in", "format"))?;
            let later = chrono::TimeDelta::try_seconds(secs)
                .and_then(|d| db.clock().now().checked_add_signed(d))
                .ok_or(Error::invalid("in", "out_of_range"))?;
            to_db(later)
        }
    };
    let assignee = kizuna_core::team::member::find_by_login(db.sql(), to)?.ok_or(Error::invalid("to", "unknown"))?;
    let company_id = match flag("--company") {
        Some(name) => Some(
            db.sql()
                .query_opt(
                    "SELECT id FROM companies WHERE name = ?1 AND deleted_at IS NULL",
                    sql::params![name],
                    |r| r.get::<String>(0),
                )?
                .ok_or(Error::invalid("company", "unknown"))?,
        ),
        None => None,
    };
    let f = NewFollowUp {
        kind: FollowUpKind::FollowUp,
        title: title.to_string(),
        due_at: due,
        assignee_id: Some(assignee.id),
        company_id,
        deal_id: None,
        contract_id: None,
        activity_id: None,
    };
    let id = db.write(|ctx| follow_up::plan(ctx, &f))?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

/// Receives a lead through the engine, as a web form's script would: the
/// team's rule gives it an owner, who is told by their own desktop.
fn add_lead(path: &Path, flags: &[String]) -> Result<ExitCode, Error> {
    let flag = |name: &str| -> String {
        flags
            .chunks(2)
            .find(|pair| pair[0] == name)
            .and_then(|pair| pair.get(1))
            .cloned()
            .unwrap_or_default()
    };
    if flags.len() % 2 != 0 || flag("--source").is_empty() {
        eprintln!("usage: kizuna --db FILE lead add --source CODE [--company NAME] [--name NAME] [--mail MAIL] [--phone PHONE] [--message TEXT] [--to LOGIN]");
        return Ok(ExitCode::from(2));
    }
    let mut db = open_team(path)?;
    db.ensure_writable()?;
    let owner_id = match flag("--to").as_str() {
        "" => None,
        login => Some(
            kizuna_core::team::member::find_by_login(db.sql(), login)?
                .ok_or(Error::invalid("to", "unknown"))?
                .id,
        ),
    };
    let lead = kizuna_core::leads::lead::NewLead {
        id: None,
        source: flag("--source"),
        received_at: None,
        person_name: flag("--name"),
        company_name: flag("--company"),
        phone: flag("--phone"),
        mail: flag("--mail"),
        message: flag("--message"),
        owner_id,
    };
    let id = db.write(|ctx| kizuna_core::leads::lead::add(ctx, &lead))?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

/// What the agreed folder offers, as a desktop would see it; with
/// `--install`, the same check and start as the desktop's "Install". An admin
/// runs it to test what they put on the share.
fn update(path: &Path, flags: &[String]) -> Result<ExitCode, Error> {
    use kizuna_core::app::update;
    let install = match flags {
        [] => false,
        [flag] if flag == "--install" => true,
        _ => {
            eprintln!("{USAGE}");
            return Ok(ExitCode::from(2));
        }
    };
    let line = |label: &str, value: &dyn std::fmt::Display| println!("{:<12}{value}", format!("{label}:"));
    let check = update::look(path);
    line("folder", &check.folder);
    line("running", &check.running);
    if let Some(problem) = check.problem {
        line(
            "problem",
            &serde_json::to_string(&problem).unwrap_or_default().trim_matches('"'),
        );
    }
    let Some(offer) = check.offer else {
        line("offer", &"none");
        return Ok(if install { ExitCode::from(1) } else { ExitCode::SUCCESS });
    };
    line(
        "offer",
        &format!("{} ({}, {} bytes)", offer.version, offer.file, offer.size),
    );
    if !install {
        return Ok(ExitCode::SUCCESS);
    }
    let into = std::env::temp_dir().join(format!("kizuna-update-{}", std::process::id()));
    let verified = update::verify(path, &offer.version, &into)?;
    line(
        "checked",
        &if verified.signed {
            "size, SHA-256 and signature"
        } else {
            "size and SHA-256 (not signed)"
        },
    );
    update::launch(&verified, false)?;
    line("started", &verified.path.display());
    Ok(ExitCode::SUCCESS)
}

/// Looks without writing: a damaged file must stay as it is for recovery.
fn check(path: &Path) -> Result<ExitCode, Error> {
    let report = kizuna_core::store::check::check(path)?;
    // Labels padded past the longest one, so a value never runs into it.
    let line = |label: &str, value: &dyn std::fmt::Display| println!("{:<12}{value}", format!("{label}:"));
    line("file", &path.display());
    match report.schema_version {
        Some(v) => line("schema", &format!("{v} (this Kizuna knows {})", schema::CURRENT)),
        None => line("schema", &"unknown"),
    }
    line("journal", &report.journal);
    for (table, n) in &report.counts {
        line(table, n);
    }
    for note in &report.notes {
        line("note", note);
    }
    for problem in &report.problems {
        line("problem", problem);
    }
    if !report.healthy() {
        return Ok(ExitCode::from(1));
    }
    println!("integrity ok");
    Ok(ExitCode::SUCCESS)
}

/// `import FILE --kind …`: the dry run, or the import as one batch.
fn import(path: &Path, file: &Path, flags: &[String]) -> Result<ExitCode, Error> {
    use kizuna_core::import::{batch, encoding::TextEncoding, mapping, plan::OnMatch, preview, source};
    let usage = || {
        eprintln!("usage: kizuna --db FILE import FILE --kind companies|contacts|deals|touches|contracts [--mapping FILE] [--dry-run] [--update] [--encoding sjis|utf8|utf16] [--delimiter comma|tab|semicolon] [--sheet NAME] [--header-row N]");
        Ok(ExitCode::from(2))
    };
    let (mut kind, mut mapping_file, mut dry_run, mut on_match) = (None, None, false, OnMatch::Skip);
    let mut read = source::ReadOptions::default();
    let mut i = 0;
    while i < flags.len() {
        let value = flags.get(i + 1).map(String::as_str);
        match (flags[i].as_str(), value) {
            ("--dry-run", _) => dry_run = true,
            ("--update", _) => on_match = OnMatch::Update,
            ("--kind", Some(v)) => kind = Some(mapping::ImportKind::parse(v).ok_or(Error::invalid("kind", "unknown"))?),
            ("--mapping", Some(v)) => mapping_file = Some(PathBuf::from(v)),
            ("--encoding", Some(v)) => {
                read.encoding = Some(TextEncoding::parse(v).ok_or(Error::invalid("encoding", "unknown"))?)
            }
            ("--delimiter", Some(v)) => {
                read.delimiter = Some(
                    serde_json::from_value(serde_json::Value::String(v.to_string()))
                        .map_err(|_| Error::invalid("delimiter", "unknown"))?,
                )
            }
            ("--sheet", Some(v)) => read.sheet = Some(v.to_string()),
            ("--header-row", Some(v)) => {
                // As Excel numbers rows (1 is the first).
                let n: u32 = v.parse().map_err(|_| Error::invalid("header_row", "format"))?;
                read.header_row = Some(n.checked_sub(1).ok_or(Error::invalid("header_row", "format"))?);
            }
            _ => return usage(),
        }
        i += if matches!(flags[i].as_str(), "--dry-run" | "--update") {
            1
        } else {
            2
        };
    }
    let Some(kind) = kind else { return usage() };
    let sheet = source::read(file, &read)?;
    let mut db = open_team(path)?;
    let found = preview::inspect(db.sql(), &sheet, kind, read.header_row)?;
    let columns = match &mapping_file {
        None => found.columns.clone(),
        Some(m) => {
            let text = std::fs::read_to_string(m)?;
            let by_header: std::collections::HashMap<String, Option<mapping::ImportField>> =
                serde_json::from_str(&text).map_err(|_| Error::invalid("mapping", "format"))?;
            found
                .headers
                .iter()
                .map(|h| by_header.get(h).copied().flatten())
                .collect()
        }
    };
    let words = |v: &dyn erased::Named| v.name();
    println!(
        "{}: {}{}{}, header on row {}, layout {}",
        file.display(),
        words(&found.format),
        found.encoding.map(|e| format!(", {}", words(&e))).unwrap_or_default(),
        found.delimiter.map(|d| format!(", {}", words(&d))).unwrap_or_default(),
        found.header_row + 1,
        words(&found.layout),
    );
    for (h, c) in found.headers.iter().zip(&columns) {
        println!(
            "  {h} -> {}",
            c.as_ref().map_or("(not imported)".to_string(), |f| words(f))
        );
    }
    if dry_run {
        let p = preview::preview(
            db.sql(),
            db.clock().offset(),
            &sheet,
            kind,
            found.header_row,
            &columns,
            on_match,
        )?;
        let c = &p.counts;
        println!(
            "{} rows: {} new, {} update, {} match (skipped), {} repeated in the file, {} with problems",
            c.total, c.new, c.update, c.skip_existing, c.skip_duplicate, c.errors
        );
        for f in &p.missing {
            println!("missing column: {}", words(f));
        }
        for r in p.rows.iter().filter(|r| !r.problems.is_empty()) {
            let what: Vec<String> = r
                .problems
                .iter()
                .map(|x| match x.field {
                    Some(f) => format!("{} ({}: {:?})", words(&x.code), words(&f), x.value),
                    None => words(&x.code),
                })
                .collect();
            println!("row {}: {}", r.line, what.join(", "));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let req = batch::ImportRequest {
        kind,
        read,
        header_row: found.header_row,
        columns,
        on_match,
        save_mapping: mapping_file.is_some(),
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let never = std::sync::atomic::AtomicBool::new(false);
    let r = batch::run(&mut db, &name, &sheet, &req, &mut |_| {}, &never)?;
    println!("batch {}", r.batch_id);
    println!(
        "{} added, {} updated, {} skipped, {} failed ({} companies added with them)",
        r.added,
        r.updated,
        r.skipped,
        r.failed.len(),
        r.companies_added
    );
    for f in &r.failed {
        println!(
            "row {}: {}{}",
            f.line,
            f.code,
            f.field.as_ref().map(|x| format!(" ({x})")).unwrap_or_default()
        );
    }
    println!(
        "{:.0} rows per second, {} ms in all, longest save {} ms",
        r.rows_per_second, r.elapsed_ms, r.longest_write_ms
    );
    Ok(ExitCode::SUCCESS)
}

/// `import --undo BATCH_ID`.
fn undo_import(path: &Path, batch_id: &str) -> Result<ExitCode, Error> {
    let mut db = open_team(path)?;
    let r = kizuna_core::import::batch::undo(&mut db, batch_id)?;
    println!(
        "{} removed, {} put back, {} already deleted, {} kept",
        r.removed,
        r.restored,
        r.gone,
        r.refused.len()
    );
    for k in &r.refused {
        let why = match k.reason {
            kizuna_core::import::batch::ImportRefusalReason::ChangedSince => format!(
                "changed since by {} at {}",
                k.by.as_deref().unwrap_or("?"),
                k.at.as_deref().unwrap_or("?")
            ),
            kizuna_core::import::batch::ImportRefusalReason::HasRecords => {
                "has contacts, deals or contracts now".to_string()
            }
        };
        println!("kept {} {} ({}): {why}", k.entity.as_str(), k.name, k.id);
    }
    Ok(ExitCode::SUCCESS)
}

/// The snake_case names the engine's enums serialise to: the words the
/// CLI prints and a mapping file uses.
mod erased {
    pub trait Named {
        fn name(&self) -> String;
    }
    impl<T: serde::Serialize> Named for T {
        fn name(&self) -> String {
            serde_json::to_value(self)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        }
    }
}
