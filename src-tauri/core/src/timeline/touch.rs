//! Completing a follow-up by what happened: the call or meeting goes on the
//! timeline and the follow-up is marked done in the same transaction (one
//! step for the user, one commit for the file).

use crate::error::{Error, Result};
use crate::followups::follow_up;
use crate::store::write::WriteCtx;
use crate::timeline::activity::{self, NewActivity};

/// Marks a follow-up done; with `touch`, logs what happened on the
/// follow-up's customer (and deal, unless the entry names one). Returns the
/// logged entry's id.
pub fn complete_follow_up(
    ctx: &WriteCtx,
    id: &str,
    version: i64,
    touch: Option<&NewActivity>,
) -> Result<Option<String>> {
    let (company_id, deal_id) = follow_up::open_target(ctx, id)?;
    let activity_id = match touch {
        Some(a) => {
            if company_id.as_deref().is_some_and(|c| c != a.company_id) {
                return Err(Error::invalid("company_id", "other_company"));
            }
            let mut a = a.clone();
            if a.deal_id.is_none() {
                a.deal_id = deal_id;
            }
            Some(activity::log(ctx, &a)?)
        }
        None => None,
    };
    follow_up::complete(ctx, id, version, activity_id.as_deref())?;
    Ok(activity_id)
}
