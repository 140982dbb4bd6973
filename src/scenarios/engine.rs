//! The evaluation engine: everything that does not depend on the sample is prepared once
//! ([`Engine`]); each sample then runs allocation-free per interval on its own scratch
//! buffers ([`Scratch`]).

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution as _, LogNormal};
use rayon::prelude::*;

use super::stats::Distribution;
use super::{lognormal_params, Noise, Scenario, ScenarioKind};
use crate::domain::{Channel, Forecast, Role, Site};
use crate::report::local_stamp;
use crate::roster::Roster;
use crate::staffing::erlang::queue_stats;
use crate::staffing::requirements_for;
use crate::verify::{on_break, skill_groups, Allocator, SkillGroups};

/// How many of the lowest-service-level intervals each scenario reports.
pub const WORST_INTERVALS: usize = 10;

/// Samples computed in parallel into one reused buffer before being added up (each figure
/// in sample order). A constant, so the batches — and the results — do not depend on the
/// number of threads.
const BATCH: usize = 64;

/// Figures per parallel task when adding a batch up.
const FOLD_CHUNK: usize = 2048;

// Per-cell measures of one sample, stored as `[measure][queue][interval]`.
const C_CONTACTS: usize = 0;
const C_REQUIRED: usize = 1;
const C_SCHEDULED: usize = 2;
const C_STAFFED: usize = 3;
const C_SL: usize = 4;
const C_ASA: usize = 5;
const C_OCC: usize = 6;
const C_SHORT: usize = 7;
const C_LATE: usize = 8;
const N_CELL: usize = 9;

// Per-period measures of one sample, stored as `[queue][period][measure]`; the periods are
// the days, then the whole horizon.
const P_CONTACTS: usize = 0;
const P_SL: usize = 1;
const P_MEET: usize = 2;
const P_LATE: usize = 3;
const P_SHORT_MEAN: usize = 4;
const P_SHORT_HOURS: usize = 5;
const P_BACKLOG: usize = 6;
const P_OVERDUE: usize = 7;
const N_PERIOD: usize = 8;

/// Per interval and queue, the mean over samples (`[q][i]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cells {
    /// Contacts arriving (after multipliers and noise).
    pub contacts: Vec<Vec<f64>>,
    /// Average handle time, seconds (after multipliers).
    pub aht_seconds: Vec<Vec<f64>>,
    /// Agents required (after shrinkage), recomputed by `requirements_for` on the sample's
    /// forecast.
    pub required: Vec<Vec<f64>>,
    /// Agents allocated to the queue as `verify` computes coverage: maximum flow capped at
    /// the requirement (0 for email, as in `verify`).
    pub scheduled: Vec<Vec<f64>>,
    /// Agents working the queue: `scheduled`, plus email work and the surplus spread over
    /// real-time queues.
    pub staffed: Vec<Vec<f64>>,
    /// Service level: Erlang C for phone and chat; for email the share of the interval's
    /// emails done within the response time.
    pub service_level: Vec<Vec<f64>>,
    /// Average speed of answer, seconds (infinite when the queue is unstable; 0 for email).
    pub asa_seconds: Vec<Vec<f64>>,
    /// Occupancy of the productive agents (email: share of their capacity used).
    pub occupancy: Vec<Vec<f64>>,
    /// `max(0, required − scheduled)` (email: `required − staffed`).
    pub agents_short: Vec<Vec<f64>>,
    /// Contacts answered late: `contacts × (1 − service level)`.
    pub late_contacts: Vec<Vec<f64>>,
    /// 5th and 95th percentile of the service level over the samples (the band drawn in
    /// `report.html`; stored as f32, so for a deterministic scenario both equal the mean to
    /// f32 precision).
    pub service_level_band: Vec<Vec<(f64, f64)>>,
}

