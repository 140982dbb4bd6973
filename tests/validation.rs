//! Input validation, end to end.
//!
//! * `tests/broken/<name>/` holds broken variants of `data/tokyo`: only the files that
//!   differ, plus `expected.txt`. Each line of `expected.txt` is
//!   `FILE:LINE reason-substring` (or `FILE reason-substring` for a problem that sits on
//!   no line); every such problem must be reported. Unless `expected.txt` has a line
//!   `...`, no other error may be reported. Lines starting with `#` are comments.
//! * The example sites validate cleanly, through the library and through the binary.
//! * Daylight-saving changes in `America/Los_Angeles`: the repeated hour needs offsets,
//!   the skipped hour does not exist, and the days have 50 and 46 half-hour intervals.

use std::path::{Path, PathBuf};
use std::process::Command;

use shiftwise::input::validate::{validate_strings, Validation};
use shiftwise::input::validate_site;
use shiftwise::InputProblem;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copy every file of `from` into `to` (flat folders only).
fn copy_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// `data/tokyo` with the variant's files laid over it, in a fresh temporary folder.
fn overlay(variant: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_files(&root().join("data/tokyo"), dir.path());
    for entry in std::fs::read_dir(variant).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "expected.txt" {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    dir
}

/// One line of `expected.txt`.
#[derive(Debug)]
struct Expected {
    file: String,
    line: Option<usize>,
    reason: String,
}

/// Parse `expected.txt`; the flag says whether other errors are allowed (`...`).
fn parse_expected(text: &str) -> (Vec<Expected>, bool) {
    let mut out = Vec::new();
    let mut open = false;
    for raw in text.lines() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l == "..." {
            open = true;
            continue;
        }
        let (loc, reason) = l.split_once(' ').unwrap_or((l, ""));
        let (file, line) = match loc.split_once(':') {
            Some((f, n)) => (
                f.to_string(),
                Some(
                    n.parse()
                        .unwrap_or_else(|_| panic!("bad line number in {raw:?}")),
                ),
            ),
            None => (loc.to_string(), None),
        };
        out.push(Expected {
            file,
            line,
            reason: reason.trim().to_string(),
        });
    }
    (out, open)
}

fn matches(e: &Expected, p: &InputProblem) -> bool {
    p.file == e.file && p.line == e.line && p.reason.contains(&e.reason)
}

fn listing(problems: &[InputProblem]) -> String {
    problems.iter().map(|p| format!("    {p}\n")).collect()
}

/// Check a validation against `expected.txt`; returns the complaints (empty when fine).
fn check(name: &str, v: &Validation, expected: &[Expected], open: bool) -> Vec<String> {
    let mut complaints = Vec::new();
    let mut used = vec![false; v.errors.len()];
    for e in expected {
        // Each expected line consumes a distinct reported problem.
        match (0..v.errors.len()).find(|&i| !used[i] && matches(e, &v.errors[i])) {
            Some(i) => used[i] = true,
            None => complaints.push(format!(
                "{name}: expected {}{} containing {:?}, got:\n{}",
                e.file,
                e.line.map(|l| format!(":{l}")).unwrap_or_default(),
                e.reason,
                listing(&v.errors)
            )),
        }
    }
    if !open {
        let extra: Vec<InputProblem> = v
            .errors
            .iter()
            .zip(&used)
            .filter(|(_, &u)| !u)
            .map(|(p, _)| p.clone())
            .collect();
        if !extra.is_empty() {
            complaints.push(format!("{name}: unexpected error(s):\n{}", listing(&extra)));
        }
    }
    if v.site.is_some() {
        complaints.push(format!("{name}: a broken site must not produce a Site"));
    }
    complaints
}

fn variants() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/broken"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn broken_variants_report_every_expected_problem() {
    let dirs = variants();
    assert!(
        dirs.len() >= 12,
        "expected at least 12 broken variants, found {}",
        dirs.len()
    );
    let mut complaints = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(dir.join("expected.txt"))
            .unwrap_or_else(|e| panic!("{name}/expected.txt: {e}"));
        let (expected, open) = parse_expected(&text);
        assert!(!expected.is_empty(), "{name}/expected.txt lists no problem");
        let site = overlay(dir);
        let v = validate_site(site.path());
        complaints.extend(check(&name, &v, &expected, open));
    }
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));
}

