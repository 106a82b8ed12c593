//! Team-wide settings, stored in the shared database so the whole team works
//! to the same cadence, caps and lead times.

use crate::error::{Error, Result};
use crate::language::Language;
use crate::store::changes::Entity;
use crate::store::sql::{self, Sql};
use crate::store::write::WriteCtx;
use crate::team::business_hours::BusinessHours;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct TeamSettings {
    /// Widening intervals (days) between follow-ups after a touch.
    pub cadence_days: Vec<u32>,
    /// Pushiness guard: at most this many outbound touches without a reply...
    pub pushy_max_touches: u32,
    /// ...within this many days.
    pub pushy_window_days: u32,
    /// Retention interval for key accounts and for everyone else.
    pub retention_days_key: u32,
    pub retention_days_other: u32,
    /// Renewal lead times before a contract ends.
    pub renewal_hearing_days: u32,
    pub renewal_proposal_days: u32,
    /// The post-renewal follow-up, this many days into the new period.
    pub renewal_post_days: u32,
    /// Default decision deadline for a deal entering closing.
    pub decision_deadline_days: u32,
    /// Preset reasons offered when a deal is lost.
    pub lost_reasons: Vec<String>,
    /// A lost deal is re-approached this many days before the competitor's
    /// contract ends (when the user knows that date)...
    pub reapproach_lead_days: u32,
    /// ...or this many calendar months after the loss when nobody knows it.
    pub reapproach_unknown_months: u32,
    /// When the office works: service levels and hand-off reminders count
    /// business time.
    pub business_hours: BusinessHours,
    /// Service levels of support cases, per priority, in business hours.
    pub case_sla: CaseSla,
    /// A case is "about to breach" this many business minutes before a target.
    pub sla_warn_minutes: u32,
    /// A hand-off nobody acknowledged reminds the rep and support after this
    /// many business hours.
    pub handoff_ack_hours: u32,
    /// The team's own checklist on every sales → support hand-off sheet.
    pub handoff_checklist: Vec<String>,
    /// Where inquiries come from (leads): the built-in codes (web_form,
    /// document_request, exhibition, referral, phone, other), which each
    /// reader sees in their language, and the team's own words as typed.
    pub lead_sources: Vec<String>,
    /// Preset reasons offered when a lead is disqualified.
    pub lead_disqualify_reasons: Vec<String>,
    /// Who a new lead goes to.
    pub lead_assignment: LeadAssignment,
    /// A new lead is answered within this many business hours.
    pub lead_first_response_hours: u32,
    /// A nurtured lead or lost deal gets a check-in every this many months...
    pub nurture_check_in_months: u32,
    /// ...for at most this many months (the two years in which a left-alone
    /// lead buys elsewhere: docs/leads.md).
    pub nurture_max_months: u32,
}

/// How new leads are given out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AssignMode {
    /// Nobody: the leads wait in the "new" tab for someone to take them.
    Nobody,
    /// In turn among `members` (the turn is kept in the team file).
    RoundRobin,
    /// Always to the first of `members`.
    One,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct LeadAssignment {
    pub mode: AssignMode,
    /// Member ids, in the order the turn goes round.
    pub members: Vec<String>,
}

impl Default for LeadAssignment {
    fn default() -> Self {
        LeadAssignment {
            mode: AssignMode::Nobody,
            members: Vec::new(),
        }
    }
}

/// The built-in lead sources, stored as codes (the UI words them).
pub const LEAD_SOURCES: [&str; 6] = [
    "web_form",
    "document_request",
    "exhibition",
    "referral",
    "phone",
    "other",
];
const DISQUALIFY_REASONS_JA: [&str; 5] = [
    "売り込み・営業",
    "重複",
    "対象外（個人・学生など）",
    "連絡がつかない",
    "いたずら",
];
const DISQUALIFY_REASONS_EN: [&str; 5] = [
    "Sales pitch to us",
    "Duplicate",
    "Not a fit (private person, student…)",
    "Unreachable",
    "Spam",
];

/// First-response and resolution targets of one priority, in business hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SlaTarget {
    pub first_response_hours: u32,
    pub resolution_hours: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct CaseSla {
    pub urgent: SlaTarget,
    pub high: SlaTarget,
    pub normal: SlaTarget,
    pub low: SlaTarget,
}