/// Figures of one queue over one day (or the whole horizon), means over samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// The site-local date; `None` for the whole horizon.
    pub date: Option<NaiveDate>,
    /// Contacts.
    pub contacts: f64,
    /// Contact-weighted service level of the period (1 without contacts), over samples.
    pub service_level: Distribution,
    /// Share of the intervals with contacts whose service level meets the target (email:
    /// whose emails are all done within the response time); 1 without contacts.
    pub share_meeting_target: f64,
    /// Contacts answered late (email: done after the response time).
    pub late_contacts: f64,
    /// Agents short, averaged over the intervals with a requirement.
    pub mean_agents_short: f64,
    /// Agent-hours short.
    pub agent_hours_short: f64,
    /// Email: productive agent-hours of work not yet done at the end of the period.
    pub backlog_agent_hours: Option<f64>,
    /// Email: of that backlog, agent-hours already past their deadline.
    pub overdue_agent_hours: Option<f64>,
}

/// One queue's results in a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueResult {
    /// Queue id.
    pub queue: String,
    /// Channel.
    pub channel: Channel,
    /// Service-level target (1 for email: everything within the response time).
    pub target: f64,
    /// Per day of the horizon.
    pub days: Vec<Period>,
    /// The whole horizon.
    pub horizon: Period,
}

/// One of the worst intervals of a scenario (lowest mean service level).
#[derive(Debug, Clone, PartialEq)]
pub struct WorstInterval {
    /// Interval index.
    pub interval: usize,
    /// Interval start, site time with offset.
    pub start: String,
    /// Queue id.
    pub queue: String,
    /// Mean service level.
    pub service_level: f64,
    /// Mean agents short.
    pub agents_short: f64,
    /// Mean contacts.
    pub contacts: f64,
    /// Mean agents working the queue.
    pub staffed: f64,
    /// Mean agents required.
    pub required: f64,
}

/// One scenario's results.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// `deterministic` or `stochastic`.
    pub kind: String,
    /// Samples evaluated (1 for deterministic scenarios).
    pub samples: usize,
    /// Per queue, in the site's order.
    pub queues: Vec<QueueResult>,
    /// The [`WORST_INTERVALS`] interval-queues with contacts and the lowest mean service
    /// level (ties: earlier interval, then queue order).
    pub worst: Vec<WorstInterval>,
    /// Per interval and queue, means over samples.
    pub cells: Cells,
}

/// Results of [`evaluate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Seed used.
    pub seed: u64,
    /// Samples per stochastic scenario.
    pub samples: usize,
    /// Per scenario, in the given order.
    pub scenarios: Vec<ScenarioResult>,
}

/// The random stream of one sample: ChaCha8 keyed by `seed` (expanded by
/// `seed_from_u64`), on stream `scenario · 2⁴⁰ + sample`. Independent streams per
/// scenario and sample, derived from nothing else — so a sample's draws do not depend on
/// which thread runs it or on the other samples.
pub fn sample_rng(seed: u64, scenario: usize, sample: usize) -> ChaCha8Rng {
    assert!(
        (scenario as u64) < 1 << 24 && (sample as u64) < 1 << 40,
        "at most 2^24 scenarios and 2^40 samples"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((scenario as u64) << 40) | sample as u64);
    rng
}

/// Evaluate `roster` under each scenario: deterministic scenarios once, stochastic ones
/// `samples` times (at least once), in parallel on the current rayon pool. The result
/// depends only on the arguments, not on the number of threads.
///
/// Random draws of a sample, in this order: one uniform per agent shift open to
/// absenteeism (roster order; absent when below the probability), one daily factor per
/// day, one interval factor per queue and interval (queue by queue); a component that is
/// zero draws nothing.
pub fn evaluate(
    site: &Site,
    roster: &Roster,
    scenarios: &[Scenario],
    samples: usize,
    seed: u64,
) -> Evaluation {
    let engine = Engine::new(site, roster);
    let samples = samples.max(1);
    Evaluation {
        seed,
        samples,
        scenarios: scenarios
            .iter()
            .enumerate()
            .map(|(si, sc)| engine.scenario(si, sc, samples, seed))
            .collect(),
    }
}

/// One agent shift's share in the supply, for absenteeism.
struct AgentShift {
    group: usize,
    /// First interval it covers.
    first: usize,
    /// Its contributions `1 − on_break` start here in [`Engine::contrib`].
    offset: usize,
    /// Intervals covered.
    len: usize,
    contract: usize,
}

