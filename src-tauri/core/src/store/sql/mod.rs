//! The domain's SQL, written once for both stores (docs/team-server.md,
//! "The seam"): the team file (SQLite) and the team server (PostgreSQL).
//!
//! A domain function takes a [`Sql`] and says `query`, `query_opt`,
//! `query_one` or `execute` with the file's spelling of a statement
//! (`?1` placeholders, `LIKE`) and [`Value`] parameters; rows are read by
//! index or column name into the domain's types ([`Cell`]). What differs
//! between the stores is here, once:
//!
//! - Placeholders: `?1` becomes `$1` on the server ([`dialect`]).
//! - Parameter types: PostgreSQL must know each parameter's type, also
//!   for `?1 IS NULL OR …` (an optional filter), so a [`Value`] carries its
//!   [`Kind`] even when null, and the server gets it with the value (one
//!   round trip, no statement to prepare).
//! - `LIKE` folds ASCII case in the file and not on the server: it is
//!   `ILIKE` there.
//! - Column types: the file's `INTEGER` is the server's `bigint`, and a
//!   flag is 0/1 in both; a cell is read as a [`Value`] first, so `i32`,
//!   `bool` and `u32` read the same from both stores.
//!
//! Spellings that are not rewritten, because they have a portable form the
//! domain uses instead: `ON CONFLICT DO NOTHING` (not `INSERT OR IGNORE`),
//! `CAST(SUM(x) AS BIGINT)` (a server's `SUM` of bigints is `numeric`),
//! `id` (not `rowid`). SQLite's date and JSON functions the domain calls
//! (`julianday`, `date`, ...) are not rewritten either: the server's schema
//! defines them with SQLite's meaning (migrations/postgres).

mod dialect;

use crate::error::{Error, Result};
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use std::cell::RefCell;

pub use dialect::for_server;

/// What kind of value a parameter holds, also when it is null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Real,
    Text,
    Blob,
}

/// A parameter of a statement, or a cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null(Kind),
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    pub fn kind(&self) -> Kind {
        match self {
            Value::Null(k) => *k,
            Value::Integer(_) => Kind::Integer,
            Value::Real(_) => Kind::Real,
            Value::Text(_) => Kind::Text,
            Value::Blob(_) => Kind::Blob,
        }
    }

    fn server_type(&self) -> Type {
        self.kind().server_type()
    }
}

impl Kind {
    /// The server's column type for this kind (the baseline's BIGINT,
    /// DOUBLE PRECISION, TEXT and BYTEA).
    pub fn server_type(self) -> Type {
        match self {
            Kind::Integer => Type::INT8,
            Kind::Real => Type::FLOAT8,
            Kind::Text => Type::TEXT,
            Kind::Blob => Type::BYTEA,
        }
    }
}

/// The kind a Rust type is stored as, for its nulls.
pub trait Typed {
    const KIND: Kind;
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::Integer(i64::from(v))
            }
        }
        impl Typed for $t {
            const KIND: Kind = Kind::Integer;
        }
    )*};
}
integer!(i64, i32, u32, bool);

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Real(v)
    }
}
impl Typed for f64 {
    const KIND: Kind = Kind::Real;
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}
impl Typed for String {
    const KIND: Kind = Kind::Text;
}
impl Typed for &str {
    const KIND: Kind = Kind::Text;
}
impl Typed for &String {
    const KIND: Kind = Kind::Text;
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Blob(v)
    }
}
impl Typed for Vec<u8> {
    const KIND: Kind = Kind::Blob;
}
impl<T: Into<Value> + Typed> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null(T::KIND), Into::into)
    }
}

/// A parameter as given to [`params!`]: by value or by reference, as
/// rusqlite's own `params!` takes them, so a statement's parameters read
/// the same whichever store it goes to.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

macro_rules! to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::from(self.clone())
            }
        }
    )*};
}
to_value!(i64, i32, u32, bool, f64, String, Vec<u8>);

