//! What each row of the file becomes: the record as it will be stored,
//! the existing record it matches (by the one normalisation the leads use:
//! company keys, phone keys, mail addresses), and every problem found.
//! The preview shows this plan; the batch writes it.

use super::mapping::{ImportField, ImportKind};
use super::value::{parse_amount, parse_date, parse_touch_kind, ImportProblemCode};
use crate::clock::from_db;
use crate::error::Result;
use crate::leads::matching::{company_key, mail_key, phone_key};
use crate::pipeline::stage::{self, StageKind};
use crate::store::sql::{self, Sql};
use crate::text::fold;
use crate::timeline::activity::ActivityKind;
use chrono::{FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use ts_rs::TS;

/// What to do with a row that matches a record already in the team file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OnMatch {
    /// Leave the existing record as it is (the default: a re-run of the
    /// same file changes nothing).
    #[default]
    Skip,
    /// Overwrite the existing record's fields with the file's non-empty cells.
    Update,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportRowAction {
    New,
    Update,
    /// Matches a record in the team file (and the import skips matches).
    SkipExisting,
    /// The same record is on an earlier row of the file.
    SkipDuplicate,
    /// Not imported: see its problems.
    Error,
}

/// One problem of a row, at a field when it is about one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RowProblem {
    pub field: Option<ImportField>,
    pub code: ImportProblemCode,
    /// The cell as it was in the file.
    pub value: String,
}

/// A company the row names: one in the team file, or one this import adds
/// (by its key, so the rows of one new company share it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyRef {
    Existing(String),
    New(String),
}

/// The stored values of a row, per kind; empty strings are empty fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub company_name: String,
    pub company_kana: String,
    pub industry: String,
    pub address: String,
    pub phone: String,
    pub website: String,
    pub owner_id: Option<String>,
    pub owner_name: String,
    pub contact_name: String,
    pub contact_kana: String,
    pub title: String,
    pub email: String,
    pub deal_title: String,
    pub pipeline_id: String,
    pub stage_id: String,
    pub stage_name: String,
    pub amount: i64,
    pub expected_close: Option<NaiveDate>,
    pub notes: String,
    /// A touch: its day, kind, words and the contact met (if named).
    pub occurred_on: Option<NaiveDate>,
    pub touch_kind: Option<ActivityKind>,
    pub summary: String,
    pub body: String,
    pub contact_id: Option<String>,
    /// A contract: its plan and period (the amount is `amount`).
    pub plan: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

