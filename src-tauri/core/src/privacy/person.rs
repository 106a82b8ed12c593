//! One person as the file knows them: the contact, the duplicates merged
//! into it, the leads that were them, and what identifies them in text.

use super::redact::Needles;
use crate::customers::likeness;
use crate::error::{Error, Result};
use crate::store::sql::{self, Sql, Value};

#[derive(Debug, Clone)]
pub struct Person {
    pub contact_id: String,
    /// The contact and every contact merged into it (dedupe/merge.rs keeps
    /// the merged row, with its own copy of the name and address).
    pub contact_ids: Vec<String>,
    pub name: String,
    pub company_id: String,
    pub company_name: String,
    /// Leads that were this person: converted into the contact, or with
    /// the same mail address or phone number.
    pub lead_ids: Vec<String>,
    pub mails: Vec<String>,
    pub needles: Needles,
    /// Erased already (the erasures table names the contact).
    pub erased: bool,
}

/// `?`-placeholders for `n` values: `?1, ?2, …` from `first`.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn load<'c>(conn: impl Into<Sql<'c>>, contact_id: &str) -> Result<Person> {
    let conn = conn.into();
    let found: Option<(String, String, String)> = conn.query_opt(
        "SELECT ct.name, ct.company_id, co.name FROM contacts ct JOIN companies co ON co.id = ct.company_id
          WHERE ct.id = ?1",
        sql::params![contact_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let Some((name, company_id, company_name)) = found else {
        return Err(Error::NotFound {
            entity: "contact",
            id: contact_id.to_string(),
        });
    };
    let mut contact_ids = vec![contact_id.to_string()];
    contact_ids.extend(conn.query(
        "SELECT id FROM merged_ids WHERE kind = 'contact' AND survivor_id = ?1 ORDER BY id",
        sql::params![contact_id],
        |r| r.get::<String>(0),
    )?);
    let mut needles = Needles::default();
    let mut mails = Vec::new();
    let mut phone_keys = Vec::new();
    for id in &contact_ids {
        if let Some((n, kana, mail, phone)) = conn.query_opt(
            "SELECT name, name_kana, email, phone FROM contacts WHERE id = ?1",
            sql::params![id],
            |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<String>(2)?,
                    r.get::<String>(3)?,
                ))
            },
        )? {
            needles.add_name(&n);
            needles.add_name(&kana);
            // A switchboard number or a shared mailbox (info@) is the
            // company's, not the person's: taking it out would damage the
            // colleagues' and the customer's records.
            if !mail.trim().is_empty() && !shared(conn, &contact_ids, "mail", &mail)? {
                needles.add_mail(&mail);
                if !mails.contains(&mail) {
                    mails.push(mail.clone());
                }
            }
            let pk = likeness::phone_key(&phone);
            if !pk.is_empty() && !shared(conn, &contact_ids, "phone", &phone)? {
                needles.add_phone(&phone);
                phone_keys.push(pk);
            }
        }
    }
    let mail_keys: Vec<String> = mails.iter().map(|m| likeness::mail_key(m)).collect();
    let mut lead_ids: Vec<String> = Vec::new();
    {
        let mut args: Vec<String> = contact_ids.clone();
        let by_contact = format!("contact_id IN ({})", placeholders(1, contact_ids.len()));
        let mut clauses = vec![by_contact];
        if !mail_keys.is_empty() {
            clauses.push(format!(
                "mail_key IN ({})",
                placeholders(args.len() + 1, mail_keys.len())
            ));
            args.extend(mail_keys.iter().cloned());
        }
        if !phone_keys.is_empty() {
            clauses.push(format!(
                "phone_key IN ({})",
                placeholders(args.len() + 1, phone_keys.len())
            ));
            args.extend(phone_keys.iter().cloned());
        }
        let sql = format!(
            "SELECT id, person_name, mail, phone FROM leads WHERE {} ORDER BY number",
            clauses.join(" OR ")
        );
        let rows = conn.query(&sql, &texts(&args), |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
                r.get::<String>(3)?,
            ))
        })?;
        for (id, n, mail, phone) in rows {
            needles.add_name(&n);
            needles.add_mail(&mail);
            needles.add_phone(&phone);
            if !mail.trim().is_empty() && !mails.contains(&mail) {
                mails.push(mail);
            }
            lead_ids.push(id);
        }
    }
    let erased: bool = conn.query_one(
        "SELECT EXISTS(SELECT 1 FROM erasures WHERE kind = 'contact' AND record_id = ?1)",
        sql::params![contact_id],
        |r| r.get(0),
    )?;
    Ok(Person {
        contact_id: contact_id.to_string(),
        contact_ids,
        name,
        company_id,
        company_name,
        lead_ids,
        mails,
        needles,
        erased,
    })
}

/// Whether a mail address or phone number of the person is also another
/// contact's, or (a phone) a company's.
fn shared(conn: Sql, contact_ids: &[String], what: &str, value: &str) -> Result<bool> {
    let (column, key): (&str, fn(&str) -> String) = match what {
        "mail" => ("email", likeness::mail_key),
        _ => ("phone", likeness::phone_key),
    };
    let mine = key(value);
    let mut others: Vec<String> = conn.query(
        &format!(
            "SELECT {column} FROM contacts WHERE {column} <> '' AND deleted_at IS NULL AND id NOT IN ({})",
            placeholders(1, contact_ids.len())
        ),
        &texts(contact_ids),
        |r| r.get::<String>(0),
    )?;
    if what == "phone" {
        others.extend(conn.query("SELECT phone FROM companies WHERE phone <> ''", &[], |r| {
            r.get::<String>(0)
        })?);
    }
    Ok(others.iter().any(|o| key(o) == mine))
}

/// Text parameters for a statement built with [`placeholders`].
pub(crate) fn texts(values: &[String]) -> Vec<Value> {
    values.iter().map(|v| Value::Text(v.clone())).collect()
}
