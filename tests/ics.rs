//! Calendar export (`report::ics`, `shiftwise export ics`): every file produced is parsed
//! back with the `icalendar` crate and checked against the roster it came from.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use common::bin;
use icalendar::parser::{read_calendar, unfold};
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime, EventLike};
use shiftwise::domain::{BreakKind, ShiftMode};
use shiftwise::report::ics::{employee_calendar, write_calendars};
use shiftwise::roster::{PlacedBreak, Roster, Shift};
use shiftwise::Site;

/// The fixed DTSTAMP of the library tests.
fn stamp() -> DateTime<Utc> {
    t("2026-10-20T12:34:56Z")
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn load(dir: &str) -> Site {
    shiftwise::load_site(Path::new(dir)).unwrap().0
}

/// A shift of `hours` from `start` (RFC 3339) on `template`, 70/30 on the first two queues.
fn shift(site: &Site, emp: &str, template: &str, start: &str, hours: f64) -> Shift {
    let employee = site.employee_index(emp).unwrap();
    let tpl = site
        .templates
        .iter()
        .position(|x| x.id == template)
        .unwrap();
    let start = t(start);
    let minutes = (hours * 60.0) as i64;
    let day = site
        .grid
        .day_of_date(start.with_timezone(&site.tz()).date_naive())
        .unwrap();
    Shift {
        employee,
        day,
        template: tpl,
        start,
        end: start + Duration::minutes(minutes),
        mode: site.templates[tpl].mode,
        paid_minutes: minutes as u32 - site.templates[tpl].meal_minutes,
        allocation: vec![(0, 0.7), (1, 0.3)],
        breaks: Vec::new(),
    }
}

fn brk(kind: BreakKind, start: &str, minutes: i64) -> PlacedBreak {
    let start = t(start);
    PlacedBreak {
        kind,
        start,
        end: start + Duration::minutes(minutes),
    }
}

/// The Seattle week (2026-10-29 … 11-04, DST ends 11-01 02:00): shifts on both sides of the
/// change, an agent in Mexico City, a team lead without allocation, and two short shifts
/// across the change whose breaks fall in the repeated hour (first and second pass).
fn seattle_roster(site: &Site) -> Roster {
    let mut shifts = vec![
        shift(site, "FT01", "day-remote", "2026-10-29T08:00:00-07:00", 8.5),
        shift(site, "FT01", "day-onsite", "2026-10-30T07:00:00-07:00", 8.5),
        shift(site, "FT01", "day-remote", "2026-11-01T09:00:00-08:00", 8.5),
        shift(site, "FT01", "day-onsite", "2026-11-02T06:30:00-08:00", 8.5),
        shift(
            site,
            "MEX01",
            "day-remote",
            "2026-10-30T08:00:00-07:00",
            8.5,
        ),
        shift(
            site,
            "MEX01",
            "day-remote",
            "2026-11-02T08:00:00-08:00",
            8.5,
        ),
        shift(site, "TL01", "day-onsite", "2026-10-31T07:30:00-07:00", 8.5),
        shift(
            site,
            "PT01",
            "part-remote",
            "2026-11-01T00:30:00-07:00",
            4.0,
        ),
        shift(
            site,
            "ST01",
            "student-flex-remote",
            "2026-11-01T00:00:00-07:00",
            3.0,
        ),
    ];
    let tl = site.employee_index("TL01").unwrap();
    let student = site.employee_index("ST01").unwrap();
    let q = |id: &str| site.queue_index(id).unwrap();
    for s in &mut shifts {
        if s.employee == tl {
            s.allocation.clear();
        } else if s.employee == student {
            // The student serves chat and email, not the phone.
            s.allocation = vec![(q("chat-en"), 0.7), (q("email-en"), 0.3)];
        }
    }
    let mut roster = Roster { shifts }.with_mid_window_breaks(site);
    for s in &mut roster.shifts {
        let id = site.employees[s.employee].id.as_str();
        if id == "PT01" {
            // 01:30 PST: the second pass through 01:00–02:00.
            s.breaks = vec![brk(BreakKind::Mindfulness, "2026-11-01T01:30:00-08:00", 15)];
        } else if id == "ST01" {
            // 01:30 PDT: the first pass.
            s.breaks = vec![brk(BreakKind::Mindfulness, "2026-11-01T01:30:00-07:00", 15)];
        }
    }
    roster.sort();
    roster
}

/// A fixed date-time parsed back to UTC: `TZID` through chrono-tz (a repeated local time
/// meaning its first occurrence, RFC 5545 §3.3.5), or UTC.
fn instant(d: DatePerhapsTime, want_tzid: &str) -> (DateTime<Utc>, bool) {
    match d {
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(t)) => (t, false),
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
            assert_eq!(tzid, want_tzid, "TZID is the employee's zone");
            let tz: Tz = tzid.parse().expect("TZID is an IANA zone");
            let t = match tz.from_local_datetime(&date_time) {
                LocalResult::Single(x) => x,
                LocalResult::Ambiguous(first, _) => first,
                LocalResult::None => panic!("{date_time} does not exist in {tzid}"),
            };
            (t.with_timezone(&Utc), true)
        }
        other => panic!("not a fixed date-time: {other:?}"),
    }
}

