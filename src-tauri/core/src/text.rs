//! Text folding for Japanese sort order and matching.
//!
//! A reading (読み) is typed as hiragana by one colleague, katakana by the
//! next, and half-width katakana by whoever learnt on an old system; ASCII
//! comes full-width from a Japanese IME. Sorting by the raw text would put
//! every katakana reading after every hiragana one. [`fold`] maps all of them
//! to one form (hiragana, ASCII, lower case) for comparing only; what the user
//! typed is stored and shown unchanged.

/// Full-width katakana for the half-width block U+FF66..=U+FF9D, in order.
const HALF_WIDTH_KANA: [char; 56] = [
    'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー', 'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク',
    'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ',
    'フ', 'ヘ', 'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ン',
];
const HALF_DAKUTEN: char = '\u{FF9E}';
const HALF_HANDAKUTEN: char = '\u{FF9F}';

/// The voiced form of a katakana (カ → ガ, ハ → バ, ウ → ヴ), if it has one.
fn voiced(c: char) -> Option<char> {
    match c {
        'ウ' => Some('ヴ'),
        'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'タ' | 'チ' | 'ツ' | 'テ' | 'ト'
        | 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => char::from_u32(c as u32 + 1),
        _ => None,
    }
}

/// The semi-voiced form (ハ → パ), if it has one.
fn semi_voiced(c: char) -> Option<char> {
    match c {
        'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => char::from_u32(c as u32 + 2),
        _ => None,
    }
}

/// Folds `s` for comparison: half-width katakana to full width (with its
/// voicing marks joined), katakana to hiragana, full-width ASCII and the
/// ideographic space to ASCII, ASCII to lower case; leading and trailing
/// space removed.
pub fn fold(s: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    for c in s.trim().chars() {
        let u = c as u32;
        let c = match u {
            0xFF66..=0xFF9D => HALF_WIDTH_KANA[(u - 0xFF66) as usize],
            0xFF9E | 0xFF9F => {
                // A half-width voicing mark belongs to the kana before it.
                let joined = out.last().and_then(|&prev| {
                    let prev = to_katakana(prev);
                    if c == HALF_DAKUTEN {
                        voiced(prev)
                    } else if c == HALF_HANDAKUTEN {
                        semi_voiced(prev)
                    } else {
                        None
                    }
                });
                if let Some(j) = joined {
                    out.pop();
                    out.push(to_hiragana(j));
                }
                continue;
            }
            0xFF01..=0xFF5E => char::from_u32(u - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        };
        out.push(to_hiragana(c).to_ascii_lowercase());
    }
    out.into_iter().collect()
}

fn to_hiragana(c: char) -> char {
    match c as u32 {
        // ァ..ヶ; ー and the middle dot stay as they are.
        u @ 0x30A1..=0x30F6 => char::from_u32(u - 0x60).unwrap_or(c),
        _ => c,
    }
}

fn to_katakana(c: char) -> char {
    match c as u32 {
        u @ 0x3041..=0x3096 => char::from_u32(u + 0x60).unwrap_or(c),
        _ => c,
    }
}

/// 1234567 → "1,234,567" (amounts in generated text: timeline, mail).
pub fn group_digits(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_in_any_script_fold_to_hiragana() {
        assert_eq!(fold("カブシキガイシャ"), "かぶしきがいしゃ");
        assert_eq!(fold("ｶﾌﾞｼｷｶﾞｲｼｬ"), "かぶしきがいしゃ");
        assert_eq!(fold("ﾊﾟﾋﾞﾘｵﾝ"), "ぱびりおん");
        assert_eq!(fold("ｳﾞｧｲｵﾘﾝ"), "ゔぁいおりん");
        assert_eq!(fold("  ＡＢＣ　Ｃｏｒｐ "), "abc corp");
        assert_eq!(fold("ﾞｱ"), "あ", "a stray mark is dropped");
        assert_eq!(fold("とうきょう"), "とうきょう");
        assert_eq!(fold("コーヒー"), "こーひー");
    }
}
