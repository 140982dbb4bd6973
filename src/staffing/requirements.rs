//! Forecast → agents required per interval and queue.
//!
//! - Real-time queues (phone): Erlang C on the offered load
//!   `A = contacts × AHT / interval length`, smallest `N` meeting the service level,
//!   ASA cap and occupancy cap ([`erlang::servers_required`]).
//! - Chat: an agent at concurrency `k` is `k` parallel servers ("slots"); the forecast
//!   AHT is the duration of one chat as handled concurrently. Erlang C gives the slots
//!   `S`; agents are `⌈S / k⌉`.
//! - Deferred queues (email): no queueing; work arriving in interval `t` must be done
//!   by `t + response time`. The workload (agent-intervals) and the cumulative amount
//!   due by the end of every interval are both returned: the optimizer uses the
//!   cumulative form ([`DeferredWork`]). For reporting, `agents` holds the workload spread
//!   evenly over each contact's response window.
//! - Shrinkage inflates every requirement: `N / (1 − shrinkage)`, with the site's shrinkage
//!   or the forecast's per-interval value where given.

use crate::domain::{Channel, Forecast, Queue, Site};
use crate::staffing::erlang;

/// Deferred (email) work of one queue, in agent-intervals of productive time.
#[derive(Debug, Clone, PartialEq)]
pub struct DeferredWork {
    /// Response time in whole intervals (work arriving in `t` is due by the end of `t + window − 1`).
    pub window: usize,
    /// Productive agent-intervals of work arriving in each interval (before shrinkage).
    pub arriving: Vec<f64>,
    /// Cumulative productive agent-intervals that must be finished by the end of each interval.
    pub due_by: Vec<f64>,
    /// Cumulative productive agent-intervals that have arrived by the end of each interval
    /// (work cannot be done before it arrives).
    pub arrived_by: Vec<f64>,
}

/// Staffing requirements of a site.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirements {
    /// `shrinkage[q][i]` used: `agents = agents_base / (1 − shrinkage)` (the site's value, or
    /// the forecast's per-interval column).
    pub shrinkage: Vec<Vec<f64>>,
    /// `offered_load[q][i]`: Erlangs (slots for chat; workload for email).
    pub offered_load: Vec<Vec<f64>>,
    /// `agents_base[q][i]`: agents needed on the queue, before shrinkage.
    pub agents_base: Vec<Vec<u32>>,
    /// `agents[q][i]`: agents to schedule, after shrinkage (fractional).
    pub agents: Vec<Vec<f64>>,
    /// `service_level[q][i]`: expected service level at `agents_base` (1 for email and empty intervals).
    pub service_level: Vec<Vec<f64>>,
    /// Deferred work per queue (`Some` for email queues).
    pub deferred: Vec<Option<DeferredWork>>,
    /// Robust planning: `scenarios[k][q][i]`, agents required in forecast sample `k` (then
    /// `agents` is their mean, and real-time coverage is priced as the average penalty
    /// over the samples). Empty for an ordinary plan.
    pub scenarios: Vec<Vec<Vec<f64>>>,
    /// Robust planning: `attendance[e]`, the expected share of employee `e`'s shifts
    /// actually worked (1 − the scenario's absenteeism where it applies to their contract);
    /// an agent on duty then supplies that much of an agent to the queues. Empty: every
    /// shift is worked.
    pub attendance: Vec<f64>,
    /// Robust planning: what the samples and attendance were drawn from (reported in the
    /// plan's summary). `None` for an ordinary plan.
    pub robust: Option<RobustPlanning>,
}

/// The forecast samples a robust plan is planned against (`plan --robust`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RobustPlanning {
    /// Scenario sampled.
    pub scenario: String,
    /// Forecast samples planned on.
    pub samples: usize,
    /// Seed of the samples.
    pub seed: u64,
}

/// Requirements for a loaded site.
pub fn requirements(site: &Site) -> Requirements {
    requirements_for(
        &site.queues,
        &site.forecast,
        site.grid.interval_seconds(),
        site.shrinkage,
    )
}