/// One STANDARD/DAYLIGHT sub-component of a VTIMEZONE.
#[derive(Debug, Clone, PartialEq)]
struct Observance {
    kind: String,
    dtstart: String,
    from: String,
    to: String,
}

fn offset_seconds(s: &str) -> i64 {
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let d = &s[1..];
    let h: i64 = d[0..2].parse().unwrap();
    let m: i64 = d[2..4].parse().unwrap();
    let sec: i64 = if d.len() > 4 {
        d[4..6].parse().unwrap()
    } else {
        0
    };
    sign * (h * 3600 + m * 60 + sec)
}

fn naive(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap()
}

/// The VTIMEZONEs of a calendar text, by TZID (parsed with the raw `icalendar` parser).
fn vtimezones(text: &str) -> BTreeMap<String, Vec<Observance>> {
    let unfolded = unfold(text);
    let cal = read_calendar(&unfolded).expect("parses");
    let mut out = BTreeMap::new();
    for c in cal.components.iter().filter(|c| c.name == "VTIMEZONE") {
        let tzid = c.find_prop("TZID").unwrap().val.as_str().to_string();
        let obs = c
            .components
            .iter()
            .map(|o| Observance {
                kind: o.name.as_str().to_string(),
                dtstart: o.find_prop("DTSTART").unwrap().val.as_str().to_string(),
                from: o
                    .find_prop("TZOFFSETFROM")
                    .unwrap()
                    .val
                    .as_str()
                    .to_string(),
                to: o.find_prop("TZOFFSETTO").unwrap().val.as_str().to_string(),
            })
            .collect();
        out.insert(tzid, obs);
    }
    out
}

/// Resolve a local time with the VTIMEZONE alone (no chrono-tz): each observance holds from
/// its onset (DTSTART in the offset before it) to the next one; the earliest instant whose
/// observance gives back `local` wins. Panics when the VTIMEZONE does not cover `local`.
fn resolve_with(obs: &[Observance], local: NaiveDateTime) -> DateTime<Utc> {
    let mut periods: Vec<(NaiveDateTime, i64)> = obs
        .iter()
        .map(|o| {
            (
                naive(&o.dtstart) - Duration::seconds(offset_seconds(&o.from)),
                offset_seconds(&o.to),
            )
        })
        .collect();
    periods.sort();
    let mut candidates = Vec::new();
    for (i, &(onset, to)) in periods.iter().enumerate() {
        let utc = local - Duration::seconds(to);
        let until = periods.get(i + 1).map(|p| p.0);
        if utc >= onset && until.is_none_or(|u| utc < u) {
            candidates.push(utc);
        }
    }
    let utc = candidates
        .into_iter()
        .min()
        .unwrap_or_else(|| panic!("{local} is not covered by the VTIMEZONE {obs:?}"));
    Utc.from_utc_datetime(&utc)
}