impl<T: ToValue + Typed> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null(T::KIND), ToValue::to_value)
    }
}

/// Parameters as a slice of [`Value`]s: `params![id, &name, None::<String>]`.
#[macro_export]
macro_rules! sql_params {
    ($($v:expr),* $(,)?) => {
        &[$($crate::store::sql::ToValue::to_value(&$v)),*][..]
    };
}
pub use crate::sql_params as params;

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null(_) => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null(_) => Ok(IsNull::Yes),
            Value::Integer(i) => i.to_sql(ty, out),
            Value::Real(r) => r.to_sql(ty, out),
            Value::Text(t) => t.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Each value is sent with the type its kind names (server_type).
        true
    }

    to_sql_checked!();
}

/// A server connection or transaction, as [`Sql::Server`] holds it: the
/// two calls of postgres's `GenericClient` that `Sql` makes, in a trait
/// that can be held as an object (`GenericClient` cannot: its other
/// methods are generic), on a shared reference (a `RefCell` of the client:
/// `Sql` is handed around by copy, and a `RefCell` of a trait object would
/// pin its lifetime, so that a save's context could not be narrowed).
pub trait Session {
    fn query_typed(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> std::result::Result<Vec<postgres::Row>, postgres::Error>;
    fn execute_typed(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> std::result::Result<u64, postgres::Error>;
}

impl<C: postgres::GenericClient> Session for RefCell<C> {
    fn query_typed(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> std::result::Result<Vec<postgres::Row>, postgres::Error> {
        postgres::GenericClient::query_typed(&mut *self.borrow_mut(), sql, params)
    }
    fn execute_typed(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> std::result::Result<u64, postgres::Error> {
        postgres::GenericClient::execute_typed(&mut *self.borrow_mut(), sql, params)
    }
}

/// Where the domain's statements go: the team file's connection (or its
/// transaction, which derefs to one), or a server session.
#[derive(Clone, Copy)]
pub enum Sql<'a> {
    File(&'a rusqlite::Connection),
    Server(&'a (dyn Session + 'a)),
}

impl<'a> From<&'a rusqlite::Connection> for Sql<'a> {
    fn from(c: &'a rusqlite::Connection) -> Sql<'a> {
        Sql::File(c)
    }
}

impl<'a> From<&'a rusqlite::Transaction<'_>> for Sql<'a> {
    fn from(t: &'a rusqlite::Transaction<'_>) -> Sql<'a> {
        Sql::File(t)
    }
}

impl Sql<'_> {
    /// Every row of `sql`, each made into a `T` by `f`.
    pub fn query<T>(self, sql: &str, params: &[Value], mut f: impl FnMut(&Row) -> Result<T>) -> Result<Vec<T>> {
        match self {
            Sql::File(conn) => {
                let mut st = conn.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(params))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    out.push(f(&Row::File(r))?);
                }
                Ok(out)
            }
            Sql::Server(session) => {
                let rows = session.query_typed(&for_server(sql), &typed(params))?;
                rows.iter().map(|r| f(&Row::Server(r))).collect()
            }
        }
    }

    /// The first row of `sql`, if there is one.
    pub fn query_opt<T>(self, sql: &str, params: &[Value], f: impl FnMut(&Row) -> Result<T>) -> Result<Option<T>> {
        // Statements that want one row say LIMIT 1 or ask by key, so
        // reading them whole costs nothing.
        Ok(self.query(sql, params, f)?.into_iter().next())
    }

    /// The first row of `sql`; none is the error SQLite gives for it, on
    /// both stores.
    pub fn query_one<T>(self, sql: &str, params: &[Value], f: impl FnMut(&Row) -> Result<T>) -> Result<T> {
        self.query_opt(sql, params, f)?
            .ok_or(Error::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// The store's plan of `sql`, line by line, for tests and the benches to
    /// see which index answers: SQLite's `EXPLAIN QUERY PLAN` (its `detail`
    /// column) or the server's `EXPLAIN`.
    pub fn plan(self, sql: &str, params: &[Value]) -> Result<Vec<String>> {
        match self {
            Sql::File(_) => self.query(&format!("EXPLAIN QUERY PLAN {sql}"), params, |r| r.get::<String>(3)),
            Sql::Server(_) => self.query(&format!("EXPLAIN {sql}"), params, |r| r.get::<String>(0)),
        }
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub fn execute(self, sql: &str, params: &[Value]) -> Result<usize> {
        match self {
            Sql::File(conn) => Ok(conn.prepare_cached(sql)?.execute(rusqlite::params_from_iter(params))?),
            Sql::Server(session) => {
                let n = session.execute_typed(&for_server(sql), &typed(params))?;
                Ok(n as usize)
            }
        }
    }
}

fn typed(params: &[Value]) -> Vec<(&(dyn ToSql + Sync), Type)> {
    params
        .iter()
        .map(|p| (p as &(dyn ToSql + Sync), p.server_type()))
        .collect()
}

/// One row of a result, from either store.
pub enum Row<'r> {
    File(&'r rusqlite::Row<'r>),
    Server(&'r postgres::Row),
}

/// A column by position (from 0) or by name.
pub trait Column: Copy + std::fmt::Display {
    fn index(self, row: &Row) -> Result<usize>;
}

impl Column for usize {
    fn index(self, _: &Row) -> Result<usize> {
        Ok(self)
    }
}

impl Column for &str {
    fn index(self, row: &Row) -> Result<usize> {
        let found = match row {
            Row::File(r) => r.as_ref().column_index(self).ok(),
            Row::Server(r) => r.columns().iter().position(|c| c.name() == self),
        };
        found.ok_or_else(|| Error::Internal(format!("no column {self} in the result")))
    }
}

impl Row<'_> {
    /// The result's column names, in order.
    pub fn names(&self) -> Vec<String> {
        match self {
            Row::File(r) => r.as_ref().column_names().into_iter().map(String::from).collect(),
            Row::Server(r) => r.columns().iter().map(|c| c.name().to_string()).collect(),
        }
    }

    /// The cell at `at` as a `T`.
    pub fn get<T: Cell>(&self, at: impl Column) -> Result<T> {
        let i = at.index(self)?;
        let value = match self {
            Row::File(r) => file_value(r.get_ref(i)?),
            Row::Server(r) => server_value(r, i)?,
        };
        T::from_value(value).map_err(|e| Error::Internal(format!("column {at}: {e}")))
    }
}

fn file_value(v: rusqlite::types::ValueRef) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null(Kind::Text),
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn server_value(r: &postgres::Row, i: usize) -> Result<Value> {
    let ty = r
        .columns()
        .get(i)
        .ok_or_else(|| Error::Internal(format!("no column {i} in the result")))?
        .type_()
        .clone();
    fn get<'a, T: postgres::types::FromSql<'a>>(r: &'a postgres::Row, i: usize) -> Result<Option<T>> {
        r.try_get(i).map_err(Error::from)
    }
    let v = match ty {
        Type::INT8 => get::<i64>(r, i)?.map(Value::Integer),
        Type::INT4 => get::<i32>(r, i)?.map(|v| Value::Integer(v.into())),
        Type::INT2 => get::<i16>(r, i)?.map(|v| Value::Integer(v.into())),
        Type::BOOL => get::<bool>(r, i)?.map(|v| Value::Integer(v.into())),
        Type::FLOAT8 => get::<f64>(r, i)?.map(Value::Real),
        Type::FLOAT4 => get::<f32>(r, i)?.map(|v| Value::Real(v.into())),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => get::<String>(r, i)?.map(Value::Text),
        Type::BYTEA => get::<Vec<u8>>(r, i)?.map(Value::Blob),
        other => {
            // A server's SUM of bigints is numeric: the statement says
            // CAST(… AS BIGINT), which the file accepts too.
            return Err(Error::Internal(format!(
                "column {i} is {other}, which the domain does not read: cast it in the statement"
            )));
        }
    };
    Ok(v.unwrap_or(Value::Null(Kind::Text)))
}

/// A Rust type a cell is read into, the same way from both stores.
pub trait Cell: Sized {
    fn from_value(v: Value) -> std::result::Result<Self, String>;
}

impl Cell for Value {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        Ok(v)
    }
}

