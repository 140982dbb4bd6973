//! `report.html`: one self-contained page for a manager — headline figures, a coverage
//! chart per queue, the roster as a grid of shift bars, the denied requests with their
//! reasons and the fairness shares.
//!
//! The page loads nothing: no scripts, fonts, images or style sheets from anywhere, so it
//! opens from a file or an e-mail attachment. Charts are inline SVG laid out by
//! [`super::svg`]; styles are one inline `<style>` element. Colours are chosen to stay
//! readable in greyscale: series differ by dash pattern and lightness, understaffed
//! intervals and remote shifts are hatched, and every shift bar carries a letter (`O`
//! on-site, `R` remote). The document is also well-formed XML, so tests can parse it.
//!
//! A scenario evaluation can add a service-level band per queue (p5–p95 per interval) with
//! [`render_report_with`] and [`ServiceBands`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::local_stamp;
use super::svg::{
    band_path, esc, legend, num, step_path, tick_step_hours, time_axis, time_ticks, value_axis,
    value_ticks, DayColumns, Frame, Linear, Side, Swatch,
};
use crate::domain::{BreakKind, RequestKind, Role, ShiftMode, Site, WorkMode};
use crate::error::Error;
use crate::input::write_atomic;
use crate::people::{RequestOutcome, RequestStatus};
use crate::plan::Plan;
use crate::roster::Shift;
use crate::solve::SolveStatus;

/// Service-level bands per queue and interval, e.g. the 5th and 95th percentiles of the
/// service level a roster reaches over forecast scenarios. Plain data: fill it from any
/// evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceBands {
    /// `per_queue[q][i] = (low, high)`: service level as a fraction in `[0, 1]` for queue
    /// `q` (site order) in interval `i`. An empty vector (or a missing queue) draws no band
    /// for that queue; `NaN` leaves a gap (e.g. no contacts in the interval).
    pub per_queue: Vec<Vec<(f64, f64)>>,
}

/// Agents short of the requirement beyond which an interval of a real-time queue counts
/// as understaffed (as in the summary).
pub const SHORT_THRESHOLD: f64 = 0.5;

/// The report as one HTML document (see the module docs).
pub fn render_report(site: &Site, plan: &Plan) -> String {
    render_report_with(site, plan, None)
}

/// Write [`render_report`] to `path` atomically (a temporary file renamed into place).
pub fn write_report(path: &Path, site: &Site, plan: &Plan) -> Result<(), Error> {
    write_report_with(path, site, plan, None)
}

/// [`write_report`] with optional service-level bands (see [`render_report_with`]).
pub fn write_report_with(
    path: &Path,
    site: &Site,
    plan: &Plan,
    bands: Option<&ServiceBands>,
) -> Result<(), Error> {
    write_atomic(path, render_report_with(site, plan, bands).as_bytes())
}