/// Requirements from queues and a forecast on a grid of `interval_seconds`.
pub fn requirements_for(
    queues: &[Queue],
    forecast: &Forecast,
    interval_seconds: f64,
    shrinkage: f64,
) -> Requirements {
    let n = forecast.contacts.first().map_or(0, Vec::len);
    let cell_shrinkage: Vec<Vec<f64>> = match &forecast.shrinkage {
        Some(s) => s.clone(),
        None => vec![vec![shrinkage; n]; queues.len()],
    };
    let mut out = Requirements {
        shrinkage: cell_shrinkage,
        offered_load: Vec::with_capacity(queues.len()),
        agents_base: Vec::with_capacity(queues.len()),
        agents: Vec::with_capacity(queues.len()),
        service_level: Vec::with_capacity(queues.len()),
        deferred: Vec::with_capacity(queues.len()),
        scenarios: Vec::new(),
        attendance: Vec::new(),
        robust: None,
    };
    for (q, queue) in queues.iter().enumerate() {
        let inflate: Vec<f64> = out.shrinkage[q].iter().map(|s| 1.0 / (1.0 - s)).collect();
        let contacts = &forecast.contacts[q];
        let aht = &forecast.aht_seconds[q];
        let load: Vec<f64> = (0..n)
            .map(|i| erlang::offered_load(contacts[i], aht[i], interval_seconds))
            .collect();
        if queue.channel == Channel::Email {
            let d = deferred_work(queue, &load, interval_seconds);
            // Spread each interval's work evenly over its window for reporting.
            let mut spread = vec![0.0; n];
            let mut running = 0.0;
            for i in 0..n {
                running += load[i] / d.window as f64;
                if i >= d.window {
                    running -= load[i - d.window] / d.window as f64;
                }
                spread[i] = running.max(0.0);
            }
            out.agents_base
                .push(spread.iter().map(|x| x.ceil() as u32).collect());
            out.agents
                .push(spread.iter().zip(&inflate).map(|(x, k)| x * k).collect());
            out.service_level.push(vec![1.0; n]);
            out.deferred.push(Some(d));
        } else {
            let k = queue.concurrency.max(1);
            let mut base = Vec::with_capacity(n);
            let mut sl = Vec::with_capacity(n);
            for i in 0..n {
                let slots = erlang::servers_required(load[i], aht[i], &queue.target);
                let agents = slots.div_ceil(k);
                base.push(agents);
                sl.push(if load[i] > 0.0 {
                    erlang::service_level(agents * k, load[i], aht[i], queue.target.answer_within)
                } else {
                    1.0
                });
            }
            out.agents.push(
                base.iter()
                    .zip(&inflate)
                    .map(|(&b, k)| f64::from(b) * k)
                    .collect(),
            );
            out.agents_base.push(base);
            out.service_level.push(sl);
            out.deferred.push(None);
        }
        out.offered_load.push(load);
    }
    out
}