/// The variant with problems in two files reports both in one pass.
#[test]
fn problems_in_several_files_are_reported_together() {
    let site = overlay(&root().join("tests/broken/two-files"));
    let v = validate_site(site.path());
    let files: std::collections::BTreeSet<&str> =
        v.errors.iter().map(|p| p.file.as_str()).collect();
    assert!(
        files.contains("employees.csv") && files.contains("requests.csv"),
        "{}",
        listing(&v.errors)
    );
}

fn run_validate(dir: &Path) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shiftwise"))
        .arg("validate")
        .arg(dir)
        .output()
        .expect("run shiftwise");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the bundled site `data/NAME` in a fresh temporary folder.
fn copy_of(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_files(&root().join("data").join(name), dir.path());
    dir
}

/// Every one of `needles` appears in `stderr`.
fn assert_reports(stderr: &str, needles: &[&str]) {
    for n in needles {
        assert!(stderr.contains(n), "stderr lacks {n:?}:\n{stderr}");
    }
}

#[test]
fn binary_reports_file_and_line_with_exit_code_2() {
    for (variant, needles) in [
        ("two-files", &["error: employees.csv:12: field `hourly_cost`: value \"lots\"", "error: requests.csv:35: field `strength`"][..]),
        ("site-unknown-timezone", &["error: site.toml:5: field `timezone`: value \"Asia/Tokio\": unknown IANA time zone"][..]),
        ("forecast-duplicate-row", &["error: forecast.csv:1682:"][..]),
    ] {
        let site = overlay(&root().join("tests/broken").join(variant));
        let (code, _stdout, stderr) = run_validate(site.path());
        assert_eq!(code, Some(2), "{variant}: exit code; stderr:\n{stderr}");
        for n in needles {
            assert!(stderr.contains(n), "{variant}: stderr lacks {n:?}:\n{stderr}");
        }
    }
}

