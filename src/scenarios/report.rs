//! `scenarios.csv` (written atomically) and the short table the CLI prints.

use std::fmt::Write as _;
use std::path::Path;

use super::engine::{Evaluation, Period};
use crate::error::Error;
use crate::input::write_atomic;

/// Columns of `scenarios.csv`: one row per scenario × queue × day.
pub const SCENARIO_COLUMNS: &[&str] = &[
    "scenario",
    "kind",
    "samples",
    "queue",
    "channel",
    "date",
    "contacts",
    "service_level_mean",
    "service_level_p5",
    "service_level_p50",
    "service_level_p95",
    "target",
    "share_intervals_meeting_target",
    "expected_late_contacts",
    "mean_agents_short",
    "agent_hours_short",
    "backlog_agent_hours",
    "overdue_agent_hours",
];

fn row(
    scenario: &str,
    kind: &str,
    samples: usize,
    queue: &str,
    channel: &str,
    target: f64,
    p: &Period,
) -> Vec<String> {
    let opt = |x: Option<f64>| x.map(|v| format!("{v:.2}")).unwrap_or_default();
    vec![
        scenario.to_string(),
        kind.to_string(),
        samples.to_string(),
        queue.to_string(),
        channel.to_string(),
        p.date.map(|d| d.to_string()).unwrap_or_default(),
        format!("{:.1}", p.contacts),
        format!("{:.4}", p.service_level.mean),
        format!("{:.4}", p.service_level.p5),
        format!("{:.4}", p.service_level.p50),
        format!("{:.4}", p.service_level.p95),
        format!("{target}"),
        format!("{:.4}", p.share_meeting_target),
        format!("{:.1}", p.late_contacts),
        format!("{:.3}", p.mean_agents_short),
        format!("{:.2}", p.agent_hours_short),
        opt(p.backlog_agent_hours),
        opt(p.overdue_agent_hours),
    ]
}

/// Write `scenarios.csv` (columns [`SCENARIO_COLUMNS`]) atomically.
pub fn write_scenarios_csv(path: &Path, ev: &Evaluation) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    w.write_record(SCENARIO_COLUMNS).map_err(io)?;
    for sc in &ev.scenarios {
        for q in &sc.queues {
            for p in &q.days {
                w.write_record(row(
                    &sc.name,
                    &sc.kind,
                    sc.samples,
                    &q.queue,
                    q.channel.as_str(),
                    q.target,
                    p,
                ))
                .map_err(io)?;
            }
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    write_atomic(path, &bytes)
}

/// A short text table: per scenario and queue the horizon's service level (mean, p5,
/// p95), share of intervals meeting the target, late contacts and agent-hours short, then
/// the scenario's three worst intervals.
pub fn summary_table(ev: &Evaluation) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<22} {:<9} {:>8} {:>7} {:>7} {:>7} {:>6} {:>9} {:>8}",
        "scenario", "queue", "samples", "SL", "p5", "p95", "meet", "late", "short_h"
    );
    for sc in &ev.scenarios {
        for q in &sc.queues {
            let h = &q.horizon;
            let _ = writeln!(
                s,
                "{:<22} {:<9} {:>8} {:>7.3} {:>7.3} {:>7.3} {:>5.0}% {:>9.1} {:>8.1}",
                sc.name,
                q.queue,
                sc.samples,
                h.service_level.mean,
                h.service_level.p5,
                h.service_level.p95,
                h.share_meeting_target * 100.0,
                h.late_contacts,
                h.agent_hours_short
            );
        }
        let worst: Vec<String> = sc
            .worst
            .iter()
            .take(3)
            .map(|w| {
                format!(
                    "{} {} SL {:.2} ({:.1} short)",
                    w.start, w.queue, w.service_level, w.agents_short
                )
            })
            .collect();
        if !worst.is_empty() {
            let _ = writeln!(s, "{:<22} worst: {}", "", worst.join("; "));
        }
    }
    s
}
