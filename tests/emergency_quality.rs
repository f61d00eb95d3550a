//! How the emergency screen does on messages its authors did not write.
//!
//! Sets of `expected<TAB>flag<TAB>style<TAB>message` lines, each written
//! from clinical-basis.md c.1/c.2 by a helper who never saw the screen's code
//! or word lists (half emergencies across every c.1 flag and stroke, half
//! calm: urgent-but-not-emergency cases, negations, past events, figures of
//! speech, questions for information, ordinary claudication, off-topic chat):
//!
//! - `tuning-b.tsv` … `tuning-l.tsv`: tuning sets. Their misses are printed
//!   (with `--nocapture`) and the screen may be tuned on them.
//! - `holdout.tsv`, `holdout5.tsv`, `holdout9.tsv`: held out. Only their
//!   aggregate figures are ever printed; each one's hash is pinned so that it cannot change unnoticed. Once anybody
//!   looks at its misses it becomes a tuning set and a new held-out set is
//!   written (README "Emergency screen").
//!
//! `cargo test --test emergency_quality -- --nocapture` prints the figures.

use std::collections::BTreeMap;
use std::path::Path;

use faqbot::safety::EmergencyScreen;

/// SHA-256 of `holdout.tsv` as written, before the screen was changed.
const HOLDOUT_SHA256: &str = "31d2d736c321a72f781bc2815164f0e07ed0d5fd53e31d26332327dc82780ce5";
/// SHA-256 of `holdout5.tsv`, a held-out set by a fifth writer (186
/// emergencies, 195 calm), first read on the screen of commit ca3afc1:
/// 184 of 186 emergencies (98.9%), 5 of 195 calm (2.6%), 0 of 35 off-topic.
const HOLDOUT5_SHA256: &str = "76323a1b673e595e1df32a6d4e9337857bb2eb5fa204eddc8cb793332f36d5f7";
/// SHA-256 of `holdout9.tsv`, a held-out set by a ninth writer (186
/// emergencies, 195 calm; the writer gave no style column, so it is "-"),
/// first read on the screen of commit e65e055: 185 of 186 emergencies
/// (99.5%), 11 of 195 calm (5.6%), 0 of 35 off-topic.
const HOLDOUT9_SHA256: &str = "a3f13cbe94071a3ba0b4698482cfbb367114d3ec516982a97c7957c231a1b8bd";

/// The share of held-out emergencies that must get the emergency reply (the
/// target; README "Emergency screen" has the figures).
const EMERGENCY_FLOOR: f64 = 98.0;

/// One message of a set.
struct Line {
    emergency: bool,
    flag: String,
    message: String,
}

fn read_set(name: &str) -> (Vec<Line>, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/emergency")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    let mut lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [expected, flag, _style, message] = fields.as_slice() else {
            panic!("{name}:{}: expected 4 tab-separated fields", index + 1);
        };
        assert!(
            matches!(*expected, "emergency" | "calm"),
            "{name}:{}: expected is emergency or calm",
            index + 1
        );
        lines.push(Line {
            emergency: *expected == "emergency",
            flag: (*flag).to_owned(),
            message: (*message).to_owned(),
        });
    }
    (lines, sha256_hex(&bytes))
}

/// SHA-256 of `data`, as hex.
fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Caught emergencies, all emergencies, calm alarms, all calm, per-flag
/// figures, and the misses.
struct Figures {
    caught: usize,
    emergencies: usize,
    alarms: usize,
    calm: usize,
    by_flag: BTreeMap<String, (usize, usize)>,
    misses: Vec<String>,
}