#[test]
fn windows_line_ends_keep_the_line_numbers() {
    // The same broken files saved with "\r\n" (Excel on Windows): the same lines named.
    let site = overlay(&root().join("tests/broken/two-files"));
    for file in ["employees.csv", "requests.csv"] {
        let path = site.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
    }
    let (code, _stdout, stderr) = run_validate(site.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert_reports(
        &stderr,
        &[
            "error: employees.csv:12: field `hourly_cost`",
            "error: requests.csv:35: field `strength`",
        ],
    );
}

#[test]
fn leave_beyond_a_weekly_minimum_is_a_validation_error() {
    // Tokyo's full-timers work at least 4 shifts (32 h) a week; FT01 on leave Thursday to
    // Sunday keeps 3 days. The files are sound, the site is not: exit 2, the rule named.
    let dir = copy_of("tokyo");
    let path = dir.path().join("requests.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    for date in ["2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"] {
        text += &format!("FT01,unavailable,{date},,,,hard,,,annual leave\n");
    }
    std::fs::write(&path, text).unwrap();
    let (code, stdout, stderr) = run_validate(dir.path());
    assert_eq!(code, Some(2), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_reports(
        &stderr,
        &[
            "error: no roster can keep weekly shifts: FT01 week 1 min 4 shifts, but a shift is possible on only 3 of its days",
            "error: no roster can keep weekly hours: FT01 week 1 min 32 h",
        ],
    );
}

#[test]
fn a_bare_toml_date_is_read_as_the_date_and_a_date_time_is_an_error() {
    let dir = copy_of("tokyo");
    let path = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("start_date = \"2026-11-30\""));
    std::fs::write(&path, text.replace("\"2026-11-30\"", "2026-11-30")).unwrap();
    let v = validate_site(dir.path());
    assert!(v.errors.is_empty(), "{}", listing(&v.errors));
    assert_eq!(
        v.site.unwrap().grid.start_date,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    );
    std::fs::write(&path, text.replace("\"2026-11-30\"", "2026-11-30T09:00:00")).unwrap();
    let v = validate_site(dir.path());
    assert!(
        v.errors
            .iter()
            .any(|p| p.to_string().contains("site.toml:6")
                && p.to_string().contains("start_date")
                && p.to_string().contains("expected a date")),
        "{}",
        listing(&v.errors)
    );
}

#[test]
fn validate_checks_the_sites_scenario_file_too() {
    let dir = copy_of("prime-day");
    let path = dir.path().join("scenarios.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = 1 + text
        .lines()
        .position(|l| l.trim() == "kind = \"stochastic\"")
        .expect("a stochastic scenario");
    std::fs::write(
        &path,
        text.replacen("kind = \"stochastic\"", "kind = \"stochastc\"", 1),
    )
    .unwrap();
    let (code, stdout, stderr) = run_validate(dir.path());
    assert_eq!(code, Some(2), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let needle = format!("scenarios.toml:{line}: field `kind`: value \"stochastc\"");
    assert!(
        stderr.contains(&needle),
        "stderr lacks {needle:?}:\n{stderr}"
    );
}

#[test]
fn example_sites_validate_cleanly() {
    for name in ["tokyo", "prime-day", "seattle-dst"] {
        let v = validate_site(&root().join("data").join(name));
        assert!(v.errors.is_empty(), "data/{name}:\n{}", listing(&v.errors));
        assert!(v.site.is_some(), "data/{name}: no site");
    }
    let tokyo = validate_site(&root().join("data/tokyo")).site.unwrap();
    assert_eq!(tokyo.employees.len(), 60);
    assert_eq!(tokyo.queues.len(), 5);
    assert_eq!(tokyo.grid.len(), 7 * 48);

    let (code, stdout, stderr) = run_validate(&root().join("data/tokyo"));
    assert_eq!(code, Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("ok"), "{stdout}");
    assert!(!stderr.contains("error:"), "{stderr}");
}

// ---------------------------------------------------------------------------------
// Daylight saving time in America/Los_Angeles.
// ---------------------------------------------------------------------------------

const LA_EMPLOYEES: &str =
    "id,name,role,contract,work_mode,timezone,skills,hourly_cost,min_hours,max_hours\n\
A1,Ann,agent,ft,onsite,,phone,25,,\n";

fn la_site(start: &str, days: u32) -> String {
    format!(
        r#"name = "dst"
timezone = "America/Los_Angeles"
start_date = "{start}"
days = {days}
interval_minutes = 30

[[queues]]
id = "phone"
channel = "phone"
language = "en"

[[contracts]]
id = "ft"

[[shift_templates]]
id = "day"
length_hours = 8
earliest_start = "08:00"
latest_start = "10:00"
work_mode = "onsite"
contracts = ["ft"]
"#
    )
}

/// Forecast rows for every wall-clock half hour of `days` days from `start`, as
/// `(interval_start, contacts)`. The repeated hour of 2026-11-01 is written twice with
/// offsets; the skipped hour of 2026-03-08 is left out. Rows come in real time order.
fn la_rows(start: &str, days: u32) -> Vec<String> {
    let start = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap();
    let mut rows = Vec::new();
    for d in 0..days {
        let date = start + chrono::Duration::days(i64::from(d));
        for slot in 0..48 {
            let (h, m) = (slot / 2, (slot % 2) * 30);
            let stamp = format!("{date}T{h:02}:{m:02}");
            if date.to_string() == "2026-03-08" && h == 2 {
                continue;
            }
            if date.to_string() == "2026-11-01" && h == 1 {
                // Real time order: 01:00 and 01:30 in PDT, then both again in PST.
                if m == 0 {
                    for off in ["-07:00", "-08:00"] {
                        rows.push(format!("{date}T01:00{off}"));
                        rows.push(format!("{date}T01:30{off}"));
                    }
                }
            } else {
                rows.push(stamp);
            }
        }
    }
    rows
}

/// The forecast text for `rows`: contacts = position of the row, AHT 300 s.
fn la_forecast(rows: &[String]) -> String {
    let mut s = String::from("interval_start,queue,contacts,aht_seconds\n");
    for (i, r) in rows.iter().enumerate() {
        s += &format!("{r},phone,{i},300\n");
    }
    s
}

/// Line of `stamp` in the forecast text made from `rows` (header is line 1).
fn line_of(rows: &[String], stamp: &str) -> usize {
    rows.iter()
        .position(|r| r == stamp)
        .unwrap_or_else(|| panic!("no row {stamp}"))
        + 2
}

fn validate_la(start: &str, days: u32, rows: &[String]) -> Validation {
    validate_strings(&la_site(start, days), LA_EMPLOYEES, &la_forecast(rows), "")
}

#[test]
fn dst_end_repeated_hour_with_offsets_loads_as_two_intervals() {
    let rows = la_rows("2026-10-31", 3);
    let v = validate_la("2026-10-31", 3, &rows);
    assert!(v.errors.is_empty(), "{}", listing(&v.errors));
    let site = v.site.unwrap();
    let g = &site.grid;
    assert_eq!(g.day_starts[1] - g.day_starts[0], 48);
    assert_eq!(
        g.day_starts[2] - g.day_starts[1],
        50,
        "2026-11-01 has 25 h of half hours"
    );
    assert_eq!(g.day_starts[3] - g.day_starts[2], 48);
    assert_eq!(g.len(), rows.len());
    // The two 01:30 rows landed on two different intervals, an hour apart.
    let first = line_of(&rows, "2026-11-01T01:30-07:00") - 2;
    let second = line_of(&rows, "2026-11-01T01:30-08:00") - 2;
    let at = |contacts: usize| {
        (0..g.len())
            .filter(|&i| site.forecast.contacts[0][i] == contacts as f64)
            .collect::<Vec<_>>()
    };
    let (i1, i2) = (at(first), at(second));
    assert_eq!(
        (i1.len(), i2.len()),
        (1, 1),
        "each 01:30 row sits on exactly one interval"
    );
    let (i1, i2) = (i1[0], i2[0]);
    assert_eq!(
        i2,
        i1 + 2,
        "the second 01:30 is one hour (two intervals) after the first"
    );
    assert_eq!(g.intervals[i1].start_local, g.intervals[i2].start_local);
    assert_eq!(g.intervals[i1].utc_offset_seconds, -7 * 3600);
    assert_eq!(g.intervals[i2].utc_offset_seconds, -8 * 3600);
    // Every row fills its own interval: contacts are the row positions, in time order.
    for (i, c) in site.forecast.contacts[0].iter().enumerate() {
        assert_eq!(*c, i as f64, "interval {i}");
    }
}

#[test]
fn dst_end_repeated_hour_without_offset_is_ambiguous() {
    let mut rows = la_rows("2026-10-31", 3);
    let at = rows
        .iter()
        .position(|r| r == "2026-11-01T01:30-07:00")
        .unwrap();
    rows[at] = "2026-11-01T01:30".into();
    let v = validate_la("2026-10-31", 3, &rows);
    assert!(v.site.is_none());
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    let p = &v.errors[0];
    assert_eq!(p.file, "forecast.csv");
    assert_eq!(p.line, Some(at + 2));
    assert_eq!(p.field.as_deref(), Some("interval_start"));
    assert_eq!(p.value, "2026-11-01T01:30");
    assert!(p.reason.contains("happens twice"), "{p}");
    assert!(
        p.reason.contains("-07:00") && p.reason.contains("-08:00"),
        "{p}"
    );
    assert!(p.reason.contains("America/Los_Angeles"), "{p}");
}

#[test]
fn dst_end_offset_the_zone_does_not_have_is_rejected() {
    for bad in ["2026-11-01T01:30+09:00", "2026-11-01T01:30Z"] {
        let mut rows = la_rows("2026-10-31", 3);
        let at = rows
            .iter()
            .position(|r| r == "2026-11-01T01:30-08:00")
            .unwrap();
        rows[at] = bad.into();
        let v = validate_la("2026-10-31", 3, &rows);
        assert_eq!(v.errors.len(), 1, "{bad}: {}", listing(&v.errors));
        let p = &v.errors[0];
        assert_eq!((p.file.as_str(), p.line), ("forecast.csv", Some(at + 2)));
        assert!(p.reason.contains("-07:00 or -08:00"), "{p}");
    }
    // An explicit offset on an ordinary hour must match the zone too.
    let mut rows = la_rows("2026-10-31", 3);
    let at = rows.iter().position(|r| r == "2026-11-01T05:00").unwrap();
    rows[at] = "2026-11-01T05:00-07:00".into();
    let v = validate_la("2026-10-31", 3, &rows);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    assert!(v.errors[0].reason.contains("-08:00"), "{}", v.errors[0]);
    rows[at] = "2026-11-01T05:00-08:00".into();
    assert!(validate_la("2026-10-31", 3, &rows).errors.is_empty());
}

#[test]
fn dst_end_missing_one_of_the_repeated_rows_is_reported() {
    for (drop, first_at) in [
        ("2026-11-01T01:30-08:00", "2026-11-01T01:30-08:00"),
        ("2026-11-01T01:30-07:00", "2026-11-01T01:30-07:00"),
    ] {
        let mut rows = la_rows("2026-10-31", 3);
        rows.retain(|r| r != drop);
        let v = validate_la("2026-10-31", 3, &rows);
        assert!(v.site.is_none());
        assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
        let p = &v.errors[0];
        assert_eq!(p.file, "forecast.csv");
        assert!(p.reason.contains("no row for 1 interval(s)"), "{p}");
        assert!(p.reason.contains(first_at), "dropping {drop}: {p}");
    }
}

#[test]
fn dst_start_skipped_hour_does_not_exist() {
    let rows = la_rows("2026-03-07", 3);
    let v = validate_la("2026-03-07", 3, &rows);
    assert!(v.errors.is_empty(), "{}", listing(&v.errors));
    let site = v.site.unwrap();
    let g = &site.grid;
    assert_eq!(g.day_starts[1] - g.day_starts[0], 48);
    assert_eq!(
        g.day_starts[2] - g.day_starts[1],
        46,
        "2026-03-08 has 23 h of half hours"
    );
    assert_eq!(g.day_starts[3] - g.day_starts[2], 48);
    use chrono::Timelike;
    assert!(g.intervals[g.day_starts[1]..g.day_starts[2]]
        .iter()
        .all(|i| i.start_local.hour() != 2));

    let mut rows = la_rows("2026-03-07", 3);
    rows.push("2026-03-08T02:30".into());
    let v = validate_la("2026-03-07", 3, &rows);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    let p = &v.errors[0];
    assert_eq!(
        (p.file.as_str(), p.line),
        ("forecast.csv", Some(rows.len() + 1))
    );
    assert_eq!(p.value, "2026-03-08T02:30");
    assert!(p.reason.contains("does not exist"), "{p}");
}

#[test]
fn dst_one_day_horizons() {
    // A horizon of exactly the change day.
    for (date, n) in [("2026-11-01", 50), ("2026-03-08", 46)] {
        let rows = la_rows(date, 1);
        let v = validate_la(date, 1, &rows);
        assert!(v.errors.is_empty(), "{date}: {}", listing(&v.errors));
        let g = v.site.unwrap().grid;
        assert_eq!(g.len(), n, "{date}");
        assert_eq!(g.day_starts, vec![0, n]);
    }
    // The day after the horizon is outside it, even at local midnight.
    let mut rows = la_rows("2026-11-01", 1);
    rows.push("2026-11-02T00:00".into());
    let v = validate_la("2026-11-01", 1, &rows);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    assert!(
        v.errors[0].reason.contains("outside the planning horizon"),
        "{}",
        v.errors[0]
    );
}

// ---------------------------------------------------------------------------------
// Regressions (inputs that used to panic the loader) and known reporting bugs.
// ---------------------------------------------------------------------------------

/// The four texts of `data/tokyo`.
fn tokyo_texts() -> [String; 4] {
    ["site.toml", "employees.csv", "forecast.csv", "requests.csv"]
        .map(|f| std::fs::read_to_string(root().join("data/tokyo").join(f)).unwrap())
}

fn validate_texts(t: &[String; 4]) -> Validation {
    validate_strings(&t[0], &t[1], &t[2], &t[3])
}

/// Replace line `n` (1-based) of `text`.
fn with_line(text: &str, n: usize, new: &str) -> String {
    let mut lines: Vec<&str> = text.split('\n').collect();
    lines[n - 1] = new;
    lines.join("\n")
}

#[test]
fn forecast_timestamp_with_multibyte_tail_is_an_error_not_a_panic() {
    // Used to panic slicing the possible UTC offset inside the 'é'.
    for stamp in [
        "2026-11-30T00:00é12345",
        "2026-11-30T00:00+0é:0",
        "2026-11-30T00:00日本",
    ] {
        let mut t = tokyo_texts();
        t[2] = with_line(&t[2], 2, &format!("{stamp},phone-ja,0,305"));
        let v = validate_texts(&t);
        assert_eq!(v.errors.len(), 1, "{stamp}: {}", listing(&v.errors));
        let p = &v.errors[0];
        assert_eq!(
            (p.file.as_str(), p.line, p.field.as_deref()),
            ("forecast.csv", Some(2), Some("interval_start"))
        );
        assert!(p.reason.contains("not a local timestamp"), "{p}");
    }
}

#[test]
fn interval_minutes_zero_is_an_error_not_a_panic() {
    // Used to divide by zero while checking the shift templates against the interval.
    let mut t = tokyo_texts();
    t[0] = t[0].replace("\ninterval_minutes = 30\n", "\ninterval_minutes = 0\n");
    let v = validate_texts(&t);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    let p = &v.errors[0];
    assert_eq!((p.file.as_str(), p.line), ("site.toml", Some(8)));
    assert!(p.reason.contains("15 or 30"), "{p}");
}

#[test]
fn forecast_shrinkage_column_is_optional_and_checked() {
    let t = tokyo_texts();
    let mut lines: Vec<String> = t[2].lines().map(String::from).collect();
    lines[0] += ",shrinkage";
    for (k, l) in lines.iter_mut().enumerate().skip(1) {
        l.push(',');
        if k == 3 {
            l.push_str("0.4");
        }
        if k == 5 {
            l.push_str("1.5");
        }
    }
    let fc = lines.join("\n") + "\n";
    let v = validate_strings(&t[0], &t[1], &fc, &t[3]);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    assert_eq!(
        (
            v.errors[0].file.as_str(),
            v.errors[0].line,
            v.errors[0].field.as_deref()
        ),
        ("forecast.csv", Some(6), Some("shrinkage"))
    );
    // Without the bad cell the column loads: line 4 (first interval, third queue) holds 0.4,
    // every other cell the site's value.
    let fc = fc.replace(",1.5\n", ",\n");
    let v = validate_strings(&t[0], &t[1], &fc, &t[3]);
    assert!(v.errors.is_empty(), "{}", listing(&v.errors));
    let site = v.site.unwrap();
    let s = site.forecast.shrinkage.as_ref().unwrap();
    assert_eq!(s[2][0], 0.4);
    assert_eq!(s[0][0], site.shrinkage);
}

#[test]
fn duplicate_queue_id_is_reported_on_the_duplicate() {
    let mut t = tokyo_texts();
    t[0] = with_line(&t[0], 33, "id = \"phone-ja\"");
    let v = validate_texts(&t);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    assert_eq!(v.errors[0].line, Some(33), "{}", v.errors[0]);
}

#[test]
fn contract_problem_is_reported_in_its_own_table() {
    // Student: min 30 > max 24; part_time (line 74) also says max_hours_per_week = 24.0.
    let mut t = tokyo_texts();
    t[0] = with_line(&t[0], 83, "min_hours_per_week = 30.0");
    t[0] = with_line(&t[0], 84, "max_hours_per_week = 24.0");
    let v = validate_texts(&t);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    assert!(
        v.errors[0].reason.contains("contract student"),
        "{}",
        v.errors[0]
    );
    assert!(matches!(v.errors[0].line, Some(83 | 84)), "{}", v.errors[0]);
}

#[test]
fn requests_of_an_employee_with_a_bad_row_are_not_called_unknown() {
    // FT03 (employees.csv:8) has requests on requests.csv:6 and :7.
    let mut t = tokyo_texts();
    t[1] = with_line(
        &t[1],
        8,
        "FT03,Kato Hiroshi,agent,full_time,hybrid,,phone-ja;chat-jp,1950,,",
    );
    let v = validate_texts(&t);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    assert_eq!(
        (v.errors[0].file.as_str(), v.errors[0].line),
        ("employees.csv", Some(8))
    );
}

#[test]
fn unreadable_employees_do_not_flood_requests_with_errors() {
    let mut t = tokyo_texts();
    t[1] = "id,name\n".into();
    let v = validate_texts(&t);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    assert_eq!(
        (v.errors[0].file.as_str(), v.errors[0].line),
        ("employees.csv", Some(1))
    );
}

#[test]
fn a_dated_request_outside_the_horizon_is_a_warning_naming_its_line() {
    // requests.csv:4 is TL04's hard leave on 2026-12-05; a year typo moves it out of the week.
    let mut t = tokyo_texts();
    let line4 = t[3].lines().nth(3).unwrap().to_string();
    assert!(line4.starts_with("TL04,unavailable,2026-12-05"), "{line4}");
    t[3] = with_line(&t[3], 4, &line4.replace("2026-12-05", "2027-12-05"));
    let v = validate_texts(&t);
    assert!(v.errors.is_empty(), "{}", listing(&v.errors));
    let w: Vec<&InputProblem> = v
        .warnings
        .iter()
        .filter(|w| w.file == "requests.csv")
        .collect();
    assert_eq!(w.len(), 1, "{}", listing(&v.warnings));
    assert_eq!((w[0].line, w[0].field.as_deref()), (Some(4), Some("date")));
    assert!(
        w[0].to_string()
            .contains("outside the planning horizon (2026-11-30 to 2026-12-06)"),
        "{}",
        w[0]
    );
}

#[test]
fn a_typo_or_a_mistyped_value_in_site_toml_does_not_hide_the_other_problems() {
    // site.toml: line 9 `seats` misspelt, line 10 shrinkage written as text; employees.csv:3
    // a bad cost. All three at once (the reader used to stop at the first).
    let mut t = tokyo_texts();
    assert_eq!(t[0].lines().nth(8), Some("seats = 30"));
    assert_eq!(t[0].lines().nth(9), Some("shrinkage = 0.15"));
    t[0] = with_line(&t[0], 9, "seat = 30");
    t[0] = with_line(&t[0], 10, "shrinkage = \"15%\"");
    let line3 = t[1].lines().nth(2).unwrap().to_string();
    let mut cells: Vec<&str> = line3.split(',').collect();
    cells[7] = "lots";
    t[1] = with_line(&t[1], 3, &cells.join(","));
    let v = validate_texts(&t);
    let found: Vec<(&str, Option<usize>, Option<&str>)> = v
        .errors
        .iter()
        .map(|e| (e.file.as_str(), e.line, e.field.as_deref()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("site.toml", Some(9), Some("seat")),
            ("site.toml", Some(10), Some("shrinkage")),
            ("employees.csv", Some(3), Some("hourly_cost")),
        ],
        "{}",
        listing(&v.errors)
    );
    assert!(
        v.errors[0].to_string().contains("unknown field `seat`"),
        "{}",
        v.errors[0]
    );
    // A misspelt key the site needs: the typo, then the missing key, and no more.
    let mut t = tokyo_texts();
    t[0] = with_line(&t[0], 5, "timezon = \"Asia/Tokyo\"");
    let v = validate_texts(&t);
    let site_errors: Vec<String> = v
        .errors
        .iter()
        .filter(|e| e.file == "site.toml")
        .map(|e| e.to_string())
        .collect();
    assert_eq!(site_errors.len(), 2, "{}", listing(&v.errors));
    assert!(
        site_errors[0].contains("unknown field `timezon`"),
        "{site_errors:?}"
    );
    assert!(
        site_errors[1].contains("missing field `timezone`"),
        "{site_errors:?}"
    );
    // A typo inside an inline table is not its line's key: the line is not skipped (that
    // would drop the whole table), so the reading stops at it — the bad cost in
    // employees.csv is not reached, as before this change.
    let mut t = tokyo_texts();
    assert_eq!(t[0].lines().nth(11), Some(""));
    t[0] = with_line(&t[0], 12, "fairness = { wieght = 500.0 }");
    t[1] = with_line(&t[1], 3, &cells.join(","));
    let v = validate_texts(&t);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    assert_eq!(v.errors[0].line, Some(12), "{}", v.errors[0]);
    assert!(
        v.errors[0].to_string().contains("unknown field `wieght`"),
        "{}",
        v.errors[0]
    );
}

#[test]
fn a_max_shifts_request_with_a_weekday_or_a_window_is_an_error() {
    // max_shifts counts a week's shifts: a weekday or a time window would be ignored.
    for (row, field) in [
        ("FT20,max_shifts,,wed,,,hard,,2,", "weekday"),
        ("FT20,max_shifts,2026-12-02,,09:00,,hard,,2,", "from"),
        ("FT20,max_shifts,,,,18:00,soft,10,2,", "to"),
    ] {
        let mut t = tokyo_texts();
        t[3] = format!("{}{row}\n", t[3]);
        let line = t[3].lines().count();
        let v = validate_texts(&t);
        assert_eq!(v.errors.len(), 1, "{row}: {}", listing(&v.errors));
        let e = &v.errors[0];
        assert_eq!(
            (e.file.as_str(), e.line, e.field.as_deref()),
            ("requests.csv", Some(line), Some(field)),
            "{e}"
        );
        assert!(e.to_string().contains("max_shifts caps a week"), "{e}");
    }
}

#[test]
fn a_change_for_an_unknown_employee_or_a_day_outside_the_horizon_is_an_error() {
    let (mut site, _) = shiftwise::load_site(&root().join("data/tokyo")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let header = "employee,kind,date,weekday,from,to,strength,weight,value,note\n";
    let known = site.requests.len();
    for (row, field, why) in [
        (
            "ft20,unavailable,2026-12-02,,09:00,24:00,hard,,,sick",
            "employee",
            "unknown employee",
        ),
        (
            "FT20,unavailable,2026-11-20,,09:00,24:00,hard,,,sick",
            "date",
            "outside the planning horizon",
        ),
    ] {
        let path = dir.path().join("changes.csv");
        std::fs::write(&path, format!("{header}{row}\n")).unwrap();
        let err = shiftwise::input::validate::add_requests_from(&mut site, &path)
            .expect_err(row)
            .to_string();
        assert!(
            err.contains("changes.csv:2") && err.contains(field) && err.contains(why),
            "{err}"
        );
    }
    assert_eq!(
        site.requests.len(),
        known,
        "a refused change must add nothing"
    );
    // The same row with the id as employees.csv spells it is taken.
    let path = dir.path().join("ok.csv");
    std::fs::write(
        &path,
        format!("{header}FT20,unavailable,2026-12-02,,09:00,24:00,hard,,,sick\n"),
    )
    .unwrap();
    shiftwise::input::validate::add_requests_from(&mut site, &path).unwrap();
    assert_eq!(site.requests.len(), known + 1);
}

#[test]
fn absurd_magnitudes_are_errors_naming_line_and_field() {
    // Each a typo that used to pass: an infinite objective, a solver failure, an
    // unoptimised roster.
    let mut t = tokyo_texts();
    let edit = |text: &str, n: usize, col: usize, value: &str| {
        let line = text.split('\n').nth(n - 1).unwrap();
        let mut cells: Vec<&str> = line.split(',').collect();
        cells[col] = value;
        with_line(text, n, &cells.join(","))
    };
    t[1] = edit(&t[1], 3, 7, "1e308"); // employees.csv: hourly_cost
    t[2] = edit(&t[2], 582, 2, "1e12"); // forecast.csv: contacts
    t[3] = edit(&t[3], 2, 7, "1e308"); // requests.csv: weight
    t[0] = t[0].replace(
        "overstaffing_per_agent_hour = 300.0",
        "overstaffing_per_agent_hour = 1e300",
    );
    let v = validate_texts(&t);
    let mut got: Vec<(String, Option<usize>, Option<String>)> = v
        .errors
        .iter()
        .map(|p| (p.file.clone(), p.line, p.field.clone()))
        .collect();
    got.sort();
    let want = [
        ("employees.csv", 3, "hourly_cost"),
        ("forecast.csv", 582, "contacts"),
        ("requests.csv", 2, "weight"),
        ("site.toml", 19, "overstaffing_per_agent_hour"),
    ]
    .map(|(f, l, c)| (f.to_string(), Some(l), Some(c.to_string())));
    assert_eq!(got, want, "{}", listing(&v.errors));
    assert!(
        v.errors.iter().all(|p| p.to_string().contains("at most")),
        "{}",
        listing(&v.errors)
    );
}

#[test]
fn a_toml_value_of_the_wrong_kind_names_its_key_in_plain_words() {
    let mut t = tokyo_texts();
    t[0] = t[0].replace("seats = 30", "seats = \"thirty\"");
    let v = validate_texts(&t);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    let e = &v.errors[0];
    assert_eq!(
        (e.line, e.field.as_deref()),
        (Some(9), Some("seats")),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("expected a whole number of 0 or more"),
        "{e}"
    );
}

#[test]
fn a_site_folder_that_is_not_there_is_one_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-site");
    let v = validate_site(&missing);
    assert_eq!(v.errors.len(), 1, "{}", listing(&v.errors));
    assert!(
        v.errors[0]
            .to_string()
            .contains("no-such-site: not a folder"),
        "{}",
        v.errors[0]
    );
}

#[test]
fn employees_csv_may_leave_out_the_weekly_hour_overrides() {
    let mut t = tokyo_texts();
    let strip = |line: &str| {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() < 3 {
            return line.to_string();
        }
        cells[..cells.len() - 2].join(",")
    };
    t[1] = t[1].lines().map(strip).collect::<Vec<_>>().join("\n");
    assert!(t[1].starts_with("id,name,role,contract,work_mode,timezone,skills,hourly_cost\n"));
    let v = validate_texts(&t);
    assert!(v.errors.is_empty(), "{}", listing(&v.errors));
    // The same as the columns present and empty (FT21 and FT28 override their hours).
    let mut blank = tokyo_texts();
    blank[1] = blank[1].replace(",24,32", ",,");
    let full = validate_texts(&blank);
    let (a, b) = (v.site.unwrap(), full.site.unwrap());
    assert_eq!(a.employees, b.employees);
}
