//! report.html: well-formed and self-contained, one coverage chart per queue with its
//! series and understaffed columns exactly where coverage is short, one bar per shift,
//! the `report` command and `plan`'s new outputs — and, where Chromium is installed, a
//! real browser renders it without console errors.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{bin, exact, write_site, Tiny};
use quick_xml::events::Event;
use quick_xml::Reader;
use shiftwise::domain::ShiftMode;
use shiftwise::plan::{plan, plan_from_roster, Plan};
use shiftwise::report::html::{
    merge_request_reasons, render_report, render_report_with, write_report, ServiceBands,
};
use shiftwise::report::local_stamp;
use shiftwise::Site;

/// Two days in UTC, a phone and a chat queue; an on-site agent A (phone), a hybrid agent B
/// (phone and chat), a remote student S (chat) and a team lead L who is never needed.
/// Phone needs 2 agents at 09:00–10:00 on day 0 (so A's soft day off is denied) and 2 at
/// 15:00 on day 1, when no template reaches: that interval is short whatever the roster.
fn tiny() -> Tiny {
    let mut t = Tiny::new(2);
    t.queues += "[[queues]]\nid = \"chat\"\nchannel = \"chat\"\nlanguage = \"en\"\n";
    t.queue_ids = vec!["phone".into(), "chat".into()];
    t.contracts += "[[contracts]]\nid = \"student\"\nmin_hours_per_week = 0\nmax_hours_per_week = 10\nmin_shifts_per_week = 0\nmax_shifts_per_week = 7\nmin_rest_hours = 0\nmax_consecutive_days = 7\nmin_days_off_per_week = 0\n";
    t.templates += "[[shift_templates]]\nid = \"two-remote\"\nlength_hours = 2\nearliest_start = \"08:00\"\nlatest_start = \"12:00\"\nstart_step_minutes = 60\nwork_mode = \"remote\"\ncontracts = [\"ft\", \"student\"]\n";
    t.templates += "[[break_rules]]\nmin_shift_hours = 2\nmindfulness_breaks = 1\nmindfulness_minutes = 15\nmin_gap_minutes = 30\nedge_minutes = 30\n";
    let mut t = t
        .agent("A", "ft", "onsite", "phone", 20.0)
        .agent("B", "ft", "hybrid", "phone;chat", 20.0)
        .agent("S", "student", "remote", "chat", 15.0)
        .need("phone", 0, "09:00", 2)
        .need("phone", 0, "09:30", 2)
        .need("chat", 0, "09:00", 1)
        .need("phone", 1, "10:00", 1)
        .need("phone", 1, "15:00", 2);
    t.employees
        .push("L,Lee Lead,team_lead,ft,onsite,,,30,,".into());
    t.requests
        .push("A,prefer_off,2026-01-05,,,,soft,10,,dentist".into());
    t
}

/// The tiny site planned exactly, with the denied request explained (once per run).
fn planned() -> &'static (Site, Plan) {
    static P: OnceLock<(Site, Plan)> = OnceLock::new();
    P.get_or_init(|| {
        let site = tiny().site();
        let mut p = plan(&site, &exact()).expect("plan");
        shiftwise::people::explain_denials(
            &site,
            &p.requirements,
            &p.roster,
            &mut p.requests,
            &exact(),
            60.0,
        )
        .expect("explain");
        (site, p)
    })
}

/// One element of a parsed document: its name, attributes, ancestors (indices) and the
/// text directly inside it.
#[derive(Debug, Clone)]
struct El {
    name: String,
    attrs: HashMap<String, String>,
    ancestors: Vec<usize>,
    text: String,
}

impl El {
    fn classes(&self) -> Vec<&str> {
        self.attrs
            .get("class")
            .map(|c| c.split_whitespace().collect())
            .unwrap_or_default()
    }
    fn has_class(&self, c: &str) -> bool {
        self.classes().contains(&c)
    }
}