impl Record {
    /// The stored value of a field, as the preview shows it.
    pub fn shown(&self, field: ImportField) -> String {
        match field {
            ImportField::CompanyName => self.company_name.clone(),
            ImportField::CompanyKana => self.company_kana.clone(),
            ImportField::Industry => self.industry.clone(),
            ImportField::Address => self.address.clone(),
            ImportField::Phone | ImportField::Mobile => self.phone.clone(),
            ImportField::Website => self.website.clone(),
            ImportField::Owner => self.owner_name.clone(),
            ImportField::ContactName | ImportField::FamilyName | ImportField::GivenName => self.contact_name.clone(),
            ImportField::ContactKana => self.contact_kana.clone(),
            ImportField::Department | ImportField::Title => self.title.clone(),
            ImportField::Email => self.email.clone(),
            ImportField::DealTitle => self.deal_title.clone(),
            ImportField::Stage => self.stage_name.clone(),
            ImportField::Amount => self.amount.to_string(),
            ImportField::ExpectedClose => self.expected_close.map(|d| d.to_string()).unwrap_or_default(),
            ImportField::Notes => self.notes.clone(),
            ImportField::OccurredOn => date_text(self.occurred_on),
            ImportField::TouchKind => self.touch_kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            ImportField::Summary => self.summary.clone(),
            ImportField::Body => self.body.clone(),
            ImportField::Plan => self.plan.clone(),
            ImportField::StartDate => date_text(self.start_date),
            ImportField::EndDate => date_text(self.end_date),
        }
    }
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The columns a kind's record is shown in, in order.
pub fn shown_fields(kind: ImportKind) -> &'static [ImportField] {
    use ImportField::*;
    match kind {
        ImportKind::Companies => &[CompanyName, CompanyKana, Industry, Address, Phone, Website, Owner],
        ImportKind::Contacts => &[
            CompanyName,
            ContactName,
            ContactKana,
            Title,
            Email,
            Phone,
            Address,
            Website,
        ],
        ImportKind::Deals => &[CompanyName, DealTitle, Stage, Amount, ExpectedClose, Owner, Notes],
        ImportKind::Touches => &[CompanyName, OccurredOn, TouchKind, Summary, Body, ContactName],
        ImportKind::Contracts => &[CompanyName, Plan, StartDate, EndDate, Amount, Owner],
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRow {
    /// 1-based line in the sheet, as Excel numbers it.
    pub line: u32,
    pub action: ImportRowAction,
    pub record: Record,
    pub company: Option<CompanyRef>,
    /// The record matched (the company, contact or deal), with its version.
    pub existing: Option<(String, i64)>,
    pub problems: Vec<RowProblem>,
}

/// What the team file already holds, loaded once per plan so matching
/// 100,000 rows costs one read of each table, not a query per row.
struct Known {
    company_by_key: HashMap<String, (String, i64)>,
    company_by_phone: HashMap<String, (String, i64)>,
    contact_by_mail: HashMap<String, (String, i64)>,
    contact_by_name: HashMap<(String, String), (String, i64)>,
    deal_by_title: HashMap<(String, String), (String, i64)>,
    /// (company, local day, kind, folded summary) of live timeline entries.
    touches: HashSet<(String, NaiveDate, String, String)>,
    /// (company, folded plan, start) of live contracts.
    contracts: HashSet<(String, String, String)>,
    stages: Vec<(String, String, StageKind)>,
    pipeline_id: String,
    members: Vec<(String, String, String)>,
}

fn load(conn: Sql, kind: ImportKind, offset: FixedOffset) -> Result<Known> {
    let mut k = Known {
        company_by_key: HashMap::new(),
        company_by_phone: HashMap::new(),
        contact_by_mail: HashMap::new(),
        contact_by_name: HashMap::new(),
        deal_by_title: HashMap::new(),
        touches: HashSet::new(),
        contracts: HashSet::new(),
        stages: Vec::new(),
        pipeline_id: String::new(),
        members: Vec::new(),
    };
    conn.query(
        "SELECT id, version, name, phone FROM companies WHERE deleted_at IS NULL ORDER BY created_at, id",
        sql::params![],
        |r| {
            let (id, version, name, phone): (String, i64, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let key = company_key(&name);
            if !key.is_empty() {
                k.company_by_key.entry(key).or_insert((id.clone(), version));
            }
            let p = phone_key(&phone);
            if !p.is_empty() {
                k.company_by_phone.entry(p).or_insert((id, version));
            }
            Ok(())
        },
    )?;
    if matches!(kind, ImportKind::Contacts | ImportKind::Touches) {
        conn.query("SELECT id, version, company_id, name, email FROM contacts WHERE deleted_at IS NULL ORDER BY created_at, id", sql::params![], |r| {
            let (id, version, company, name, mail): (String, i64, String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            if !mail.trim().is_empty() {
                k.contact_by_mail
                    .entry(mail_key(&mail))
                    .or_insert((id.clone(), version));
            }
            k.contact_by_name
                .entry((company, person_key(&name)))
                .or_insert((id, version));
                    Ok(())
        })?;
    }
    if kind == ImportKind::Deals {
        conn.query(
            "SELECT id, version, company_id, title FROM deals WHERE deleted_at IS NULL ORDER BY created_at, id",
            sql::params![],
            |r| {
                let (id, version, company, title): (String, i64, String, String) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                k.deal_by_title.entry((company, fold(&title))).or_insert((id, version));
                Ok(())
            },
        )?;
        if let Some(p) = stage::list(conn)?.into_iter().next() {
            k.stages = stage::stages(conn, &p.id)?
                .into_iter()
                .map(|s| (s.id, s.name, s.kind))
                .collect();
            k.pipeline_id = p.id;
        }
    }
    if kind == ImportKind::Touches {
        conn.query(
            "SELECT company_id, occurred_at, kind, summary FROM activities WHERE deleted_at IS NULL",
            sql::params![],
            |r| {
                let (company, at, kind, summary): (String, String, String, String) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                if let Some(at) = from_db(&at) {
                    let day = at.with_timezone(&offset).date_naive();
                    k.touches.insert((company, day, kind, fold(&summary)));
                }
                Ok(())
            },
        )?;
    }
    if kind == ImportKind::Contracts {
        conn.query(
            "SELECT company_id, plan, start_date FROM contracts WHERE deleted_at IS NULL",
            sql::params![],
            |r| {
                let (company, plan, start): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
                k.contracts.insert((company, fold(&plan), start));
                Ok(())
            },
        )?;
    }
    k.members = conn.query(
        "SELECT id, login, display_name FROM users WHERE deleted_at IS NULL AND deactivated_at IS NULL ORDER BY id",
        &[],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(k)
}

/// A person's name for comparing: folded, without spaces (山田 太郎 = 山田太郎).
fn person_key(name: &str) -> String {
    fold(name).chars().filter(|c| !c.is_whitespace()).collect()
}

/// The cells of a row by field (the first non-empty one when two columns
/// hold the same field).
fn cells_by_field<'a>(columns: &[Option<ImportField>], cells: &'a [String]) -> HashMap<ImportField, &'a str> {
    let mut out = HashMap::new();
    for (i, f) in columns.iter().enumerate() {
        if let (Some(f), Some(c)) = (f, cells.get(i)) {
            let c = c.trim();
            if !c.is_empty() {
                out.entry(*f).or_insert(c);
            }
        }
    }
    out
}

/// Plans every data row below the header. `offset` is the team's: a
/// touch's day is a local day.
pub fn plan<'c>(
    conn: impl Into<Sql<'c>>,
    offset: FixedOffset,
    kind: ImportKind,
    rows: &[Vec<String>],
    header_row: usize,
    columns: &[Option<ImportField>],
    on_match: OnMatch,
) -> Result<Vec<PlannedRow>> {
    let known = load(conn.into(), kind, offset)?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (i, cells) in rows.iter().enumerate().skip(header_row + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = (i + 1) as u32;
        out.push(plan_row(&known, kind, line, cells, columns, on_match, &mut seen));
    }
    Ok(out)
}

fn plan_row(
    known: &Known,
    kind: ImportKind,
    line: u32,
    cells: &[String],
    columns: &[Option<ImportField>],
    on_match: OnMatch,
    seen: &mut HashSet<String>,
) -> PlannedRow {
    let by = cells_by_field(columns, cells);
    let text = |f: ImportField| by.get(&f).map(|s| s.to_string()).unwrap_or_default();
    let mut problems = Vec::new();
    let mut problem = |field: Option<ImportField>, code: ImportProblemCode, value: &str| {
        problems.push(RowProblem {
            field,
            code,
            value: value.to_string(),
        })
    };
    let mut r = Record {
        company_name: text(ImportField::CompanyName),
        company_kana: text(ImportField::CompanyKana),
        industry: text(ImportField::Industry),
        address: text(ImportField::Address),
        phone: by
            .get(&ImportField::Phone)
            .or(by.get(&ImportField::Mobile))
            .map(|s| s.to_string())
            .unwrap_or_default(),
        website: text(ImportField::Website),
        contact_kana: text(ImportField::ContactKana),
        deal_title: text(ImportField::DealTitle),
        notes: text(ImportField::Notes),
        summary: text(ImportField::Summary),
        body: text(ImportField::Body),
        plan: text(ImportField::Plan),
        ..Record::default()
    };
    r.contact_name = match by.get(&ImportField::ContactName) {
        Some(n) => n.to_string(),
        None => [text(ImportField::FamilyName), text(ImportField::GivenName)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    };
    r.title = [text(ImportField::Department), text(ImportField::Title)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(e) = by.get(&ImportField::Email) {
        match crate::email::check("email", e) {
            Ok(addr) => r.email = addr,
            Err(_) => problem(Some(ImportField::Email), ImportProblemCode::BadEmail, e),
        }
    }
    if let Some(o) = by.get(&ImportField::Owner) {
        let key = person_key(o);
        match known
            .members
            .iter()
            .find(|(_, login, name)| person_key(name) == key || fold(login) == fold(o))
        {
            Some((id, _, name)) => {
                r.owner_id = Some(id.clone());
                r.owner_name = name.clone();
            }
            None => problem(Some(ImportField::Owner), ImportProblemCode::UnknownOwner, o),
        }
    }
    if matches!(kind, ImportKind::Deals | ImportKind::Contracts) {
        if let Some(a) = by.get(&ImportField::Amount) {
            match parse_amount(a) {
                Ok(n) => r.amount = n,
                Err(code) => problem(Some(ImportField::Amount), code, a),
            }
        }
    }
    let mut date = |field: ImportField, required: bool| match by.get(&field) {
        Some(d) => match parse_date(d) {
            Ok(date) => Some(date),
            Err(code) => {
                problem(Some(field), code, d);
                None
            }
        },
        None => {
            if required {
                problem(Some(field), ImportProblemCode::Required, "");
            }
            None
        }
    };
    if kind == ImportKind::Touches {
        r.occurred_on = date(ImportField::OccurredOn, true);
    }
    if kind == ImportKind::Contracts {
        r.start_date = date(ImportField::StartDate, true);
        r.end_date = date(ImportField::EndDate, true);
    }
    if kind == ImportKind::Touches {
        let cell = by.get(&ImportField::TouchKind).copied().unwrap_or_default();
        r.touch_kind = parse_touch_kind(cell);
        if r.touch_kind.is_none() {
            problem(Some(ImportField::TouchKind), ImportProblemCode::UnknownKind, cell);
        }
        if r.summary.is_empty() {
            problem(Some(ImportField::Summary), ImportProblemCode::Required, "");
        }
    }
    if kind == ImportKind::Contracts {
        if let (Some(start), Some(end)) = (r.start_date, r.end_date) {
            if end < start {
                problem(
                    Some(ImportField::EndDate),
                    ImportProblemCode::EndBeforeStart,
                    &end.to_string(),
                );
            }
        }
        if r.plan.is_empty() {
            problem(Some(ImportField::Plan), ImportProblemCode::Required, "");
        }
    }
    if kind == ImportKind::Deals {
        if let Some(d) = by.get(&ImportField::ExpectedClose) {
            match parse_date(d) {
                Ok(date) => r.expected_close = Some(date),
                Err(code) => problem(Some(ImportField::ExpectedClose), code, d),
            }
        }
        r.pipeline_id = known.pipeline_id.clone();
        let stage = match by.get(&ImportField::Stage) {
            None => known.stages.first(),
            Some(s) => {
                let found = known.stages.iter().find(|(_, name, _)| fold(name) == fold(s));
                if found.is_none() {
                    problem(Some(ImportField::Stage), ImportProblemCode::UnknownStage, s);
                }
                found
            }
        };
        if let Some((id, name, k)) = stage {
            if *k != StageKind::Open {
                problem(Some(ImportField::Stage), ImportProblemCode::ClosedStage, name);
            }
            r.stage_id = id.clone();
            r.stage_name = name.clone();
        }
        if r.deal_title.is_empty() {
            problem(Some(ImportField::DealTitle), ImportProblemCode::Required, "");
        }
    }
    if kind == ImportKind::Contacts && r.contact_name.is_empty() {
        problem(Some(ImportField::ContactName), ImportProblemCode::Required, "");
    }
    let ckey = company_key(&r.company_name);
    if ckey.is_empty() {
        problem(
            Some(ImportField::CompanyName),
            ImportProblemCode::Required,
            &r.company_name,
        );
    }
    let existing_company = known.company_by_key.get(&ckey).or_else(|| match kind {
        // A company sheet's phone number identifies the company; a
        // person's phone (a contacts sheet) does not.
        ImportKind::Companies => known.company_by_phone.get(&phone_key(&r.phone)),
        _ => None,
    });
    let company = match existing_company {
        Some((id, _)) => CompanyRef::Existing(id.clone()),
        None => CompanyRef::New(ckey.clone()),
    };
    // A touch or a contract belongs to a customer the team already has: a
    // line of a log is too little to add a company from.
    let adds_companies = matches!(kind, ImportKind::Companies | ImportKind::Contacts | ImportKind::Deals);
    if !adds_companies && !ckey.is_empty() && existing_company.is_none() {
        problem(
            Some(ImportField::CompanyName),
            ImportProblemCode::UnknownCompany,
            &r.company_name,
        );
    }
    if let (ImportKind::Touches, CompanyRef::Existing(id), false) = (kind, &company, r.contact_name.is_empty()) {
        match known.contact_by_name.get(&(id.clone(), person_key(&r.contact_name))) {
            Some((contact, _)) => r.contact_id = Some(contact.clone()),
            None => problem(
                Some(ImportField::ContactName),
                ImportProblemCode::UnknownContact,
                &r.contact_name,
            ),
        }
    }
    // The record this row matches, and the key that makes two rows the same.
    let (existing, same_key) = match kind {
        ImportKind::Companies => (existing_company.cloned(), format!("c:{ckey}")),
        ImportKind::Contacts => {
            let by_mail = (!r.email.is_empty())
                .then(|| known.contact_by_mail.get(&mail_key(&r.email)))
                .flatten();
            let by_name = match &company {
                CompanyRef::Existing(id) => known.contact_by_name.get(&(id.clone(), person_key(&r.contact_name))),
                CompanyRef::New(_) => None,
            };
            let key = if r.email.is_empty() {
                format!("p:{ckey}:{}", person_key(&r.contact_name))
            } else {
                format!("m:{}", mail_key(&r.email))
            };
            (by_mail.or(by_name).cloned(), key)
        }
        ImportKind::Deals => {
            let found = match &company {
                CompanyRef::Existing(id) => known.deal_by_title.get(&(id.clone(), fold(&r.deal_title))).cloned(),
                CompanyRef::New(_) => None,
            };
            (found, format!("d:{ckey}:{}", fold(&r.deal_title)))
        }
        // Neither has a version a sheet would update: the same touch or
        // contract is there already, or it is new.
        ImportKind::Touches => {
            let kind = r.touch_kind.map(ActivityKind::as_str).unwrap_or_default();
            let day = r.occurred_on.unwrap_or_default();
            let found = match &company {
                CompanyRef::Existing(id) => known
                    .touches
                    .contains(&(id.clone(), day, kind.to_string(), fold(&r.summary)))
                    .then(|| (id.clone(), 0)),
                CompanyRef::New(_) => None,
            };
            (found, format!("t:{ckey}:{day}:{kind}:{}", fold(&r.summary)))
        }
        ImportKind::Contracts => {
            let start = date_text(r.start_date);
            let found = match &company {
                CompanyRef::Existing(id) => known
                    .contracts
                    .contains(&(id.clone(), fold(&r.plan), start.clone()))
                    .then(|| (id.clone(), 0)),
                CompanyRef::New(_) => None,
            };
            (found, format!("k:{ckey}:{}:{start}", fold(&r.plan)))
        }
    };
    let action = if !problems.is_empty() {
        ImportRowAction::Error
    } else if !seen.insert(same_key) {
        ImportRowAction::SkipDuplicate
    } else {
        match (&existing, on_match, kind) {
            (None, _, _) => ImportRowAction::New,
            // A deal's stage and amount move on the board; a sheet does not overwrite them.
            (Some(_), OnMatch::Update, ImportKind::Companies | ImportKind::Contacts) => ImportRowAction::Update,
            (Some(_), _, _) => ImportRowAction::SkipExisting,
        }
    };
    PlannedRow {
        line,
        action,
        record: r,
        company: Some(company),
        existing,
        problems,
    }
}
