//! The team server the engine's unit tests run on when `KIZUNA_TEST_STORE`
//! gives a PostgreSQL admin's address (`make engine-test` starts a server of
//! its own for that run: scripts/with-test-server.sh). Each test gets a
//! database of its own, made as `kizuna server init` makes one; each member
//! is a login of their own, as on a real server.
//!
//! Making a database costs a third of a second (PostgreSQL copies a whole
//! catalogue), more than most tests take. So a test's database is emptied
//! when it ends and handed to the next test: every row deleted, the change
//! log's numbering restarted, the schema and rights as `server init` left
//! them. A test that changed the schema itself ([`TestTeam::alter`]) has its
//! database dropped instead.

use crate::store::server::{self, Server};
use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// Every member's password: the tests' logins are made here and nowhere else.
const MEMBER_PASSWORD: &str = "member-Passw0rd-of-tests";

/// The admin's address when the tests run on a server.
pub fn admin() -> Option<Server> {
    let url = std::env::var("KIZUNA_TEST_STORE").ok()?;
    Some(Server::parse(&url, None).expect("KIZUNA_TEST_STORE is a postgres:// address"))
}

/// What this test process made once: the template every test's database is
/// copied from, the logins (a login is the server's, not one database's),
/// and the emptied databases waiting for a test.
struct Made {
    template: String,
    logins: HashSet<String>,
    free: Vec<String>,
}

fn made(admin: &Server) -> &'static Mutex<Made> {
    static MADE: OnceLock<Mutex<Made>> = OnceLock::new();
    MADE.get_or_init(|| {
        // A process of its own each (a test helper starts the binary again).
        let template = format!("kizuna_template_{}", std::process::id());
        let mut client = server::connect(&admin.with_database("postgres")).unwrap();
        // One statement each: several in one message are one transaction,
        // which neither may run in.
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {template}"))
            .unwrap();
        client.batch_execute(&format!("CREATE DATABASE {template}")).unwrap();
        server::roles::init(&mut server::connect(&admin.with_database(&template)).unwrap()).unwrap();
        Mutex::new(Made {
            template,
            logins: HashSet::new(),
            free: Vec::new(),
        })
    })
}

/// A test's own team database, emptied or dropped when the test ends
/// (connections still open to it closed first).
pub struct TestTeam {
    admin: Server,
    pub name: String,
    altered: std::cell::Cell<bool>,
}

impl TestTeam {
    /// A new database with the schema and the member group's rights: a copy
    /// of the template, then `server init` again, which brings the
    /// database-wide rights a copy does not take.
    pub fn new(admin: &Server) -> TestTeam {
        let name = format!("t_{}", crate::id::new_id().replace('-', ""));
        {
            // PostgreSQL copies a template only while nobody else uses it.
            let mut made = made(admin).lock().unwrap_or_else(|e| e.into_inner());
            if let Some(name) = made.free.pop() {
                return TestTeam {
                    admin: admin.clone(),
                    name,
                    altered: Default::default(),
                };
            }
            let mut client = server::connect(&admin.with_database("postgres")).unwrap();
            client
                .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {}", made.template))
                .unwrap();
        }
        server::roles::init(&mut server::connect(&admin.with_database(&name)).unwrap()).unwrap();
        TestTeam {
            admin: admin.clone(),
            name,
            altered: Default::default(),
        }
    }

    /// This test changes the schema (drops a check to store what Kizuna
    /// never writes): its database is not handed on.
    pub fn alter(&self) {
        self.altered.set(true);
    }

    /// Empties the database for the next test, as `server init` left it.
    fn empty(&self) -> crate::Result<()> {
        let mut client = server::connect(&self.as_admin())?;
        // A colleague's session the test left open could save after this.
        client.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )?;
        let mut tx = client.transaction()?;
        // Rows in any order: the foreign keys' and the change log's triggers
        // are off for this transaction (the admin may; members may not).
        tx.batch_execute("SET LOCAL session_replication_role = replica")?;
        for table in server::schema::team_tables_in(&mut tx)? {
            tx.batch_execute(&format!("DELETE FROM {table}"))?;
        }
        tx.batch_execute(
            "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind = 'S' AND n.nspname = current_schema()",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The admin's address of this database.
    pub fn as_admin(&self) -> Server {
        self.admin.with_database(&self.name)
    }

    /// `login`'s address of this database; the login is made the first time.
    pub fn as_member(&self, login: &str) -> Server {
        let mut made = made(&self.admin).lock().unwrap_or_else(|e| e.into_inner());
        if made.logins.insert(login.to_string()) {
            let mut client = server::connect(&self.as_admin()).unwrap();
            match server::roles::add_member(&mut client, login, MEMBER_PASSWORD) {
                // Left by an earlier run on the same server.
                Ok(()) | Err(crate::Error::Invalid { .. }) => {}
                Err(e) => panic!("add-member {login}: {e:?}"),
            }
        }
        self.as_admin().as_login(login, MEMBER_PASSWORD)
    }
}

impl Drop for TestTeam {
    fn drop(&mut self) {
        if !self.altered.get() && self.empty().is_ok() {
            let mut made = made(&self.admin).lock().unwrap_or_else(|e| e.into_inner());
            made.free.push(self.name.clone());
            return;
        }
        if let Ok(mut client) = server::connect(&self.admin.with_database("postgres")) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}
