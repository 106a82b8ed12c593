//! What an edit changed, field by field, for the audit log.

use serde::Serialize;
use serde_json::{json, Value};

/// Collects `{field: {from, to}}` for the audit log (every edit of a
/// deal, customer, contact or timeline entry).
#[derive(Default)]
pub(crate) struct Changes(serde_json::Map<String, Value>);

impl Changes {
    pub(crate) fn note(&mut self, field: &str, from: impl Serialize, to: impl Serialize) {
        let (from, to) = (json!(from), json!(to));
        if from != to {
            self.0.insert(field.into(), json!({ "from": from, "to": to }));
        }
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub(crate) fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}
