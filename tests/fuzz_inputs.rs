//! Fuzz-style robustness of the site loaders: thousands of broken inputs fed through
//! `validate_strings` — random bytes, and random mutations of the real `data/tokyo`
//! files (truncations, deleted / duplicated / swapped lines, fields replaced by odd
//! strings and numbers, swapped columns, stray quotes and commas, ...).
//!
//! The only properties: validation never panics (problems are data, not crashes), and
//! when it reports no error it returns a site.
//!
//! Most cases use a one-day cut of Tokyo (`days = 1`, that day's forecast rows) so the
//! whole file runs in seconds. A seeded ChaCha loop makes failures reproducible; set
//! `SHIFTWISE_FUZZ_SEED` / `SHIFTWISE_FUZZ_SCALE` to explore further. Failing inputs
//! are written under `CARGO_TARGET_TMPDIR/fuzz-failures/`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Once;

use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shiftwise::input::validate::validate_strings;

const NAMES: [&str; 4] = ["site.toml", "employees.csv", "forecast.csv", "requests.csv"];

/// The four file texts of a site.
#[derive(Clone, Debug)]
struct Texts([String; 4]);

fn read(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/tokyo")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Tokyo as is (7 days, ~1,700 forecast rows).
fn tokyo_full() -> Texts {
    Texts(NAMES.map(read))
}

/// Tokyo cut to its first day: `days = 1` and the 48 × 5 forecast rows of that day.
fn tokyo_one_day() -> Texts {
    let [site, employees, forecast, requests] = NAMES.map(read);
    assert!(
        site.contains("\ndays = 7\n"),
        "data/tokyo/site.toml no longer says days = 7"
    );
    let site = site.replace("\ndays = 7\n", "\ndays = 1\n");
    let forecast: String = forecast
        .lines()
        .take(1 + 48 * 5)
        .map(|l| format!("{l}\n"))
        .collect();
    Texts([site, employees, forecast, requests])
}

/// Run the validator, catching panics; also format every problem (Display must not panic).
/// `Err` describes the failure.
fn validate_catching(t: &Texts) -> Result<(), String> {
    silence_panics();
    CATCHING.with(|c| c.set(true));
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let v = validate_strings(&t.0[0], &t.0[1], &t.0[2], &t.0[3]);
        for p in v.errors.iter().chain(&v.warnings) {
            let _ = p.to_string();
        }
        v
    }));
    CATCHING.with(|c| c.set(false));
    match outcome {
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "non-string panic payload".into());
            let location = LAST_PANIC.with(|l| l.borrow().clone());
            Err(format!("panicked: {msg} ({location})"))
        }
        Ok(v) if v.errors.is_empty() && v.site.is_none() => Err("no errors but no site".into()),
        Ok(_) => Ok(()),
    }
}

thread_local! {
    static LAST_PANIC: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    static CATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Install (once) a panic hook that stays quiet inside `validate_catching` (thousands of
/// caught panics would flood the output) and remembers where the panic happened; every
/// other panic (a failing assertion) goes to the default hook as usual.
fn silence_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(|c| c.get()) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                LAST_PANIC.with(|l| *l.borrow_mut() = at);
            } else {
                default(info);
            }
        }));
    });
}

