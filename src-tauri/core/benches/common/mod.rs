//! What the benches share: the figures they print.
#![allow(dead_code)] // each bench uses its own share of these

use std::time::Duration;

/// The value at fraction `p` of `sorted` (nearest rank); NaN when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median and p95 in ms of `runs` runs of `f` after five warm-ups.
pub fn time(runs: usize, mut f: impl FnMut() -> usize) -> (f64, f64) {
    for _ in 0..5 {
        std::hint::black_box(f());
    }
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let t = std::time::Instant::now();
            std::hint::black_box(f());
            ms(t.elapsed())
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    (percentile(&samples, 0.5), percentile(&samples, 0.95))
}

/// One line: Kizuna's median and p95 beside the bare SQL's, and their ratio.
pub fn report(label: &str, kizuna: (f64, f64), bare: (f64, f64)) {
    println!(
        "{label}: Kizuna median {:.2} ms (p95 {:.2}), bare SQL median {:.2} ms (p95 {:.2}), ratio {:.2}",
        kizuna.0,
        kizuna.1,
        bare.0,
        bare.1,
        kizuna.0 / bare.0
    );
}

/// Runs `sql` and reads every row's first column (what a page costs bare).
pub fn rows(conn: &rusqlite::Connection, sql: &str) -> usize {
    let mut st = conn.prepare_cached(sql).expect("prepare");
    let mut rows = st.query([]).expect("query");
    let mut n = 0;
    while let Some(r) = rows.next().expect("row") {
        std::hint::black_box(r.get::<_, String>(0).expect("id"));
        n += 1;
    }
    n
}