impl Cell for i64 {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Integer(i) => Ok(i),
            other => Err(format!("{other:?} is not an integer")),
        }
    }
}

macro_rules! narrow_integer {
    ($($t:ty),*) => {$(
        impl Cell for $t {
            fn from_value(v: Value) -> std::result::Result<Self, String> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| format!("{i} does not fit {}", stringify!($t)))
            }
        }
    )*};
}
narrow_integer!(i32, u32);

impl Cell for bool {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        Ok(i64::from_value(v)? != 0)
    }
}

impl Cell for f64 {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Real(r) => Ok(r),
            // SQLite keeps a whole number computed from reals as an integer.
            Value::Integer(i) => Ok(i as f64),
            other => Err(format!("{other:?} is not a number")),
        }
    }
}

impl Cell for String {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Text(t) => Ok(t),
            other => Err(format!("{other:?} is not text")),
        }
    }
}

impl Cell for Vec<u8> {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b),
            other => Err(format!("{other:?} is not bytes")),
        }
    }
}

impl<T: Cell> Cell for Option<T> {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Null(_) => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> rusqlite::Connection {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, r REAL, flag INTEGER NOT NULL DEFAULT 0, note TEXT)",
        )
        .unwrap();
        c
    }

    #[test]
    fn values_go_in_and_come_out_as_the_domain_types() {
        let c = file();
        let sql = Sql::from(&c);
        let n = sql
            .execute(
                "INSERT INTO t (id, n, r, flag, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                params!["a", 7_i32, 1.5, true, None::<String>],
            )
            .unwrap();
        assert_eq!(n, 1);
        let (id, n, r, flag, note): (String, i32, f64, bool, Option<String>) = sql
            .query_one("SELECT id, n, r, flag, note FROM t", &[], |row| {
                Ok((
                    row.get(0)?,
                    row.get("n")?,
                    row.get("r")?,
                    row.get("flag")?,
                    row.get("note")?,
                ))
            })
            .unwrap();
        assert_eq!((id.as_str(), n, r, flag, note), ("a", 7, 1.5, true, None));
    }

    #[test]
    fn an_optional_filter_and_a_missing_row_read_as_the_domain_expects() {
        let c = file();
        let sql = Sql::from(&c);
        for (id, note) in [("a", Some("x")), ("b", None)] {
            sql.execute("INSERT INTO t (id, note) VALUES (?1, ?2)", params![id, note])
                .unwrap();
        }
        let ids = |filter: Option<&str>| {
            sql.query(
                "SELECT id FROM t WHERE (?1 IS NULL OR note = ?1) ORDER BY id",
                params![filter],
                |r| r.get::<String>(0),
            )
            .unwrap()
        };
        assert_eq!(ids(None), ["a", "b"]);
        assert_eq!(ids(Some("x")), ["a"]);
        let none = sql.query_opt("SELECT id FROM t WHERE id = ?1", params!["z"], |r| r.get::<String>(0));
        assert_eq!(none.unwrap(), None);
        let e = sql
            .query_one("SELECT id FROM t WHERE id = ?1", params!["z"], |r| r.get::<String>(0))
            .unwrap_err();
        assert!(matches!(e, Error::Sqlite(rusqlite::Error::QueryReturnedNoRows)), "{e}");
        // A text where a number is read says which column.
        let e = sql
            .query_one("SELECT id FROM t WHERE id = 'a'", &[], |r| r.get::<i64>("id"))
            .unwrap_err();
        assert!(e.to_string().contains("column id"), "{e}");
    }
}