/// Failures found so far (label, reason), with inputs saved to disk.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn run(&mut self, label: &str, t: &Texts) {
        if let Err(why) = validate_catching(t) {
            if self.0.len() < 20 {
                let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
                    .join("fuzz-failures")
                    .join(label);
                let _ = std::fs::create_dir_all(&dir);
                for (name, text) in NAMES.iter().zip(&t.0) {
                    let _ = std::fs::write(dir.join(name), text);
                }
                self.0.push(format!(
                    "{label}: {why}\n    inputs saved in {}",
                    dir.display()
                ));
            } else if self.0.len() == 20 {
                self.0.push("... (further failures not listed)".into());
            }
        }
    }

    fn assert_none(&self, what: &str) {
        assert!(
            self.0.is_empty(),
            "{what}: {} failing case(s):\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

fn seed() -> u64 {
    std::env::var("SHIFTWISE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026)
}

fn scale(n: usize) -> usize {
    let k: usize = std::env::var("SHIFTWISE_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    n * k.max(1)
}

// ---------------------------------------------------------------------------------
// Random values and mutations.
// ---------------------------------------------------------------------------------

/// Odd field values: empty, NaN, huge, negative, malformed times and dates, other
/// valid-looking identifiers, quotes, multi-byte characters.
const ODD: &[&str] = &[
    "",
    " ",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "infinity",
    "-1",
    "-0",
    "0",
    "0.0",
    "1",
    "7",
    "1e308",
    "1e309",
    "-1e308",
    "1e-320",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "99999999999999999999999999",
    "0x10",
    "1_000",
    "1,5",
    "é",
    "日本語",
    "🙂",
    "\u{feff}",
    "\"",
    "\"\"",
    "'",
    ",",
    ";",
    ";;",
    "\\",
    "\t",
    "24:00",
    "23:59",
    "23:60",
    "25:00",
    "9:5",
    "99:99",
    "00:00",
    "-1:00",
    "+9:00",
    ":",
    "2026-11-30",
    "2026-12-06",
    "2026-02-30",
    "2026-13-01",
    "+262143-12-31",
    "262143-12-31",
    "-262144-01-01",
    "9999-12-31",
    "0000-01-01",
    "1900-01-01",
    "2026-11-30T00:00",
    "2026-11-30T00:15",
    "2026-11-30T23:30",
    "2026-12-01T00:00",
    "2026-11-30T00:00+09:00",
    "2026-11-30T00:00-09:00",
    "2026-11-30T00:00+99:99",
    "2026-11-30T00:00+09:60",
    "2026-11-30T00:00Z",
    "2026-11-30 00:00",
    "2026-11-30T00:00:00",
    "2026-11-30T00:00:59",
    "2026-11-30T24:00",
    "2026-11-30T00:00é12345",
    "2026-11-30T00:00ééé",
    "2026-11-30T00:00+",
    "2026-11-29T23:30",
    "+262143-12-31T23:30",
    "phone-ja",
    "chat-ja",
    "email-ja",
    "phone-en",
    "chat-en",
    "mail-ja",
    "phone-ja;phone-ja",
    "phone-ja;;",
    ";phone-ja",
    "agent",
    "team_lead",
    "full_time",
    "part_time",
    "student",
    "remote",
    "onsite",
    "hybrid",
    "Asia/Tokyo",
    "Asia/Manila",
    "America/Los_Angeles",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Etc/GMT+12",
    "UTC",
    "utc",
    "Mars/Olympus",
    "mon",
    "sunday",
    "MON",
    "unavailable",
    "prefer_off",
    "prefer_work",
    "prefer_mode",
    "max_shifts",
    "hard",
    "soft",
    "FT01",
    "TL01",
    "ST01",
    "MNL01",
];

fn random_string<R: Rng>(rng: &mut R) -> String {
    let len = rng.gen_range(0..12);
    (0..len)
        .map(|_| match rng.gen_range(0..4) {
            0 => rng.gen_range(b'a'..=b'z') as char,
            1 => rng.gen_range(b'0'..=b'9') as char,
            2 => *[':', '-', 'T', '+', '.', ' ', 'e', 'Z', ';', '/']
                .choose(rng)
                .unwrap(),
            _ => char::from_u32(rng.gen_range(0x80..0x3000)).unwrap_or('ß'),
        })
        .collect()
}

fn random_number<R: Rng>(rng: &mut R) -> String {
    match rng.gen_range(0..5) {
        0 => rng.gen_range(-5i64..200).to_string(),
        1 => format!("{}", rng.gen::<f64>() * 10f64.powi(rng.gen_range(-5..320))),
        2 => format!("-{}", rng.gen::<f64>() * 1e6),
        3 => rng.gen::<u64>().to_string(),
        _ => rng.gen::<i64>().to_string(),
    }
}

fn random_value<R: Rng>(rng: &mut R) -> String {
    match rng.gen_range(0..10) {
        0..=4 => ODD.choose(rng).unwrap().to_string(),
        5..=6 => random_number(rng),
        _ => random_string(rng),
    }
}

/// A TOML right-hand side: mostly well-formed values of many types, sometimes junk.
fn random_toml_value<R: Rng>(rng: &mut R) -> String {
    match rng.gen_range(0..12) {
        0..=3 => format!("{:?}", ODD.choose(rng).unwrap()),
        4 => random_number(rng),
        5 => [
            "0",
            "1",
            "15",
            "30",
            "45",
            "60",
            "-1",
            "366",
            "367",
            "4294967295",
            "4294967296",
        ]
        .choose(rng)
        .unwrap()
        .to_string(),
        6 => [
            "nan", "inf", "-inf", "+nan", "0.0", "0.95", "1.0", "1e400", "-0.0", "1e-400",
        ]
        .choose(rng)
        .unwrap()
        .to_string(),
        7 => [
            "[]",
            "[1.0, 0.5]",
            "[\"full_time\", \"nobody\"]",
            "[nan]",
            "[1, \"a\"]",
            "{}",
            "true",
            "1979-05-27",
        ]
        .choose(rng)
        .unwrap()
        .to_string(),
        8 => format!("{:?}", random_string(rng)),
        9 => random_string(rng),
        _ => [
            "\"\"",
            "\"",
            "'''",
            "\"\\u0000\"",
            "\"\\uD800\"",
            "[",
            "=",
            "\"a\" \"b\"",
        ]
        .choose(rng)
        .unwrap()
        .to_string(),
    }
}

/// Keys worth hitting on purpose in site.toml.
const TOML_KEYS: &[&str] = &[
    "timezone",
    "start_date",
    "days",
    "interval_minutes",
    "seats",
    "shrinkage",
    "team_lead_ratio",
    "understaffing_per_agent_hour",
    "overstaffing_per_agent_hour",
    "id",
    "channel",
    "service_level",
    "answer_within_seconds",
    "max_asa_seconds",
    "max_occupancy",
    "concurrency",
    "response_time_hours",
    "min_hours_per_week",
    "max_hours_per_week",
    "min_shifts_per_week",
    "max_shifts_per_week",
    "min_rest_hours",
    "max_consecutive_days",
    "min_days_off_per_week",
    "length_hours",
    "min_length_hours",
    "max_length_hours",
    "length_step_minutes",
    "earliest_start",
    "latest_start",
    "start_step_minutes",
    "work_mode",
    "contracts",
    "meal_minutes",
];

fn split_lines(text: &str) -> Vec<String> {
    text.split('\n').map(str::to_string).collect()
}

fn join_lines(lines: &[String]) -> String {
    lines.join("\n")
}

/// Nearest char boundary at or below `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One random mutation of a file's text. `csv` selects CSV-aware operations.
fn mutate<R: Rng>(rng: &mut R, text: &str, csv: bool) -> String {
    let mut lines = split_lines(text);
    let n = lines.len().max(1);
    match rng.gen_range(0..16) {
        // Truncate at a random byte (possibly inside a multi-byte character).
        0 => {
            let k = rng.gen_range(0..=text.len());
            String::from_utf8_lossy(&text.as_bytes()[..k]).into_owned()
        }
        // Delete one to three lines (the header too, sometimes).
        1 => {
            for _ in 0..rng.gen_range(1..=3) {
                if !lines.is_empty() {
                    let i = rng.gen_range(0..lines.len());
                    lines.remove(i);
                }
            }
            join_lines(&lines)
        }
        // Duplicate a line somewhere.
        2 => {
            let l = lines[rng.gen_range(0..n.min(lines.len()))].clone();
            let at = rng.gen_range(0..=lines.len());
            lines.insert(at, l);
            join_lines(&lines)
        }
        // Swap two lines.
        3 => {
            let (a, b) = (rng.gen_range(0..lines.len()), rng.gen_range(0..lines.len()));
            lines.swap(a, b);
            join_lines(&lines)
        }
        // Replace one field / value (several ops: most useful).
        4..=7 => {
            if csv {
                let i = if rng.gen_bool(0.1) {
                    0
                } else {
                    rng.gen_range(0..lines.len())
                };
                let mut fields: Vec<String> = lines[i].split(',').map(str::to_string).collect();
                let j = rng.gen_range(0..fields.len());
                fields[j] = if rng.gen_bool(0.2) {
                    csv_quote(&random_value(rng))
                } else {
                    random_value(rng)
                };
                lines[i] = fields.join(",");
            } else {
                let with_eq: Vec<usize> = (0..lines.len())
                    .filter(|&i| lines[i].contains('='))
                    .collect();
                if let Some(&i) = with_eq.choose(rng) {
                    let key = lines[i].split('=').next().unwrap().to_string();
                    lines[i] = format!("{key}= {}", random_toml_value(rng));
                }
            }
            join_lines(&lines)
        }
        // Swap two columns, in every line or in one.
        8 => {
            if csv {
                let width = lines[0].split(',').count();
                let (a, b) = (rng.gen_range(0..width), rng.gen_range(0..width));
                let only = if rng.gen_bool(0.5) {
                    Some(rng.gen_range(0..lines.len()))
                } else {
                    None
                };
                for (i, l) in lines.iter_mut().enumerate() {
                    if only.is_some_and(|o| o != i) {
                        continue;
                    }
                    let mut f: Vec<&str> = l.split(',').collect();
                    if a < f.len() && b < f.len() {
                        f.swap(a, b);
                        *l = f.join(",");
                    }
                }
            } else {
                // Swap the values of two `key = value` lines.
                let with_eq: Vec<usize> = (0..lines.len())
                    .filter(|&i| lines[i].contains('='))
                    .collect();
                if with_eq.len() >= 2 {
                    let (a, b) = (*with_eq.choose(rng).unwrap(), *with_eq.choose(rng).unwrap());
                    let va = lines[a].split_once('=').unwrap().1.to_string();
                    let vb = lines[b].split_once('=').unwrap().1.to_string();
                    let ka = lines[a].split_once('=').unwrap().0.to_string();
                    let kb = lines[b].split_once('=').unwrap().0.to_string();
                    lines[a] = format!("{ka}={vb}");
                    lines[b] = format!("{kb}={va}");
                }
            }
            join_lines(&lines)
        }
        // Insert a stray character (quote, comma, newline, ...) at a random place.
        9 => {
            let c = *[
                '"', ',', '\n', '\r', ';', '=', '[', ']', '#', '\'', '\\', '\0', 'é', '\u{feff}',
                ' ',
            ]
            .choose(rng)
            .unwrap();
            let mut s = text.to_string();
            let at = floor_boundary(&s, rng.gen_range(0..=s.len()));
            s.insert(at, c);
            s
        }
        // Overwrite a span with random bytes.
        10 => {
            let mut bytes = text.as_bytes().to_vec();
            let at = rng.gen_range(0..=bytes.len());
            let len = rng.gen_range(0..16).min(bytes.len() - at);
            let junk: Vec<u8> = (0..rng.gen_range(0..16)).map(|_| rng.gen()).collect();
            bytes.splice(at..at + len, junk);
            String::from_utf8_lossy(&bytes).into_owned()
        }
        // Replace a line by a line of random fields.
        11 => {
            let i = rng.gen_range(0..lines.len());
            let k = rng.gen_range(0..14);
            let sep = if csv { "," } else { " = " };
            lines[i] = (0..k)
                .map(|_| random_value(rng))
                .collect::<Vec<_>>()
                .join(sep);
            join_lines(&lines)
        }
        // Empty, blank, or header only.
        12 => match rng.gen_range(0..4) {
            0 => String::new(),
            1 => " \n\n\t\n".into(),
            2 => lines[0].clone(),
            _ => format!("{}\n", lines[0]),
        },
        // Line endings and byte-order mark.
        13 => match rng.gen_range(0..3) {
            0 => text.replace('\n', "\r\n"),
            1 => format!("\u{feff}{text}"),
            _ => text.replace('\n', "\r"),
        },
        // TOML: target a key; CSV: a targeted field in a data row.
        14 => {
            if csv {
                let i = rng.gen_range(1..lines.len().max(2)).min(lines.len() - 1);
                let mut fields: Vec<String> = lines[i].split(',').map(str::to_string).collect();
                let j = rng.gen_range(0..fields.len());
                fields[j] = ODD.choose(rng).unwrap().to_string();
                lines[i] = fields.join(",");
            } else {
                let key = *TOML_KEYS.choose(rng).unwrap();
                let hits: Vec<usize> = (0..lines.len())
                    .filter(|&i| lines[i].trim_start().starts_with(&format!("{key} =")))
                    .collect();
                match hits.choose(rng) {
                    Some(&i) => lines[i] = format!("{key} = {}", random_toml_value(rng)),
                    // Not present: add it at the top level, before the first table.
                    None => {
                        let at = lines
                            .iter()
                            .position(|l| l.starts_with('['))
                            .unwrap_or(lines.len());
                        lines.insert(at, format!("{key} = {}", random_toml_value(rng)));
                    }
                }
            }
            join_lines(&lines)
        }
        // Reorder the columns consistently (a valid file, just shuffled) or drop the
        // trailing newline / add blank lines.
        _ => {
            if csv && rng.gen_bool(0.5) {
                let width = lines[0].split(',').count();
                let mut perm: Vec<usize> = (0..width).collect();
                perm.shuffle(rng);
                for l in lines.iter_mut() {
                    let f: Vec<&str> = l.split(',').collect();
                    if f.len() == width {
                        *l = perm.iter().map(|&p| f[p]).collect::<Vec<_>>().join(",");
                    }
                }
                join_lines(&lines)
            } else {
                let i = rng.gen_range(0..=lines.len());
                lines.insert(i, String::new());
                join_lines(&lines).trim_end_matches('\n').to_string()
            }
        }
    }
}

fn csv_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn random_bytes_text<R: Rng>(rng: &mut R) -> String {
    let len = rng.gen_range(0..400);
    let bytes: Vec<u8> = if rng.gen_bool(0.5) {
        (0..len).map(|_| rng.gen()).collect()
    } else {
        // Mostly CSV/TOML punctuation and digits, to get past the first checks.
        let alphabet = b"0123456789,,,,\n\n\"=-:T.+ [abcdefghijklmnopqrstuvwxyz_";
        (0..len).map(|_| *alphabet.choose(rng).unwrap()).collect()
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

// ---------------------------------------------------------------------------------
// The seeded loops.
// ---------------------------------------------------------------------------------

#[test]
fn base_texts_are_valid() {
    for (what, t) in [("one day", tokyo_one_day()), ("full", tokyo_full())] {
        let v = validate_strings(&t.0[0], &t.0[1], &t.0[2], &t.0[3]);
        assert!(v.errors.is_empty(), "{what}: {:#?}", v.errors);
        assert!(v.site.is_some());
    }
    let v = {
        let t = tokyo_one_day();
        validate_strings(&t.0[0], &t.0[1], &t.0[2], &t.0[3])
    };
    assert_eq!(v.site.unwrap().grid.len(), 48);
}

/// Mutations of one file at a time, 1–3 operations each, for each of the four files.
#[test]
fn mutated_single_files_never_panic() {
    let base = tokyo_one_day();
    let mut rng = ChaCha8Rng::seed_from_u64(seed());
    let mut failures = Failures::default();
    for (file, name) in NAMES.iter().enumerate() {
        for case in 0..scale(900) {
            let mut t = base.clone();
            for _ in 0..rng.gen_range(1..=3) {
                t.0[file] = mutate(&mut rng, &t.0[file], file != 0);
            }
            failures.run(&format!("single-{name}-{case}"), &t);
        }
    }
    failures.assert_none("single-file mutations");
}

/// Several files broken at once; sometimes a file replaced by random bytes.
#[test]
fn mutated_several_files_never_panic() {
    let base = tokyo_one_day();
    let mut rng = ChaCha8Rng::seed_from_u64(seed() ^ 0xA5A5);
    let mut failures = Failures::default();
    for case in 0..scale(600) {
        let mut t = base.clone();
        for (file, text) in t.0.iter_mut().enumerate() {
            match rng.gen_range(0..6) {
                0 | 1 => {}
                2 => *text = random_bytes_text(&mut rng),
                _ => {
                    for _ in 0..rng.gen_range(1..=4) {
                        *text = mutate(&mut rng, text, file != 0);
                    }
                }
            }
        }
        failures.run(&format!("several-{case}"), &t);
    }
    failures.assert_none("multi-file mutations");
}

/// Each file replaced by random bytes (valid UTF-8 after lossy decoding), the others intact.
#[test]
fn random_bytes_never_panic() {
    let base = tokyo_one_day();
    let mut rng = ChaCha8Rng::seed_from_u64(seed() ^ 0x0B17E5);
    let mut failures = Failures::default();
    for (file, name) in NAMES.iter().enumerate() {
        for case in 0..scale(150) {
            let mut t = base.clone();
            t.0[file] = random_bytes_text(&mut rng);
            failures.run(&format!("bytes-{name}-{case}"), &t);
        }
    }
    failures.assert_none("random bytes");
}

/// A few hundred mutations of the full seven-day Tokyo site.
#[test]
fn mutated_full_site_never_panics() {
    let base = tokyo_full();
    let mut rng = ChaCha8Rng::seed_from_u64(seed() ^ 0xF011);
    let mut failures = Failures::default();
    for case in 0..scale(200) {
        let mut t = base.clone();
        let file = rng.gen_range(0..4);
        for _ in 0..rng.gen_range(1..=3) {
            t.0[file] = mutate(&mut rng, &t.0[file], file != 0);
        }
        failures.run(&format!("full-{}-{case}", NAMES[file]), &t);
    }
    failures.assert_none("full-site mutations");
}

/// Right-hand sides tried for every site.toml key in the exhaustive grid.
const TOML_VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "7",
    "14",
    "15",
    "16",
    "24",
    "30",
    "45",
    "60",
    "168",
    "169",
    "366",
    "367",
    "1440",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "0.0",
    "-0.0",
    "0.5",
    "0.95",
    "1.0",
    "1.5",
    "1e-400",
    "1e300",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "true",
    "[]",
    "[0.0]",
    "[nan]",
    "[3.0, 2.0, 1.0]",
    "[1.0, 2.0, inf]",
    "[\"full_time\"]",
    "[\"nobody\"]",
    "[\"full_time\", \"full_time\"]",
    "{}",
    "1979-05-27",
    "1979-05-27T07:32:00Z",
    "\"\"",
    "\" \"",
    "\"x\"",
    "\"phone\"",
    "\"chat\"",
    "\"email\"",
    "\"remote\"",
    "\"onsite\"",
    "\"hybrid\"",
    "\"00:00\"",
    "\"23:59\"",
    "\"23:30\"",
    "\"24:00\"",
    "\"7:00\"",
    "\"07:15\"",
    "\"07:60\"",
    "\"2026-11-30\"",
    "\"2026-02-29\"",
    "\"0000-01-01\"",
    "\"9999-12-31\"",
    "\"+262143-12-31\"",
    "\"1-1-1\"",
    "\"Asia/Tokyo\"",
    "\"America/Los_Angeles\"",
    "\"Pacific/Apia\"",
    "\"Pacific/Chatham\"",
    "\"Asia/Kathmandu\"",
    "\"America/Sao_Paulo\"",
    "\"America/Havana\"",
    "\"Asia/Gaza\"",
    "\"Antarctica/Troll\"",
    "\"Etc/GMT+12\"",
    "\"Etc/GMT-14\"",
    "\"UTC\"",
    "\"EST5EDT\"",
    "\"Asia/Tokio\"",
    "\"é\"",
    "\"🙂\"",
];

/// Every site.toml key (first occurrence, and every occurrence) set to every value above.
#[test]
fn every_site_key_with_every_odd_value() {
    let base = tokyo_one_day();
    let lines = split_lines(&base.0[0]);
    let mut failures = Failures::default();
    for key in TOML_KEYS {
        let prefix = format!("{key} =");
        let hits: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with(&prefix))
            .collect();
        for (vi, value) in TOML_VALUES.iter().enumerate() {
            for all in [false, true] {
                let mut l = lines.clone();
                match (hits.first(), all) {
                    (None, true) => continue,
                    (None, false) => {
                        let at = l.iter().position(|x| x.starts_with('[')).unwrap_or(l.len());
                        l.insert(at, format!("{key} = {value}"));
                    }
                    (Some(&first), false) => l[first] = format!("{key} = {value}"),
                    (Some(_), true) => {
                        for &i in &hits {
                            l[i] = format!("{key} = {value}");
                        }
                    }
                }
                let mut t = base.clone();
                t.0[0] = join_lines(&l);
                failures.run(
                    &format!("grid-site-{key}-{vi}-{}", if all { "all" } else { "first" }),
                    &t,
                );
            }
        }
    }
    failures.assert_none("site.toml key grid");
}

/// Every column of every CSV file, on a data row and on the header, set to every odd value.
#[test]
fn every_csv_column_with_every_odd_value() {
    let base = tokyo_one_day();
    let mut failures = Failures::default();
    // (file, data row): a row where a change matters (a student with a timed request).
    for (file, row) in [(1usize, 52usize), (2, 101), (3, 30)] {
        let lines = split_lines(&base.0[file]);
        let width = lines[0].split(',').count();
        for col in 0..width {
            for (vi, value) in ODD.iter().enumerate() {
                for (what, line) in [("row", row - 1), ("header", 0)] {
                    if what == "header" && vi % 4 != 0 {
                        continue;
                    }
                    let mut t = base.clone();
                    t.0[file] = set_csv_field(&t.0[file], line, col, value);
                    failures.run(&format!("grid-{}-{what}-c{col}-v{vi}", NAMES[file]), &t);
                }
            }
        }
    }
    failures.assert_none("CSV column grid");
}

// ---------------------------------------------------------------------------------
// Property tests: arbitrary values in one field, properly CSV-quoted so they reach the
// field checks intact.
// ---------------------------------------------------------------------------------

/// Replace field `col` of line `line` (0-based, header = 0) by `value`, CSV-quoted.
fn set_csv_field(text: &str, line: usize, col: usize, value: &str) -> String {
    let mut lines = split_lines(text);
    let mut f: Vec<String> = lines[line].split(',').map(str::to_string).collect();
    f[col] = csv_quote(value);
    lines[line] = f.join(",");
    join_lines(&lines)
}

fn odd_or_arbitrary() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(ODD).prop_map(str::to_string),
        2 => any::<String>(),
        2 => "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.{0,8}",
        1 => "[+-]?[0-9]{0,3}:?[0-9]{0,3}",
        1 => any::<f64>().prop_map(|x| x.to_string()),
    ]
}

fn assert_ok(t: &Texts) -> Result<(), TestCaseError> {
    validate_catching(t).map_err(TestCaseError::fail)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_forecast_field(line in 1usize..=240, col in 0usize..4, value in odd_or_arbitrary()) {
        let mut t = tokyo_one_day();
        t.0[2] = set_csv_field(&t.0[2], line, col, &value);
        assert_ok(&t)?;
    }

    #[test]
    fn any_employee_field(line in 1usize..=60, col in 0usize..10, value in odd_or_arbitrary()) {
        let mut t = tokyo_one_day();
        t.0[1] = set_csv_field(&t.0[1], line, col, &value);
        assert_ok(&t)?;
    }

    #[test]
    fn any_request_field(line in 1usize..=70, col in 0usize..10, value in odd_or_arbitrary()) {
        let mut t = tokyo_one_day();
        t.0[3] = set_csv_field(&t.0[3], line, col, &value);
        assert_ok(&t)?;
    }

    #[test]
    fn any_site_value(key in proptest::sample::select(TOML_KEYS), value in odd_or_arbitrary(), number in any::<i64>(), pick in 0u8..3) {
        let mut t = tokyo_one_day();
        let rhs = match pick {
            0 => format!("{value:?}"),
            1 => number.to_string(),
            _ => format!("{}", f64::from_bits(number as u64)),
        };
        let mut lines = split_lines(&t.0[0]);
        match lines.iter().position(|l| l.starts_with(&format!("{key} ="))) {
            Some(i) => lines[i] = format!("{key} = {rhs}"),
            None => {
                let at = lines.iter().position(|l| l.starts_with('[')).unwrap_or(lines.len());
                lines.insert(at, format!("{key} = {rhs}"));
            }
        }
        t.0[0] = join_lines(&lines);
        assert_ok(&t)?;
    }
}