/// Parse `xml` strictly (balanced, matching end tags, known entities) into its elements.
fn parse(xml: &str) -> Vec<El> {
    let mut r = Reader::from_str(xml);
    let mut els: Vec<El> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut roots = 0;
    loop {
        let ev = r
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed at {}: {e}", r.buffer_position()));
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let mut attrs = HashMap::new();
                for a in e.attributes() {
                    let a = a.expect("attribute");
                    let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                    let value = a.unescape_value().expect("attribute value").into_owned();
                    assert!(
                        attrs.insert(key.clone(), value).is_none(),
                        "duplicate {key}"
                    );
                }
                if stack.is_empty() {
                    roots += 1;
                }
                els.push(El {
                    name,
                    attrs,
                    ancestors: stack.clone(),
                    text: String::new(),
                });
                if matches!(ev, Event::Start(_)) {
                    stack.push(els.len() - 1);
                }
            }
            Event::End(_) => {
                stack.pop().expect("end tag without start");
            }
            Event::Text(t) => {
                let s = t.unescape().expect("text with a bad entity");
                if let Some(&top) = stack.last() {
                    els[top].text.push_str(&s);
                } else {
                    assert!(s.trim().is_empty(), "text outside the root: {s:?}");
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements");
    assert_eq!(roots, 1, "one root element");
    els
}

/// Indices of the elements inside element `k`.
fn inside(els: &[El], k: usize) -> Vec<usize> {
    (0..els.len())
        .filter(|&j| els[j].ancestors.contains(&k))
        .collect()
}

/// Every `<svg …>…</svg>` block of the page, as text.
fn svg_blocks(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(a) = rest.find("<svg") {
        let b = rest[a..].find("</svg>").expect("closed svg") + a + "</svg>".len();
        out.push(&rest[a..b]);
        rest = &rest[b..];
    }
    out
}

/// The understaffed columns of chart `k` (the legend's swatch has the class too, but no
/// interval).
fn short_columns(els: &[El], k: usize) -> Vec<usize> {
    inside(els, k)
        .into_iter()
        .filter(|&j| els[j].name == "rect" && els[j].has_class("short"))
        .filter_map(|j| els[j].attrs.get("data-interval")?.parse().ok())
        .collect()
}

fn coverage_charts(els: &[El]) -> Vec<usize> {
    (0..els.len())
        .filter(|&k| els[k].name == "svg" && els[k].has_class("coverage"))
        .collect()
}

#[test]
fn the_report_is_well_formed_and_self_contained() {
    let (site, p) = planned();
    let html = render_report(site, p);
    assert!(html.starts_with("<!DOCTYPE html>"));
    let els = parse(&html);
    assert_eq!(els[0].name, "html");
    let blocks = svg_blocks(&html);
    assert!(
        blocks.len() >= site.queues.len() + 2,
        "{} svg blocks",
        blocks.len()
    );
    for b in &blocks {
        let svg = parse(b);
        assert_eq!(svg[0].name, "svg");
        assert_eq!(svg[0].attrs["xmlns"], "http://www.w3.org/2000/svg");
    }
    // Nothing is loaded from anywhere.
    let without_ns = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
    let lower = html.to_lowercase();
    for banned in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "@font-face",
        "@import",
    ] {
        assert!(!lower.contains(banned), "{banned}");
    }
    assert_eq!(
        lower.matches("url(").count(),
        lower.matches("url(#").count()
    );
    assert!(els.iter().all(|e| !e.attrs.contains_key("src")));
    assert!(els
        .iter()
        .all(|e| e.attrs.get("href").is_none_or(|h| h.starts_with('#'))));
    // Headline figures.
    assert!(html.contains("<h1>tiny</h1>"));
    let sm = &p.summary;
    let text: String = els
        .iter()
        .map(|e| e.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("understaffed intervals"));
    let understaffed = els
        .iter()
        .position(|e| e.text == "understaffed intervals")
        .unwrap();
    assert_eq!(
        els[understaffed + 1].text,
        sm.understaffed_intervals.to_string()
    );
    assert!(text.contains(&format!("{} granted", sm.requests.granted)));
    assert!(text.contains("optimal"), "status shown");
    let squeezed = text.to_lowercase().replace(' ', "");
    for (f, _) in &sm.costs {
        let name = format!("{f:?}").to_lowercase();
        assert!(squeezed.contains(&name), "cost family {name}");
    }
}

#[test]
fn one_coverage_chart_per_queue_with_required_and_scheduled_series() {
    let (site, p) = planned();
    let els = parse(&render_report(site, p));
    let charts = coverage_charts(&els);
    assert_eq!(charts.len(), site.queues.len());
    for (q, &k) in charts.iter().enumerate() {
        assert_eq!(els[k].attrs["data-queue"], site.queues[q].id);
        let mut series: Vec<&str> = inside(&els, k)
            .into_iter()
            .filter(|&j| els[j].has_class("series") && els[j].attrs.contains_key("data-series"))
            .map(|j| els[j].attrs["data-series"].as_str())
            .collect();
        series.sort_unstable();
        assert_eq!(series, vec!["required", "scheduled"], "queue {q}");
        // Local-time axis: the first midnight and the "agents" axis title.
        let texts: Vec<&str> = inside(&els, k)
            .into_iter()
            .map(|j| els[j].text.as_str())
            .collect();
        assert!(texts.contains(&"Mon 5 Jan") && texts.contains(&"Tue 6 Jan"));
        assert!(texts.contains(&"agents") && texts.contains(&"06"));
    }
}

#[test]
fn understaffed_columns_are_exactly_the_short_intervals() {
    let (site, p) = planned();
    let els = parse(&render_report(site, p));
    for (q, &k) in coverage_charts(&els).iter().enumerate() {
        let drawn: BTreeSet<usize> = short_columns(&els, k).into_iter().collect();
        let short: BTreeSet<usize> = (0..site.grid.len())
            .filter(|&i| p.coverage[q][i].required - p.coverage[q][i].scheduled > 0.5)
            .collect();
        assert_eq!(drawn, short, "queue {}", site.queues[q].id);
    }
    // Phone at 15:00 on day 1 (interval 78) is out of every template's reach.
    let phone = coverage_charts(&els)[0];
    assert!(short_columns(&els, phone).contains(&78));
    let total: usize = coverage_charts(&els)
        .iter()
        .map(|&k| short_columns(&els, k).len())
        .sum();
    assert_eq!(total, p.summary.understaffed_intervals);
}

#[test]
fn one_bar_per_shift_with_mode_marker_breaks_and_local_times() {
    let (site, p) = planned();
    let els = parse(&render_report(site, p));
    let bars: Vec<usize> = (0..els.len())
        .filter(|&k| els[k].has_class("shift"))
        .collect();
    assert_eq!(bars.len(), p.roster.shifts.len());
    assert!(p.roster.shifts.len() >= 3, "{:?}", p.roster.shifts);
    assert!(p.roster.shifts.iter().any(|s| s.mode == ShiftMode::Remote));
    assert!(p.roster.shifts.iter().any(|s| s.mode == ShiftMode::Onsite));
    // The grid lists employees by group, so match bars to shifts by employee and day.
    for s in &p.roster.shifts {
        let emp = &site.employees[s.employee];
        let k = *bars
            .iter()
            .find(|&&k| {
                els[k].attrs["data-employee"] == emp.id
                    && els[k].attrs["data-day"] == s.day.to_string()
            })
            .expect("a bar for the shift");
        let remote = s.mode == ShiftMode::Remote;
        assert_eq!(els[k].has_class("remote"), remote);
        assert_eq!(els[k].has_class("onsite"), !remote);
        assert_eq!(els[k].has_class("student"), emp.id == "S");
        let kids = inside(&els, k);
        let mark = kids
            .iter()
            .find(|&&j| els[j].has_class("mark"))
            .expect("letter");
        assert_eq!(els[*mark].text, if remote { "R" } else { "O" });
        let title = kids.iter().find(|&&j| els[j].name == "title").unwrap();
        let title = &els[*title].text;
        assert!(title.contains(&local_stamp(s.start, site.tz())), "{title}");
        assert!(title.contains(&local_stamp(s.end, emp.tz)), "{title}");
        let breaks = kids.iter().filter(|&&j| els[j].has_class("brk")).count();
        assert_eq!(breaks, s.breaks.len());
        assert_eq!(
            s.breaks.len(),
            1,
            "the break rule gives every 2-hour shift one break"
        );
        assert!(title.contains("mindfulness"), "{title}");
    }
    // Groups by role, contract and work mode; the student is marked.
    let labels: Vec<&str> = els
        .iter()
        .filter(|e| e.has_class("group-label"))
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(
        labels,
        vec![
            "Team leads · ft · on-site (1)",
            "Agents · ft · on-site (1)",
            "Agents · ft · hybrid (1)",
            "Agents · student · remote (1)"
        ]
    );
    assert_eq!(
        els.iter()
            .filter(|e| e.has_class("badge") && e.text == "STUDENT")
            .count(),
        1
    );
}

#[test]
fn service_level_bands_add_a_third_series_where_given() {
    let (site, p) = planned();
    let n = site.grid.len();
    let band: Vec<(f64, f64)> = (0..n).map(|i| (0.5 + 0.001 * i as f64, 0.95)).collect();
    let all = ServiceBands {
        per_queue: vec![band.clone(); site.queues.len()],
    };
    let els = parse(&render_report_with(site, p, Some(&all)));
    for &k in &coverage_charts(&els) {
        let series = inside(&els, k)
            .into_iter()
            .filter(|&j| els[j].has_class("series") && els[j].attrs.contains_key("data-series"))
            .count();
        assert_eq!(series, 3);
        assert!(inside(&els, k).iter().any(|&j| els[j].has_class("target")));
    }
    // Only the chat queue: 2 series for phone, 3 for chat.
    let some = ServiceBands {
        per_queue: vec![Vec::new(), band],
    };
    let els = parse(&render_report_with(site, p, Some(&some)));
    let counts: Vec<usize> = coverage_charts(&els)
        .iter()
        .map(|&k| {
            inside(&els, k)
                .into_iter()
                .filter(|&j| els[j].attrs.contains_key("data-series"))
                .count()
        })
        .collect();
    assert_eq!(counts, vec![2, 3]);
}

#[test]
fn denied_requests_are_listed_with_their_reasons() {
    let (site, p) = planned();
    let denied: Vec<_> = p
        .requests
        .iter()
        .filter(|o| o.status == shiftwise::people::RequestStatus::Denied)
        .collect();
    assert_eq!(denied.len(), 1, "{:?}", p.requests);
    assert!(denied[0].reason.starts_with("denied"), "{:?}", denied[0]);
    let html = render_report(site, p);
    let els = parse(&html);
    let reason = els
        .iter()
        .find(|e| e.has_class("reason"))
        .expect("a reason cell");
    assert_eq!(reason.text, denied[0].reason);
    assert!(html.contains("dentist"));
}

#[test]
fn a_report_rebuilt_from_the_written_roster_matches() {
    let (site, p) = planned();
    let dir = tempfile::tempdir().unwrap();
    shiftwise::report::write_plan(dir.path(), site, p).unwrap();
    write_report(&dir.path().join("report.html"), site, p).unwrap();
    let roster = shiftwise::report::read_roster(site, &dir.path().join("roster.csv")).unwrap();
    let mut back = plan_from_roster(site, &roster);
    assert_eq!(back.roster.shifts.len(), p.roster.shifts.len());
    assert_eq!(
        back.summary.understaffed_intervals,
        p.summary.understaffed_intervals
    );
    assert!(
        (back.summary.understaffed_agent_hours - p.summary.understaffed_agent_hours).abs() < 1e-6
    );
    assert_eq!(back.summary.requests, p.summary.requests);
    // Labour is the same figure the model priced.
    let labour = |pl: &Plan| {
        pl.summary
            .costs
            .iter()
            .find(|c| format!("{:?}", c.0) == "Labour")
            .map(|c| c.1)
            .unwrap()
    };
    assert!((labour(&back) - labour(p)).abs() < 1e-6);
    let merged = merge_request_reasons(
        &dir.path().join("requests-report.csv"),
        site,
        &mut back.requests,
    )
    .unwrap();
    assert_eq!(merged, 1);
    let html = render_report(site, &back);
    let els = parse(&html);
    assert!(html.contains(">evaluated<"));
    assert_eq!(
        els.iter().filter(|e| e.has_class("shift")).count(),
        p.roster.shifts.len()
    );
    let reason = els.iter().find(|e| e.has_class("reason")).unwrap();
    assert!(reason.text.starts_with("denied"), "{}", reason.text);
}

#[test]
fn a_daylight_saving_week_labels_its_25_hour_day() {
    // data/seattle-dst: 2026-11-01 has 25 hours in America/Los_Angeles. No solve: an empty
    // roster evaluated.
    let (site, _) = shiftwise::load_site(Path::new("data/seattle-dst")).unwrap();
    let p = plan_from_roster(&site, &shiftwise::roster::Roster::default());
    let html = render_report(&site, &p);
    let els = parse(&html);
    assert!(html.contains("Sun 1 Nov (25 h)"), "roster day header");
    let charts = coverage_charts(&els);
    assert_eq!(charts.len(), site.queues.len());
    // Every real-time interval with a requirement above half an agent is short.
    let short: usize = charts.iter().map(|&k| short_columns(&els, k).len()).sum();
    assert_eq!(short, p.summary.understaffed_intervals);
    assert!(short > 0);
    assert_eq!(els.iter().filter(|e| e.has_class("shift")).count(), 0);
}

#[test]
fn plan_writes_report_html_and_report_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    write_site(&site, &tiny());
    let out = dir.path().join("out");
    // --json: stdout is the summary and nothing else.
    let o = bin()
        .arg("plan")
        .arg(&site)
        .arg("-o")
        .arg(&out)
        .args([
            "--json",
            "--quiet",
            "--time-limit",
            "30",
            "--explain-seconds",
            "20",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is one JSON value");
    assert_eq!(json["site"], "tiny");
    // Not a terminal: no spinner on stderr either.
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("solving"), "{stderr}");
    let report = out.join("report.html");
    let first = std::fs::read_to_string(&report).unwrap();
    parse(&first);
    assert!(first.contains("solver status"));
    // Without --json the summary names the file.
    let o = bin()
        .arg("plan")
        .arg(&site)
        .arg("-o")
        .arg(&out)
        .args(["--time-limit", "30", "--explain-seconds", "0"])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("report.html"));
    // `report` rebuilds it from roster.csv, with the reasons of requests-report.csv.
    std::fs::remove_file(&report).unwrap();
    let o = bin().arg("report").arg(&site).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("report.html"));
    let rebuilt = std::fs::read_to_string(&report).unwrap();
    let els = parse(&rebuilt);
    assert!(rebuilt.contains(">evaluated<"));
    let roster = std::fs::read_to_string(out.join("roster.csv")).unwrap();
    assert_eq!(
        els.iter().filter(|e| e.has_class("shift")).count(),
        roster.lines().count() - 1
    );
    // No plan in the folder: a clear error, exit 2.
    let o = bin()
        .arg("report")
        .arg(&site)
        .arg(dir.path().join("nothing"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// A `chromium` or `chromium-browser` on PATH.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// Run `cmd` with stdout and stderr to files, killing it after `seconds`.
fn run_with_timeout(mut cmd: Command, dir: &Path, tag: &str, seconds: u64) -> (String, String) {
    let (out, err) = (
        dir.join(format!("{tag}.out")),
        dir.join(format!("{tag}.err")),
    );
    cmd.stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .stdin(std::process::Stdio::null());
    let mut child = cmd.spawn().expect("start chromium");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium ({tag}) did not finish in {seconds} s: {}",
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    (
        std::fs::read_to_string(&out).unwrap_or_default(),
        std::fs::read_to_string(&err).unwrap_or_default(),
    )
}

#[test]
fn chromium_renders_the_report_without_console_errors() {
    let Some(chromium) = chromium() else {
        println!("skipped: chromium not installed");
        return;
    };
    let (site, p) = planned();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    write_report(&page, site, p).unwrap();
    let url = format!("file://{}", page.display());
    let browser = |tag: &str| {
        let mut c = Command::new(&chromium);
        c.args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join(format!("profile-{tag}")).display()
        ));
        c
    };
    let png = dir.path().join("report.png");
    let mut shot = browser("shot");
    shot.arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1400,2000")
        .arg(&url);
    let (_, err) = run_with_timeout(shot, dir.path(), "shot", 120);
    let bytes = std::fs::read(&png).unwrap_or_else(|_| panic!("no screenshot: {err}"));
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    assert!(bytes.len() > 10_000, "screenshot of {} bytes", bytes.len());
    // The DOM as Chromium parsed it, with the page's console on stderr.
    let mut dom = browser("dom");
    dom.args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(&url);
    let (out, err) = run_with_timeout(dom, dir.path(), "dom", 120);
    assert!(
        out.contains("<h1>tiny</h1>"),
        "dumped DOM: {}",
        &out[..out.len().min(500)]
    );
    assert_eq!(out.matches("class=\"shift ").count(), p.roster.shifts.len());
    assert_eq!(
        out.matches("class=\"chart coverage\"").count(),
        site.queues.len()
    );
    // The page has no script, so any console message from it is an error (a failed load,
    // a parse problem). Chromium logs them as `INFO:CONSOLE(…)] "…", source: file://… (…)`.
    let page = url.to_lowercase();
    for line in err.lines() {
        let l = line.to_lowercase();
        let console = l.contains("console") && (l.contains(&page) || l.contains("error"));
        assert!(
            !console && !l.contains("uncaught"),
            "console message from the page: {line}"
        );
    }
}