/// The unfolded content lines of a calendar text.
fn logical_lines(text: &str) -> Vec<String> {
    text.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Undo TEXT escaping (independently of the parser).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(x) => out.push(x),
                None => panic!("dangling backslash in {s}"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Everything a calendar of `employee` must hold, checked: header, one event per shift
/// and break with the right UID, instants (through chrono-tz and through the VTIMEZONE),
/// summary and stamp. Returns the UIDs.
fn check_calendar(
    site: &Site,
    roster: &Roster,
    employee: usize,
    text: &str,
    stamp: DateTime<Utc>,
) -> Vec<String> {
    let emp = &site.employees[employee];
    let tzid = emp.tz.name();
    let cal: Calendar = text.parse().expect("the calendar parses");
    assert_eq!(cal.property_value("VERSION"), Some("2.0"));
    assert_eq!(
        cal.property_value("PRODID"),
        Some("-//shiftwise//roster//EN")
    );
    assert_eq!(cal.property_value("CALSCALE"), Some("GREGORIAN"));
    assert!(unescape(cal.property_value("X-WR-CALNAME").unwrap()).contains(&emp.name));
    assert_eq!(cal.property_value("X-WR-TIMEZONE"), Some(tzid));
    let zones = vtimezones(text);
    assert_eq!(
        zones.keys().collect::<Vec<_>>(),
        vec![tzid],
        "one VTIMEZONE, the employee's"
    );
    let obs = &zones[tzid];

    let events: Vec<_> = cal.components.iter().filter_map(|c| c.as_event()).collect();
    let mut expected = Vec::new();
    for s in roster.of_employee(employee) {
        let base = format!("{}-{}", emp.id, s.start.format("%Y%m%dT%H%M%SZ"));
        let mode = match s.mode {
            ShiftMode::Remote => "Shift (remote)",
            ShiftMode::Onsite => "Shift (on-site)",
        };
        let summary = if s.allocation.is_empty() {
            mode.to_string()
        } else {
            format!(
                "{mode} — {} 70%, {} 30%",
                site.queues[s.allocation[0].0].id, site.queues[s.allocation[1].0].id
            )
        };
        expected.push((format!("{base}-shift@shiftwise"), s.start, s.end, summary));
        for (n, b) in s.breaks.iter().enumerate() {
            let title = match b.kind {
                BreakKind::Meal => "Meal break",
                BreakKind::Mindfulness => "Mindfulness break",
            };
            expected.push((
                format!("{base}-break-{}@shiftwise", n + 1),
                b.start,
                b.end,
                title.to_string(),
            ));
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(
        events.len(),
        expected.len(),
        "one event per shift and break"
    );
    for (uid, start, end, summary) in &expected {
        let matching: Vec<_> = events
            .iter()
            .filter(|e| e.get_uid() == Some(uid.as_str()))
            .collect();
        assert_eq!(matching.len(), 1, "{uid} appears once");
        let e = matching[0];
        let (s, s_local) = instant(e.get_start().unwrap(), tzid);
        let (en, e_local) = instant(e.get_end().unwrap(), tzid);
        assert_eq!((s, en), (*start, *end), "{uid}: instants round-trip");
        // Local (TZID) form unless the local time would name another instant.
        for (t, local) in [(start, s_local), (end, e_local)] {
            let l = t.with_timezone(&emp.tz).naive_local();
            let first = emp.tz.from_local_datetime(&l).earliest().unwrap();
            assert_eq!(local, first == *t, "{uid}: TZID used wherever it can be");
            if local {
                assert_eq!(resolve_with(obs, l), *t, "{uid}: VTIMEZONE resolves {l}");
            }
        }
        assert_eq!(e.get_summary(), Some(summary.as_str()));
        assert_eq!(e.get_timestamp(), Some(stamp));
    }
    expected.into_iter().map(|e| e.0).collect()
}

#[test]
fn every_shift_and_break_round_trips_once_at_the_roster_instants() {
    let site = load("data/seattle-dst");
    let roster = seattle_roster(&site);
    let mut uids = HashSet::new();
    let mut employees: Vec<usize> = roster.shifts.iter().map(|s| s.employee).collect();
    employees.dedup();
    assert_eq!(employees.len(), 5);
    for e in employees {
        let text = employee_calendar(&site, &roster, e, stamp());
        for uid in check_calendar(&site, &roster, e, &text, stamp()) {
            assert!(uids.insert(uid.clone()), "UID {uid} used twice");
        }
        // Deterministic.
        assert_eq!(text, employee_calendar(&site, &roster, e, stamp()));
    }
}

#[test]
fn tokyo_and_manila_have_a_single_standard_part() {
    let site = load("data/tokyo");
    let tpl = site.templates[0].id.clone();
    let tokyo = site
        .employees
        .iter()
        .find(|e| e.tz == site.tz())
        .unwrap()
        .id
        .clone();
    let mut roster = Roster {
        shifts: vec![
            shift(&site, &tokyo, &tpl, "2026-12-01T09:00:00+09:00", 8.0),
            shift(&site, "MNL01", &tpl, "2026-12-02T10:00:00+09:00", 8.0),
        ],
    }
    .with_mid_window_breaks(&site);
    roster.sort();
    for (id, offset, local) in [
        (tokyo.as_str(), "+0900", "20261201T090000"),
        ("MNL01", "+0800", "20261202T090000"),
    ] {
        let e = site.employee_index(id).unwrap();
        let text = employee_calendar(&site, &roster, e, stamp());
        check_calendar(&site, &roster, e, &text, stamp());
        let zones = vtimezones(&text);
        let obs = &zones[site.employees[e].tz.name()];
        assert_eq!(obs.len(), 1, "{obs:?}");
        assert_eq!(
            (obs[0].kind.as_str(), obs[0].to.as_str()),
            ("STANDARD", offset)
        );
        let tzid = site.employees[e].tz.name();
        assert!(
            text.contains(&format!("DTSTART;TZID={tzid}:{local}\r\n")),
            "{text}"
        );
    }
}

#[test]
fn dst_week_has_both_parts_and_converts_after_the_change() {
    let site = load("data/seattle-dst");
    let roster = seattle_roster(&site);
    let ft01 = site.employee_index("FT01").unwrap();
    let text = employee_calendar(&site, &roster, ft01, stamp());
    let zones = vtimezones(&text);
    let obs = &zones["America/Los_Angeles"];
    let part = |kind: &str| {
        let v: Vec<_> = obs.iter().filter(|o| o.kind == kind).collect();
        assert_eq!(v.len(), 1, "one {kind} part: {obs:?}");
        v[0].clone()
    };
    let daylight = part("DAYLIGHT");
    let standard = part("STANDARD");
    assert_eq!(obs.len(), 2);
    assert_eq!(
        (daylight.from.as_str(), daylight.to.as_str()),
        ("-0800", "-0700")
    );
    assert_eq!(daylight.dtstart, "20260308T020000");
    assert_eq!(
        (standard.from.as_str(), standard.to.as_str()),
        ("-0700", "-0800")
    );
    assert_eq!(standard.dtstart, "20261101T020000");

    // Before and after the change: same wall clock in the file, one hour apart in UTC.
    let cal: Calendar = text.parse().unwrap();
    let start_of = |uid: &str| {
        let e = cal
            .components
            .iter()
            .filter_map(|c| c.as_event())
            .find(|e| e.get_uid() == Some(uid))
            .unwrap_or_else(|| panic!("{uid} missing"));
        instant(e.get_start().unwrap(), "America/Los_Angeles").0
    };
    assert!(text.contains("DTSTART;TZID=America/Los_Angeles:20261029T080000\r\n"));
    assert_eq!(
        start_of("FT01-20261029T150000Z-shift@shiftwise"),
        t("2026-10-29T15:00:00Z")
    );
    assert!(text.contains("DTSTART;TZID=America/Los_Angeles:20261101T090000\r\n"));
    assert_eq!(
        start_of("FT01-20261101T170000Z-shift@shiftwise"),
        t("2026-11-01T17:00:00Z")
    );
    assert_eq!(
        resolve_with(obs, naive("20261101T090000")),
        t("2026-11-01T17:00:00Z")
    );
    assert_eq!(
        resolve_with(obs, naive("20261029T080000")),
        t("2026-10-29T15:00:00Z")
    );

    // The repeated hour: 01:30 PDT keeps its TZID (first pass), 01:30 PST is written in UTC.
    let pt01 = employee_calendar(
        &site,
        &roster,
        site.employee_index("PT01").unwrap(),
        stamp(),
    );
    assert!(pt01.contains("DTSTART:20261101T093000Z\r\n"), "{pt01}");
    assert!(pt01.contains("DTSTART;TZID=America/Los_Angeles:20261101T003000\r\n"));
    assert!(pt01.contains("DTEND;TZID=America/Los_Angeles:20261101T033000\r\n"));
    let st01 = employee_calendar(
        &site,
        &roster,
        site.employee_index("ST01").unwrap(),
        stamp(),
    );
    assert!(st01.contains("DTSTART;TZID=America/Los_Angeles:20261101T013000\r\n"));
    // A shift across the change shows the new offset on its end in the description.
    let desc = logical_lines(&pt01)
        .into_iter()
        .find(|l| l.starts_with("DESCRIPTION:") && l.contains("part-remote"))
        .map(|l| unescape(&l["DESCRIPTION:".len()..]))
        .unwrap();
    assert!(
        desc.contains("00:30–03:30 (UTC-08:00), America/Los_Angeles (UTC-07:00)"),
        "{desc}"
    );
    assert!(desc.contains("- 01:30 (UTC-08:00)–01:45 (UTC-08:00) mindfulness break"));
}

#[test]
fn an_employee_abroad_gets_their_own_zone() {
    let site = load("data/seattle-dst");
    let roster = seattle_roster(&site);
    let mex = site.employee_index("MEX01").unwrap();
    let tz = site.employees[mex].tz;
    assert_eq!(tz.name(), "America/Mexico_City");
    assert_ne!(tz, site.tz());
    let text = employee_calendar(&site, &roster, mex, stamp());
    check_calendar(&site, &roster, mex, &text, stamp());
    assert!(!text.contains("America/Los_Angeles"), "{text}");
    // Mexico City has kept UTC-6 all year since 2022: one STANDARD part.
    let zones = vtimezones(&text);
    let obs = &zones["America/Mexico_City"];
    assert_eq!(obs.len(), 1);
    assert_eq!(
        (obs[0].kind.as_str(), obs[0].to.as_str()),
        ("STANDARD", "-0600")
    );
    // 08:00 PDT on 10-30 is 09:00 in Mexico City; 08:00 PST on 11-02 is 10:00.
    assert!(text.contains("DTSTART;TZID=America/Mexico_City:20261030T090000\r\n"));
    assert!(text.contains("DTSTART;TZID=America/Mexico_City:20261102T100000\r\n"));
    // The shift's description lists the breaks in Mexico City time.
    let cal: Calendar = text.parse().unwrap();
    for s in roster.of_employee(mex) {
        let uid = format!("MEX01-{}-shift@shiftwise", s.start.format("%Y%m%dT%H%M%SZ"));
        let e = cal
            .components
            .iter()
            .filter_map(|c| c.as_event())
            .find(|e| e.get_uid() == Some(uid.as_str()))
            .unwrap();
        let desc = e.get_description().unwrap();
        assert!(!s.breaks.is_empty());
        for b in &s.breaks {
            let span = format!(
                "- {}–{}",
                b.start.with_timezone(&tz).format("%H:%M"),
                b.end.with_timezone(&tz).format("%H:%M")
            );
            assert!(desc.contains(&span), "{span} in {desc}");
        }
        assert!(desc.contains("Breaks (America/Mexico_City):"), "{desc}");
    }
}

#[test]
fn long_lines_fold_at_75_octets_and_text_is_escaped() {
    let mut site = load("data/seattle-dst");
    site.name = "Seattle, WA; Support \\ Center".into();
    let ft01 = site.employee_index("FT01").unwrap();
    let long_name =
        "Wright, Ryan; 山田花子 — 日本語の名前がとても長い場合でも正しく折り返されること";
    site.employees[ft01].name = long_name.into();
    let roster = seattle_roster(&site);
    let text = employee_calendar(&site, &roster, ft01, stamp());

    // Physical lines: CRLF only, at most 75 octets, each valid UTF-8 on its own.
    let bytes = text.as_bytes();
    assert!(text.ends_with("\r\n"));
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            assert_eq!(bytes[i - 1], b'\r', "bare LF at {i}");
        }
        if b == b'\r' {
            assert_eq!(bytes[i + 1], b'\n', "bare CR at {i}");
        }
    }
    let physical: Vec<&[u8]> = bytes[..bytes.len() - 2]
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect();
    let mut folded = 0;
    for l in &physical {
        assert!(
            l.len() <= 75,
            "{} octets: {:?}",
            l.len(),
            String::from_utf8_lossy(l)
        );
        assert!(std::str::from_utf8(l).is_ok(), "a fold split a character");
        folded += usize::from(l.first() == Some(&b' '));
    }
    assert!(folded >= 3, "long lines were folded");

    // Unfolded: the DESCRIPTION and X-WR-CALNAME lines are longer than one physical line,
    // escaped, and come back to the original text.
    let lines = logical_lines(&text);
    let calname = lines
        .iter()
        .find(|l| l.starts_with("X-WR-CALNAME:"))
        .unwrap();
    assert!(calname.len() > 150);
    assert!(calname.contains("Wright\\, Ryan\\; 山田花子"), "{calname}");
    assert_eq!(
        unescape(&calname["X-WR-CALNAME:".len()..]),
        format!("{long_name} — Seattle, WA; Support \\ Center")
    );
    let desc_lines: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("DESCRIPTION:"))
        .collect();
    assert!(desc_lines.iter().all(|l| !l.contains('\n')));
    let raw = &desc_lines[0]["DESCRIPTION:".len()..];
    assert!(desc_lines[0].len() > 75);
    assert!(
        raw.starts_with("Seattle\\, WA\\; Support \\\\ Center: remote shift"),
        "{raw}"
    );
    assert!(
        raw.contains("\\nBreaks (America/Los_Angeles):\\n- "),
        "{raw}"
    );

    // The real parser reads back the same text.
    let cal: Calendar = text.parse().unwrap();
    let first = cal
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .find(|e| e.get_uid().is_some_and(|u| u.ends_with("-shift@shiftwise")))
        .unwrap();
    let desc = first.get_description().unwrap();
    assert_eq!(desc, unescape(raw));
    assert!(desc.starts_with("Seattle, WA; Support \\ Center: remote shift"));
    assert!(desc.contains("Queues: phone-en 70%, chat-en 30%\nBreaks (America/Los_Angeles):\n- "));
    assert_eq!(
        first.get_location(),
        Some("Remote"),
        "remote shifts are located at home"
    );
    check_calendar(&site, &roster, ft01, &text, stamp());
}

#[test]
fn write_calendars_writes_one_file_per_rostered_employee() {
    let site = load("data/seattle-dst");
    let roster = seattle_roster(&site);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new").join("calendars");
    let paths = write_calendars(&out, &site, &roster, stamp()).unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["TL01.ics", "FT01.ics", "MEX01.ics", "PT01.ics", "ST01.ics"]
    );
    let mut on_disk: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(on_disk, sorted, "nothing else (no temporary files) left");
    for p in &paths {
        let id = p.file_stem().unwrap().to_str().unwrap();
        let e = site.employee_index(id).unwrap();
        let text = std::fs::read_to_string(p).unwrap();
        assert_eq!(text, employee_calendar(&site, &roster, e, stamp()));
    }
}

