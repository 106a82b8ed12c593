//! `kizuna migrate` and `kizuna server …`: the team server's admin commands
//! (docs/team-server.md). They take server addresses rather than `--db`.

use kizuna_core::store::server::{self, Server};
use kizuna_core::store::transfer::{self, Transferred};
use kizuna_core::Error;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: kizuna migrate --from FILE|postgres://… --to postgres://…|FILE\n       \
                     kizuna server init postgres://ADMIN@HOST/DB\n       \
                     kizuna server add-member postgres://ADMIN@HOST/DB LOGIN";

pub fn run(args: &[String]) -> Result<ExitCode, Error> {
    match args {
        [cmd, a, from, b, to] if cmd == "migrate" && a == "--from" && b == "--to" => migrate(from, to),
        [cmd, sub, url] if cmd == "server" && sub == "init" => {
            let s = Server::parse(url, None)?;
            let mut client = server::connect(&s)?;
            let done = server::roles::init(&mut client)?;
            match done.found {
                None => println!("set up Kizuna's schema (version {}) on {}", done.version, s.describe()),
                Some(v) if v < done.version => {
                    println!("migrated {} from schema {v} to {}", s.describe(), done.version)
                }
                Some(_) => println!("{} is up to date (schema {})", s.describe(), done.version),
            }
            println!("members log in under the group role {}", server::roles::MEMBER_GROUP);
            Ok(ExitCode::SUCCESS)
        }
        [cmd, sub, url, login] if cmd == "server" && sub == "add-member" => {
            let s = Server::parse(url, None)?;
            let password = member_password()?;
            let mut client = server::connect(&s)?;
            server::roles::add_member(&mut client, login, &password)?;
            println!("{login} can now connect to {} as a member", s.describe());
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("{USAGE}");
            Ok(ExitCode::from(2))
        }
    }
}

fn is_server(address: &str) -> bool {
    address.starts_with("postgres://") || address.starts_with("postgresql://")
}

fn migrate(from: &str, to: &str) -> Result<ExitCode, Error> {
    // Named as `login@host:port/db`: a password in an address is never printed.
    let (done, from, to) = match (is_server(from), is_server(to)) {
        (false, true) => {
            kizuna_core::app::passphrase::unlock_with_saved(Path::new(from));
            let server = Server::parse(to, None)?;
            let done = transfer::file_to_server(Path::new(from), &server)?;
            (done, from.to_string(), server.describe())
        }
        (true, false) => {
            let server = Server::parse(from, None)?;
            let done = transfer::server_to_file(&server, Path::new(to))?;
            (done, server.describe(), to.to_string())
        }
        _ => {
            eprintln!("one side must be a team file, the other a postgres:// address\n{USAGE}");
            return Ok(ExitCode::from(2));
        }
    };
    print_report(&done);
    println!("copied {from} to {to}; every table checked; the source was not changed");
    Ok(ExitCode::SUCCESS)
}

fn print_report(done: &Transferred) {
    for (table, rows) in &done.tables {
        println!("{table:<24}{rows:>10}");
    }
    println!("{:<24}{:>10}", "rows", done.rows());
    println!("{:<24}{:>10}", "deal amounts", done.deal_amounts);
    println!("{:<24}{:>10}", "contract amounts", done.contract_amounts);
    println!("{:<24}{:>10}", "change log position", done.change_log_position);
}

fn member_password() -> Result<String, Error> {
    if let Ok(p) = std::env::var("KIZUNA_MEMBER_PASSWORD") {
        return Ok(p);
    }
    eprint!("the member's password (at least 12 characters): ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