#[test]
fn the_service_level_forecast_shows_erlang_c_by_hand_for_one_agent() {
    // One agent on duty at 09:00, when 15 one-minute calls arrive in the half hour: 0.5
    // Erlang on one server, so a call waits with probability 0.5 and waits longer than
    // 20 s with 0.5·e^(−(1 − 0.5)·20/60): 1 − 0.5·e^(−1/6) = 0.5768 answered in time, the
    // week's only contacts. The report must show 58 % against the 80 % target.
    let site = Tiny::new(1)
        .agent("A", "ft", "onsite", "phone", 100.0)
        .demand("phone", 0, "09:00", 15.0, 60.0)
        .site();
    let hand = 1.0 - 0.5 * (-1.0_f64 / 6.0).exp();
    assert!((hand - 0.5768).abs() < 1e-4);
    let eight = shiftwise::model::candidate_shifts(&site)
        .into_iter()
        .find(|c| c.start.format("%H:%M").to_string() == "08:00")
        .expect("the 08:00 shift");
    let roster = shiftwise::roster::Roster {
        shifts: vec![eight.to_shift()],
    };
    let html = render_report(&site, &plan_from_roster(&site, &roster));
    let start = html
        .find("<h2>Service-level forecast</h2>")
        .expect("section");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let cell = format!(
        "<td>phone</td><td>phone</td><td class=\"n\">80 %</td><td class=\"n\">{:.0} %</td>",
        hand * 100.0
    );
    assert!(section.contains(&cell), "{cell} in {section}");
}

#[test]
fn the_service_level_forecast_has_one_row_per_queue_with_the_evaluations_figure() {
    let (site, p) = planned();
    let html = render_report(site, p);
    let start = html
        .find("<h2>Service-level forecast</h2>")
        .expect("section");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let rows = section.matches("<tr").count() - 1; // minus the header
    assert_eq!(rows, site.queues.len());
    // The week's figure is the evaluation's own (Erlang C on the roster, plan forecast).
    let ev = shiftwise::scenarios::evaluate(
        site,
        &p.roster,
        &[shiftwise::scenarios::Scenario::deterministic("plan")],
        1,
        0,
    );
    for (q, r) in ev.scenarios[0].queues.iter().enumerate() {
        let cell = format!(
            "<td>{}</td><td>{}</td><td class=\"n\">{:.0} %</td><td class=\"n\">{:.0} %</td>",
            site.queues[q].id,
            site.queues[q].channel.as_str(),
            r.target * 100.0,
            r.horizon.service_level.mean * 100.0
        );
        assert!(section.contains(&cell), "{cell} in {section}");
    }
}
