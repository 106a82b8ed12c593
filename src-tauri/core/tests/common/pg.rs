//! A PostgreSQL server of the test's own: Debian's `postgresql` package
//! (installed by `make test`), a new cluster in a temporary folder,
//! listening on loopback only, stopped when the test ends.
//! PostgreSQL refuses to run as root; as root (CI, this machine) the
//! cluster runs as the `postgres` user, which then owns the folder.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-Passw0rd";

pub struct TestServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_postgres: bool,
    pub port: u16,
    /// The server's options, for starting it again after [`TestServer::stop`].
    options: String,
}

/// The newest PostgreSQL's programs: `KIZUNA_PG_BIN`, else Debian's layout.
fn pg_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("KIZUNA_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed: `make test` installs it (apt postgresql postgresql-contrib)")
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().expect("no initdb under /usr/lib/postgresql/*/bin").1
}

impl TestServer {
    pub fn start() -> TestServer {
        Self::start_with(false, false).0
    }

    /// A server that keeps every commit on disk as a real one does (the
    /// tests' servers skip the disk syncs): for the benchmark, where a
    /// commit's cost is what is measured.
    pub fn start_durable() -> TestServer {
        Self::start_with(false, true).0
    }

    /// A durable server holding a copy of the team in `file` (copied as
    /// `kizuna migrate` copies it) in database `name`, for a bench to read
    /// the same team from both stores; and the copy's time in seconds.
    pub fn durable_copy_of(file: &Path, name: &str) -> (TestServer, kizuna_core::store::server::Server, f64) {
        let pg = Self::start_durable();
        let address = pg.team_database(name);
        let t = std::time::Instant::now();
        kizuna_core::store::transfer::file_to_server(file, &address).unwrap();
        (pg, address, t.elapsed().as_secs_f64())
    }

    /// A server that also accepts TLS, with a certificate for 127.0.0.1
    /// signed by a throw-away CA; returns the CA's PEM file.
    pub fn start_tls() -> (TestServer, PathBuf) {
        let (server, ca) = Self::start_with(true, false);
        (server, ca.unwrap())
    }

    fn start_with(tls: bool, durable: bool) -> (TestServer, Option<PathBuf>) {
        let bin = pg_bin();
        let as_postgres = unsafe { libc::geteuid() } == 0;
        // The postgres user must reach the folder: under /tmp, whatever
        // TMPDIR says (a home folder's is closed to other users).
        let mut folder = tempfile::Builder::new();
        folder.prefix("kizuna-pg");
        let dir = if as_postgres {
            folder.tempdir_in("/tmp")
        } else {
            folder.tempdir()
        }
        .unwrap();
        if as_postgres {
            let id = |flag: &str| -> u32 {
                let out = Command::new("id").args([flag, "postgres"]).output().unwrap();
                String::from_utf8_lossy(&out.stdout)
                    .trim()
                    .parse()
                    .expect("a postgres user (apt postgresql)")
            };
            std::os::unix::fs::chown(dir.path(), Some(id("-u")), Some(id("-g"))).unwrap();
        }
        let pw = dir.path().join("pw");
        std::fs::write(&pw, ADMIN_PASSWORD).unwrap();
        let mut server = TestServer {
            dir,
            bin,
            as_postgres,
            port: 0,
            options: String::new(),
        };
        server.chown(&pw);
        server.run(
            "initdb",
            &[
                "-D",
                &server.data(),
                "-U",
                ADMIN,
                &format!("--pwfile={}", pw.display()),
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        );
        let mut ca = None;
        let mut tls_options = String::new();
        if tls {
            let certs = server.dir.path().join("certs");
            std::fs::create_dir(&certs).unwrap();
            let (_, cert, key) = super::tls::certificates(&certs);
            // PostgreSQL reads its key only when the server alone may.
            std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
            for f in [&certs, &cert, &key] {
                server.chown(f);
            }
            tls_options = format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                cert.display(),
                key.display()
            );
            ca = Some(certs.join("ca.pem"));
        }
        // A port found free may be taken before the server binds it.
        for attempt in 0.. {
            server.port = super::free_port();
            server.options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=120{}{tls_options}",
                server.port,
                server.dir.path().display(),
                if durable {
                    ""
                } else {
                    // Several run at once, one per test: small, and their
                    // shared memory in the data folder, not a container's
                    // small /dev/shm.
                    " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB \
                     -c dynamic_shared_memory_type=mmap"
                }
            );
            if server.pg_ctl_start() {
                break;
            }
            assert!(attempt < 3, "PostgreSQL did not start: {}", server.log());
        }
        (server, ca)
    }

    fn pg_ctl_start(&self) -> bool {
        let log = self.dir.path().join("log").display().to_string();
        self.try_run(
            "pg_ctl",
            &["-D", &self.data(), "-w", "-l", &log, "-o", &self.options, "start"],
        )
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// Starts the server again after [`TestServer::stop`], on the same port
    /// with the same data, as a restarted server or a network back.
    pub fn start_again(&self) {
        assert!(self.pg_ctl_start(), "PostgreSQL did not start again: {}", self.log());
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn chown(&self, path: &Path) {
        if self.as_postgres {
            let meta = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(self.dir.path()).unwrap());
            std::os::unix::fs::chown(path, Some(meta), None).unwrap();
        }
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn try_run(&self, program: &str, args: &[&str]) -> bool {
        let out = self.command(program).args(args).current_dir("/").output().unwrap();
        out.status.success()
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).current_dir("/").output().unwrap();
        assert!(
            out.status.success(),
            "{program}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The address of database `db` as `login` (password in the URL, as a
    /// test may; Kizuna itself never stores one there).
    pub fn url_as(&self, login: &str, password: &str, db: &str) -> String {
        format!("postgres://{login}:{password}@127.0.0.1:{}/{db}", self.port)
    }

    pub fn url(&self, db: &str) -> String {
        self.url_as(ADMIN, ADMIN_PASSWORD, db)
    }

    /// A new, empty database: each test's own.
    pub fn create_database(&self, name: &str) -> String {
        let mut c = postgres::Client::connect(&self.url("postgres"), postgres::NoTls).unwrap();
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        self.url(name)
    }

    /// A new database made as `kizuna server init` makes it (the schema and
    /// the roles), with the admin's address: a team's empty server.
    pub fn team_database(&self, name: &str) -> kizuna_core::store::server::Server {
        use kizuna_core::store::server;
        let s = server::Server::parse(&self.create_database(name), None).unwrap();
        server::roles::init(&mut server::connect(&s).unwrap()).unwrap();
        s
    }

    /// Stops the server at once, as a crash or a pulled cable would.
    pub fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"]);
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.try_run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"]);
    }
}