/// Everything independent of the sample.
struct Engine<'a> {
    site: &'a Site,
    n: usize,
    nq: usize,
    groups: SkillGroups,
    /// Agents on duty net of breaks with nobody absent, `[g · n + i]` (as `verify`).
    base: Vec<f64>,
    shifts: Vec<AgentShift>,
    contrib: Vec<f64>,
    /// Email (deferred) queues.
    email: Vec<usize>,
    /// Per email queue, the groups with that skill.
    email_groups: Vec<Vec<usize>>,
    /// Per group: has an email skill.
    email_group: Vec<bool>,
    day_of: Vec<usize>,
}

/// A scenario's multipliers applied, and its noise ready to draw.
struct Prepared {
    contacts: Vec<Vec<f64>>,
    aht: Vec<Vec<f64>>,
    daily: Option<LogNormal<f64>>,
    interval: Option<LogNormal<f64>>,
    absenteeism: f64,
    /// Per agent shift: can it be absent?
    eligible: Vec<bool>,
}

/// Per-worker buffers, fully overwritten by every sample.
struct Scratch {
    forecast: Forecast,
    supply: Vec<f64>,
    absent: Vec<usize>,
    daily: Vec<f64>,
    sup_i: Vec<f64>,
    demand: Vec<f64>,
    served: Vec<f64>,
    staffed: Vec<f64>,
    resid: Vec<f64>,
    allocator: Allocator,
    backlog: Vec<f64>,
    cum: Vec<f64>,
    cum_done: Vec<f64>,
}

/// Sums over samples, each figure added in sample order, and every sample's period
/// service levels (for percentiles).
struct Accumulator {
    /// A sample's layout: [`N_CELL`] × queues × intervals cell figures, then queues ×
    /// periods × [`N_PERIOD`] period figures.
    sums: Vec<f64>,
    /// Per queue and period, the service level of every sample.
    sl: Vec<Vec<f64>>,
    /// Per queue and interval (`[q · n + i]`), the service level of every sample.
    cell_sl: Vec<Vec<f32>>,
}