fn write_roster_csv(dir: &Path, site: &Site, roster: &Roster) -> std::path::PathBuf {
    let path = dir.join("roster.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    for r in shiftwise::report::roster_rows(site, roster) {
        w.serialize(r).unwrap();
    }
    w.flush().unwrap();
    let mut w = csv::Writer::from_path(dir.join("breaks.csv")).unwrap();
    for r in shiftwise::report::break_rows(site, roster) {
        w.serialize(r).unwrap();
    }
    w.flush().unwrap();
    path
}

#[test]
fn cli_export_ics_writes_one_file_per_rostered_employee() {
    let site = load("data/seattle-dst");
    let roster = seattle_roster(&site);
    let dir = tempfile::tempdir().unwrap();
    let roster_csv = write_roster_csv(dir.path(), &site, &roster);
    let mtime: DateTime<Utc> = std::fs::metadata(&roster_csv)
        .unwrap()
        .modified()
        .unwrap()
        .into();
    let mtime = DateTime::from_timestamp(mtime.timestamp(), 0).unwrap();

    let export = |out: &Path| {
        let o = bin()
            .args(["export", "ics", "data/seattle-dst"])
            .arg(out)
            .arg("--roster")
            .arg(&roster_csv)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(stdout.contains("wrote 5 calendar file(s)"), "{stdout}");
    };
    let out = dir.path().join("ics");
    export(&out);
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["FT01.ics", "MEX01.ics", "PT01.ics", "ST01.ics", "TL01.ics"]
    );
    // The roster as read back from the CSV files (no queue allocation in roster.csv's reader).
    let read = shiftwise::report::read_roster(&site, &roster_csv).unwrap();
    for f in &files {
        let e = site.employee_index(f.trim_end_matches(".ics")).unwrap();
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        check_calendar(&site, &read, e, &text, mtime);
        assert_eq!(
            read.of_employee(e).count(),
            roster.of_employee(e).count(),
            "{f}"
        );
    }
    // The same roster exports to the same bytes.
    let again = dir.path().join("ics-again");
    export(&again);
    for f in &files {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f} differs between two exports"
        );
    }
}

#[test]
fn cli_export_ics_with_a_missing_roster_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere").join("roster.csv");
    let o = bin()
        .args(["export", "ics", "data/seattle-dst"])
        .arg(dir.path().join("out"))
        .arg("--roster")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(!dir.path().join("out").exists(), "nothing written");
}