impl Default for CaseSla {
    fn default() -> Self {
        let t = |first_response_hours, resolution_hours| SlaTarget {
            first_response_hours,
            resolution_hours,
        };
        // A working day is 9 hours: urgent within the day, low within a week.
        CaseSla {
            urgent: t(1, 9),
            high: t(2, 18),
            normal: t(4, 27),
            low: t(9, 45),
        }
    }
}

/// The preset lost reasons a new team database starts with.
const LOST_REASONS_JA: [&str; 6] = ["価格", "機能不足", "タイミング", "競合に決定", "予算凍結", "連絡途絶"];
const LOST_REASONS_EN: [&str; 6] = [
    "Price",
    "Missing features",
    "Timing",
    "Chose a competitor",
    "Budget frozen",
    "Lost contact",
];

/// The hand-off checklist a new team database starts with.
const HANDOFF_CHECKLIST_JA: [&str; 5] = [
    "契約書・発注書を受領した",
    "請求先と支払条件を確認した",
    "導入キックオフの日程を決めた",
    "管理者アカウントを発行した",
    "初回トレーニングを案内した",
];
const HANDOFF_CHECKLIST_EN: [&str; 5] = [
    "Contract or purchase order received",
    "Billing contact and terms confirmed",
    "Kick-off meeting scheduled",
    "Administrator account issued",
    "First training offered",
];

impl TeamSettings {
    /// The defaults of a new team database, its lost reasons in the
    /// creator's language (they are the team's words from then on).
    pub fn for_language(lang: Language) -> TeamSettings {
        let (reasons, checklist, disqualify) = match lang {
            Language::Ja => (LOST_REASONS_JA, HANDOFF_CHECKLIST_JA, DISQUALIFY_REASONS_JA),
            Language::En => (LOST_REASONS_EN, HANDOFF_CHECKLIST_EN, DISQUALIFY_REASONS_EN),
        };
        TeamSettings {
            lost_reasons: reasons.map(String::from).to_vec(),
            handoff_checklist: checklist.map(String::from).to_vec(),
            lead_disqualify_reasons: disqualify.map(String::from).to_vec(),
            ..TeamSettings::default()
        }
    }
}

impl Default for TeamSettings {
    fn default() -> Self {
        TeamSettings {
            cadence_days: vec![1, 3, 7, 14, 30],
            pushy_max_touches: 3,
            pushy_window_days: 7,
            retention_days_key: 30,
            retention_days_other: 90,
            renewal_hearing_days: 60,
            renewal_proposal_days: 30,
            renewal_post_days: 30,
            decision_deadline_days: 14,
            lost_reasons: LOST_REASONS_JA.map(String::from).to_vec(),
            reapproach_lead_days: 60,
            reapproach_unknown_months: 6,
            business_hours: BusinessHours::default(),
            case_sla: CaseSla::default(),
            sla_warn_minutes: 60,
            handoff_ack_hours: 4,
            handoff_checklist: HANDOFF_CHECKLIST_JA.map(String::from).to_vec(),
            lead_sources: LEAD_SOURCES.map(String::from).to_vec(),
            lead_disqualify_reasons: DISQUALIFY_REASONS_JA.map(String::from).to_vec(),
            lead_assignment: LeadAssignment::default(),
            lead_first_response_hours: 1,
            nurture_check_in_months: 3,
            nurture_max_months: 24,
        }
    }
}

const KEY: &str = "team";

/// Limits of the preset list of lost reasons: a short pick list, not a database.
const LOST_REASON_MAX_CHARS: usize = 60;
const LOST_REASONS_MAX: usize = 30;
const CADENCE_STEPS_MAX: usize = 10;
const CHECKLIST_ITEMS_MAX: usize = 30;
const CHECKLIST_ITEM_MAX_CHARS: usize = 100;
/// A service-level target longer than a month of business hours is no target.
const SLA_HOURS_MAX: u32 = 200;