/// The report, with each queue's service-level band (when `bands` has one for it) drawn
/// as a shaded third series on a secondary axis (0–100 %) of that queue's coverage chart,
/// with the queue's service-level target as a dotted line.
pub fn render_report_with(site: &Site, plan: &Plan, bands: Option<&ServiceBands>) -> String {
    let mut h = String::with_capacity(256 * 1024);
    let title = format!("{} — roster report", site.name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <meta name=\"generator\" content=\"shiftwise {}\"/>\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&title),
        CSS
    );
    h.push_str(DEFS);
    headline(&mut h, site, plan);
    costs_and_hours(&mut h, site, plan);
    service_forecast(&mut h, site, plan);
    coverage_section(&mut h, site, plan, bands);
    roster_section(&mut h, site, plan);
    requests_section(&mut h, site, plan);
    fairness_section(&mut h, plan);
    let _ = write!(
        h,
        "<footer>Made by shiftwise {} from the site folder and the roster. This page is \
         self-contained: it loads no scripts, fonts or images.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    h
}

const CSS: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  margin: 0 auto; max-width: 1400px; padding: 14px 20px 40px; color: #1a1a1a; background: #fff; font-size: 14px; }
h1 { font-size: 24px; margin: 4px 0 2px; }
h2 { font-size: 18px; margin: 26px 0 8px; border-bottom: 2px solid #1a1a1a; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 12px 0 2px; }
p { margin: 4px 0; }
.sub { color: #4a4a4a; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(205px, 1fr)); gap: 10px; margin: 12px 0; }
.card { border: 1px solid #aaa; border-left: 6px solid #777; border-radius: 4px; padding: 7px 11px; }
.card.good { border-left-color: #2e7d32; }
.card.warn { border-left: 6px double #b3261e; }
.card .k { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: #4a4a4a; }
.card .v { font-size: 21px; font-weight: 650; margin: 2px 0; }
.card .d { font-size: 12px; color: #333; }
.cols { display: flex; flex-wrap: wrap; gap: 10px 40px; align-items: flex-start; }
table { border-collapse: collapse; margin: 4px 0 10px; }
th, td { padding: 3px 9px; border-bottom: 1px solid #d5d5d5; text-align: left; vertical-align: top; }
th { font-size: 12px; border-bottom: 1.5px solid #333; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.reason { max-width: 520px; }
td.nw { white-space: nowrap; }
.hbar { display: inline-block; height: 9px; background: #4a4a4a; vertical-align: middle; }
.tag { display: inline-block; border: 1px solid #555; border-radius: 3px; padding: 0 4px; font-size: 11px; }
.tag.denied { background: #1a1a1a; color: #fff; }
.tag.partly { background: #ddd; }
figure { margin: 6px 0 16px; }
figcaption { font-size: 13px; color: #222; margin-bottom: 2px; }
figcaption b { font-size: 14px; }
svg.chart, svg.roster, svg.key { display: block; width: 100%; height: auto; }
svg.defs { position: absolute; width: 0; height: 0; overflow: hidden; }
svg text { font-size: 11px; fill: #222; }
.grid { stroke: #e2e2e2; stroke-width: 1; }
.grid.day { stroke: #8a8a8a; stroke-width: 1; }
.axis-line { stroke: #333; stroke-width: 1; }
.axis-title { font-size: 12px; font-weight: 600; }
.tick.date { font-weight: 600; }
.series { fill: none; stroke-width: 2; stroke-linejoin: round; }
.series.required { stroke: #111; stroke-dasharray: 7 3; stroke-width: 1.8; }
.series.scheduled { stroke: #3b7dd8; stroke-width: 2.6; }
.series.band { fill: #9cbfe3; fill-opacity: 0.55; stroke: #6f98c6; stroke-width: 0.6; }
.target { stroke: #35608f; stroke-width: 1.2; stroke-dasharray: 1 3; fill: none; }
.short { fill: url(#hatch-short); }
.legend text { font-size: 12px; }
.weekend { fill: #000; fill-opacity: 0.07; }
.row-bg { fill: #000; fill-opacity: 0.035; }
.group-bg { fill: #e6e6e6; }
.group-label { font-weight: 700; font-size: 12px; }
.name { font-size: 11px; }
.hours { font-size: 10px; fill: #444; }
.tz { font-size: 9px; fill: #555; }
.badge { font-size: 9px; font-weight: 700; }
.day-label { font-weight: 700; font-size: 12px; }
.bar { stroke-width: 0.8; }
.onsite .bar { fill: #24497a; stroke: #0c1e36; }
.remote .bar { fill: url(#hatch-remote); stroke: #24497a; }
.student .bar { stroke: #000; stroke-width: 1.3; stroke-dasharray: 3 1.5; }
.mark { font-size: 9px; font-weight: 700; }
.onsite .mark { fill: #fff; }
.remote .mark { fill: #0c1e36; }
.brk.meal { fill: #fff; stroke: #24497a; stroke-width: 0.5; }
.brk.mindfulness { fill: #000; }
details { margin: 6px 0; }
summary { cursor: pointer; font-weight: 600; }
footer { margin-top: 30px; font-size: 12px; color: #555; border-top: 1px solid #ccc; padding-top: 6px; }
"#;

/// Patterns shared by every chart of the page (referenced as `url(#…)`).
const DEFS: &str = "<svg class=\"defs\" xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\" aria-hidden=\"true\" focusable=\"false\"><defs>\
<pattern id=\"hatch-short\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<rect width=\"6\" height=\"6\" fill=\"#fbdcda\"/><line x1=\"1\" y1=\"0\" x2=\"1\" y2=\"6\" stroke=\"#c0271d\" stroke-width=\"2\"/></pattern>\
<pattern id=\"hatch-remote\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">\
<rect width=\"4\" height=\"4\" fill=\"#dfe9f5\"/><line x1=\"1\" y1=\"0\" x2=\"1\" y2=\"4\" stroke=\"#7c9cc4\" stroke-width=\"1.3\"/></pattern>\
</defs></svg>\n";

/// Whether the plan was rebuilt from a roster by [`crate::plan::plan_from_roster`]
/// (no model: its size is zero).
fn evaluated(plan: &Plan) -> bool {
    plan.summary.model.variables == 0 && plan.summary.model.candidate_shifts == 0
}

/// `1234567.8` → `1,234,568`.
fn thousands(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let r = v.round();
    let digits = format!("{}", r.abs() as u64);
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if r < 0.0 {
        format!("−{out}")
    } else {
        out
    }
}

/// A Rust-style variant name in words: `TeamLeads` → `team leads`.
fn words(debug: &str) -> String {
    let mut out = String::new();
    for (k, c) in debug.chars().enumerate() {
        if c.is_uppercase() && k > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn status_words(s: SolveStatus) -> &'static str {
    match s {
        SolveStatus::Optimal => "optimal",
        SolveStatus::TimeLimit => "time limit",
        SolveStatus::OtherLimit => "stopped early",
        SolveStatus::Infeasible => "infeasible",
        SolveStatus::NoSolution => "no solution",
    }
}

fn card(h: &mut String, class: &str, key: &str, value: &str, detail: &str) {
    let _ = writeln!(
        h,
        "<div class=\"card {}\"><div class=\"k\">{}</div><div class=\"v\">{}</div><div class=\"d\">{}</div></div>",
        class,
        esc(key),
        esc(value),
        esc(detail)
    );
}

fn headline(h: &mut String, site: &Site, plan: &Plan) {
    let sm = &plan.summary;
    let g = &site.grid;
    let last = g.date(g.days.saturating_sub(1));
    let _ = writeln!(
        h,
        "<header><h1>{}</h1><p class=\"sub\">{} to {} ({} days) · {} · {}-minute intervals · {} employees · {} queues</p></header>",
        esc(&sm.site),
        g.start_date.format("%a %Y-%m-%d"),
        last.format("%a %Y-%m-%d"),
        g.days,
        esc(g.tz.name()),
        g.interval_minutes,
        site.employees.len(),
        site.queues.len()
    );
    h.push_str("<section class=\"cards\">\n");
    if evaluated(plan) {
        card(
            h,
            "",
            "status",
            "evaluated",
            "rebuilt from roster.csv without the model; costs recomputed where simple",
        );
    } else {
        let bound = if sm.bound.is_finite() {
            format!("bound {}", thousands(sm.bound))
        } else {
            "no bound".into()
        };
        let gap = if sm.gap.is_finite() {
            format!("gap {:.2} %", sm.gap * 100.0)
        } else {
            "gap unknown".into()
        };
        card(
            h,
            if sm.status == SolveStatus::Optimal {
                "good"
            } else {
                ""
            },
            "solver status",
            status_words(sm.status),
            &format!("{gap} · {bound} · {:.1} s", sm.solve_seconds),
        );
    }
    let labour = sm
        .costs
        .iter()
        .find(|(f, _)| format!("{f:?}") == "Labour")
        .map(|c| c.1);
    card(
        h,
        "",
        "cost (objective)",
        &thousands(sm.objective),
        &match labour {
            Some(l) if sm.objective.abs() > 0.0 => format!(
                "labour {} ({:.0} %), penalties the rest",
                thousands(l),
                100.0 * l / sm.objective
            ),
            _ => "site currency".into(),
        },
    );
    if let Some(r) = &sm.robust {
        card(
            h,
            "",
            "planned robustly",
            &format!("{} forecast samples", r.samples),
            &format!(
                "of scenario {} (seed {}): costs and coverage are expected values over them",
                r.scenario, r.seed
            ),
        );
    }
    card(
        h,
        "",
        "shifts",
        &format!("{}", sm.shifts),
        &format!(
            "{} paid hours · {} people working",
            thousands(sm.paid_hours),
            {
                let mut e: Vec<usize> = plan.roster.shifts.iter().map(|s| s.employee).collect();
                e.sort_unstable();
                e.dedup();
                e.len()
            }
        ),
    );
    card(
        h,
        if sm.understaffed_intervals > 0 {
            "warn"
        } else {
            "good"
        },
        "understaffed intervals",
        &format!("{}", sm.understaffed_intervals),
        &format!(
            "interval-queues over half an agent short; {:.1} agent-hours short on real-time queues{}",
            sm.understaffed_agent_hours,
            if sm.understaffed_intervals > 0 {
                " — hatched in the charts"
            } else {
                ""
            }
        ),
    );
    let r = &sm.requests;
    card(
        h,
        if r.denied > 0 { "warn" } else { "good" },
        "requests",
        &format!("{} granted", r.granted),
        &format!(
            "{} partly · {} denied · {} not applicable",
            r.partly, r.denied, r.not_applicable
        ),
    );
    if !evaluated(plan) {
        card(
            h,
            "",
            "model: candidate shifts",
            &thousands(sm.model.candidate_shifts as f64),
            &format!(
                "{} variables · {} constraints{}",
                thousands(sm.model.variables as f64),
                thousands(sm.model.constraints as f64),
                if sm.search.is_some() {
                    " · neighbourhood search"
                } else {
                    ""
                }
            ),
        );
    }
    h.push_str("</section>\n");
}

fn bar_cell(value: f64, max: f64, px: f64) -> String {
    let w = if max > 0.0 && value.is_finite() {
        (value.abs() / max * px).max(if value != 0.0 { 1.0 } else { 0.0 })
    } else {
        0.0
    };
    format!(
        "<td><span class=\"hbar\" style=\"width:{}px\"></span></td>",
        num(w)
    )
}

fn costs_and_hours(h: &mut String, site: &Site, plan: &Plan) {
    let sm = &plan.summary;
    h.push_str("<section><h2>Cost and paid hours</h2><div class=\"cols\">\n");
    // Cost by family.
    h.push_str("<div><h3>Cost by family</h3><table><tr><th>family</th><th class=\"n\">cost</th><th class=\"n\">share</th><th></th></tr>\n");
    let max = sm.costs.iter().map(|c| c.1.abs()).fold(0.0, f64::max);
    let total: f64 = sm.costs.iter().map(|c| c.1).sum();
    for (f, c) in &sm.costs {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}</tr>",
            esc(&words(&format!("{f:?}"))),
            thousands(*c),
            if total.abs() > 0.0 {
                format!("{:.1} %", 100.0 * c / total)
            } else {
                String::new()
            },
            bar_cell(*c, max, 160.0)
        );
    }
    let _ = write!(
        h,
        "<tr><th>total</th><th class=\"n\">{}</th><th></th><th></th></tr></table>",
        thousands(total)
    );
    if evaluated(plan) {
        h.push_str("<p class=\"sub\">Recomputed from the roster: labour, understaffing, requests, fairness.</p>");
    }
    h.push_str("</div>\n");
    // Paid hours by contract.
    let mut by_contract: Vec<(usize, usize, f64, Vec<usize>)> = site
        .contracts
        .iter()
        .map(|_| (0, 0, 0.0, Vec::new()))
        .collect();
    for s in &plan.roster.shifts {
        let c = site.employees[s.employee].contract;
        let e = &mut by_contract[c];
        e.1 += 1;
        e.2 += f64::from(s.paid_minutes) / 60.0;
        if !e.3.contains(&s.employee) {
            e.3.push(s.employee);
        }
    }
    for (c, e) in by_contract.iter_mut().enumerate() {
        e.0 = site.employees.iter().filter(|x| x.contract == c).count();
    }
    let max = by_contract.iter().map(|c| c.2).fold(0.0, f64::max);
    h.push_str("<div><h3>Paid hours by contract</h3><table><tr><th>contract</th><th class=\"n\">people</th><th class=\"n\">working</th><th class=\"n\">shifts</th><th class=\"n\">paid hours</th><th></th></tr>\n");
    for (c, (people, shifts, hours, working)) in by_contract.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{people}</td><td class=\"n\">{}</td><td class=\"n\">{shifts}</td><td class=\"n\">{:.1}</td>{}</tr>",
            esc(&site.contracts[c].id),
            working.len(),
            hours,
            bar_cell(*hours, max, 140.0)
        );
    }
    h.push_str("</table></div>\n");
    // Paid hours by work mode.
    let mut by_mode = [(0usize, 0.0f64); 2];
    for s in &plan.roster.shifts {
        let k = usize::from(s.mode == ShiftMode::Remote);
        by_mode[k].0 += 1;
        by_mode[k].1 += f64::from(s.paid_minutes) / 60.0;
    }
    let total: f64 = by_mode.iter().map(|m| m.1).sum();
    let max = by_mode.iter().map(|m| m.1).fold(0.0, f64::max);
    h.push_str("<div><h3>Paid hours by work mode</h3><table><tr><th>mode</th><th class=\"n\">shifts</th><th class=\"n\">paid hours</th><th class=\"n\">share</th><th></th></tr>\n");
    for (k, label) in ["on-site (O)", "remote (R)"].iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{label}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{}</td>{}</tr>",
            by_mode[k].0,
            by_mode[k].1,
            if total > 0.0 {
                format!("{:.0} %", 100.0 * by_mode[k].1 / total)
            } else {
                String::new()
            },
            bar_cell(by_mode[k].1, max, 140.0)
        );
    }
    h.push_str("</table></div>\n</div></section>\n");
}

/// Width of every chart's box (the page scales it to the window).
const WIDTH: f64 = 1360.0;

fn coverage_section(h: &mut String, site: &Site, plan: &Plan, bands: Option<&ServiceBands>) {
    h.push_str("<section><h2>Coverage by queue</h2>\n<p class=\"sub\">Agents required (after shrinkage) and scheduled (net of breaks) per interval, in site time. \
        Hatched columns: real-time intervals more than half an agent short.</p>\n");
    for q in 0..site.queues.len() {
        coverage_chart(h, site, plan, q, bands);
    }
    h.push_str("</section>\n");
}

fn coverage_chart(
    h: &mut String,
    site: &Site,
    plan: &Plan,
    q: usize,
    bands: Option<&ServiceBands>,
) {
    let queue = &site.queues[q];
    let cells = &plan.coverage[q];
    let n = cells.len().min(site.grid.len());
    let hours = site.grid.interval_hours();
    let realtime = !queue.is_deferred();
    let short: Vec<usize> = if realtime {
        (0..n)
            .filter(|&i| cells[i].required - cells[i].scheduled > SHORT_THRESHOLD)
            .collect()
    } else {
        Vec::new()
    };
    let short_hours: f64 = if realtime {
        cells
            .iter()
            .map(|c| (c.required - c.scheduled).max(0.0) * hours)
            .sum()
    } else {
        0.0
    };
    let peak = cells.iter().map(|c| c.required).fold(0.0, f64::max);
    let band = bands
        .and_then(|b| b.per_queue.get(q))
        .filter(|b| !b.is_empty() && n > 0);
    let _ = write!(
        h,
        "<figure><figcaption><b>{}</b> — {} ({}): peak {:.1} agents required, {:.0} agent-hours required, {:.0} scheduled",
        esc(&queue.id),
        queue.channel.as_str(),
        esc(&queue.language),
        peak,
        cells.iter().map(|c| c.required).sum::<f64>() * hours,
        cells.iter().map(|c| c.scheduled).sum::<f64>() * hours,
    );
    if realtime {
        let _ = write!(
            h,
            "; {} understaffed interval{} ({:.1} agent-hours short)",
            short.len(),
            if short.len() == 1 { "" } else { "s" },
            short_hours
        );
    } else {
        h.push_str("; e-mail work is spread over its response window (late work shows as backlog cost, not as understaffing)");
    }
    h.push_str("</figcaption>\n");
    let frame = Frame {
        width: WIDTH,
        height: 250.0,
        left: 58.0,
        right: 62.0,
        top: 30.0,
        bottom: 46.0,
    };
    let x = Linear::new((0.0, n.max(1) as f64), (frame.x0(), frame.x1()));
    let ymax_data = cells
        .iter()
        .flat_map(|c| [c.required, c.scheduled])
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max);
    let yt = value_ticks(ymax_data, 5);
    let ymax = yt.last().copied().unwrap_or(1.0);
    let y = Linear::new((0.0, ymax), (frame.y1(), frame.y0()));
    let _ = write!(
        h,
        "<svg class=\"chart coverage\" data-queue=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"coverage of {}\">",
        esc(&queue.id),
        num(frame.width),
        num(frame.height),
        esc(&queue.id)
    );
    // Understaffed columns first (behind the lines), each with its figures on hover.
    let tz = site.tz();
    for &i in &short {
        let iv = &site.grid.intervals[i];
        let _ = write!(
            h,
            "<rect class=\"short\" data-interval=\"{i}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{} {}: {:.1} required, {:.1} scheduled</title></rect>",
            num(x.map(i as f64)),
            num(frame.y0()),
            num((x.map(i as f64 + 1.0) - x.map(i as f64)).max(0.5)),
            num(frame.y1() - frame.y0()),
            esc(&queue.id),
            iv.start_utc.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
            cells[i].required,
            cells[i].scheduled
        );
    }
    let px_per_day = (frame.x1() - frame.x0()) / site.grid.days.max(1) as f64;
    let ticks = time_ticks(&site.grid, tick_step_hours(px_per_day));
    let ticks: Vec<_> = if px_per_day < 45.0 {
        // Long horizons: date labels on about one midnight in every few.
        let every = (45.0 / px_per_day).ceil() as usize;
        ticks
            .into_iter()
            .enumerate()
            .map(|(k, mut t)| {
                if k % every != 0 {
                    t.label.clear();
                }
                t
            })
            .collect()
    } else {
        ticks
    };
    h.push_str(&time_axis(&frame, &x, &ticks));
    h.push_str(&value_axis(&frame, &y, &yt, Side::Left, "agents", |v| {
        num(v)
    }));
    let mut entries = vec![
        (
            Swatch::Line("series required".into()),
            "required".to_string(),
        ),
        (
            Swatch::Line("series scheduled".into()),
            "scheduled".to_string(),
        ),
    ];
    if realtime {
        entries.push((
            Swatch::Box("short".into()),
            format!("understaffed (> {SHORT_THRESHOLD} agent short)"),
        ));
    }
    if let Some(b) = band {
        let y2 = Linear::new((0.0, 1.0), (frame.y1(), frame.y0()));
        let pairs: Vec<(f64, f64)> = b
            .iter()
            .take(n)
            .map(|&(lo, hi)| (lo.clamp(0.0, 1.0), hi.clamp(0.0, 1.0)))
            .collect();
        let _ = write!(
            h,
            "<path class=\"series band\" data-series=\"service-level\" d=\"{}\"/>",
            band_path(&x, &y2, &pairs)
        );
        h.push_str(&value_axis(
            &frame,
            &y2,
            &[0.0, 0.25, 0.5, 0.75, 1.0],
            Side::Right,
            "service level",
            |v| format!("{:.0}%", v * 100.0),
        ));
        let target = queue.target.service_level;
        if realtime && target.is_finite() {
            let ty = y2.map(target.clamp(0.0, 1.0));
            let _ = write!(
                h,
                "<line class=\"target\" x1=\"{}\" y1=\"{t}\" x2=\"{}\" y2=\"{t}\"/>",
                num(frame.x0()),
                num(frame.x1()),
                t = num(ty)
            );
            entries.push((
                Swatch::Line("target".into()),
                format!("target {:.0} %", target * 100.0),
            ));
        }
        entries.push((
            Swatch::Box("series band".into()),
            "service level p5–p95 (right axis)".into(),
        ));
    }
    let required: Vec<f64> = cells.iter().take(n).map(|c| c.required).collect();
    let scheduled: Vec<f64> = cells.iter().take(n).map(|c| c.scheduled).collect();
    // Scheduled under required: the dashed requirement stays visible where they meet.
    let _ = write!(
        h,
        "<path class=\"series scheduled\" data-series=\"scheduled\" d=\"{}\"/>",
        step_path(&x, &y, &scheduled)
    );
    let _ = write!(
        h,
        "<path class=\"series required\" data-series=\"required\" d=\"{}\"/>",
        step_path(&x, &y, &required)
    );
    h.push_str(&legend(&entries, frame.x0(), 17.0));
    h.push_str("</svg></figure>\n");
}

/// Group key and label of an employee in the roster grid: role, contract, work mode.
fn roster_group(site: &Site, e: usize) -> ((u8, usize, u8), String) {
    let emp = &site.employees[e];
    let (role_rank, role) = match emp.role {
        Role::TeamLead => (0, "Team leads"),
        Role::Agent => (1, "Agents"),
    };
    let (mode_rank, mode) = match emp.work_mode {
        WorkMode::Onsite => (0, "on-site"),
        WorkMode::Hybrid => (1, "hybrid"),
        WorkMode::Remote => (2, "remote"),
    };
    (
        (role_rank, emp.contract, mode_rank),
        format!("{role} · {} · {mode}", site.contracts[emp.contract].id),
    )
}

fn is_student(site: &Site, e: usize) -> bool {
    site.contracts[site.employees[e].contract]
        .id
        .to_lowercase()
        .contains("student")
}

fn roster_section(h: &mut String, site: &Site, plan: &Plan) {
    h.push_str("<section><h2>Roster</h2>\n<p class=\"sub\">One row per employee, one column per day (site time). \
        Hover a shift for its times in site time and in the employee's own zone, and its breaks.</p>\n");
    roster_key(h);
    let mut groups: BTreeMap<(u8, usize, u8), (String, Vec<usize>)> = BTreeMap::new();
    for e in 0..site.employees.len() {
        let (key, label) = roster_group(site, e);
        groups
            .entry(key)
            .or_insert_with(|| (label, Vec::new()))
            .1
            .push(e);
    }
    let days = site.grid.days.max(1);
    let name_w = 250.0;
    let (header, row, group_row) = (40.0, 18.0, 22.0);
    let rows: usize = groups.values().map(|g| g.1.len()).sum();
    let height = header + rows as f64 * row + groups.len() as f64 * group_row + 6.0;
    let cols = DayColumns::new(&site.grid, name_w, (WIDTH - name_w - 8.0) / days as f64);
    let x_end = cols.x0 + cols.width * days as f64;
    let _ = write!(
        h,
        "<svg class=\"roster\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"roster\">",
        num(WIDTH),
        num(height)
    );
    // Weekend columns, then day headers and hour lines.
    for d in 0..site.grid.days {
        let date = site.grid.date(d);
        let x0 = cols.x0 + cols.width * d as f64;
        if site
            .fairness
            .weekend
            .contains(&chrono::Datelike::weekday(&date))
        {
            let _ = write!(
                h,
                "<rect class=\"weekend\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                num(x0),
                num(header - 16.0),
                num(cols.width),
                num(height - header + 16.0)
            );
        }
    }
    let mut y = header;
    let mut stripe = false;
    let mut body = String::new();
    for (label, members) in groups.values() {
        let _ = write!(
            body,
            "<g class=\"group\"><rect class=\"group-bg\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/><text class=\"group-label\" x=\"6\" y=\"{}\">{} ({})</text></g>",
            num(y),
            num(x_end),
            num(group_row - 2.0),
            num(y + 14.0),
            esc(label),
            members.len()
        );
        y += group_row;
        for &e in members {
            roster_row(&mut body, site, plan, e, &cols, y, row, stripe, x_end);
            stripe = !stripe;
            y += row;
        }
    }
    // Gridlines over the row backgrounds but under the bars: draw rows' backgrounds first.
    let (backgrounds, bars) = split_layers(&body);
    h.push_str(&backgrounds);
    // Hour lines every 6 hours of local time (12 on narrow columns, none on very narrow).
    let step = if cols.width >= 100.0 {
        6
    } else if cols.width >= 50.0 {
        12
    } else {
        24
    };
    for t in time_ticks(&site.grid, step)
        .iter()
        .filter(|t| !t.is_midnight())
    {
        let _ = write!(
            h,
            "<line class=\"grid\" x1=\"{p}\" y1=\"{}\" x2=\"{p}\" y2=\"{}\"/><text class=\"tick\" x=\"{p}\" y=\"{}\" text-anchor=\"middle\">{:02}</text>",
            num(header - 13.0),
            num(height),
            num(header - 4.0),
            t.hour,
            p = num(cols.x(t.at))
        );
    }
    for d in 0..site.grid.days {
        let x0 = cols.x0 + cols.width * d as f64;
        let date = site.grid.date(d);
        let hours = cols.day_hours(d);
        let _ = write!(
            h,
            "<text class=\"day-label\" x=\"{}\" y=\"14\">{}{}</text>",
            num(x0 + 4.0),
            date.format("%a %-d %b"),
            if (hours - 24.0).abs() > 1e-9 {
                format!(" ({hours:.0} h)")
            } else {
                String::new()
            }
        );
        let _ = write!(
            h,
            "<line class=\"grid day\" x1=\"{x}\" y1=\"2\" x2=\"{x}\" y2=\"{}\"/>",
            num(height),
            x = num(x0)
        );
    }
    let _ = write!(
        h,
        "<line class=\"grid day\" x1=\"{x}\" y1=\"2\" x2=\"{x}\" y2=\"{}\"/>",
        num(height),
        x = num(x_end)
    );
    h.push_str(&bars);
    h.push_str("</svg>\n</section>\n");
}

/// Split the roster body into its background layer (row stripes and group headers) and
/// its foreground (names and bars), so hour lines can go between them.
fn split_layers(body: &str) -> (String, String) {
    let mut back = String::new();
    let mut front = String::new();
    for part in body.split_inclusive("<!--/layer-->") {
        match part.split_once("<!--layer-->") {
            Some((bg, fg)) => {
                back.push_str(bg);
                front.push_str(fg.trim_end_matches("<!--/layer-->"));
            }
            None => back.push_str(part),
        }
    }
    (back, front)
}

#[allow(clippy::too_many_arguments)]
fn roster_row(
    h: &mut String,
    site: &Site,
    plan: &Plan,
    e: usize,
    cols: &DayColumns,
    y: f64,
    row: f64,
    stripe: bool,
    x_end: f64,
) {
    let emp = &site.employees[e];
    let student = is_student(site, e);
    if stripe {
        let _ = write!(
            h,
            "<rect class=\"row-bg\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            num(y),
            num(x_end),
            num(row)
        );
    }
    h.push_str("<!--layer-->");
    let paid: f64 = plan
        .roster
        .of_employee(e)
        .map(|s| f64::from(s.paid_minutes) / 60.0)
        .sum();
    let _ = write!(
        h,
        "<g class=\"employee\" data-employee=\"{}\"><text class=\"name\" x=\"10\" y=\"{}\">{} {}</text>",
        esc(&emp.id),
        num(y + 13.0),
        esc(&emp.id),
        esc(&emp.name)
    );
    if student {
        let _ = write!(
            h,
            "<text class=\"badge\" x=\"140\" y=\"{}\">STUDENT</text>",
            num(y + 13.0)
        );
    } else if emp.tz != site.tz() {
        let _ = write!(
            h,
            "<text class=\"tz\" x=\"140\" y=\"{}\">{}</text>",
            num(y + 13.0),
            esc(emp.tz.name())
        );
    }
    let _ = write!(
        h,
        "<text class=\"hours\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.1} h</text></g>",
        num(cols.x0 - 6.0),
        num(y + 13.0),
        paid
    );
    for s in plan.roster.of_employee(e) {
        shift_bar(h, site, s, cols, y + 3.0, row - 6.0, student);
    }
    h.push_str("<!--/layer-->");
}

fn shift_bar(
    h: &mut String,
    site: &Site,
    s: &Shift,
    cols: &DayColumns,
    y: f64,
    height: f64,
    student: bool,
) {
    let emp = &site.employees[s.employee];
    let (x0, x1) = (cols.x(s.start), cols.x(s.end));
    let mode = match s.mode {
        ShiftMode::Onsite => "onsite",
        ShiftMode::Remote => "remote",
    };
    let _ = write!(
        h,
        "<g class=\"shift {mode}{}\" data-employee=\"{}\" data-day=\"{}\"><title>{}</title>",
        if student { " student" } else { "" },
        esc(&emp.id),
        s.day,
        esc(&shift_title(site, s))
    );
    let _ = write!(
        h,
        "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
        num(x0),
        num(y),
        num((x1 - x0).max(1.0)),
        num(height)
    );
    for b in &s.breaks {
        let (bx0, bx1) = (cols.x(b.start), cols.x(b.end));
        let _ = write!(
            h,
            "<rect class=\"brk {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            b.kind.as_str(),
            num(bx0),
            num(y + 1.0),
            num((bx1 - bx0).max(1.2)),
            num(height - 2.0)
        );
    }
    if x1 - x0 >= 12.0 {
        let _ = write!(
            h,
            "<text class=\"mark\" x=\"{}\" y=\"{}\">{}</text>",
            num(x0 + 2.5),
            num(y + height - 3.0),
            if s.mode == ShiftMode::Onsite {
                "O"
            } else {
                "R"
            }
        );
    }
    h.push_str("</g>");
}

/// Hover text of a shift: who, where, when in site and own time, breaks, queues.
fn shift_title(site: &Site, s: &Shift) -> String {
    let emp = &site.employees[s.employee];
    let tz = site.tz();
    let hm = |t: chrono::DateTime<chrono::Utc>, z: chrono_tz::Tz| {
        t.with_timezone(&z).format("%H:%M").to_string()
    };
    let mut t = format!(
        "{} {} — {} shift ({}), {:.1} paid h",
        emp.id,
        emp.name,
        if s.mode == ShiftMode::Onsite {
            "on-site"
        } else {
            "remote"
        },
        site.templates[s.template].id,
        f64::from(s.paid_minutes) / 60.0
    );
    let _ = write!(
        t,
        "\nsite time ({}): {} – {}",
        tz.name(),
        local_stamp(s.start, tz),
        local_stamp(s.end, tz)
    );
    let _ = write!(
        t,
        "\nown time ({}): {} – {}",
        emp.tz.name(),
        local_stamp(s.start, emp.tz),
        local_stamp(s.end, emp.tz)
    );
    if s.breaks.is_empty() {
        t.push_str("\nbreaks: none");
    } else {
        t.push_str("\nbreaks (site time):");
        for b in &s.breaks {
            let kind = match b.kind {
                BreakKind::Meal => "meal",
                BreakKind::Mindfulness => "mindfulness",
            };
            let _ = write!(t, " {kind} {}–{};", hm(b.start, tz), hm(b.end, tz));
        }
        t.pop();
        if emp.tz != tz {
            t.push_str("\nbreaks (own time):");
            for b in &s.breaks {
                let _ = write!(
                    t,
                    " {} {}–{};",
                    b.kind.as_str(),
                    hm(b.start, emp.tz),
                    hm(b.end, emp.tz)
                );
            }
            t.pop();
        }
    }
    if !s.allocation.is_empty() {
        t.push_str("\nqueues: ");
        t.push_str(
            &s.allocation
                .iter()
                .map(|&(q, f)| format!("{} {:.0}%", site.queues[q].id, f * 100.0))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    t
}

/// The key of the roster grid, drawn with the same classes as the grid.
fn roster_key(h: &mut String) {
    h.push_str("<svg class=\"key\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1360 26\" role=\"img\" aria-label=\"roster key\">");
    let items: [(&str, &str); 6] = [
        ("onsite", "on-site shift (O)"),
        ("remote", "remote shift (R, hatched)"),
        ("meal", "meal (gap)"),
        ("mindfulness", "mindfulness break (dark)"),
        ("student", "student (dashed outline, STUDENT)"),
        ("weekend", "weekend day"),
    ];
    let mut x = 4.0;
    for (kind, label) in items {
        match kind {
            "onsite" | "remote" => {
                let _ = write!(
                    h,
                    "<g class=\"{kind}\"><rect class=\"bar\" x=\"{}\" y=\"6\" width=\"34\" height=\"12\"/><text class=\"mark\" x=\"{}\" y=\"15\">{}</text></g>",
                    num(x),
                    num(x + 2.5),
                    if kind == "onsite" { "O" } else { "R" }
                );
            }
            "meal" | "mindfulness" => {
                let _ = write!(
                    h,
                    "<g class=\"onsite\"><rect class=\"bar\" x=\"{}\" y=\"6\" width=\"34\" height=\"12\"/><rect class=\"brk {kind}\" x=\"{}\" y=\"7\" width=\"{}\" height=\"10\"/></g>",
                    num(x),
                    num(x + 13.0),
                    if kind == "meal" { "8" } else { "3" }
                );
            }
            "student" => {
                let _ = write!(
                    h,
                    "<g class=\"remote student\"><rect class=\"bar\" x=\"{}\" y=\"6\" width=\"34\" height=\"12\"/></g>",
                    num(x)
                );
            }
            _ => {
                let _ = write!(
                    h,
                    "<rect class=\"weekend\" x=\"{}\" y=\"4\" width=\"34\" height=\"16\" stroke=\"#bbb\"/>",
                    num(x)
                );
            }
        }
        let _ = write!(
            h,
            "<text x=\"{}\" y=\"16\">{}</text>",
            num(x + 40.0),
            esc(label)
        );
        x += 40.0 + 6.6 * label.chars().count() as f64 + 22.0;
    }
    h.push_str("</svg>\n");
}

fn kind_words(k: &RequestKind) -> String {
    match k {
        RequestKind::Unavailable => "unavailable".into(),
        RequestKind::PreferOff => "prefer off".into(),
        RequestKind::PreferWork => "prefer work".into(),
        RequestKind::PreferMode(m) => format!("prefer {}", m.as_str()),
        RequestKind::MaxShifts(n) => format!("at most {n} shifts a week"),
    }
}

fn requests_section(h: &mut String, site: &Site, plan: &Plan) {
    let t = &plan.summary.requests;
    let _ = write!(
        h,
        "<section><h2>Requests</h2>\n<p>{} requests: <b>{}</b> granted, <b>{}</b> partly, <b>{}</b> denied, <b>{}</b> not applicable.</p>\n",
        site.requests.len(),
        t.granted,
        t.partly,
        t.denied,
        t.not_applicable
    );
    let not_granted: Vec<&RequestOutcome> = plan
        .requests
        .iter()
        .filter(|o| matches!(o.status, RequestStatus::Denied | RequestStatus::Partly))
        .collect();
    if not_granted.is_empty() {
        h.push_str("<p>Every applicable request was granted.</p></section>\n");
        return;
    }
    h.push_str("<h3>Denied and partly granted</h3><table><tr><th class=\"n\">line</th><th>employee</th><th>request</th><th>strength</th><th>status</th><th>what was counted</th><th class=\"n\">cost to grant</th><th>reason</th><th>note</th></tr>\n");
    for o in not_granted {
        let r = &site.requests[o.request];
        let emp = &site.employees[r.employee];
        let reason = if o.reason.is_empty() {
            "not explained (plan with --explain-seconds above 0)".to_string()
        } else {
            o.reason.clone()
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td class=\"nw\">{} {}</td><td>{} · {}</td><td class=\"nw\">{}</td><td><span class=\"tag {}\">{}</span></td><td>{}</td><td class=\"n\">{}</td><td class=\"reason\">{}</td><td>{}</td></tr>",
            r.line,
            esc(&emp.id),
            esc(&emp.name),
            esc(&kind_words(&r.kind)),
            esc(&crate::people::request_when(r)),
            if r.hard {
                "hard".to_string()
            } else {
                format!("soft, {}", thousands(r.weight))
            },
            o.status.as_str(),
            o.status.as_str(),
            esc(&o.detail),
            o.cost_to_grant.map(thousands).unwrap_or_default(),
            esc(&reason),
            esc(&r.note)
        );
    }
    h.push_str("</table></section>\n");
}

/// Service-level forecast per queue: the roster measured on the plan's own forecast
/// (`scenarios::evaluate` with no multipliers or noise): Erlang C on the agents on duty
/// net of breaks, contact-weighted over the week and on the worst day.
fn service_forecast(h: &mut String, site: &Site, plan: &Plan) {
    let base = crate::scenarios::Scenario::deterministic("plan");
    let ev = crate::scenarios::evaluate(site, &plan.roster, std::slice::from_ref(&base), 1, 0);
    h.push_str(r#"<section><h2>Service-level forecast</h2>
<p class="sub">The roster on the plan's own forecast: phone and chat by Erlang C on the agents on duty net of breaks; email as the share done within its response time. Contact-weighted.</p>
"#);
    h.push_str(r#"<table><tr><th>queue</th><th>channel</th><th class="n">target</th><th class="n">week</th><th class="n">worst day</th><th class="n">intervals meeting target</th><th class="n">contacts late</th><th></th></tr>
"#);
    for (q, r) in ev.scenarios[0].queues.iter().enumerate() {
        let week = r.horizon.service_level.mean;
        let worst = r
            .days
            .iter()
            .filter(|d| d.contacts > 0.0)
            .min_by(|a, b| a.service_level.mean.total_cmp(&b.service_level.mean));
        let worst_text = worst.map_or("—".to_string(), |d| {
            format!(
                "{:.0} % ({})",
                d.service_level.mean * 100.0,
                d.date
                    .map_or(String::new(), |x| x.format("%a %-d %b").to_string())
            )
        });
        let short = week + 1e-9 < r.target;
        let _ = writeln!(
            h,
            "<tr{}><td>{}</td><td>{}</td><td class=\"n\">{:.0} %</td><td class=\"n\">{:.0} %</td><td class=\"n\">{}</td><td class=\"n\">{:.0} %</td><td class=\"n\">{:.0}</td>{}</tr>",
            if short { " class=\"short\"" } else { "" },
            esc(&site.queues[q].id),
            site.queues[q].channel.as_str(),
            r.target * 100.0,
            week * 100.0,
            worst_text,
            r.horizon.share_meeting_target * 100.0,
            r.horizon.late_contacts,
            bar_cell(week, 1.0, 100.0)
        );
    }
    h.push_str(
        "</table></section>
",
    );
}

fn fairness_section(h: &mut String, plan: &Plan) {
    let shares = &plan.summary.fairness;
    h.push_str("<section><h2>Fairness: weekend and late shifts</h2>\n<p class=\"sub\">Comparable employees (same role and contract) should share weekend and late shifts evenly.</p>\n");
    let mut groups: BTreeMap<&str, Vec<&crate::people::FairShare>> = BTreeMap::new();
    for f in shares {
        groups.entry(f.group.as_str()).or_default().push(f);
    }
    h.push_str("<table><tr><th>group</th><th class=\"n\">people</th><th class=\"n\">shifts</th><th class=\"n\">weekend shifts</th><th class=\"n\">fewest–most per person</th><th class=\"n\">late shifts</th><th class=\"n\">fewest–most per person</th></tr>\n");
    for (g, members) in &groups {
        let range = |f: &dyn Fn(&crate::people::FairShare) -> usize| {
            let lo = members.iter().map(|m| f(m)).min().unwrap_or(0);
            let hi = members.iter().map(|m| f(m)).max().unwrap_or(0);
            (members.iter().map(|m| f(m)).sum::<usize>(), lo, hi)
        };
        let (w, wlo, whi) = range(&|m| m.weekend_shifts);
        let (l, llo, lhi) = range(&|m| m.late_shifts);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{w}</td><td class=\"n\">{wlo}–{whi}</td><td class=\"n\">{l}</td><td class=\"n\">{llo}–{lhi}</td></tr>",
            esc(g),
            members.len(),
            members.iter().map(|m| m.shifts).sum::<usize>()
        );
    }
    h.push_str("</table>\n<details><summary>Per employee</summary><table><tr><th>employee</th><th>group</th><th class=\"n\">shifts</th><th class=\"n\">weekend</th><th class=\"n\">share of group</th><th></th><th class=\"n\">late</th><th class=\"n\">share of group</th><th></th></tr>\n");
    for members in groups.values() {
        for f in members {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.0} %</td>{}<td class=\"n\">{}</td><td class=\"n\">{:.0} %</td>{}</tr>",
                esc(&f.employee),
                esc(&f.group),
                f.shifts,
                f.weekend_shifts,
                f.weekend_share * 100.0,
                bar_cell(f.weekend_share, 1.0, 100.0),
                f.late_shifts,
                f.late_share * 100.0,
                bar_cell(f.late_share, 1.0, 100.0)
            );
        }
    }
    h.push_str("</table></details></section>\n");
}

/// Fill the reasons and costs to grant of `outcomes` from a `requests-report.csv` written
/// by an earlier `plan` (e.g. when rebuilding the report from `roster.csv`): a row counts
/// when its `line` is the request's line in `requests.csv` and its `status` is the
/// outcome's status in the current roster (so a roster edited since keeps no stale
/// reason). Returns how many outcomes took a reason.
pub fn merge_request_reasons(
    path: &Path,
    site: &Site,
    outcomes: &mut [RequestOutcome],
) -> Result<usize, Error> {
    let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    let mut rd = csv::Reader::from_path(path).map_err(io)?;
    let headers = rd.headers().map_err(io)?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_line), Some(c_status), Some(c_reason)) =
        (col("line"), col("status"), col("reason"))
    else {
        return Ok(0);
    };
    let c_cost = col("cost_to_grant");
    let mut rows: BTreeMap<usize, (String, String, Option<f64>)> = BTreeMap::new();
    for rec in rd.records() {
        let rec = rec.map_err(io)?;
        let Some(line) = rec.get(c_line).and_then(|l| l.trim().parse::<usize>().ok()) else {
            continue;
        };
        rows.insert(
            line,
            (
                rec.get(c_status).unwrap_or("").to_string(),
                rec.get(c_reason).unwrap_or("").to_string(),
                c_cost
                    .and_then(|c| rec.get(c))
                    .and_then(|v| v.trim().parse().ok()),
            ),
        );
    }
    let mut merged = 0;
    for o in outcomes.iter_mut() {
        let Some(r) = site.requests.get(o.request) else {
            continue;
        };
        if let Some((status, reason, cost)) = rows.get(&r.line) {
            if status == o.status.as_str() && !reason.is_empty() {
                o.reason = reason.clone();
                o.cost_to_grant = *cost;
                merged += 1;
            }
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(4_812_345.4), "4,812,345");
        assert_eq!(thousands(999.5), "1,000");
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(-1234.0), "−1,234");
        assert_eq!(thousands(f64::NAN), "—");
        assert_eq!(words("TeamLeads"), "team leads");
        assert_eq!(words("Labour"), "labour");
    }

    #[test]
    fn layers_split_backgrounds_from_bars() {
        let body = "<g>head</g><rect/><!--layer-->bars1<!--/layer--><rect2/><!--layer-->bars2<!--/layer-->";
        let (b, f) = split_layers(body);
        assert_eq!(b, "<g>head</g><rect/><rect2/>");
        assert_eq!(f, "bars1bars2");
    }
}
