//! Moving a team between a team file and a team server (`kizuna migrate`):
//! every row of every table, ids, versions and the change log's position
//! kept, so desktops, the audit trail and the notification log (nobody is
//! notified twice) carry on as they were. The source is only read: a file
//! under one read transaction, as a backup reads it (colleagues' saves wait
//! for the copy and are not lost: a long one sends them to their outboxes),
//! a server in one repeatable-read snapshot (members go on working).
//!
//! The copy is written in one transaction and checked before it commits:
//! each table's row count, and a digest of its rows that does not depend on
//! their order, computed from what was read and again from what the
//! destination holds. Any difference, and nothing is kept. The amounts and
//! the change log's position are reported for the admin to compare with
//! what they know.

use crate::error::{Error, Result};
use crate::store::server::{self, Server};
use crate::store::sql::{Kind, Value};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use rusqlite::types::Value as FileValue;
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use std::path::Path;

/// What a copy moved, table by table, for the admin to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transferred {
    pub tables: Vec<(String, u64)>,
    /// The sum of the deals' amounts, then the contracts' (yen).
    pub deal_amounts: i64,
    pub contract_amounts: i64,
    /// The last change-log sequence number: desktops carry on from it.
    pub change_log_position: i64,
}

impl Transferred {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

struct Column {
    name: String,
    /// SQLite's INTEGER / REAL / TEXT affinity, PostgreSQL's BIGINT /
    /// DOUBLE PRECISION / TEXT.
    kind: Kind,
}

/// `v` as a column of `kind` holds it on both stores; a value SQLite kept
/// that the column's kind cannot hold (text in a number column) is a
/// mismatch, never guessed.
fn cell_of(v: FileValue, kind: Kind, table: &str, column: &str) -> Result<Value> {
    Ok(match (v, kind) {
        (FileValue::Null, _) => Value::Null(kind),
        (FileValue::Integer(i), Kind::Integer) => Value::Integer(i),
        (FileValue::Integer(i), Kind::Real) => Value::Real(i as f64),
        (FileValue::Real(f), Kind::Real) => Value::Real(f),
        (FileValue::Text(t), Kind::Text) => Value::Text(t),
        (FileValue::Integer(i), Kind::Text) => Value::Text(i.to_string()),
        (FileValue::Blob(b), Kind::Blob) => Value::Blob(b),
        (v, _) => {
            return Err(Error::TransferMismatch {
                table: table.to_string(),
                detail: format!("column {column} holds {v:?}, which a {kind:?} column cannot"),
            })
        }
    })
}

/// One cell into a row's digest; a null is a null whatever its kind.
fn feed(cell: &Value, h: &mut Sha256) {
    match cell {
        Value::Null(_) => h.update(b"n"),
        Value::Integer(i) => {
            h.update(b"i");
            h.update(i.to_le_bytes());
        }
        Value::Real(f) => {
            h.update(b"f");
            h.update(f.to_bits().to_le_bytes());
        }
        Value::Text(t) => {
            h.update(b"t");
            h.update((t.len() as u64).to_le_bytes());
            h.update(t.as_bytes());
        }
        Value::Blob(b) => {
            h.update(b"b");
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        }
    }
}

/// A table's rows, summed so that their order does not matter: the two
/// stores return rows in different orders.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct TableDigest {
    rows: u64,
    sum: u128,
}

impl TableDigest {
    fn add(&mut self, row: &[Value]) {
        let mut h = Sha256::new();
        for c in row {
            feed(c, &mut h);
        }
        let bytes: [u8; 16] = h.finalize()[..16].try_into().unwrap_or_default();
        self.sum = self.sum.wrapping_add(u128::from_le_bytes(bytes));
        self.rows += 1;
    }
}

/// The columns the server has that a file never does: set by the server.
const SERVER_ONLY: &[(&str, &str)] = &[("audit_log", "db_role")];

fn server_columns(client: &mut impl postgres::GenericClient, table: &str) -> Result<Vec<Column>> {
    let rows = client.query(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )?;
    let mut out = Vec::new();
    for r in rows {
        let name: String = r.get(0);
        if SERVER_ONLY.contains(&(table, name.as_str())) {
            continue;
        }
        let kind = match r.get::<_, String>(1).as_str() {
            "bigint" | "integer" | "smallint" => Kind::Integer,
            "double precision" | "real" => Kind::Real,
            _ => Kind::Text,
        };
        out.push(Column { name, kind });
    }
    Ok(out)
}

