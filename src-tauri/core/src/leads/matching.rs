//! The same company, person or phone written differently: 株式会社テスト,
//! テスト（株）, ㈱テスト and ﾃｽﾄ株式会社 are one company; 03-1234-5678 and
//! +81 3 1234 5678 one phone; a mail at gmail.com says nothing about the
//! company. Qualify offers what matches (never a silent duplicate) and
//! resurfacing compares a new inquiry with the nurtured leads by these keys.
//! The keys themselves live in `customers/likeness.rs`, the one normalisation
//! the duplicates tool and the import share.

pub use crate::customers::likeness::{company_domain, company_key, mail_key, phone_key};
use crate::error::Result;
use crate::store::sql::Sql;
use serde::Serialize;
use ts_rs::TS;

/// Why a customer or contact is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MatchReason {
    Name,
    Phone,
    MailDomain,
    Mail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CompanyMatch {
    pub id: String,
    pub name: String,
    pub reasons: Vec<MatchReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ContactMatch {
    pub id: String,
    pub name: String,
    pub email: String,
    pub company_id: String,
    pub company_name: String,
    pub reasons: Vec<MatchReason>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Matches {
    pub companies: Vec<CompanyMatch>,
    pub contacts: Vec<ContactMatch>,
}

/// What a lead is said as, for comparing.
pub struct Said<'a> {
    pub company_name: &'a str,
    pub phone: &'a str,
    pub mail: &'a str,
}

/// The customers and contacts a lead may already be. Names are compared
/// after normalising, which SQL cannot do, so the live companies and
/// contacts are read once (a team's few thousand; docs/leads.md).
pub fn find<'c>(conn: impl Into<Sql<'c>>, said: &Said) -> Result<Matches> {
    let conn = conn.into();
    let (name, phone, mail, domain) = (
        company_key(said.company_name),
        phone_key(said.phone),
        mail_key(said.mail),
        company_domain(said.mail),
    );
    let mut out = Matches::default();
    let mut companies: Vec<CompanyMatch> = Vec::new();
    let mut add_company = |id: &str, name: &str, why: MatchReason| match companies.iter_mut().find(|c| c.id == id) {
        Some(c) => {
            if !c.reasons.contains(&why) {
                c.reasons.push(why);
            }
        }
        None => companies.push(CompanyMatch {
            id: id.to_string(),
            name: name.to_string(),
            reasons: vec![why],
        }),
    };
    // In id order, so that both stores list the same matches in the same order.
    let rows = conn.query(
        "SELECT id, name, phone FROM companies WHERE deleted_at IS NULL ORDER BY id",
        &[],
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<String>(2)?)),
    )?;
    for (id, n, p) in rows {
        if !name.is_empty() && company_key(&n) == name {
            add_company(&id, &n, MatchReason::Name);
        }
        if !phone.is_empty() && phone_key(&p) == phone {
            add_company(&id, &n, MatchReason::Phone);
        }
    }
    let rows = conn.query(
        "SELECT ct.id, ct.name, ct.email, ct.phone, ct.company_id, co.name
           FROM contacts ct JOIN companies co ON co.id = ct.company_id AND co.deleted_at IS NULL
          WHERE ct.deleted_at IS NULL ORDER BY ct.id",
        &[],
        |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
                r.get::<String>(3)?,
                r.get::<String>(4)?,
                r.get::<String>(5)?,
            ))
        },
    )?;
    for (id, n, email, p, company_id, company_name) in rows {
        let mut reasons = Vec::new();
        if !mail.is_empty() && mail_key(&email) == mail {
            reasons.push(MatchReason::Mail);
        }
        if !phone.is_empty() && phone_key(&p) == phone {
            reasons.push(MatchReason::Phone);
        }
        if !domain.is_empty() && company_domain(&email) == domain {
            add_company(&company_id, &company_name, MatchReason::MailDomain);
        }
        if !reasons.is_empty() {
            add_company(&company_id, &company_name, reasons[0]);
            out.contacts.push(ContactMatch {
                id,
                name: n,
                email,
                company_id,
                company_name,
                reasons,
            });
        }
    }
    for c in &mut companies {
        c.reasons.sort();
    }
    out.companies = companies;
    Ok(out)
}