/// The deadline form of a deferred queue: with `load[t]` agent-intervals arriving in `t`
/// and a response time of `W` intervals, everything that arrived in `s ≤ t − W + 1`
/// must be done by the end of `t`.
pub fn deferred_work(queue: &Queue, load: &[f64], interval_seconds: f64) -> DeferredWork {
    let window = ((queue.response_time_hours * 3600.0 / interval_seconds).floor() as usize).max(1);
    let n = load.len();
    let mut arrived_by = Vec::with_capacity(n);
    let mut acc = 0.0;
    for &w in load {
        acc += w;
        arrived_by.push(acc);
    }
    let due_by = (0..n)
        .map(|t| {
            if t + 1 >= window {
                arrived_by[t + 1 - window]
            } else {
                0.0
            }
        })
        .collect();
    DeferredWork {
        window,
        arrived_by,
        due_by,
        arriving: load.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staffing::erlang::ServiceTarget;

    fn queue(channel: Channel, concurrency: u32) -> Queue {
        Queue {
            id: "q".into(),
            channel,
            language: "ja".into(),
            target: ServiceTarget {
                service_level: 0.8,
                answer_within: 20.0,
                max_asa: None,
                max_occupancy: None,
            },
            concurrency,
            response_time_hours: 2.0,
        }
    }

    fn fc(contacts: Vec<f64>, aht: f64) -> Forecast {
        let n = contacts.len();
        Forecast {
            contacts: vec![contacts],
            aht_seconds: vec![vec![aht; n]],
            shrinkage: None,
        }
    }

    #[test]
    fn phone_matches_erlang_and_shrinkage_inflates() {
        // 360 calls in 30 min at 240 s AHT = 48 Erlangs; 80/20 needs 54 agents (53 give
        // 75.2 %, 54 give 79.3 % in 15 s and above 80 % in 20 s: the published Erlang C table
        // in the erlang tests); with 20 % shrinkage 54 / 0.8 = 67.5 are rostered.
        let r = requirements_for(
            &[queue(Channel::Phone, 1)],
            &fc(vec![360.0, 0.0], 240.0),
            1800.0,
            0.2,
        );
        assert_eq!(r.offered_load[0][0], 48.0);
        assert_eq!(r.agents_base[0][0], 54);
        assert!((r.agents[0][0] - 67.5).abs() < 1e-9, "{}", r.agents[0][0]);
        assert!(r.service_level[0][0] >= 0.8);
        assert_eq!(r.agents_base[0][1], 0, "zero volume needs zero agents");
        assert_eq!(r.agents[0][1], 0.0);
    }

    #[test]
    fn per_interval_shrinkage_overrides_the_site_value() {
        let mut f = fc(vec![360.0, 360.0], 240.0);
        f.shrinkage = Some(vec![vec![0.5, 0.2]]);
        let r = requirements_for(&[queue(Channel::Phone, 1)], &f, 1800.0, 0.2);
        let base = f64::from(r.agents_base[0][0]);
        assert!(
            (r.agents[0][0] - base * 2.0).abs() < 1e-9,
            "50 % shrinkage doubles the requirement"
        );
        assert!((r.agents[0][1] - base / 0.8).abs() < 1e-9);
        assert_eq!(r.shrinkage[0], vec![0.5, 0.2]);
    }

    #[test]
    fn chat_concurrency_divides_slots() {
        let q1 = queue(Channel::Chat, 1);
        let q3 = queue(Channel::Chat, 3);
        let f = fc(vec![200.0], 600.0);
        let one = requirements_for(std::slice::from_ref(&q1), &f, 1800.0, 0.0).agents_base[0][0];
        let three = requirements_for(&[q3], &f, 1800.0, 0.0).agents_base[0][0];
        assert_eq!(three, one.div_ceil(3));
        assert!(three < one);
    }

    #[test]
    fn email_deadline_form() {
        // 4 intervals of 30 min, response time 2 h = window of 4 intervals; 1 h response = 2.
        let mut q = queue(Channel::Email, 1);
        q.response_time_hours = 1.0;
        let d = deferred_work(&q, &[2.0, 0.0, 4.0, 0.0, 0.0], 1800.0);
        assert_eq!(d.window, 2);
        assert_eq!(d.arrived_by, vec![2.0, 2.0, 6.0, 6.0, 6.0]);
        // Work from interval 0 is due by the end of interval 1; from 2 by the end of 3.
        assert_eq!(d.due_by, vec![0.0, 2.0, 2.0, 6.0, 6.0]);
        let r = requirements_for(
            &[q],
            &fc(vec![2.0 * 1800.0 / 360.0, 0.0], 360.0),
            1800.0,
            0.0,
        );
        // 2 agent-intervals spread over a 2-interval window: 1 agent in each.
        assert!((r.agents[0][0] - 1.0).abs() < 1e-9 && (r.agents[0][1] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn more_contacts_never_need_fewer_agents() {
        let q = queue(Channel::Phone, 1);
        let contacts: Vec<f64> = (0..400).map(|i| f64::from(i) * 1.7).collect();
        let r = requirements_for(&[q], &fc(contacts, 300.0), 1800.0, 0.1);
        assert!(r.agents_base[0].windows(2).all(|w| w[1] >= w[0]));
    }
}