fn file_columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?;
    let names = st
        .query_map([table], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

/// The file's own tables: neither SQLite's nor the search indexes' (which
/// the destination file's triggers rebuild, and a server does not have).
fn file_tables(conn: &Connection) -> Result<Vec<String>> {
    let mut st = conn.prepare(
        "SELECT t.name FROM sqlite_master t
          WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.sql NOT LIKE 'CREATE VIRTUAL%'
            AND NOT EXISTS (SELECT 1 FROM sqlite_master v
                             WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL%'
                               AND t.name LIKE v.name || '\\_%' ESCAPE '\\')
          ORDER BY t.rowid",
    )?;
    let names = st
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

/// The two sides must have the same tables and, in each, the same columns
/// in the same order: a file from another version of Kizuna never lands
/// half-copied.
fn same_shape(file: &Connection, server: &mut impl postgres::GenericClient) -> Result<Vec<(String, Vec<Column>)>> {
    let file_tables = file_tables(file)?;
    let mut server_tables = server::schema::team_tables_in(server)?;
    let mut out = Vec::new();
    for t in &file_tables {
        let Some(i) = server_tables.iter().position(|s| s == t) else {
            return Err(mismatch(t, "the server has no such table"));
        };
        server_tables.remove(i);
        let columns = server_columns(server, t)?;
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        if file_columns(file, t)? != names {
            return Err(mismatch(t, "the file's and the server's columns differ"));
        }
        out.push((t.clone(), columns));
    }
    if let Some(t) = server_tables.first() {
        return Err(mismatch(t, "the file has no such table"));
    }
    Ok(out)
}

fn mismatch(table: &str, detail: impl Into<String>) -> Error {
    Error::TransferMismatch {
        table: table.to_string(),
        detail: detail.into(),
    }
}

fn select(table: &str, columns: &[Column]) -> String {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    format!("SELECT {} FROM {table}", names.join(", "))
}

fn open_file_read_only(file: &Path) -> Result<Connection> {
    crate::store::vfs::install();
    if !file.exists() {
        return Err(Error::FileMissing {
            path: file.display().to_string(),
        });
    }
    crate::store::cipher::ensure_unlocked(file)?;
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

fn file_version(conn: &Connection) -> Result<i64> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if v > crate::store::schema::CURRENT {
        return Err(Error::SchemaTooNew {
            found: v,
            known: crate::store::schema::CURRENT,
        });
    }
    if v < crate::store::schema::CURRENT {
        // Copying would mean migrating someone's team file as a side effect.
        return Err(Error::invalid("file", "open_in_this_kizuna_first"));
    }
    Ok(v)
}

fn report(tables: Vec<(String, u64)>, read: &mut impl postgres::GenericClient) -> Result<Transferred> {
    let row = read.query_one(
        "SELECT (SELECT COALESCE(sum(amount), 0)::bigint FROM deals),
                (SELECT COALESCE(sum(amount), 0)::bigint FROM contracts),
                (SELECT COALESCE(max(seq), 0) FROM change_log)",
        &[],
    )?;
    Ok(Transferred {
        tables,
        deal_amounts: row.get(0),
        contract_amounts: row.get(1),
        change_log_position: row.get(2),
    })
}

/// A copy needs the server at this Kizuna's schema: a newer one is refused
/// as a newer file is; `missing` says what a database without one lacks.
fn at_current_schema(client: &mut postgres::Client, server: &Server, missing: &str) -> Result<()> {
    match server::schema::version(client)? {
        Some(v) if v == server::schema::CURRENT => Ok(()),
        Some(v) if v > server::schema::CURRENT => Err(Error::SchemaTooNew {
            found: v,
            known: server::schema::CURRENT,
        }),
        _ => Err(Error::Server {
            failure: crate::error::ServerFailure::Refused,
            detail: format!("{} {missing}", server.describe()),
        }),
    }
}

/// Copies the team file `file` into the server database at `server`,
/// which `kizuna server init` set up and which holds no team yet.
pub fn file_to_server(file: &Path, server: &Server) -> Result<Transferred> {
    let conn = open_file_read_only(file)?;
    let mut client = server::connect(server)?;
    at_current_schema(
        &mut client,
        server,
        "has no Kizuna schema yet: run `kizuna server init` first",
    )?;
    // One read transaction over the whole file: a consistent team even
    // while colleagues save.
    let read = conn.unchecked_transaction()?;
    file_version(&read)?;
    let mut tx = client.transaction()?;
    let shape = same_shape(&read, &mut tx)?;
    ensure_empty_server(&mut tx, &shape, server)?;
    // Entries copied keep who wrote them: the server's trigger would stamp
    // every one with the admin's role.
    tx.batch_execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_role")?;
    let mut tables = Vec::new();
    for (table, columns) in &shape {
        let mut read_digest = TableDigest::default();
        let types: Vec<Type> = columns.iter().map(|c| c.kind.server_type()).collect();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let sink = tx.copy_in(&format!(
            "COPY {table} ({}) FROM STDIN (FORMAT binary)",
            names.join(", ")
        ))?;
        let mut writer = BinaryCopyInWriter::new(sink, &types);
        each_file_row(&read, table, columns, |cells| {
            read_digest.add(&cells);
            let refs: Vec<&(dyn ToSql + Sync)> = cells.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
            writer.write(&refs)?;
            Ok(())
        })?;
        writer.finish()?;
        let written = server_digest(&mut tx, table, columns)?;
        if written != read_digest {
            return Err(mismatch(
                table,
                format!("{} rows read, {} on the server", read_digest.rows, written.rows),
            ));
        }
        tables.push((table.clone(), read_digest.rows));
    }
    tx.batch_execute(
        "ALTER TABLE audit_log ENABLE TRIGGER audit_log_role;
         SELECT setval(pg_get_serial_sequence('change_log', 'seq'), COALESCE(max(seq), 0) + 1, false) FROM change_log;",
    )?;
    let done = report(tables, &mut tx)?;
    tx.commit()?;
    read.commit()?;
    // The planner's statistics, at once: until autovacuum gets to the new
    // rows, it guesses at every table's size, and the first boards and
    // searches of the moved team would be planned blind.
    client.batch_execute("ANALYZE")?;
    Ok(done)
}

fn ensure_empty_server(
    tx: &mut postgres::Transaction<'_>,
    shape: &[(String, Vec<Column>)],
    server: &Server,
) -> Result<()> {
    for (table, _) in shape {
        if tx.query_opt(&format!("SELECT 1 FROM {table} LIMIT 1"), &[])?.is_some() {
            return Err(Error::TransferTargetNotEmpty {
                target: server.describe(),
            });
        }
    }
    Ok(())
}

fn server_digest(client: &mut impl postgres::GenericClient, table: &str, columns: &[Column]) -> Result<TableDigest> {
    let mut d = TableDigest::default();
    for r in client.query(&select(table, columns), &[])? {
        d.add(&server_row(&r, columns));
    }
    Ok(d)
}

fn server_row(r: &postgres::Row, columns: &[Column]) -> Vec<Value> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| match c.kind {
            Kind::Integer => r.get::<_, Option<i64>>(i).into(),
            Kind::Real => r.get::<_, Option<f64>>(i).into(),
            Kind::Text => r.get::<_, Option<String>>(i).into(),
            Kind::Blob => r.get::<_, Option<Vec<u8>>>(i).into(),
        })
        .collect()
}