/// Loads the team settings with the version they were read at, so an edit
/// can be saved with [`update`] without overwriting a colleague's change.
/// A database without a settings row yet reads as the defaults at version 0.
/// Team settings with the version an edit must name.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct VersionedSettings {
    pub settings: TeamSettings,
    #[ts(type = "number")]
    pub version: i64,
}

pub fn load_versioned<'c>(conn: impl Into<Sql<'c>>) -> Result<(TeamSettings, i64)> {
    let row: Option<(String, i64)> = conn.into().query_opt(
        "SELECT value, version FROM settings WHERE key = ?1",
        crate::store::sql::params![KEY],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(match row {
        // A value that no longer parses (hand-edited, or written by a future
        // version and downgraded) falls back to the defaults rather than
        // locking the team out of Settings; saving repairs it.
        Some((raw, version)) => (serde_json::from_str(&raw).unwrap_or_default(), version),
        None => (TeamSettings::default(), 0),
    })
}

/// Saves the team settings if nobody changed them since `base_version`
/// (stale: [`Error::Conflict`] carrying the colleague's settings). Returns the
/// new version.
pub fn update(ctx: &WriteCtx, base_version: i64, s: &TeamSettings) -> Result<i64> {
    let s = s.validated()?;
    let value = serde_json::to_value(&s).map_err(|e| Error::Internal(e.to_string()))?;
    let current: Option<(String, i64)> = ctx.sql().query_opt(
        "SELECT value, version FROM settings WHERE key = ?1",
        sql::params![KEY],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (old, new_version) = match current {
        None if base_version == 0 => {
            ctx.sql().execute(
                "INSERT INTO settings (key, value, version, updated_at, updated_by) VALUES (?1, ?2, 1, ?3, ?4)",
                sql::params![KEY, value.to_string(), ctx.now, ctx.user_id],
            )?;
            (serde_json::Value::Null, 1)
        }
        Some((raw, version)) if version == base_version => {
            let n = ctx.sql().execute(
                "UPDATE settings SET value = ?2, version = version + 1, updated_at = ?3, updated_by = ?4
                 WHERE key = ?1 AND version = ?5",
                sql::params![KEY, value.to_string(), ctx.now, ctx.user_id, base_version],
            )?;
            if n != 1 {
                return Err(Error::Internal("settings row vanished inside the transaction".into()));
            }
            (
                serde_json::from_str(&raw).unwrap_or(serde_json::Value::Null),
                version + 1,
            )
        }
        Some((raw, version)) => {
            return Err(Error::Conflict {
                entity: "settings",
                id: KEY.to_string(),
                current_version: version,
                current: serde_json::json!({
                    "key": KEY,
                    "version": version,
                    "value": serde_json::from_str::<serde_json::Value>(&raw).unwrap_or(serde_json::Value::Null),
                }),
            })
        }
        // A colleague's first save beat ours: theirs is the version to compare with.
        None => {
            return Err(Error::Conflict {
                entity: "settings",
                id: KEY.to_string(),
                current_version: 0,
                current: serde_json::json!({ "key": KEY, "version": 0, "value": null }),
            })
        }
    };
    // The audit names each changed setting with its old and new value.
    let mut changes = serde_json::Map::new();
    if let Some(fields) = value.as_object() {
        for (k, v) in fields {
            let before = old.get(k).cloned().unwrap_or(serde_json::Value::Null);
            if &before != v {
                changes.insert(k.clone(), serde_json::json!({ "from": before, "to": v }));
            }
        }
    }
    ctx.audit(Entity::Settings, KEY, "update", serde_json::Value::Object(changes))?;
    ctx.changed(Entity::Settings, KEY, "update")?;
    Ok(new_version)
}

/// A pick list the team edits: each entry trimmed, none blank or repeated,
/// at least one (a dialog offers them), a short list of short words.
fn word_list(field: &'static str, list: &[String], max_chars: usize, max_items: usize) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for w in list {
        let w = w.trim();
        if w.is_empty() {
            return Err(Error::invalid(field, "blank"));
        }
        if w.chars().count() > max_chars {
            return Err(Error::invalid(field, "too_long"));
        }
        if out.iter().any(|x| x == w) {
            return Err(Error::invalid(field, "duplicate"));
        }
        out.push(w.to_string());
    }
    if out.is_empty() {
        return Err(Error::invalid(field, "required"));
    }
    if out.len() > max_items {
        return Err(Error::invalid(field, "too_many"));
    }
    Ok(out)
}

impl TeamSettings {
    pub fn load<'c>(conn: impl Into<Sql<'c>>) -> Result<TeamSettings> {
        let raw: Option<String> = conn.into().query_opt(
            "SELECT value FROM settings WHERE key = ?1",
            crate::store::sql::params![KEY],
            |r| r.get(0),
        )?;
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
    }

    /// The settings as they will be stored: lost reasons trimmed, and every
    /// value the rest of the engine relies on within range.
    pub fn validated(&self) -> Result<TeamSettings> {
        let mut s = self.clone();
        // Losing a deal requires a reason, and the dialog offers these first.
        s.lost_reasons = word_list("lost_reasons", &s.lost_reasons, LOST_REASON_MAX_CHARS, LOST_REASONS_MAX)?;
        if s.reapproach_lead_days > 365 {
            return Err(Error::invalid("reapproach_lead_days", "range"));
        }
        if !(1..=36).contains(&s.reapproach_unknown_months) {
            return Err(Error::invalid("reapproach_unknown_months", "range"));
        }
        if !(1..=90).contains(&s.decision_deadline_days) {
            return Err(Error::invalid("decision_deadline_days", "range"));
        }
        // The cadence widens: each interval at least the one before, one day
        // to a year, a handful of steps.
        if s.cadence_days.is_empty() || s.cadence_days.len() > CADENCE_STEPS_MAX {
            return Err(Error::invalid("cadence_days", "count"));
        }
        if s.cadence_days.iter().any(|d| !(1..=365).contains(d)) {
            return Err(Error::invalid("cadence_days", "range"));
        }
        if s.cadence_days.windows(2).any(|w| w[1] < w[0]) {
            return Err(Error::invalid("cadence_days", "order"));
        }
        if !(1..=365).contains(&s.renewal_hearing_days) {
            return Err(Error::invalid("renewal_hearing_days", "range"));
        }
        if !(1..=365).contains(&s.renewal_proposal_days) || s.renewal_proposal_days > s.renewal_hearing_days {
            return Err(Error::invalid("renewal_proposal_days", "range"));
        }
        if !(1..=180).contains(&s.renewal_post_days) {
            return Err(Error::invalid("renewal_post_days", "range"));
        }
        if !(1..=20).contains(&s.pushy_max_touches) {
            return Err(Error::invalid("pushy_max_touches", "range"));
        }
        if !(1..=90).contains(&s.pushy_window_days) {
            return Err(Error::invalid("pushy_window_days", "range"));
        }
        s.business_hours = s.business_hours.validated()?;
        for t in [s.case_sla.urgent, s.case_sla.high, s.case_sla.normal, s.case_sla.low] {
            if !(1..=SLA_HOURS_MAX).contains(&t.first_response_hours) {
                return Err(Error::invalid("first_response_hours", "range"));
            }
            if !(1..=SLA_HOURS_MAX).contains(&t.resolution_hours) || t.resolution_hours < t.first_response_hours {
                return Err(Error::invalid("resolution_hours", "range"));
            }
        }
        if !(5..=480).contains(&s.sla_warn_minutes) {
            return Err(Error::invalid("sla_warn_minutes", "range"));
        }
        if !(1..=SLA_HOURS_MAX).contains(&s.handoff_ack_hours) {
            return Err(Error::invalid("handoff_ack_hours", "range"));
        }
        let mut items: Vec<String> = Vec::with_capacity(s.handoff_checklist.len());
        for item in &s.handoff_checklist {
            let item = item.trim();
            if item.is_empty() {
                return Err(Error::invalid("handoff_checklist", "blank"));
            }
            if item.chars().count() > CHECKLIST_ITEM_MAX_CHARS {
                return Err(Error::invalid("handoff_checklist", "too_long"));
            }
            if items.iter().any(|x| x == item) {
                return Err(Error::invalid("handoff_checklist", "duplicate"));
            }
            items.push(item.to_string());
        }
        if items.len() > CHECKLIST_ITEMS_MAX {
            return Err(Error::invalid("handoff_checklist", "too_many"));
        }
        s.handoff_checklist = items;
        s.lead_sources = word_list("lead_sources", &s.lead_sources, LOST_REASON_MAX_CHARS, LOST_REASONS_MAX)?;
        s.lead_disqualify_reasons = word_list(
            "lead_disqualify_reasons",
            &s.lead_disqualify_reasons,
            LOST_REASON_MAX_CHARS,
            LOST_REASONS_MAX,
        )?;
        s.lead_assignment.members.dedup();
        if s.lead_assignment.mode != AssignMode::Nobody && s.lead_assignment.members.is_empty() {
            return Err(Error::invalid("lead_assignment", "required"));
        }
        if !(1..=SLA_HOURS_MAX).contains(&s.lead_first_response_hours) {
            return Err(Error::invalid("lead_first_response_hours", "range"));
        }
        if !(1..=12).contains(&s.nurture_check_in_months) {
            return Err(Error::invalid("nurture_check_in_months", "range"));
        }
        if !(s.nurture_check_in_months..=24).contains(&s.nurture_max_months) {
            return Err(Error::invalid("nurture_max_months", "range"));
        }
        for (field, days) in [
            ("retention_days_key", s.retention_days_key),
            ("retention_days_other", s.retention_days_other),
        ] {
            if !(7..=730).contains(&days) {
                return Err(Error::invalid(field, "range"));
            }
        }
        Ok(s)
    }

    pub fn save(&self, ctx: &WriteCtx) -> Result<()> {
        let value = serde_json::to_string(self).map_err(|e| Error::Internal(e.to_string()))?;
        ctx.sql().execute(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, version = settings.version + 1,
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            sql::params![KEY, value, ctx.now, ctx.user_id],
        )?;
        ctx.changed(Entity::Settings, KEY, "update")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::fixture;
    use crate::ErrorCode;

    #[test]
    fn cadence_guard_and_retention_values_are_checked() {
        let bad = |f: fn(&mut TeamSettings)| {
            let mut s = TeamSettings::default();
            f(&mut s);
            match s.validated() {
                Err(Error::Invalid { field, reason }) => (field, reason),
                other => panic!("accepted: {other:?}"),
            }
        };
        assert_eq!(bad(|s| s.cadence_days = vec![]), ("cadence_days", "count"));
        assert_eq!(bad(|s| s.cadence_days = vec![3, 1]), ("cadence_days", "order"));
        assert_eq!(bad(|s| s.cadence_days = vec![0, 1]), ("cadence_days", "range"));
        assert_eq!(bad(|s| s.pushy_max_touches = 0), ("pushy_max_touches", "range"));
        assert_eq!(bad(|s| s.pushy_window_days = 365), ("pushy_window_days", "range"));
        assert_eq!(bad(|s| s.retention_days_key = 1), ("retention_days_key", "range"));
        assert_eq!(bad(|s| s.business_hours.days.clear()), ("business_days", "required"));
        assert_eq!(
            bad(|s| s.case_sla.high.first_response_hours = 0),
            ("first_response_hours", "range")
        );
        assert_eq!(
            bad(|s| s.case_sla.low.resolution_hours = s.case_sla.low.first_response_hours - 1),
            ("resolution_hours", "range")
        );
        assert_eq!(bad(|s| s.handoff_ack_hours = 0), ("handoff_ack_hours", "range"));
        assert_eq!(
            bad(|s| s.handoff_checklist.push(" ".into())),
            ("handoff_checklist", "blank")
        );
        assert_eq!(
            bad(|s| s.handoff_checklist.push(s.handoff_checklist[0].clone())),
            ("handoff_checklist", "duplicate")
        );
        let ok = TeamSettings {
            cadence_days: vec![2, 2, 10],
            ..TeamSettings::default()
        };
        assert!(ok.validated().is_ok());
    }

    #[test]
    fn settings_written_before_the_reapproach_fields_still_load() {
        let f = fixture();
        f.db.sql()
            .execute(
                "UPDATE settings SET value = '{\"lost_reasons\":[\"価格\"],\"decision_deadline_days\":7}' WHERE key = 'team'",
                &[],
            )
            .unwrap();
        let (s, v) = load_versioned(f.db.sql()).unwrap();
        assert_eq!(v, 1);
        assert_eq!(s.lost_reasons, ["価格"]);
        assert_eq!(s.decision_deadline_days, 7);
        assert_eq!((s.reapproach_lead_days, s.reapproach_unknown_months), (60, 6));
    }

    #[test]
    fn update_is_version_checked() {
        let mut f = fixture();
        let (mut s, v) = load_versioned(f.db.sql()).unwrap();
        s.lost_reasons = vec!["  価格 ".into(), "時期".into()];
        let v2 = f.db.write(|ctx| update(ctx, v, &s)).unwrap();
        assert_eq!(v2, v + 1);
        let (saved, v_now) = load_versioned(f.db.sql()).unwrap();
        assert_eq!(
            (saved.lost_reasons.clone(), v_now),
            (vec!["価格".to_string(), "時期".to_string()], v2)
        );

        // A colleague who loaded before our save conflicts and changes nothing.
        let mut theirs = s.clone();
        theirs.reapproach_lead_days = 90;
        match f.db.write(|ctx| update(ctx, v, &theirs)).unwrap_err() {
            Error::Conflict {
                current_version,
                current,
                ..
            } => {
                assert_eq!(current_version, v2);
                assert_eq!(current["value"]["lost_reasons"][0], "価格");
            }
            e => panic!("expected a conflict, got {e:?}"),
        }
        assert_eq!(load_versioned(f.db.sql()).unwrap(), (saved, v2));
        let detail: String =
            f.db.sql()
                .query_one("SELECT detail FROM audit_log WHERE entity = 'settings'", &[], |r| {
                    r.get(0)
                })
                .unwrap();
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(detail.as_object().unwrap().keys().collect::<Vec<_>>(), ["lost_reasons"]);
    }

    #[test]
    fn a_database_without_settings_starts_at_version_zero() {
        let mut f = fixture();
        f.db.sql().execute("DELETE FROM settings", &[]).unwrap();
        let (s, v) = load_versioned(f.db.sql()).unwrap();
        assert_eq!((s.clone(), v), (TeamSettings::default(), 0));
        assert_eq!(f.db.write(|ctx| update(ctx, 0, &s)).unwrap(), 1);
        assert_eq!(
            f.db.write(|ctx| update(ctx, 0, &s)).unwrap_err().code(),
            ErrorCode::Conflict
        );
    }

    #[test]
    fn lost_reasons_are_validated() {
        let mut f = fixture();
        let (base, v) = load_versioned(f.db.sql()).unwrap();
        let with = |reasons: Vec<String>| TeamSettings {
            lost_reasons: reasons,
            ..base.clone()
        };
        let cases = [
            (with(vec!["価格".into(), "  ".into()]), ("lost_reasons", "blank")),
            (with(vec!["価格".into(), " 価格".into()]), ("lost_reasons", "duplicate")),
            (with(vec!["あ".repeat(61)]), ("lost_reasons", "too_long")),
            (
                with((0..31).map(|i| format!("理由{i}")).collect()),
                ("lost_reasons", "too_many"),
            ),
            (with(vec![]), ("lost_reasons", "required")),
            (
                TeamSettings {
                    reapproach_lead_days: 366,
                    ..base.clone()
                },
                ("reapproach_lead_days", "range"),
            ),
            (
                TeamSettings {
                    reapproach_unknown_months: 0,
                    ..base.clone()
                },
                ("reapproach_unknown_months", "range"),
            ),
            (
                TeamSettings {
                    decision_deadline_days: 0,
                    ..base.clone()
                },
                ("decision_deadline_days", "range"),
            ),
        ];
        for (s, expected) in cases {
            match f.db.write(|ctx| update(ctx, v, &s)).unwrap_err() {
                Error::Invalid { field, reason } => assert_eq!((field, reason), expected),
                e => panic!("{expected:?}: {e:?}"),
            }
        }
        // The limits themselves are fine.
        let edge = with((0..30).map(|i| format!("{i}{}", "あ".repeat(58))).collect());
        f.db.write(|ctx| update(ctx, v, &edge)).unwrap();
    }
}