impl<'a> Engine<'a> {
    fn new(site: &'a Site, roster: &Roster) -> Engine<'a> {
        let n = site.grid.len();
        let groups = skill_groups(site, roster);
        let base: Vec<f64> = groups.supply.iter().flatten().copied().collect();
        let mut shifts = Vec::new();
        let mut contrib = Vec::new();
        for s in &roster.shifts {
            let Some(emp) = site.employees.get(s.employee) else {
                continue;
            };
            if emp.role != Role::Agent {
                continue;
            }
            let range = site.grid.overlapping(s.start, s.end);
            if range.is_empty() {
                continue;
            }
            let group = groups
                .index_of(&emp.skills)
                .expect("every agent's skill set with a shift in the horizon is a group");
            let offset = contrib.len();
            contrib.extend(range.clone().map(|i| 1.0 - on_break(site, s, i)));
            shifts.push(AgentShift {
                group,
                first: range.start,
                offset,
                len: range.len(),
                contract: emp.contract,
            });
        }
        let email: Vec<usize> = (0..site.queues.len())
            .filter(|&q| site.queues[q].is_deferred())
            .collect();
        let email_groups = email
            .iter()
            .map(|e| {
                (0..groups.skills.len())
                    .filter(|&g| groups.skills[g].contains(e))
                    .collect()
            })
            .collect();
        let email_group = groups
            .skills
            .iter()
            .map(|sk| sk.iter().any(|q| email.contains(q)))
            .collect();
        Engine {
            site,
            n,
            nq: site.queues.len(),
            groups,
            base,
            shifts,
            contrib,
            email,
            email_groups,
            email_group,
            day_of: site.grid.intervals.iter().map(|iv| iv.day).collect(),
        }
    }

    fn prepare(&self, sc: &Scenario) -> Prepared {
        let (contacts, aht) = sc.adjusted_forecast(self.site);
        let none = Noise::none();
        let noise = match &sc.kind {
            ScenarioKind::Deterministic => &none,
            ScenarioKind::Stochastic(n) => n,
        };
        let lognormal = |cv: f64| {
            (cv > 0.0).then(|| {
                let (mu, sigma) = lognormal_params(cv);
                LogNormal::new(mu, sigma).expect("finite log-normal parameters")
            })
        };
        Prepared {
            contacts,
            aht,
            daily: lognormal(noise.daily_cv),
            interval: lognormal(noise.interval_cv),
            absenteeism: noise.absenteeism,
            eligible: self
                .shifts
                .iter()
                .map(|s| {
                    noise
                        .absenteeism_contracts
                        .as_ref()
                        .is_none_or(|c| c.contains(&s.contract))
                })
                .collect(),
        }
    }

    fn scratch(&self) -> Scratch {
        let ng = self.groups.skills.len();
        let nrt = self.groups.realtime.len();
        Scratch {
            forecast: self.site.forecast.clone(),
            supply: vec![0.0; self.base.len()],
            absent: Vec::with_capacity(self.shifts.len()),
            daily: vec![1.0; self.site.grid.days],
            sup_i: vec![0.0; ng],
            demand: vec![0.0; nrt],
            served: vec![0.0; nrt],
            staffed: vec![0.0; nrt],
            resid: vec![0.0; ng],
            allocator: Allocator::new(&self.groups.realtime_skills, nrt),
            backlog: vec![0.0; self.email.len()],
            cum: vec![0.0; self.email.len()],
            cum_done: vec![0.0; self.email.len() * self.n],
        }
    }

    fn scenario(&self, si: usize, sc: &Scenario, samples: usize, seed: u64) -> ScenarioResult {
        let prep = self.prepare(sc);
        let stochastic = matches!(sc.kind, ScenarioKind::Stochastic(_));
        let count = if stochastic { samples } else { 1 };
        let days = self.site.grid.days;
        let cells_len = N_CELL * self.nq * self.n;
        let slot = cells_len + self.nq * (days + 1) * N_PERIOD;
        let mut acc = Accumulator {
            sums: vec![0.0; slot],
            sl: vec![Vec::with_capacity(count); self.nq * (days + 1)],
            cell_sl: vec![Vec::with_capacity(count); self.nq * self.n],
        };
        let mut buf = vec![0.0; BATCH.min(count) * slot];
        let mut start = 0;
        while start < count {
            let end = (start + BATCH).min(count);
            let batch = &mut buf[..(end - start) * slot];
            batch.par_chunks_mut(slot).enumerate().for_each_init(
                || self.scratch(),
                |scr, (j, out)| {
                    let k = start + j;
                    let rng = stochastic.then(|| sample_rng(seed, si, k));
                    self.run(&prep, rng, scr, out);
                },
            );
            // Add the batch up figure by figure, each in sample order (parallel over
            // figures, so the order of additions never depends on the threads).
            let batch = &buf[..(end - start) * slot];
            let first = start == 0;
            acc.sums
                .par_chunks_mut(FOLD_CHUNK)
                .enumerate()
                .for_each(|(c, sums)| {
                    let off = c * FOLD_CHUNK;
                    for (j, sample) in batch.chunks(slot).enumerate() {
                        let x = &sample[off..off + sums.len()];
                        if first && j == 0 {
                            sums.copy_from_slice(x);
                        } else {
                            for (a, x) in sums.iter_mut().zip(x) {
                                *a += x;
                            }
                        }
                    }
                });
            for sample in batch.chunks(slot) {
                for (qp, values) in acc.sl.iter_mut().enumerate() {
                    values.push(sample[cells_len + qp * N_PERIOD + P_SL]);
                }
                let sl_cells = &sample[C_SL * self.nq * self.n..][..self.nq * self.n];
                for (values, &x) in acc.cell_sl.iter_mut().zip(sl_cells) {
                    values.push(x as f32);
                }
            }
            start = end;
        }
        self.finish(sc, &prep, count, acc)
    }

    /// Agents on duty net of breaks for this sample's absences, into `scr.supply`.
    fn draw_supply(&self, prep: &Prepared, rng: Option<&mut ChaCha8Rng>, scr: &mut Scratch) {
        scr.supply.copy_from_slice(&self.base);
        let Some(rng) = rng.filter(|_| prep.absenteeism > 0.0) else {
            return;
        };
        scr.absent.clear();
        for (k, &eligible) in prep.eligible.iter().enumerate() {
            if eligible && rng.gen::<f64>() < prep.absenteeism {
                scr.absent.push(k);
            }
        }
        let n = self.n;
        if scr.absent.len() * 2 > self.shifts.len() {
            // Mostly absent: add up who is there (in roster order, as the base supply).
            scr.supply.fill(0.0);
            let mut a = 0;
            for (k, s) in self.shifts.iter().enumerate() {
                if scr.absent.get(a) == Some(&k) {
                    a += 1;
                    continue;
                }
                let row = &mut scr.supply[s.group * n + s.first..][..s.len];
                for (x, c) in row.iter_mut().zip(&self.contrib[s.offset..][..s.len]) {
                    *x += c;
                }
            }
        } else {
            for &k in &scr.absent {
                let s = &self.shifts[k];
                let row = &mut scr.supply[s.group * n + s.first..][..s.len];
                for (x, c) in row.iter_mut().zip(&self.contrib[s.offset..][..s.len]) {
                    *x = (*x - c).max(0.0);
                }
            }
        }
    }

    /// This sample's forecast, into `scr.forecast`.
    fn draw_forecast(&self, prep: &Prepared, mut rng: Option<&mut ChaCha8Rng>, scr: &mut Scratch) {
        let daily = prep.daily.as_ref().zip(rng.as_deref_mut());
        match daily {
            Some((dist, rng)) => scr.daily.iter_mut().for_each(|d| *d = dist.sample(rng)),
            None => scr.daily.fill(1.0),
        }
        let interval = prep.interval.as_ref().zip(rng);
        let f = &mut scr.forecast;
        match interval {
            Some((dist, rng)) => {
                for q in 0..self.nq {
                    for i in 0..self.n {
                        let eps: f64 = dist.sample(rng);
                        f.contacts[q][i] = prep.contacts[q][i] * scr.daily[self.day_of[i]] * eps;
                    }
                }
            }
            None if prep.daily.is_some() => {
                for q in 0..self.nq {
                    for i in 0..self.n {
                        f.contacts[q][i] = prep.contacts[q][i] * scr.daily[self.day_of[i]];
                    }
                }
            }
            None => {
                for q in 0..self.nq {
                    f.contacts[q].copy_from_slice(&prep.contacts[q]);
                }
            }
        }
        for q in 0..self.nq {
            f.aht_seconds[q].copy_from_slice(&prep.aht[q]);
        }
    }

    /// One sample, written into `out` (the layout of [`Accumulator::sums`]).
    fn run(
        &self,
        prep: &Prepared,
        mut rng: Option<ChaCha8Rng>,
        scr: &mut Scratch,
        out: &mut [f64],
    ) {
        let site = self.site;
        let (n, nq) = (self.n, self.nq);
        self.draw_supply(prep, rng.as_mut(), scr);
        self.draw_forecast(prep, rng.as_mut(), scr);
        let req = requirements_for(
            &site.queues,
            &scr.forecast,
            site.grid.interval_seconds(),
            site.shrinkage,
        );
        out.fill(0.0);
        let (cells, periods) = out.split_at_mut(N_CELL * nq * n);
        let at = |m: usize, q: usize, i: usize| (m * nq + q) * n + i;
        let rt = &self.groups.realtime;
        scr.backlog.fill(0.0);
        scr.cum.fill(0.0);
        for i in 0..n {
            for (g, x) in scr.sup_i.iter_mut().enumerate() {
                *x = scr.supply[g * n + i];
            }
            for (k, &q) in rt.iter().enumerate() {
                scr.demand[k] = req.agents[q][i];
            }
            scr.allocator
                .allocate(&scr.sup_i, &scr.demand, &mut scr.served);
            // The same service per queue, with the work of email-skilled agents handed to
            // agents who cannot do email where possible, to keep them for the backlog.
            if self
                .email_group
                .iter()
                .zip(&scr.sup_i)
                .any(|(&e, &x)| e && x > 0.0)
            {
                scr.allocator.relieve(&self.email_group);
            }
            for (g, r) in scr.resid.iter_mut().enumerate() {
                *r = scr.allocator.unused(g);
            }
            scr.staffed.copy_from_slice(&scr.served);
            // What is left works the email backlog, queue by queue, group by group.
            for (ei, &e) in self.email.iter().enumerate() {
                let d = req.deferred[e]
                    .as_ref()
                    .expect("deferred queues have deferred work");
                scr.backlog[ei] += d.arriving[i];
                let productive = 1.0 - req.shrinkage[e][i];
                let need = if productive > 0.0 {
                    scr.backlog[ei] / productive
                } else {
                    0.0
                };
                let mut got = 0.0;
                for &g in &self.email_groups[ei] {
                    let take = scr.resid[g].min(need - got);
                    if take > 0.0 {
                        scr.resid[g] -= take;
                        got += take;
                    }
                }
                let done = (got * productive).min(scr.backlog[ei]);
                scr.backlog[ei] -= done;
                scr.cum[ei] += done;
                scr.cum_done[ei * n + i] = scr.cum[ei];
                let required = req.agents[e][i];
                cells[at(C_REQUIRED, e, i)] = required;
                cells[at(C_STAFFED, e, i)] = got;
                cells[at(C_SHORT, e, i)] = (required - got).max(0.0);
                cells[at(C_OCC, e, i)] = if got > 0.0 {
                    done / (got * productive)
                } else {
                    0.0
                };
            }
            // The rest is spread over each group's real-time queues by requirement.
            for (g, &r) in scr.resid.iter().enumerate() {
                if r <= 0.0 {
                    continue;
                }
                let skills = &self.groups.realtime_skills[g];
                let total: f64 = skills.iter().map(|&k| scr.demand[k]).sum();
                if total > 0.0 {
                    for &k in skills {
                        scr.staffed[k] += r * scr.demand[k] / total;
                    }
                }
            }
            for (k, &q) in rt.iter().enumerate() {
                let queue = &site.queues[q];
                let contacts = scr.forecast.contacts[q][i];
                let aht = scr.forecast.aht_seconds[q][i];
                let servers = scr.staffed[k]
                    * (1.0 - req.shrinkage[q][i])
                    * f64::from(queue.concurrency.max(1));
                let (sl, asa, occ) = realtime_stats(
                    servers,
                    req.offered_load[q][i],
                    aht,
                    queue.target.answer_within,
                );
                cells[at(C_REQUIRED, q, i)] = scr.demand[k];
                cells[at(C_SCHEDULED, q, i)] = scr.served[k];
                cells[at(C_STAFFED, q, i)] = scr.staffed[k];
                cells[at(C_SL, q, i)] = sl;
                cells[at(C_ASA, q, i)] = asa;
                cells[at(C_OCC, q, i)] = occ;
                cells[at(C_SHORT, q, i)] = (scr.demand[k] - scr.served[k]).max(0.0);
                cells[at(C_LATE, q, i)] = contacts * (1.0 - sl);
            }
        }
        // Email: the share of each interval's emails done by their deadline (first in,
        // first out). Work whose deadline falls after the horizon is not counted late.
        for (ei, &e) in self.email.iter().enumerate() {
            let d = req.deferred[e].as_ref().expect("deferred work");
            for s in 0..n {
                let arriving = d.arriving[s];
                let deadline = s + d.window - 1;
                let late_share = if arriving > 0.0 && deadline < n {
                    let undone = (d.arrived_by[s] - scr.cum_done[ei * n + deadline]).min(arriving);
                    if undone > 1e-9 * arriving.max(1.0) {
                        undone / arriving
                    } else {
                        0.0
                    }
                } else {
                    0.0
                };
                cells[at(C_SL, e, s)] = 1.0 - late_share;
                cells[at(C_LATE, e, s)] = scr.forecast.contacts[e][s] * late_share;
            }
        }
        for q in 0..nq {
            for i in 0..n {
                cells[at(C_CONTACTS, q, i)] = scr.forecast.contacts[q][i];
            }
        }
        self.periods(cells, &req, scr, periods);
    }

    /// Per queue, per day and for the horizon: the sample's period figures.
    fn periods(
        &self,
        cells: &[f64],
        req: &crate::staffing::Requirements,
        scr: &Scratch,
        out: &mut [f64],
    ) {
        let (n, nq) = (self.n, self.nq);
        let grid = &self.site.grid;
        let hours = grid.interval_hours();
        let np = grid.days + 1;
        let at = |m: usize, q: usize, i: usize| (m * nq + q) * n + i;
        for q in 0..nq {
            let queue = &self.site.queues[q];
            let email = self.email.iter().position(|&e| e == q);
            for p in 0..np {
                let range = if p < grid.days {
                    grid.day_starts[p]..grid.day_starts[p + 1]
                } else {
                    0..n
                };
                let (mut contacts, mut answered, mut open, mut meet) = (0.0, 0.0, 0usize, 0usize);
                let (mut late, mut short, mut short_n) = (0.0, 0.0, 0usize);
                for i in range.clone() {
                    let c = cells[at(C_CONTACTS, q, i)];
                    let sl = cells[at(C_SL, q, i)];
                    if c > 0.0 {
                        contacts += c;
                        answered += c * sl;
                        open += 1;
                        let ok = if email.is_some() {
                            sl >= 1.0
                        } else {
                            sl >= queue.target.service_level - 1e-9
                        };
                        meet += usize::from(ok);
                    }
                    late += cells[at(C_LATE, q, i)];
                    if cells[at(C_REQUIRED, q, i)] > 0.0 {
                        short += cells[at(C_SHORT, q, i)];
                        short_n += 1;
                    }
                }
                let o = &mut out[(q * np + p) * N_PERIOD..][..N_PERIOD];
                o[P_CONTACTS] = contacts;
                o[P_SL] = if contacts > 0.0 {
                    answered / contacts
                } else {
                    1.0
                };
                o[P_MEET] = if open > 0 {
                    meet as f64 / open as f64
                } else {
                    1.0
                };
                o[P_LATE] = late;
                o[P_SHORT_MEAN] = if short_n > 0 {
                    short / short_n as f64
                } else {
                    0.0
                };
                o[P_SHORT_HOURS] = short * hours;
                if let (Some(ei), Some(last)) = (email, range.end.checked_sub(1)) {
                    let d = req.deferred[q].as_ref().expect("deferred work");
                    let done = scr.cum_done[ei * n + last];
                    o[P_BACKLOG] = (d.arrived_by[last] - done).max(0.0) * hours;
                    o[P_OVERDUE] = (d.due_by[last] - done).max(0.0) * hours;
                }
            }
        }
    }

    fn finish(
        &self,
        sc: &Scenario,
        prep: &Prepared,
        count: usize,
        acc: Accumulator,
    ) -> ScenarioResult {
        let (n, nq) = (self.n, self.nq);
        let site = self.site;
        let grid = &site.grid;
        let np = grid.days + 1;
        let k = count as f64;
        let mean = |m: usize| -> Vec<Vec<f64>> {
            (0..nq)
                .map(|q| {
                    acc.sums[(m * nq + q) * n..][..n]
                        .iter()
                        .map(|x| x / k)
                        .collect()
                })
                .collect()
        };
        let cells = Cells {
            contacts: mean(C_CONTACTS),
            aht_seconds: prep.aht.clone(),
            required: mean(C_REQUIRED),
            scheduled: mean(C_SCHEDULED),
            staffed: mean(C_STAFFED),
            service_level: mean(C_SL),
            asa_seconds: mean(C_ASA),
            occupancy: mean(C_OCC),
            agents_short: mean(C_SHORT),
            late_contacts: mean(C_LATE),
            service_level_band: (0..nq)
                .map(|q| {
                    (0..n)
                        .map(|i| {
                            let mut v: Vec<f64> = acc.cell_sl[q * n + i]
                                .iter()
                                .map(|&x| f64::from(x))
                                .collect();
                            v.sort_by(f64::total_cmp);
                            (super::percentile(&v, 0.05), super::percentile(&v, 0.95))
                        })
                        .collect()
                })
                .collect(),
        };
        let queues = (0..nq)
            .map(|q| {
                let queue = &site.queues[q];
                let email = queue.is_deferred();
                let period = |p: usize| {
                    let o = &acc.sums[N_CELL * nq * n + (q * np + p) * N_PERIOD..][..N_PERIOD];
                    Period {
                        date: (p < grid.days).then(|| grid.date(p)),
                        contacts: o[P_CONTACTS] / k,
                        service_level: Distribution::of(&acc.sl[q * np + p]),
                        share_meeting_target: o[P_MEET] / k,
                        late_contacts: o[P_LATE] / k,
                        mean_agents_short: o[P_SHORT_MEAN] / k,
                        agent_hours_short: o[P_SHORT_HOURS] / k,
                        backlog_agent_hours: email.then(|| o[P_BACKLOG] / k),
                        overdue_agent_hours: email.then(|| o[P_OVERDUE] / k),
                    }
                };
                QueueResult {
                    queue: queue.id.clone(),
                    channel: queue.channel,
                    target: if email {
                        1.0
                    } else {
                        queue.target.service_level
                    },
                    days: (0..grid.days).map(period).collect(),
                    horizon: period(grid.days),
                }
            })
            .collect();
        let mut candidates: Vec<(usize, usize)> = (0..n)
            .flat_map(|i| (0..nq).map(move |q| (i, q)))
            .filter(|&(i, q)| cells.contacts[q][i] > 0.0)
            .collect();
        candidates.sort_by(|a, b| {
            cells.service_level[a.1][a.0]
                .total_cmp(&cells.service_level[b.1][b.0])
                .then(a.cmp(b))
        });
        let worst = candidates
            .into_iter()
            .take(WORST_INTERVALS)
            .map(|(i, q)| WorstInterval {
                interval: i,
                start: local_stamp(grid.intervals[i].start_utc, grid.tz),
                queue: site.queues[q].id.clone(),
                service_level: cells.service_level[q][i],
                agents_short: cells.agents_short[q][i],
                contacts: cells.contacts[q][i],
                staffed: cells.staffed[q][i],
                required: cells.required[q][i],
            })
            .collect();
        ScenarioResult {
            name: sc.name.clone(),
            kind: sc.kind_name().into(),
            samples: count,
            queues,
            worst,
            cells,
        }
    }
}

/// Service level, ASA and occupancy for a fractional number of productive servers:
/// Erlang C ([`queue_stats`]) at `⌊servers⌋` and `⌊servers⌋ + 1`, interpolated linearly.
/// No load: (1, 0, 0). At most as many servers as the load (unstable): (0, ∞, 1).
fn realtime_stats(servers: f64, load: f64, aht: f64, within: f64) -> (f64, f64, f64) {
    if load.is_nan() || load <= 0.0 {
        return (1.0, 0.0, 0.0);
    }
    if servers.is_nan() || servers <= load {
        return (0.0, f64::INFINITY, 1.0);
    }
    let occupancy = (load / servers).min(1.0);
    let floor = servers.floor().min(f64::from(u32::MAX - 1));
    let frac = servers - floor;
    let s0 = queue_stats(floor as u32, load, aht, within);
    if frac <= 0.0 {
        return (s0.service_level, s0.asa_seconds, occupancy);
    }
    let s1 = queue_stats(floor as u32 + 1, load, aht, within);
    let sl = s0.service_level + frac * (s1.service_level - s0.service_level);
    let asa = if s0.asa_seconds.is_finite() {
        s0.asa_seconds + frac * (s1.asa_seconds - s0.asa_seconds)
    } else {
        s1.asa_seconds
    };
    (sl, asa, occupancy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_servers_interpolate_between_neighbours() {
        let (a, aht, t) = (4.0, 180.0, 20.0);
        let s5 = queue_stats(5, a, aht, t).service_level;
        let s6 = queue_stats(6, a, aht, t).service_level;
        let (sl, _, occ) = realtime_stats(5.25, a, aht, t);
        assert!((sl - (s5 + 0.25 * (s6 - s5))).abs() < 1e-12);
        assert!((occ - 4.0 / 5.25).abs() < 1e-12);
        assert_eq!(realtime_stats(5.0, a, aht, t).0, s5);
        assert_eq!(realtime_stats(3.9, a, aht, t).0, 0.0);
        assert_eq!(realtime_stats(0.0, 0.0, aht, t), (1.0, 0.0, 0.0));
    }

    #[test]
    fn sample_streams_differ_by_scenario_and_sample_only() {
        let draw = |seed, sc, k| sample_rng(seed, sc, k).gen::<u64>();
        assert_eq!(draw(7, 1, 2), draw(7, 1, 2));
        assert_ne!(draw(7, 1, 2), draw(7, 2, 1));
        assert_ne!(draw(7, 1, 2), draw(7, 1, 3));
        assert_ne!(draw(7, 1, 2), draw(8, 1, 2));
    }
}