/// Copies the team on `server` into a new team file `file` (the server's
/// portable backup, or a team going back to a shared file). The file is
/// written beside as `FILE.partial` and renamed once checked, so a failure
/// leaves no half-made team file behind. It is a plain file: `kizuna
/// encrypt` protects it afterwards.
pub fn server_to_file(server: &Server, file: &Path) -> Result<Transferred> {
    crate::store::vfs::install();
    if file.exists() {
        return Err(Error::TransferTargetNotEmpty {
            target: file.display().to_string(),
        });
    }
    let mut client = server::connect(server)?;
    at_current_schema(&mut client, server, "holds no Kizuna team")?;
    let partial = file.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let outcome = write_file(&mut client, &partial);
    match outcome {
        Ok(done) => {
            std::fs::rename(&partial, file)?;
            Ok(done)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn write_file(client: &mut postgres::Client, path: &Path) -> Result<Transferred> {
    crate::store::schema::create_at_version(path, crate::store::schema::CURRENT)?;
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let mut snapshot = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let tx = conn.transaction()?;
    // The file checks each reference at the commit, as the server does:
    // the tables arrive in the server's order.
    tx.pragma_update(None, "defer_foreign_keys", "ON")?;
    let shape = same_shape(&tx, &mut snapshot)?;
    for (table, _) in shape.iter().rev() {
        // Rows the new file's migrations seeded: the team brings its own.
        tx.execute(&format!("DELETE FROM {table}"), [])?;
    }
    let mut tables = Vec::new();
    for (table, columns) in &shape {
        let mut read_digest = TableDigest::default();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let mut insert = tx.prepare(&format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        ))?;
        // Oldest first (ids are UUIDv7): the file's search shows the newest
        // first by row order.
        let order = if names.contains(&"id") { " ORDER BY id" } else { "" };
        for r in snapshot.query(&format!("{}{order}", select(table, columns)), &[])? {
            let cells = server_row(&r, columns);
            read_digest.add(&cells);
            insert.execute(rusqlite::params_from_iter(cells.iter()))?;
        }
        drop(insert);
        let written = file_digest(&tx, table, columns)?;
        if written != read_digest {
            return Err(mismatch(
                table,
                format!("{} rows read, {} in the file", read_digest.rows, written.rows),
            ));
        }
        tables.push((table.clone(), read_digest.rows));
    }
    let done = report(tables, &mut snapshot)?;
    tx.commit()?;
    snapshot.commit()?;
    drop(conn);
    let check = crate::store::check::check(path)?;
    if !check.healthy() {
        return Err(mismatch("(file)", format!("the new file fails its check: {check:?}")));
    }
    Ok(done)
}

fn file_digest(conn: &Connection, table: &str, columns: &[Column]) -> Result<TableDigest> {
    let mut d = TableDigest::default();
    each_file_row(conn, table, columns, |cells| {
        d.add(&cells);
        Ok(())
    })?;
    Ok(d)
}

/// Every row of a file's `table`, as the cells of `columns`, one at a time
/// (a table may not fit in memory twice).
fn each_file_row(
    conn: &Connection,
    table: &str,
    columns: &[Column],
    mut f: impl FnMut(Vec<Value>) -> Result<()>,
) -> Result<()> {
    let mut st = conn.prepare(&select(table, columns))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let mut cells = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            cells.push(cell_of(r.get::<_, FileValue>(i)?, c.kind, table, &c.name)?);
        }
        f(cells)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_ignores_row_order_and_sees_any_changed_value() {
        let a = vec![Value::Text("田中".into()), Value::Integer(1), Value::Null(Kind::Text)];
        let b = vec![Value::Text("佐藤".into()), Value::Real(0.5), Value::Text(String::new())];
        let (mut one, mut two) = (TableDigest::default(), TableDigest::default());
        one.add(&a);
        one.add(&b);
        two.add(&b);
        two.add(&a);
        assert_eq!(one, two);
        let mut changed = TableDigest::default();
        changed.add(&b);
        changed.add(&[Value::Text("田中".into()), Value::Integer(2), Value::Null(Kind::Text)]);
        assert_ne!(one, changed);
        // NULL and an empty text are different values.
        let mut empty = TableDigest::default();
        empty.add(&[
            Value::Text("田中".into()),
            Value::Integer(1),
            Value::Text(String::new()),
        ]);
        empty.add(&b);
        assert_ne!(one, empty);
    }

    #[test]
    fn text_in_a_number_column_is_a_mismatch_not_a_guess() {
        let e = cell_of(FileValue::Text("12a".into()), Kind::Integer, "deals", "amount").unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::TransferMismatch);
        assert_eq!(
            cell_of(FileValue::Integer(3), Kind::Real, "deals", "position").unwrap(),
            Value::Real(3.0)
        );
    }
}
