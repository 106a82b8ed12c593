//! The two languages Kizuna speaks. Every text the engine writes is stored
//! as a kind and its facts and rendered in the reader's language
//! (`engine_text`); the UI follows the same choice.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Language {
    Ja,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Ja, Language::En];

    /// Japanese on a Japanese system, English everywhere else.
    pub fn from_locale(locale: Option<&str>) -> Language {
        match locale {
            Some(l) if l.to_ascii_lowercase().starts_with("ja") => Language::Ja,
            _ => Language::En,
        }
    }

    /// Of a pair of words, the one in this language.
    pub fn pick<T>(self, ja: T, en: T) -> T {
        match self {
            Language::Ja => ja,
            Language::En => en,
        }
    }
}