fn measure(lines: &[Line]) -> Figures {
    let screen = EmergencyScreen::new();
    let mut figures = Figures {
        caught: 0,
        emergencies: 0,
        alarms: 0,
        calm: 0,
        by_flag: BTreeMap::new(),
        misses: Vec::new(),
    };
    for line in lines {
        let alarm = !screen.screen(&line.message).is_empty();
        let right = alarm == line.emergency;
        let entry = figures.by_flag.entry(line.flag.clone()).or_default();
        entry.1 += 1;
        if right {
            entry.0 += 1;
        }
        if line.emergency {
            figures.emergencies += 1;
            figures.caught += usize::from(alarm);
        } else {
            figures.calm += 1;
            figures.alarms += usize::from(alarm);
        }
        if !right {
            let what = if line.emergency { "missed" } else { "alarm" };
            figures
                .misses
                .push(format!("{what} [{}]: {}", line.flag, line.message));
        }
    }
    figures
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn report(name: &str, figures: &Figures) {
    println!(
        "{name}: emergencies caught {}/{} ({:.1}%), calm messages alarmed {}/{} ({:.1}%)",
        figures.caught,
        figures.emergencies,
        percent(figures.caught, figures.emergencies),
        figures.alarms,
        figures.calm,
        percent(figures.alarms, figures.calm)
    );
    for (flag, (right, all)) in &figures.by_flag {
        println!("  {flag:24} {right}/{all} right");
    }
}

/// Reads, measures and reports one tuning set, printing its misses.
fn tuning_set(name: &str) -> Figures {
    let (lines, _) = read_set(name);
    let figures = measure(&lines);
    report(&format!("{name} (tuning)"), &figures);
    for miss in &figures.misses {
        println!("  {miss}");
    }
    figures
}

/// A tuning set, measured and held to the targets (at least 150 messages of
/// each kind, 98% of emergencies caught, at most 10% of calm alarmed).
fn tuning_set_meets_the_targets(name: &str) {
    let figures = tuning_set(name);
    assert!(figures.emergencies >= 150 && figures.calm >= 150);
    assert!(percent(figures.caught, figures.emergencies) >= 98.0);
    assert!(percent(figures.alarms, figures.calm) <= 10.0);
}

/// Once holdout8 (first read 184 of 186 emergencies, 9 of 195 calm
/// alarmed, 1 of 35 off-topic; 184, 8 and 1 when it was looked at); its
/// misses were looked at on 2026-12-06, after holdout9 had been commissioned.
#[test]
fn tuning_set_l_figures() {
    tuning_set_meets_the_targets("tuning-l.tsv");
}

/// Once holdout7 (first read 183 of 186 emergencies, 11 of 195 calm
/// alarmed, 5 of 35 off-topic); its misses were looked at on 2026-12-06,
/// after holdout8 had been written and read.
#[test]
fn tuning_set_k_figures() {
    tuning_set_meets_the_targets("tuning-k.tsv");
}

/// Once holdout6 (first read 181 of 186 emergencies, 21 of 195 calm
/// alarmed, 5 of 35 off-topic); its misses were looked at on 2026-12-06.
#[test]
fn tuning_set_j_figures() {
    tuning_set_meets_the_targets("tuning-j.tsv");
}

/// Once holdout4 (first read 181 of 185 emergencies, 9 of 193 calm
/// alarmed); its misses were looked at on 2026-12-06.
#[test]
fn tuning_set_i_figures() {
    tuning_set_meets_the_targets("tuning-i.tsv");
}

#[test]
fn tuning_set_h_figures() {
    tuning_set_meets_the_targets("tuning-h.tsv");
}

#[test]
fn tuning_set_g_figures() {
    tuning_set_meets_the_targets("tuning-g.tsv");
}

#[test]
fn tuning_set_f_figures() {
    tuning_set_meets_the_targets("tuning-f.tsv");
}

#[test]
fn tuning_set_e_figures() {
    tuning_set_meets_the_targets("tuning-e.tsv");
}

#[test]
fn tuning_set_d_figures() {
    tuning_set_meets_the_targets("tuning-d.tsv");
}

#[test]
fn tuning_set_c_figures() {
    tuning_set_meets_the_targets("tuning-c.tsv");
}

#[test]
fn tuning_set_figures() {
    tuning_set_meets_the_targets("tuning-b.tsv");
}

/// Reads a held-out set (after checking its pinned hash), prints only its
/// aggregate figures, and returns them.
fn held_out_set(name: &str, sha256: &str) -> Figures {
    let (lines, hash) = read_set(name);
    assert_eq!(
        hash, sha256,
        "{name} changed: a held-out set is fixed before tuning (write a new one instead)"
    );
    let figures = measure(&lines);
    // Aggregates only: the misses of a held-out set are never printed.
    report(&format!("{name} (held out)"), &figures);
    figures
}

/// What a held-out set must keep: at least this share of emergencies caught,
/// at most this share of calm messages alarmed, at most this many alarms on
/// off-topic chat. The targets where a set meets them; its first read where
/// it does not yet.
struct Floor {
    caught: f64,
    alarmed: f64,
    offtopic_alarms: usize,
}

/// The targets of the issue: 98% caught, 10% alarmed, no off-topic alarm.
const TARGET: Floor = Floor {
    caught: EMERGENCY_FLOOR,
    alarmed: 10.0,
    offtopic_alarms: 0,
};

#[test]
fn held_out_sets_meet_the_targets() {
    // holdout4 (181 of 185 at its first read) was looked at and became
    // tuning-i; holdout6 (181 of 186, 21 of 195 calm, 5 of 35 off-topic)
    // became tuning-j; holdout7 (183 of 186, 11 of 195, 5 of 35 off-topic;
    // 1 of 35 when it was looked at) became tuning-k; holdout8 (184 of 186,
    // 9 of 195, 1 of 35 off-topic at its first read) became tuning-l.
    for (name, sha256, floor) in [
        ("holdout.tsv", HOLDOUT_SHA256, TARGET),
        ("holdout5.tsv", HOLDOUT5_SHA256, TARGET),
        ("holdout9.tsv", HOLDOUT9_SHA256, TARGET),
    ] {
        let figures = held_out_set(name, sha256);
        assert!(figures.emergencies >= 150 && figures.calm >= 150);
        let caught = percent(figures.caught, figures.emergencies);
        let alarmed = percent(figures.alarms, figures.calm);
        assert!(
            caught >= floor.caught,
            "{name}: emergencies caught {caught:.1}% (floor {}%)",
            floor.caught
        );
        assert!(
            alarmed <= floor.alarmed,
            "{name}: calm alarms {alarmed:.1}% (at most {}%)",
            floor.alarmed
        );
        // No emergency reply on off-topic chat (holdout3 had one at its first
        // read and two after a refit of the second opinion; it was then
        // looked at and became tuning-h).
        let (right, all) = figures.by_flag.get("offtopic").copied().unwrap_or_default();
        assert!(all > 0, "{name}: no off-topic messages");
        assert!(
            all - right <= floor.offtopic_alarms,
            "{name}: {} alarms on off-topic chat (at most {})",
            all - right,
            floor.offtopic_alarms
        );
    }
}
