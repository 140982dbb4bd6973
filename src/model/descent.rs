//! Best-response descent: a fast local search over whole employee weeks, the first
//! improvement stage of the neighbourhood search on contact-center sites.
//!
//! One employee at a time, every change of their week that touches at most two days is
//! valued — drop a shift, add one on a day off, replace a shift by another candidate, or
//! move a shift to another day — and the best improving one that keeps the employee's
//! hard rules (and the seats) is applied; sweeps over the employees (in a seeded order)
//! repeat until none improves. Where the sub-MILPs of [`super::search`] take 0.1–10 s for
//! one block, a move here is valued in microseconds, so a whole sweep of Tokyo costs less
//! than one sub-MILP.
//!
//! Moves are valued on the objective of the search's sub-models (breaks at their expected
//! share), computed directly rather than by HiGHS:
//! - per interval, the allocation of the on-duty skill groups to the real-time queues is
//!   solved exactly (a small min-cost flow with the tiered shortfall costs, successive
//!   shortest paths), with the overstaffing charge on idle agents and the team-lead
//!   shortfall;
//! - email over the whole week: the agents the real-time queues leave free do the work as
//!   early as it has arrived (one forward pass), lateness costs the backlog penalty and the
//!   time spent on email earns back its overstaffing charge. With breaks placed exactly
//!   (the placed descent) and a single email queue, the intervals still late then buy
//!   work, earliest first, from the cheapest real-time shortfall within a response time
//!   before them while it costs less than the backlog it shortens — taking agents off the
//!   phone to clear email that is due, as the model does (see [`Descent::repressure`] for
//!   when this is valued). Either way a feasible allocation of the model, so the descent's
//!   objective is an upper bound on the model's: with the diversion a close one on
//!   prime-day's Prime Day email (0.4 % above HiGHS on a searched roster, where idle agents
//!   alone made it 80 % above). Far from a good roster the pass rarely settles, so a first
//!   descent values email
//!   per interval (its workload spread over the window, one interval late per agent short);
//! - labour, soft requests (prefer off / work / mode, soft max shifts) and fairness (min-max
//!   spread per group) exactly as [`super::Builder`] states them.
//!
//! With email aside the descent's objective equals the model's (tested against HiGHS on
//! Tokyo); the caller prices the result with HiGHS anyway and keeps it only if better.
//! An iterated local search can spend the rest of the budget: kick two employees working
//! on one day to other shifts, repair by descent on them and a few colleagues of their
//! skill groups, keep if better.
//!
//! The descent applies only to sites without the benchmark rule families (horizon rules,
//! rotations, template cover, template requests) and without forecast samples; elsewhere
//! [`applies`] is false and the search goes straight to its sub-MILPs.

use rustc_hash::FxHashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{weeks, Candidate, Family};
use crate::domain::{RequestKind, Role, ShiftMode, Site};
use crate::staffing::Requirements;

/// Whether the descent's objective is the model's: every contact-center family built,
/// none of the benchmark rule families in use, no forecast samples.
pub fn applies(site: &Site, req: &Requirements, families: &[Family]) -> bool {
    let rules = &site.rules;
    let no_horizon_rules = rules.contracts.iter().all(|c| {
        c.min_minutes_per_horizon == 0
            && c.max_minutes_per_horizon.is_none()
            && c.max_shifts_per_template.is_empty()
            && c.min_consecutive_days <= 1
            && c.min_consecutive_days_off <= 1
            && c.max_weekends.is_none()
    });
    no_horizon_rules
        && rules.not_followed_by.iter().all(Vec::is_empty)
        && rules.template_cover.is_empty()
        && rules.shift_requests.is_empty()
        && req.scenarios.is_empty()
        && req.attendance.iter().all(|&a| a == 1.0)
        && Family::ALL.iter().all(|f| families.contains(f))
}

/// What the descent did.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct DescentStats {
    /// Sweeps over the employees.
    pub sweeps: usize,
    /// Moves applied.
    pub moves: usize,
    /// Change of the descent's own objective (negative: better).
    pub change: f64,
    /// Seconds spent.
    pub seconds: f64,
    /// Kicks of the iterated local search.
    pub kicks: usize,
    /// The descent's objective of the roster it started from.
    pub start: f64,
    /// The descent's objective of the roster it returned.
    pub end: f64,
    /// Chains of the iterated local search side by side (2 when a second core joined).
    pub chains: usize,
    /// Most employees one kick moved ([`KICK_ESCALATION`]); 0 without kicks.
    pub strongest_kick: usize,
    /// Kicked rosters kept although a little worse than the chain's current one
    /// ([`KEEP_WORSE`]).
    pub kept_worse: usize,
    /// Kicks that followed the relaxation ([`Signals::relaxed`]) rather than chance.
    pub guided_kicks: usize,
    /// Whether the second chain started from the roster [`Signals::restart`] gave it
    /// rather than from the other chain's best.
    pub guided_start: bool,
    /// Whether the time budget ended it (rather than a local optimum, or with the iterated
    /// search its run of kicks without improvement).
    pub stopped_by_time: bool,
}

/// The queues an interval's allocation can serve: `(gain per agent, agents)` segments,
/// best first, and the cost when nobody serves them.
struct IntervalNet {
    /// Per active queue: its segments `(agents, gain per agent)`.
    queues: Vec<(usize, Vec<(f64, f64)>)>,
    /// Cost of the shortfall with no agent allocated.
    unserved: f64,
}

/// A deferred queue (email): work may be done any time between its arrival and its
/// deadline, so it is valued over the week. Given the agents left free by the real-time
/// queues in each interval, doing the work as early as it can be done maximises the work
/// done by every interval at once, so one forward pass gives the least lateness; each
/// agent-interval of email work also earns back its overstaffing charge, as in the model.
struct EmailQueue {
    /// Queue index.
    queue: usize,
    arrived_by: Vec<f64>,
    due_by: Vec<f64>,
    /// Productive share of an agent-interval (1 − shrinkage).
    productive: Vec<f64>,
    /// The response time in intervals (rounded up): how far before a late interval work
    /// may be bought for it.
    window: usize,
}

/// Gain per agent of the email arcs in the allocation flow: tiny, so real-time queues come
/// first and the flow then measures the agents left free for email.
const EMAIL_TIE: f64 = 1e-6;

/// The least share of the objective that taking agents off the real-time queues for email
/// must save for the descent to value it (else only idle agents do email, which is valued
/// much faster). On Tokyo's and gen-300's searched rosters, whose email the idle agents
/// keep on time, it saves a few hundred yen or nothing; on prime-day's, millions (80 % of
/// the objective on the guided roster).
const DIVERT_WORTH: f64 = 1e-2;

/// How far above a shortfall tier's cost the email queue bids when pricing diversion, so
/// that agents whose real-time place is worth exactly the tier move.
const DIVERT_EDGE: f64 = 1e-3;

/// Staffings remembered per interval before the memo is cleared.
const MEMO_PER_INTERVAL: usize = 4096;

/// Skill groups (plus the leads) whose memo key is built without an allocation.
const MEMO_KEY_ON_STACK: usize = 16;

/// A tiny min-cost-flow network: source → skill groups → queues → sink. One is kept per
/// descent and cleared for each allocation (a fresh one cost a dozen allocations a call).
#[derive(Default)]
struct Flow {
    /// `(to, residual capacity, cost)`; arc `k ^ 1` is the reverse of arc `k`.
    arcs: Vec<(usize, f64, f64)>,
    /// Arcs out of each node (the first `nodes` in use).
    out: Vec<Vec<usize>>,
    nodes: usize,
    /// Bellman–Ford's distances and arcs in, per node.
    dist: Vec<f64>,
    via: Vec<usize>,
}

impl Flow {
    #[cfg(test)]
    fn new(nodes: usize) -> Flow {
        let mut f = Flow::default();
        f.clear(nodes);
        f
    }
    /// Empty the network and give it `nodes` nodes.
    fn clear(&mut self, nodes: usize) {
        self.arcs.clear();
        for out in &mut self.out {
            out.clear();
        }
        if self.out.len() < nodes {
            self.out.resize_with(nodes, Vec::new);
        }
        self.nodes = nodes;
    }
    fn arc(&mut self, from: usize, to: usize, cap: f64, cost: f64) -> usize {
        let k = self.arcs.len();
        self.out[from].push(self.arcs.len());
        self.arcs.push((to, cap, cost));
        self.out[to].push(self.arcs.len());
        self.arcs.push((from, 0.0, -cost));
        k
    }
    /// Flow on arc `k`.
    fn flow(&self, k: usize) -> f64 {
        self.arcs[k ^ 1].1
    }
    /// Minimum cost of any flow from node 0 to the last node (successive shortest paths
    /// by Bellman–Ford; stops when no path has negative cost).
    fn min_cost(&mut self) -> f64 {
        const EPS: f64 = 1e-9;
        let n = self.nodes;
        let sink = n - 1;
        let mut total = 0.0;
        let (mut dist, mut via) = (
            std::mem::take(&mut self.dist),
            std::mem::take(&mut self.via),
        );
        loop {
            dist.clear();
            dist.resize(n, f64::INFINITY);
            via.clear();
            via.resize(n, usize::MAX);
            dist[0] = 0.0;
            for _ in 0..n {
                let mut changed = false;
                for u in 0..n {
                    if dist[u] == f64::INFINITY {
                        continue;
                    }
                    for &k in &self.out[u] {
                        let (v, cap, cost) = self.arcs[k];
                        if cap > EPS && dist[u] + cost < dist[v] - EPS {
                            dist[v] = dist[u] + cost;
                            via[v] = k;
                            changed = true;
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            if dist[sink] >= -EPS {
                (self.dist, self.via) = (dist, via);
                return total;
            }
            let mut amount = f64::INFINITY;
            let mut v = sink;
            while v != 0 {
                let k = via[v];
                amount = amount.min(self.arcs[k].1);
                v = self.arcs[k ^ 1].0;
            }
            let mut v = sink;
            while v != 0 {
                let k = via[v];
                self.arcs[k].1 -= amount;
                self.arcs[k ^ 1].1 += amount;
                v = self.arcs[k ^ 1].0;
            }
            total += amount * dist[sink];
        }
    }
}

/// What an interval leaves for email once its real-time queues have their agents.
#[derive(Clone, Debug, Default, PartialEq)]
struct EmailRoom {
    /// Per email queue: agents free (idle otherwise).
    free: Vec<f64>,
    /// With a single email queue whose backlog presses here (see [`Descent::pressure`]):
    /// the agents that could be taken off the real-time queues for it, in steps of
    /// `(agents, cost per agent)`, cheapest first — the real-time shortfall each step
    /// adds, overstaffing refund included as in the interval's cost.
    divert: Vec<(f64, f64)>,
}

/// The change of an interval's cost when an agent arrives, and what it then leaves for
/// email. The room is shared (`Rc`): remembered staffings hand out the same room again
/// and again, and a copy cost an allocation per lookup.
type Arrival = (f64, Rc<EmailRoom>);

/// Who a candidate's on-duty time counts for.
#[derive(Clone, Copy, PartialEq)]
enum Duty {
    Group(usize),
    Lead,
}

/// The key of [`Descent::cache`] for `share` of an agent of class `duty`: the class and the
/// share in 1/10,000.
fn cache_key(duty: Duty, share: f64) -> (usize, u32) {
    let class = match duty {
        Duty::Lead => usize::MAX,
        Duty::Group(g) => g,
    };
    (class, (share * 10_000.0).round() as u32)
}

/// Per-employee soft terms.
#[derive(Default, Clone)]
struct SoftTerms {
    /// Prefer-work windows: weight, and the candidates touching the window.
    prefer_work: Vec<(f64, Vec<usize>)>,
    /// Soft max shifts: (week, max in it, weight per shift above).
    max_shifts: Vec<(usize, u32, f64)>,
    /// Hard max shifts: (week, max in it).
    hard_max: Vec<(usize, u32)>,
}

/// The descent's state over one site.
struct Descent<'a> {
    site: &'a Site,
    cands: &'a [Candidate],
    /// `by_day[e][d]`: candidates of employee `e` on day `d`.
    by_day: Vec<Vec<Vec<usize>>>,
    /// Per candidate: labour plus its own soft-request penalties.
    base: Vec<f64>,
    /// Per candidate: on-duty share per covered interval (net of the breaks' expected
    /// share, or before any break when breaks are placed exactly).
    amounts: Vec<Vec<(usize, f64)>>,
    /// Breaks placed exactly: per candidate, per break of its shift, the allowed starts
    /// (offset minutes from the shift's start, and the share of each interval it takes).
    /// Empty when breaks count at their expected share.
    breaks: Vec<Vec<super::candidates::BreakStarts>>,
    /// `placement[slot_base[c] + s]`: the start (index into `breaks[c][s]`) of break `s`
    /// of candidate `c` when it is on; kept while it is off.
    slot_base: Vec<usize>,
    placement: Vec<u16>,
    /// Per candidate: counts as weekend / late shift (fairness).
    kinds: Vec<[bool; 2]>,
    /// Per candidate: paid hours, and its start and end in seconds (the weekly-hours and
    /// rest rules, checked for every move tried).
    paid_hours: Vec<f64>,
    span: Vec<(i64, i64)>,
    /// The horizon's weeks (days).
    weeks: Vec<std::ops::Range<usize>>,
    duty_of: Vec<Duty>,
    soft: Vec<SoftTerms>,
    /// Fairness groups (members), and each employee's group.
    fair_groups: Vec<Vec<usize>>,
    fair_group_of: Vec<Option<usize>>,
    /// Skill groups' queues.
    skills: Vec<Vec<usize>>,
    nets: Vec<IntervalNet>,
    email: Vec<EmailQueue>,
    // State.
    chosen: Vec<Vec<Option<usize>>>,
    /// `duty[i][g]`: agents of skill group `g` on duty in interval `i`.
    duty: Vec<Vec<f64>>,
    leads: Vec<f64>,
    onsite: Vec<u32>,
    /// `cost[i]`: the interval's cost in the current state (email aside).
    cost: Vec<f64>,
    /// `room[i]`: what interval `i` leaves for email once the real-time queues have their
    /// agents.
    room: Vec<Rc<EmailRoom>>,
    /// Email cost of the current state (lateness less the idle-time refund).
    email_cost: f64,
    /// The idle agents' pass: per interval, its email cost and the work done by its end per
    /// email queue, so that a move's email change is computed from its first changed
    /// interval until the work done is back on course (see [`Descent::email_change`]).
    idle_step_cost: Vec<f64>,
    idle_done: Vec<Vec<f64>>,
    /// With a single email queue, per interval of the idle agents' pass, what a move's
    /// pass needs once it is past the intervals it changes (see
    /// [`Descent::email_tail_change`]): the room left before the work done reaches what
    /// has arrived, the work the pass could have done beyond that, the lateness, and
    /// 1 / the productive share (0 where nothing is productive).
    email_tail: Vec<[f64; 4]>,
    /// Per block of [`TAIL_BLOCK`] intervals of `email_tail`, what says whether a pass
    /// ahead or behind by a given amount crosses the block unchanged (see
    /// [`Descent::email_tail_change`]): the least room among intervals with no late work
    /// (−∞ if any is late), and the greatest lateness among intervals with no work to spare
    /// (+∞ if any has some).
    email_tail_blocks: Vec<[f64; 2]>,
    /// With breaks placed and a single email queue: per interval, the most one more unit of
    /// email work done there is worth to a late interval it may serve — the backlog penalty
    /// times the late intervals that work would shorten before the work done catches up
    /// with what has arrived — read off the idle agents' pass (see
    /// [`Descent::repressure`]). It sets which intervals price taking agents off the
    /// real-time queues (their diversion levels).
    pressure: Vec<f64>,
    /// Per interval: how many shortfall tiers the diversion steps go through (those whose
    /// cost the pressure exceeds); 0: no diversion there.
    divert_levels: Vec<usize>,
    /// The first interval with diversion levels, if any (else only idle agents do email);
    /// kept with them, as every move asks.
    divert_from: Option<usize>,
    /// The understaffing tiers' costs per agent-interval, ascending and distinct.
    tier_levels: Vec<f64>,
    /// Per interval: change of its cost when one more agent of a duty class arrives, by
    /// (class, share in 1/10,000).
    cache: Vec<FxHashMap<(usize, u32), Arrival>>,
    /// Per interval: cost and email capacity by the exact staffing (duty per group, leads).
    memo: std::cell::RefCell<Vec<FxHashMap<Vec<u64>, Arrival>>>,
    /// The allocation's network, kept between intervals (see [`Flow`]).
    flow: std::cell::RefCell<Flow>,
    /// Per employee: weekend and late shifts worked (fairness).
    counts: Vec<[u32; 2]>,
    /// Per fairness group and kind (weekend, late): how many members work each number of
    /// shifts of that kind (`0..=days`).
    fair_counts: Vec<[Vec<u32>; 2]>,
    /// Per candidate: its shape (see [`Added`]); candidates of one shape put the same
    /// agent on duty the same way, whoever they belong to.
    shape: Vec<u32>,
    /// Per shape: the coverage part of putting it on, as last computed (see
    /// [`Descent::add_change`]).
    added: Vec<Option<Added>>,
    /// Per interval: a number naming its state (staffing, valuation, remembered arrivals),
    /// new from [`Descent::generations`] whenever that changes and given back with the state
    /// when a removal is undone (see [`Descent::take_off`]), so that a shape's remembered
    /// coverage part holds while its intervals' numbers are the ones it was computed at.
    generation: Vec<u64>,
    /// Names the week's email pass the same way.
    email_generation: u64,
    /// The last number given out as a generation.
    generations: u64,
    /// The buffers of the last [`Undo`], for the next removal tried.
    spare: Undo,
}

/// What [`Descent::take_off`] changed, to put back exactly: per interval its on-duty
/// count, cost, room, remembered arrivals and generation; the week's email pass. Its
/// buffers are kept for the next removal (see [`Descent::spare`]).
#[derive(Default)]
struct Undo {
    intervals: Vec<IntervalState>,
    email_cost: f64,
    idle_step_cost: Vec<f64>,
    idle_done: Vec<Vec<f64>>,
    email_tail: Vec<[f64; 4]>,
    email_tail_blocks: Vec<[f64; 2]>,
    email_generation: u64,
    /// Emptied arrival tables, to stand in for the intervals' own during a removal (a
    /// fresh table grows by rehashing, and is dropped at the undo).
    tables: Vec<FxHashMap<(usize, u32), Arrival>>,
}

/// One interval's state as [`Undo`] keeps it: the interval, its on-duty count of the
/// removed shift's class, cost, room, remembered arrivals and generation.
type IntervalState = (
    usize,
    f64,
    f64,
    Rc<EmailRoom>,
    FxHashMap<(usize, u32), Arrival>,
    u64,
);

/// What putting a shape on changes in the intervals it covers, remembered: the same shape
/// is tried again and again in one state (the remote and on-site variants of a start,
/// colleagues of one skill group offered a hand-over, the same day tried after each removal
/// elsewhere in the week), and only its intervals' state decides the coverage part and the
/// breaks' placement. The email change depends on the whole week's pass: it is kept for the
/// email pass it was computed in.
struct Added {
    /// [`Descent::generation`] over the shape's intervals when computed.
    stamp: Vec<u64>,
    /// The coverage change (email aside).
    coverage: f64,
    placement: Vec<u16>,
    /// The intervals whose room for email changes, and the key of their
    /// [`Descent::cache`] entry.
    changed: Vec<(usize, (usize, u32))>,
    /// The email change, and the [`Descent::email_generation`] it holds for.
    email: Option<(u64, f64)>,
}

impl<'a> Descent<'a> {
    /// The descent's state for `cands`, nothing selected. With `spread_email`, email is
    /// valued per interval instead (see [`descend`]); with `exact_breaks`, every shift's
    /// breaks are placed (see [`descend_placed`]) rather than counted at their expected
    /// share.
    fn new(
        site: &'a Site,
        req: &Requirements,
        cands: &'a [Candidate],
        spread_email: bool,
        exact_breaks: bool,
    ) -> Descent<'a> {
        let n_emp = site.employees.len();
        let days = site.grid.days;
        let n = site.grid.len();
        let h = site.grid.interval_hours();
        let p = &site.penalties;
        let mut by_day = vec![vec![Vec::new(); days]; n_emp];
        for (c, cand) in cands.iter().enumerate() {
            by_day[cand.employee][cand.day].push(c);
        }
        // Skill groups as the model forms them outside robust planning (which also splits
        // them by attendance; the descent does not run there, see `applies`).
        let mut skills: Vec<Vec<usize>> = Vec::new();
        let duty_of: Vec<Duty> = site
            .employees
            .iter()
            .map(|emp| match emp.role {
                Role::TeamLead => Duty::Lead,
                Role::Agent => {
                    let mut s = emp.skills.clone();
                    s.sort_unstable();
                    match skills.iter().position(|x| *x == s) {
                        Some(g) => Duty::Group(g),
                        None => {
                            skills.push(s);
                            Duty::Group(skills.len() - 1)
                        }
                    }
                }
            })
            .collect();
        // Interval networks.
        let over = p.overstaffing_per_agent_hour * h;
        let tiers = &p.understaffing_per_agent_hour;
        let nets = (0..n)
            .map(|i| {
                let mut queues = Vec::new();
                let mut unserved = 0.0;
                for (q, queue) in site.queues.iter().enumerate() {
                    let need = req.agents[q][i];
                    if need <= 0.0 {
                        continue;
                    }
                    if queue.is_deferred() {
                        if spread_email {
                            // Its workload spread over the window, each agent short costing
                            // one interval of lateness; idle agents may always take email.
                            let gain = p.backlog_per_agent_hour * h;
                            queues.push((q, vec![(need, gain + over), (f64::MAX, over)]));
                            unserved += need * gain;
                        }
                        continue; // otherwise valued over the week, see `EmailQueue`
                    }
                    let mut segs = Vec::new();
                    // Shortfall s costs tier k for s in (k, k+1]; the last tier is open.
                    for (k, &t) in tiers.iter().enumerate() {
                        let last = k + 1 == tiers.len();
                        let width = if last {
                            need - k as f64
                        } else {
                            (need - k as f64).clamp(0.0, 1.0)
                        };
                        if width > 0.0 {
                            segs.push((width, t * h + over));
                            unserved += width * t * h;
                        }
                    }
                    segs.reverse(); // the deepest shortfall is relieved first
                    queues.push((q, segs));
                }
                IntervalNet { queues, unserved }
            })
            .collect();
        let email: Vec<EmailQueue> = req
            .deferred
            .iter()
            .enumerate()
            .filter(|_| !spread_email)
            .filter_map(|(q, d)| {
                d.as_ref().map(|d| EmailQueue {
                    queue: q,
                    arrived_by: d.arrived_by.clone(),
                    due_by: d.due_by.clone(),
                    productive: req.shrinkage[q].iter().map(|s| 1.0 - s).collect(),
                    window: (site.queues[q].response_time_hours / h).ceil().max(1.0) as usize,
                })
            })
            .collect();
        // Per-candidate terms.
        let mut base = Vec::with_capacity(cands.len());
        let mut amounts: Vec<Vec<(usize, f64)>> = Vec::with_capacity(cands.len());
        let mut kinds = Vec::with_capacity(cands.len());
        let mut breaks = Vec::with_capacity(if exact_breaks { cands.len() } else { 0 });
        let mut slot_base = vec![0];
        for cand in cands {
            let emp = &site.employees[cand.employee];
            let onsite = if cand.mode == ShiftMode::Onsite {
                p.onsite_cost_per_hour
            } else {
                0.0
            };
            base.push(f64::from(cand.paid_minutes) / 60.0 * (emp.hourly_cost + onsite));
            if exact_breaks {
                let mut placed = super::candidates::break_starts(site, cand);
                // A break lies inside its shift; kept to the shift's intervals all the same,
                // as `on_duty` indexes by them.
                for (_, away) in placed.iter_mut().flatten() {
                    away.retain(|(i, _)| cand.intervals.contains(i));
                }
                slot_base.push(slot_base.last().copied().unwrap_or(0) + placed.len());
                breaks.push(placed);
                amounts.push(cand.intervals.clone().map(|i| (i, 1.0)).collect());
            } else {
                let away = super::candidates::expected_break_share(site, cand);
                amounts.push(
                    cand.intervals
                        .clone()
                        .map(|i| (i, 1.0 - away.get(&i).copied().unwrap_or(0.0)))
                        .collect(),
                );
                slot_base.push(0);
            }
            let u = site.undesirable(cand.employee, cand.start, cand.end);
            kinds.push([u.weekend, u.late]);
        }
        // Soft requests.
        let mut soft = vec![SoftTerms::default(); n_emp];
        for r in &site.requests {
            let e = r.employee;
            let mine = || by_day[e].iter().flatten().copied();
            let touches = |c: usize, a, b| cands[c].start < b && a < cands[c].end;
            match r.kind {
                RequestKind::MaxShifts(n) => {
                    for (w, _) in super::request_weeks(site, r) {
                        if r.hard {
                            soft[e].hard_max.push((w, n));
                        } else {
                            soft[e].max_shifts.push((w, n, r.weight));
                        }
                    }
                }
                _ if r.hard => {}
                RequestKind::PreferMode(m) => {
                    let spans = site.request_spans(r);
                    for c in mine() {
                        if cands[c].mode != m && spans.iter().any(|&(a, b)| touches(c, a, b)) {
                            base[c] += r.weight;
                        }
                    }
                }
                RequestKind::PreferOff | RequestKind::Unavailable => {
                    for (a, b) in site.request_spans(r) {
                        for c in mine() {
                            if touches(c, a, b) {
                                base[c] += r.weight;
                            }
                        }
                    }
                }
                RequestKind::PreferWork => {
                    for (a, b) in site.request_spans(r) {
                        if b <= site.grid.start_utc() || a >= site.grid.end_utc() {
                            continue;
                        }
                        let touching = mine().filter(|&c| touches(c, a, b)).collect();
                        soft[e].prefer_work.push((r.weight, touching));
                    }
                }
            }
        }
        // Fairness groups: same role and contract, at least two members.
        let mut fair_groups: Vec<Vec<usize>> = Vec::new();
        let mut keys: Vec<(Role, usize)> = Vec::new();
        for (e, emp) in site.employees.iter().enumerate() {
            match keys.iter().position(|k| *k == (emp.role, emp.contract)) {
                Some(g) => fair_groups[g].push(e),
                None => {
                    keys.push((emp.role, emp.contract));
                    fair_groups.push(vec![e]);
                }
            }
        }
        let mut fair_group_of = vec![None; n_emp];
        if site.fairness.weight > 0.0 {
            for (g, members) in fair_groups.iter().enumerate() {
                if members.len() >= 2 {
                    members.iter().for_each(|&e| fair_group_of[e] = Some(g));
                }
            }
        }
        // Shapes: the duty class, the on-duty shares and the breaks' allowed starts.
        type ShapeKey = (usize, Vec<(usize, u64)>, Vec<Vec<(u32, Vec<(usize, u64)>)>>);
        let bits = |v: &[(usize, f64)]| -> Vec<(usize, u64)> {
            v.iter().map(|&(i, x)| (i, x.to_bits())).collect()
        };
        let mut shapes_seen: FxHashMap<ShapeKey, u32> = FxHashMap::default();
        let shape: Vec<u32> = cands
            .iter()
            .enumerate()
            .map(|(c, cand)| {
                let class = match duty_of[cand.employee] {
                    Duty::Lead => usize::MAX,
                    Duty::Group(g) => g,
                };
                let slots = breaks.get(c).map_or_else(Vec::new, |slots| {
                    slots
                        .iter()
                        .map(|starts| starts.iter().map(|(o, away)| (*o, bits(away))).collect())
                        .collect()
                });
                let next = shapes_seen.len() as u32;
                *shapes_seen
                    .entry((class, bits(&amounts[c]), slots))
                    .or_insert(next)
            })
            .collect();
        let shapes = shapes_seen.len();
        let fair_counts = fair_groups
            .iter()
            .map(|members| {
                let mut bins = vec![0; days + 1];
                bins[0] = members.len() as u32;
                [bins.clone(), bins]
            })
            .collect();
        let groups = skills.len();
        let mut tier_levels: Vec<f64> = tiers.iter().map(|t| t * h).collect();
        tier_levels.sort_by(f64::total_cmp);
        tier_levels.dedup();
        let mut d = Descent {
            site,
            cands,
            by_day,
            base,
            amounts,
            placement: vec![0; slot_base.last().copied().unwrap_or(0)],
            paid_hours: cands
                .iter()
                .map(|c| f64::from(c.paid_minutes) / 60.0)
                .collect(),
            span: cands
                .iter()
                .map(|c| (c.start.timestamp(), c.end.timestamp()))
                .collect(),
            weeks: weeks(days),
            breaks,
            slot_base,
            kinds,
            duty_of,
            soft,
            fair_groups,
            fair_group_of,
            skills,
            nets,
            room: (0..n)
                .map(|_| {
                    Rc::new(EmailRoom {
                        free: vec![0.0; email.len()],
                        divert: Vec::new(),
                    })
                })
                .collect(),
            idle_step_cost: vec![0.0; n],
            idle_done: vec![vec![0.0; email.len()]; n],
            email_tail: Vec::new(),
            email_tail_blocks: Vec::new(),
            email,
            email_cost: 0.0,
            pressure: vec![0.0; n],
            divert_levels: vec![0; n],
            divert_from: None,
            tier_levels,
            chosen: vec![vec![None; days]; n_emp],
            duty: vec![vec![0.0; groups]; n],
            leads: vec![0.0; n],
            onsite: vec![0; n],
            cost: vec![0.0; n],
            cache: vec![FxHashMap::default(); n],
            memo: std::cell::RefCell::new(vec![FxHashMap::default(); n]),
            counts: vec![[0, 0]; n_emp],
            flow: std::cell::RefCell::new(Flow::default()),
            fair_counts,
            added: (0..shapes).map(|_| None).collect(),
            shape,
            generation: vec![0; n],
            email_generation: 0,
            generations: 0,
            spare: Undo::default(),
        };
        for i in 0..n {
            (d.cost[i], d.room[i]) = d.interval_cost(i, &d.duty[i], d.leads[i]);
        }
        d.refresh_email();
        d
    }

    /// Cost of interval `i` with `duty` agents per skill group and `leads` team leads on
    /// duty — idle agents' overstaffing, the real-time queues' tiered shortfall after the
    /// best allocation, and the team-lead shortfall — and the agents then free for each
    /// email queue.
    fn interval_cost(&self, i: usize, duty: &[f64], leads: f64) -> Arrival {
        self.interval_cost_with(i, duty, None, leads)
    }

    /// [`Descent::interval_cost`] with skill group `g` of `duty` at `agents` where
    /// `changed` is `Some((g, agents))` — a move's trial, without copying the staffing
    /// unless it has to be computed.
    fn interval_cost_with(
        &self,
        i: usize,
        duty: &[f64],
        changed: Option<(usize, f64)>,
        leads: f64,
    ) -> Arrival {
        // The same staffing recurs all the time (a move tried, then undone): remember it.
        // The key is built on the stack (hot path: a heap key cost an allocation a call).
        let group = |g: usize| match changed {
            Some((h, agents)) if h == g => agents,
            _ => duty[g],
        };
        let len = duty.len() + 1;
        let mut stack = [0u64; MEMO_KEY_ON_STACK];
        let heap: Vec<u64>;
        let key: &[u64] = if len <= MEMO_KEY_ON_STACK {
            for (g, k) in stack.iter_mut().enumerate().take(duty.len()) {
                *k = group(g).to_bits();
            }
            stack[duty.len()] = leads.to_bits();
            &stack[..len]
        } else {
            heap = (0..duty.len())
                .map(group)
                .chain(std::iter::once(leads))
                .map(f64::to_bits)
                .collect();
            &heap
        };
        let mut memo = self.memo.borrow_mut();
        if let Some(v) = memo[i].get(key) {
            return v.clone();
        }
        let v = match changed {
            None => self.solve_interval(i, duty, leads),
            Some(_) => {
                let staffing: Vec<f64> = (0..duty.len()).map(group).collect();
                self.solve_interval(i, &staffing, leads)
            }
        };
        if memo[i].len() >= MEMO_PER_INTERVAL {
            memo[i].clear();
        }
        memo[i].insert(key.to_vec(), v.clone());
        v
    }

    /// [`Descent::interval_cost`], computed: the allocation with email taking only idle
    /// agents, then — where the interval has diversion levels — the same allocation with
    /// the email queue outbidding each shortfall tier in turn, which prices taking agents
    /// off the real-time queues.
    fn solve_interval(&self, i: usize, duty: &[f64], leads: f64) -> Arrival {
        let site = self.site;
        let h = site.grid.interval_hours();
        let over = site.penalties.overstaffing_per_agent_hour * h;
        let net = &self.nets[i];
        let agents: f64 = duty.iter().sum();
        let lead_short = (agents / site.team_lead_ratio - leads).max(0.0)
            * site.penalties.team_lead_shortfall_per_hour
            * h;
        let cost = over * agents + net.unserved + lead_short;
        let mut room = EmailRoom {
            free: vec![0.0; self.email.len()],
            divert: Vec::new(),
        };
        if agents <= 1e-12 {
            return (cost, Rc::new(room));
        }
        let (real_time, free) = self.allocate(i, duty, None);
        room.free = free;
        let (mut last_cost, mut last_free) = (real_time, room.free.first().copied());
        for &level in &self.tier_levels[..self.divert_levels[i]] {
            // Outbid the tier: every agent whose real-time place is worth no more moves.
            let (rt, free) = self.allocate(i, duty, Some(level + over + DIVERT_EDGE));
            let (Some(now), Some(before)) = (free.first().copied(), last_free) else {
                break;
            };
            if now > before + 1e-9 {
                room.divert
                    .push((now - before, (rt - last_cost) / (now - before)));
            }
            (last_cost, last_free) = (rt, Some(now));
        }
        (cost + real_time, Rc::new(room))
    }

    /// The real-time part of interval `i`'s cost with `duty` on duty (the tiered shortfall
    /// relieved, less the overstaffing the allocated agents no longer cost), and the agents
    /// the allocation gives each email queue: only idle agents, or with `email_gain`, as
    /// many as the first email queue is worth at that gain per agent.
    fn allocate(&self, i: usize, duty: &[f64], email_gain: Option<f64>) -> (f64, Vec<f64>) {
        let net = &self.nets[i];
        let on = |g: &usize| duty[*g] > 1e-12;
        let groups = (0..duty.len()).filter(on).count();
        let nq = net.queues.len();
        let ne = self.email.len();
        // Nodes: 0 source, groups, real-time queues, email queues, the sink.
        let (first_q, first_e) = (1 + groups, 1 + groups + nq);
        let sink = first_e + ne;
        let mut f = self.flow.borrow_mut();
        f.clear(sink + 1);
        for (k, g) in (0..duty.len()).filter(on).enumerate() {
            f.arc(0, 1 + k, duty[g], 0.0);
            for (j, (q, _)) in net.queues.iter().enumerate() {
                if self.skills[g].contains(q) {
                    f.arc(1 + k, first_q + j, f64::INFINITY, 0.0);
                }
            }
            for (j, e) in self.email.iter().enumerate() {
                if self.skills[g].contains(&e.queue) {
                    f.arc(1 + k, first_e + j, f64::INFINITY, 0.0);
                }
            }
        }
        for (j, (_, segs)) in net.queues.iter().enumerate() {
            for &(width, gain) in segs {
                f.arc(first_q + j, sink, width, -gain);
            }
        }
        let gain = |j: usize| match email_gain {
            Some(g) if j == 0 => g,
            _ => EMAIL_TIE,
        };
        let first_email_arc = f.arcs.len();
        for j in 0..ne {
            f.arc(first_e + j, sink, f64::INFINITY, -gain(j));
        }
        let mut cost = f.min_cost();
        // Arcs come in pairs (each with its reverse).
        let free: Vec<f64> = (0..ne).map(|j| f.flow(first_email_arc + 2 * j)).collect();
        for (j, x) in free.iter().enumerate() {
            cost += gain(j) * x;
        }
        (cost, free)
    }

    /// Email cost of the week with interval `i` leaving `room[i]` for email. Per email
    /// queue, first the idle agents do the work as early as it has arrived; then, with a
    /// single email queue, each interval still late in turn (earliest first) buys work
    /// from the cheapest diversion step at most a response time before it that still has
    /// arrived work to do, while a unit of work costs less than the backlog penalty of the
    /// late intervals it would shorten (until the work done catches up with what has
    /// arrived). The cost is the lateness, less the refund of the time spent on email, plus
    /// the real-time shortfall of the agents taken off those queues.
    fn email_cost_of(&self, room: &[&EmailRoom]) -> f64 {
        const EPS: f64 = 1e-9;
        let n = self.site.grid.len();
        let h = self.site.grid.interval_hours();
        let over = self.site.penalties.overstaffing_per_agent_hour * h;
        let late_cost = self.site.penalties.backlog_per_agent_hour * h;
        let divert = self.email.len() == 1;
        // A unit of work is never worth buying at more than the deepest tier's shortfall:
        // the late intervals ahead are counted only until they are worth that much.
        let dearest = self.tier_levels.last().copied().unwrap_or(0.0);
        let mut total = 0.0;
        for (k, e) in self.email.iter().enumerate() {
            let (arrived, due, p) = (&e.arrived_by, &e.due_by, &e.productive);
            // Work capacity per interval (productive agent-intervals), idle agents first.
            let mut capacity: Vec<f64> = (0..n).map(|i| room[i].free[k] * p[i]).collect();
            // Work done by the end of t, as early as it has arrived, from the work done by
            // the end of t − 1 and the capacity at t.
            let step = |before: f64, t: usize, capacity: &[f64]| {
                (before + capacity[t]).min(arrived[t]).max(before)
            };
            let mut done = vec![0.0; n];
            // Agents taken off the real-time queues per interval.
            let mut bought = vec![0.0; n];
            let least_p = p.iter().copied().filter(|&x| x > 1e-12).fold(1.0, f64::min);
            let enough = dearest / late_cost / least_p + 1.0;
            // No unit of work is cheaper than the shallowest tier at the most productive
            // interval: a step at that price ends the search for the cheapest.
            let most_p = p.iter().copied().fold(0.0, f64::max);
            let floor = self.tier_levels.first().copied().unwrap_or(0.0) / most_p.max(1e-12);
            // `done` is kept exact up to the interval in hand only (a purchase changes
            // the work done up to the end of the week).
            for t in 0..n {
                done[t] = step(if t == 0 { 0.0 } else { done[t - 1] }, t, &capacity);
                if !divert || due[t] - done[t] <= EPS {
                    continue;
                }
                // The late intervals one more unit of work here would shorten.
                let (mut ahead, mut before) = (1.0, done[t]);
                for u in t + 1..n {
                    let now = step(before, u, &capacity);
                    if arrived[u] - now <= EPS || ahead > enough {
                        break;
                    }
                    if due[u] - now > EPS {
                        ahead += 1.0;
                    }
                    before = now;
                }
                let worth = ahead * late_cost;
                while due[t] - done[t] > EPS {
                    // The cheapest step at most a response time before t with arrived
                    // work left to do.
                    let mut best: Option<(f64, usize, f64)> = None; // (price, s, room)
                    let mut headroom = f64::INFINITY;
                    for s in (t.saturating_sub(e.window)..=t).rev() {
                        headroom = headroom.min(arrived[s] - done[s]);
                        if headroom <= EPS {
                            break;
                        }
                        if p[s] <= 1e-12 {
                            continue;
                        }
                        let mut used = bought[s];
                        for &(agents, per_agent) in &room[s].divert {
                            if used >= agents - EPS {
                                used -= agents;
                                continue;
                            }
                            let price = (per_agent - over) / p[s];
                            if best.is_none_or(|b| price < b.0) {
                                best = Some((price, s, headroom.min((agents - used) * p[s])));
                            }
                            break;
                        }
                        if best.is_some_and(|b| b.0 <= floor * (1.0 + 1e-9)) {
                            break;
                        }
                    }
                    let Some((_, s, most)) = best.filter(|b| b.0 < worth) else {
                        break;
                    };
                    let work = most.min(due[t] - done[t]);
                    bought[s] += work / p[s];
                    capacity[s] += work;
                    for u in s..=t {
                        done[u] = step(if u == 0 { 0.0 } else { done[u - 1] }, u, &capacity);
                    }
                }
            }
            // Costs: each interval's agents on email (idle ones first, then those bought
            // in step order), lateness, refund.
            let mut prev = 0.0;
            for i in 0..n {
                let free = room[i].free[k];
                let agents = if p[i] > 1e-12 {
                    (done[i] - prev) / p[i]
                } else {
                    free // no productive time: the model may book it all
                };
                prev = done[i];
                let mut taken = (agents - free).max(0.0).min(bought[i]);
                for &(most, per_agent) in &room[i].divert {
                    if taken <= EPS {
                        break;
                    }
                    total += most.min(taken) * per_agent;
                    taken -= most.min(taken);
                }
                total += (due[i] - done[i]).max(0.0) * late_cost - over * agents;
            }
        }
        total
    }

    /// Recompute the email cost of the current state.
    fn refresh_email(&mut self) {
        self.email_generation = self.next_generation();
        let mut done = vec![0.0; self.email.len()];
        self.email_cost = 0.0;
        for i in 0..self.site.grid.len() {
            let cost = self.idle_step(i, &mut done, &self.room[i].free);
            self.idle_step_cost[i] = cost;
            self.idle_done[i].clone_from(&done);
            self.email_cost += cost;
        }
        if let [e] = &self.email[..] {
            self.email_tail.clear();
            let mut before = 0.0;
            for i in 0..self.site.grid.len() {
                let (done, p) = (self.idle_done[i][0], e.productive[i]);
                let productive = p > 1e-12;
                let capacity = self.room[i].free[0] * p;
                self.email_tail.push([
                    e.arrived_by[i] - done,
                    if productive {
                        (before + capacity - e.arrived_by[i]).max(0.0)
                    } else {
                        0.0
                    },
                    e.due_by[i] - done,
                    if productive { 1.0 / p } else { 0.0 },
                ]);
                before = done;
            }
            self.email_tail_blocks = self
                .email_tail
                .chunks(TAIL_BLOCK)
                .map(|block| {
                    block.iter().fold(
                        [f64::INFINITY, f64::NEG_INFINITY],
                        |[room, late], &[r, spare, l, _]| {
                            [
                                room.min(if l > 0.0 { f64::NEG_INFINITY } else { r }),
                                late.max(if spare > 0.0 { f64::INFINITY } else { l }),
                            ]
                        },
                    )
                })
                .collect();
        }
        if self.divert_from.is_some() {
            let room: Vec<&EmailRoom> = self.room.iter().map(|r| &**r).collect();
            self.email_cost = self.email_cost_of(&room);
        }
    }

    /// One interval of the email pass with idle agents only: from the work done by the
    /// end of the previous interval (`done`, per email queue, updated) and the agents
    /// `free` for each queue, the interval's email cost (lateness less the refund of the
    /// time spent on email) — [`Descent::email_cost_of`] one interval at a time.
    fn idle_step(&self, i: usize, done: &mut [f64], free: &[f64]) -> f64 {
        let h = self.site.grid.interval_hours();
        let over = self.site.penalties.overstaffing_per_agent_hour * h;
        let late_cost = self.site.penalties.backlog_per_agent_hour * h;
        let mut cost = 0.0;
        for (k, e) in self.email.iter().enumerate() {
            let p = e.productive[i];
            let agents = if p > 1e-12 {
                let now = (done[k] + free[k] * p).min(e.arrived_by[i]).max(done[k]);
                let agents = (now - done[k]) / p;
                done[k] = now;
                agents
            } else {
                free[k] // no productive time: the model may book it all
            };
            cost += (e.due_by[i] - done[k]).max(0.0) * late_cost - over * agents;
        }
        cost
    }

    /// Re-read the pressure (see [`Descent::pressure`]) off the current state's work done
    /// by idle agents alone, so that the intervals where taking agents off the real-time
    /// queues could pay have their diversion steps. Kept unless the objective worsens, and
    /// dropped altogether (only idle agents do email) when the diversion saves less than
    /// [`DIVERT_WORTH`] of the objective. Called where the placed descent starts, at each
    /// sweep and after each kept kick (a no-op with breaks at their expected share);
    /// returns the change of the objective. Only the valuation moves, not the roster: the
    /// email cost is a feasible allocation's whatever the pressure.
    fn repressure(&mut self) -> f64 {
        // The search's descent (breaks at their expected share) keeps to idle agents: its
        // rosters are priced by HiGHS anyway, and on Tokyo valuing diversion slowed it
        // enough to cost 0.3 % at 20 s (five seeds) while prime-day gained nothing by it.
        if self.email.len() != 1 || self.breaks.is_empty() {
            return 0.0;
        }
        let e = &self.email[0];
        let late_cost =
            self.site.penalties.backlog_per_agent_hour * self.site.grid.interval_hours();
        let n = self.site.grid.len();
        // Diversion saves at most the idle agents' lateness: below the threshold it is not
        // even priced (each trial recomputes the intervals' allocations).
        let late = (0..n)
            .map(|i| (e.due_by[i] - self.idle_done[i][0]).max(0.0))
            .sum::<f64>()
            * late_cost;
        if late < DIVERT_WORTH * self.total().abs() {
            if self.divert_from.is_none() {
                return 0.0;
            }
            let before = self.email_cost;
            self.pressure = vec![0.0; n];
            self.set_divert_levels();
            self.refresh_email();
            return self.email_cost - before;
        }
        // Per interval: late intervals from there on until everything arrived is done
        // (past that, more work earlier would only be done instead of work there).
        let done: Vec<f64> = self.idle_done.iter().map(|d| d[0]).collect();
        let capped = |i: usize| done[i] >= e.arrived_by[i] - 1e-9;
        let mut ahead = vec![0.0; n];
        for i in (0..n).rev() {
            if !capped(i) {
                let late = if e.due_by[i] - done[i] > 1e-9 {
                    1.0
                } else {
                    0.0
                };
                ahead[i] = late + ahead.get(i + 1).copied().unwrap_or(0.0);
            }
        }
        // Work for a late interval is bought at most a response time before it (see
        // `email_cost_of`): each interval has the pressure of the late ones it may serve.
        let mut pressure = vec![0.0; n];
        for t in (0..n).filter(|&t| !capped(t) && e.due_by[t] - done[t] > 1e-9) {
            let worth = ahead[t] * late_cost;
            for s in (t.saturating_sub(e.window)..=t).rev() {
                if capped(s) {
                    break;
                }
                pressure[s] = f64::max(pressure[s], worth);
            }
        }
        if pressure == self.pressure {
            return 0.0;
        }
        let before = self.email_cost;
        let kept = std::mem::replace(&mut self.pressure, pressure);
        self.set_divert_levels();
        self.refresh_email();
        let idle_only: f64 = self.idle_step_cost.iter().sum();
        if idle_only - self.email_cost < DIVERT_WORTH * self.total().abs() {
            // Not worth its cost in speed: only idle agents do email.
            self.pressure = vec![0.0; n];
        } else if self.email_cost > before + 1e-9 {
            self.pressure = kept;
        }
        self.set_divert_levels();
        self.refresh_email();
        self.email_cost - before
    }

    /// Each interval's diversion levels from its pressure; where they change, its
    /// remembered staffings are forgotten and what it leaves for email is recomputed.
    fn set_divert_levels(&mut self) {
        for i in 0..self.site.grid.len() {
            let worth = self.email[0].productive[i] * self.pressure[i];
            let levels = self.tier_levels.iter().filter(|&&t| t < worth).count();
            if levels != self.divert_levels[i] {
                self.divert_levels[i] = levels;
                self.memo.borrow_mut()[i].clear();
                self.cache[i].clear();
                self.generation[i] = self.next_generation();
                self.room[i] = self.interval_cost(i, &self.duty[i], self.leads[i]).1;
            }
        }
        self.divert_from = self.divert_levels.iter().position(|&l| l > 0);
        self.email_generation = self.next_generation();
    }

    /// A number never given out before (see [`Descent::generation`]).
    fn next_generation(&mut self) -> u64 {
        self.generations += 1;
        self.generations
    }

    /// Email cost change when what intervals leave for email becomes `changed` (sorted by
    /// interval). The idle agents' pass restarts at the first change and stops once past
    /// the last one the work done is back to the current state's; only if it reaches the
    /// first interval with diversion levels is the week's email valued afresh.
    /// `changed` names each changed interval's room by a `K` that `room_of` reads (the
    /// rooms themselves, or their remembered arrivals' keys: no list built per move).
    fn email_change<'s, K>(
        &'s self,
        changed: &'s [(usize, K)],
        room_of: impl Fn(usize, &'s K) -> &'s EmailRoom,
    ) -> f64 {
        if changed.is_empty() || self.email.is_empty() {
            return 0.0;
        }
        // Agents are only ever taken off the real-time queues from the first interval
        // with diversion levels on: a change whose idle-agent pass is back on course
        // before it leaves the rest of the week's email as it was.
        let divert_from = self.divert_from.unwrap_or(usize::MAX);
        let (first, last) = (changed[0].0, changed[changed.len() - 1].0);
        // The work done so far per email queue: on the stack for a few queues (hot path).
        let ne = self.email.len();
        let (mut stack, mut heap) = ([0.0; 4], Vec::new());
        let done: &mut [f64] = if ne <= stack.len() {
            &mut stack[..ne]
        } else {
            heap.resize(ne, 0.0);
            &mut heap
        };
        if first > 0 {
            done.copy_from_slice(&self.idle_done[first - 1]);
        }
        let mut next = changed.iter().peekable();
        let mut change = 0.0;
        let afresh = || {
            let mut room: Vec<&EmailRoom> = self.room.iter().map(|r| &**r).collect();
            for (i, r) in changed {
                room[*i] = room_of(*i, r);
            }
            self.email_cost_of(&room) - self.email_cost
        };
        for i in first..self.site.grid.len() {
            if i > last && !self.email_tail.is_empty() {
                // Past the changes, one queue: the rest of the pass from the tail table.
                let delta = done[0] - self.idle_done[i - 1][0];
                return match self.email_tail_change(i, delta, divert_from) {
                    Some(tail) => change + tail,
                    None => afresh(),
                };
            }
            if i >= divert_from {
                return afresh();
            }
            let room = match next.peek() {
                Some((j, r)) if *j == i => {
                    next.next();
                    room_of(i, r)
                }
                _ => &self.room[i],
            };
            change += self.idle_step(i, done, &room.free) - self.idle_step_cost[i];
            if i >= last
                && done
                    .iter()
                    .zip(&self.idle_done[i])
                    .all(|(a, b)| (a - b).abs() <= 1e-12)
            {
                break;
            }
        }
        change
    }

    /// The email cost change of the idle agents' pass from interval `from` on, every
    /// interval leaving for email what it leaves now, when the work done by the end of
    /// `from − 1` is `delta` more (less, if negative) than now — until the work done is back
    /// on course; `None` if the pass reaches `until` (the first interval with diversion
    /// levels, where the week must be valued afresh) before that. A single email queue.
    ///
    /// The same pass as [`Descent::idle_step`] one interval at a time, followed as the
    /// difference to the current pass: work ahead stays ahead until it meets what has
    /// arrived (`delta` falls to the room left), work behind stays behind until the current
    /// pass had more capacity than work (it catches up by that much). On Tokyo a move's
    /// pass runs about 120 intervals past its last change, so this loop is the descent's
    /// hottest; in 7 of 10 of those intervals the difference passes unchanged at no cost
    /// (ahead: room for it and no late work; behind: nothing to spare and the work at
    /// least that far from due), so whole blocks of such intervals are stepped over.
    fn email_tail_change(&self, from: usize, mut delta: f64, until: usize) -> Option<f64> {
        let h = self.site.grid.interval_hours();
        let over = self.site.penalties.overstaffing_per_agent_hour * h;
        let late_cost = self.site.penalties.backlog_per_agent_hour * h;
        let n = self.email_tail.len();
        let mut change = 0.0;
        let mut i = from;
        while i < n {
            if delta.abs() <= 1e-12 {
                break;
            }
            if i >= until {
                return None;
            }
            if i % TAIL_BLOCK == 0 {
                let end = (i + TAIL_BLOCK).min(n);
                let [least_room, most_late] = self.email_tail_blocks[i / TAIL_BLOCK];
                let unchanged = if delta > 0.0 {
                    least_room >= delta
                } else {
                    most_late <= delta
                };
                if unchanged && end <= until {
                    i = end;
                    continue;
                }
            }
            let [room, spare, late, per_work] = self.email_tail[i];
            i += 1;
            let next = if delta > 0.0 {
                delta.min(room)
            } else {
                (delta + spare).min(0.0)
            };
            change += late_cost * ((late - next).max(0.0) - late.max(0.0))
                - over * (next - delta) * per_work;
            delta = next;
        }
        Some(change)
    }

    /// Change of interval `i`'s cost when `share` of an agent of class `duty` arrives
    /// (negative `share`: leaves), and what it then leaves for email.
    fn interval_change(&self, i: usize, duty: Duty, share: f64) -> Arrival {
        let (cost, free) = match duty {
            Duty::Lead => self.interval_cost(i, &self.duty[i], self.leads[i] + share),
            Duty::Group(g) => {
                let agents = (self.duty[i][g] + share).max(0.0);
                self.interval_cost_with(i, &self.duty[i], Some((g, agents)), self.leads[i])
            }
        };
        (cost - self.cost[i], free)
    }

    /// Candidate `c`'s on-duty share per covered interval with its breaks at `placement`
    /// (start indices per break; ignored when breaks count at their expected share).
    fn on_duty(&self, c: usize, placement: &[u16]) -> Vec<(usize, f64)> {
        let mut amounts = self.amounts[c].clone();
        if let (Some(slots), Some(&(first, _))) = (self.breaks.get(c), amounts.first()) {
            for (slot, &o) in slots.iter().zip(placement) {
                for &(i, share) in &slot[usize::from(o)].1 {
                    amounts[i - first].1 -= share;
                }
            }
        }
        amounts
    }

    /// The placement candidate `c` is on with (or was last on with).
    fn placed(&self, c: usize) -> &[u16] {
        match self.slot_base.get(c + 1) {
            Some(&end) if !self.breaks.is_empty() => &self.placement[self.slot_base[c]..end],
            _ => &[],
        }
    }

    /// The key of [`Descent::cache`] for `share` of an agent of class `duty` arriving in
    /// interval `i`, its entry computed if missing: the change of the interval's cost, and
    /// the agents then free for email.
    fn arrival(&mut self, i: usize, duty: Duty, share: f64) -> (usize, u32) {
        self.arrival_cost(i, duty, share);
        cache_key(duty, share)
    }

    /// The change of interval `i`'s cost when `share` of an agent of class `duty` arrives
    /// (its [`Descent::cache`] entry computed if missing).
    fn arrival_cost(&mut self, i: usize, duty: Duty, share: f64) -> f64 {
        let key = cache_key(duty, share);
        if let Some(v) = self.cache[i].get(&key) {
            return v.0;
        }
        let v = self.interval_change(i, duty, share);
        let cost = v.0;
        self.cache[i].insert(key, v);
        cost
    }

    /// Coverage change of adding candidate `c` (per interval cached by class and share),
    /// and where its breaks go: with breaks placed exactly, each break in turn takes the
    /// start where the agent's absence costs least given the others on duty. Remembered per
    /// shape (see [`Added`]) while its intervals and the email pass stay as they are.
    fn add_change(&mut self, c: usize) -> (f64, Vec<u16>) {
        let change = self.added_value(c);
        (change, self.added_placement(c))
    }

    /// [`Descent::add_change`] without the placement (hot path: most moves tried are not
    /// taken); [`Descent::added_placement`] gives it right after.
    fn added_value(&mut self, c: usize) -> f64 {
        let s = self.shape[c] as usize;
        let now = &self.generation[self.cands[c].intervals.clone()];
        if self.added[s].as_ref().is_none_or(|a| a.stamp != now) {
            let stamp = now.to_vec();
            self.added[s] = Some(self.coverage_added(c, stamp));
        }
        let a = self.added[s].as_ref().expect("just remembered");
        let email = match a.email {
            Some((g, change)) if g == self.email_generation => change,
            _ => self.email_change(&a.changed, |i, key| &self.cache[i][key].1),
        };
        let generation = self.email_generation;
        let a = self.added[s].as_mut().expect("just remembered");
        a.email = Some((generation, email));
        a.coverage + email
    }

    /// Where the breaks of candidate `c` go, as [`Descent::added_value`] just placed them.
    fn added_placement(&self, c: usize) -> Vec<u16> {
        let a = self.added[self.shape[c] as usize].as_ref();
        a.expect("valued just before").placement.clone()
    }

    /// [`Descent::add_change`] computed, email aside, with `stamp` as its
    /// [`Added::stamp`].
    fn coverage_added(&mut self, c: usize, stamp: Vec<u64>) -> Added {
        let duty = self.duty_of[self.cands[c].employee];
        // Expected breaks: the candidate's own shares, lent rather than copied (hot path).
        let lent = self.breaks.is_empty();
        let mut amounts = if lent {
            std::mem::take(&mut self.amounts[c])
        } else {
            self.amounts[c].clone()
        };
        let mut placement = Vec::new();
        if let (Some(slots), Some(&(first, _))) = (self.breaks.get(c), amounts.first()) {
            for s in 0..slots.len() {
                let mut best = (f64::INFINITY, 0);
                for o in 0..self.breaks[c][s].len() {
                    let mut cost = 0.0;
                    for k in 0..self.breaks[c][s][o].1.len() {
                        let (i, away) = self.breaks[c][s][o].1[k];
                        let here = amounts[i - first].1;
                        cost += self.arrival_cost(i, duty, here - away)
                            - self.arrival_cost(i, duty, here);
                    }
                    if cost < best.0 - 1e-9 {
                        best = (cost, o);
                    }
                }
                for &(i, away) in &self.breaks[c][s][best.1].1 {
                    amounts[i - first].1 -= away;
                }
                placement.push(best.1 as u16);
            }
        }
        // Every interval's entry first (the cache grows), then their email rooms by
        // reference (hot path: a copy of each changed room cost an allocation).
        let keys: Vec<(usize, (usize, u32))> = amounts
            .iter()
            .map(|&(i, share)| (i, self.arrival(i, duty, share)))
            .collect();
        if lent {
            self.amounts[c] = amounts;
        }
        let mut coverage = 0.0;
        let mut changed = Vec::new();
        for (i, key) in keys {
            let (change, room) = &self.cache[i][&key];
            coverage += change;
            if *room != self.room[i] {
                changed.push((i, key));
            }
        }
        Added {
            stamp,
            coverage,
            placement,
            changed,
            email: None,
        }
    }

    /// Put candidate `c` on with its breaks at `placement`.
    fn put(&mut self, c: usize, placement: &[u16]) {
        if !self.breaks.is_empty() {
            let base = self.slot_base[c];
            self.placement[base..base + placement.len()].copy_from_slice(placement);
        }
        self.apply(c, 1.0);
    }

    /// Put candidate `c` on (`sign` 1) or take it off (−1) with its breaks where it was
    /// last placed, updating coverage.
    fn apply(&mut self, c: usize, sign: f64) {
        let cand = &self.cands[c];
        let e = cand.employee;
        let duty = self.duty_of[e];
        for (i, share) in self.on_duty(c, self.placed(c)) {
            match duty {
                Duty::Group(g) => self.duty[i][g] = (self.duty[i][g] + sign * share).max(0.0),
                Duty::Lead => self.leads[i] = (self.leads[i] + sign * share).max(0.0),
            }
            (self.cost[i], self.room[i]) = self.interval_cost(i, &self.duty[i], self.leads[i]);
            self.cache[i].clear();
            self.generation[i] = self.next_generation();
        }
        self.refresh_email();
        let cand = &self.cands[c];
        if cand.mode == ShiftMode::Onsite {
            for i in cand.intervals.clone() {
                self.onsite[i] = if sign > 0.0 {
                    self.onsite[i] + 1
                } else {
                    self.onsite[i].saturating_sub(1)
                };
            }
        }
        for (kind, on) in self.kinds[c].into_iter().enumerate() {
            if on {
                self.count(e, kind, if sign > 0.0 { 1 } else { -1 });
            }
        }
        self.chosen[e][cand.day] = if sign > 0.0 { Some(c) } else { None };
    }

    /// Take candidate `c` (on now) off, as [`Descent::apply`] does, keeping what to put
    /// back with [`Descent::undo`]: a removal tried and undone leaves the state exactly as it
    /// was, its remembered arrivals and generations included, so what was computed before
    /// the trial still holds after it.
    fn take_off(&mut self, c: usize) -> Undo {
        let duty = self.duty_of[self.cands[c].employee];
        let mut undo = std::mem::take(&mut self.spare);
        undo.intervals.clear();
        let (first, last) = (self.cands[c].intervals.start, self.cands[c].intervals.end);
        for i in first..last {
            let count = match duty {
                Duty::Group(g) => self.duty[i][g],
                Duty::Lead => self.leads[i],
            };
            // `apply` recomputes the room and forgets the arrivals: the room is kept (shared),
            // the arrivals' table taken and replaced by an emptied one.
            let table = undo.tables.pop().unwrap_or_default();
            undo.intervals.push((
                i,
                count,
                self.cost[i],
                Rc::clone(&self.room[i]),
                std::mem::replace(&mut self.cache[i], table),
                self.generation[i],
            ));
        }
        // The email pass: `apply` rewrites every entry, so the buffers are swapped (the
        // spare ones sized like the current ones).
        if undo.idle_done.len() != self.idle_done.len() {
            undo.idle_done.clone_from(&self.idle_done);
            undo.idle_step_cost.clone_from(&self.idle_step_cost);
        }
        std::mem::swap(&mut undo.idle_step_cost, &mut self.idle_step_cost);
        std::mem::swap(&mut undo.idle_done, &mut self.idle_done);
        std::mem::swap(&mut undo.email_tail, &mut self.email_tail);
        std::mem::swap(&mut undo.email_tail_blocks, &mut self.email_tail_blocks);
        undo.email_cost = self.email_cost;
        undo.email_generation = self.email_generation;
        self.apply(c, -1.0);
        undo
    }

    /// Put candidate `c` back on exactly as it was before [`Descent::take_off`] gave `undo`
    /// (nothing else changed since).
    fn undo(&mut self, c: usize, mut undo: Undo) {
        let cand = &self.cands[c];
        let e = cand.employee;
        let duty = self.duty_of[e];
        for (i, count, cost, room, cache, generation) in undo.intervals.drain(..) {
            match duty {
                Duty::Group(g) => self.duty[i][g] = count,
                Duty::Lead => self.leads[i] = count,
            }
            self.cost[i] = cost;
            self.room[i] = room;
            let mut table = std::mem::replace(&mut self.cache[i], cache);
            table.clear();
            undo.tables.push(table);
            self.generation[i] = generation;
        }
        std::mem::swap(&mut undo.idle_step_cost, &mut self.idle_step_cost);
        std::mem::swap(&mut undo.idle_done, &mut self.idle_done);
        std::mem::swap(&mut undo.email_tail, &mut self.email_tail);
        std::mem::swap(&mut undo.email_tail_blocks, &mut self.email_tail_blocks);
        self.email_cost = undo.email_cost;
        self.email_generation = undo.email_generation;
        self.spare = undo;
        if cand.mode == ShiftMode::Onsite {
            for i in cand.intervals.clone() {
                self.onsite[i] += 1;
            }
        }
        for (kind, on) in self.kinds[c].into_iter().enumerate() {
            if on {
                self.count(e, kind, 1);
            }
        }
        self.chosen[e][cand.day] = Some(c);
    }

    /// Put the shifts of `start` on (breaks placed exactly), each with its given breaks or,
    /// for a break not given or at a start its rule does not allow, where it costs least
    /// given the shifts put before it. A second shift of an employee on a day is left out.
    fn put_placed(&mut self, start: &[PlacedShift]) {
        for (c, offsets) in start {
            let (c, cand) = (*c, &self.cands[*c]);
            if self.chosen[cand.employee][cand.day].is_some() {
                continue;
            }
            let given: Option<Vec<u16>> = (offsets.len() == self.breaks[c].len())
                .then(|| {
                    self.breaks[c]
                        .iter()
                        .zip(offsets)
                        .map(|(starts, &m)| starts.iter().position(|s| s.0 == m).map(|o| o as u16))
                        .collect()
                })
                .flatten();
            let placement = given.unwrap_or_else(|| self.add_change(c).1);
            self.put(c, &placement);
        }
    }

    /// The best move of one of employee `e`'s breaks to another allowed start (breaks
    /// placed exactly), applied if it improves. Returns the change (0 when nothing
    /// improved).
    fn rebreak(&mut self, e: usize) -> f64 {
        if self.breaks.is_empty() {
            return 0.0;
        }
        let duty = self.duty_of[e];
        let mut best: Option<(f64, usize, Vec<u16>)> = None;
        for d in 0..self.chosen[e].len() {
            let Some(c) = self.chosen[e][d] else { continue };
            let now = self.placed(c).to_vec();
            let before = self.on_duty(c, &now);
            for s in 0..self.breaks[c].len() {
                for o in 0..self.breaks[c][s].len() {
                    if o == usize::from(now[s]) {
                        continue;
                    }
                    let mut moved = now.clone();
                    moved[s] = o as u16;
                    let after = self.on_duty(c, &moved);
                    let delta: Vec<(usize, f64)> = before
                        .iter()
                        .zip(&after)
                        .filter(|(a, b)| (a.1 - b.1).abs() > 1e-12)
                        .map(|(a, b)| (a.0, b.1 - a.1))
                        .collect();
                    let change = self.change_of(duty, &delta);
                    if change < -1e-6 && best.as_ref().is_none_or(|b| change < b.0) {
                        best = Some((change, c, moved));
                    }
                }
            }
        }
        match best {
            Some((change, c, moved)) => {
                self.apply(c, -1.0);
                self.put(c, &moved);
                change
            }
            None => 0.0,
        }
    }

    /// Coverage change when an agent of class `duty` is on duty `share` more in each
    /// interval of `delta` (sorted by interval, each once; negative: less).
    fn change_of(&self, duty: Duty, delta: &[(usize, f64)]) -> f64 {
        let mut total = 0.0;
        let mut rooms = Vec::new();
        for &(i, share) in delta {
            let (change, room) = self.interval_change(i, duty, share);
            total += change;
            if room != self.room[i] {
                rooms.push((i, room));
            }
        }
        total + self.email_change(&rooms, |_, room| room)
    }

    fn seats_allow(&self, c: usize) -> bool {
        let cand = &self.cands[c];
        match self.site.seats {
            Some(seats) if cand.mode == ShiftMode::Onsite => {
                cand.intervals.clone().all(|i| self.onsite[i] < seats)
            }
            _ => true,
        }
    }

    /// How far week `w` of employee `e` is from keeping their hard rules (0: kept): hours
    /// and shifts outside the weekly limits, days off missing, rest and consecutive-day
    /// breaches, shifts above a hard maximum.
    fn breach(&self, e: usize, w: &[Option<usize>]) -> f64 {
        let site = self.site;
        let contract = &site.contracts[site.employees[e].contract];
        let (min_h, max_h) = site.weekly_hours(e);
        let days = w.len();
        let mut out = 0.0;
        for week in &self.weeks {
            let frac = week.len() as f64 / 7.0;
            let (mut hours, mut n) = (0.0, 0.0);
            for c in week.clone().filter_map(|d| w[d]) {
                hours += self.paid_hours[c];
                n += 1.0;
            }
            let min = min_h * frac;
            if min > 0.0 && hours < min - 1e-9 {
                out += min - hours;
            }
            out += (hours - max_h - 1e-9).max(0.0);
            let min_s = (f64::from(contract.min_shifts_per_week) * frac).floor();
            out += (min_s - n).max(0.0);
            out += (n - f64::from(contract.max_shifts_per_week)).max(0.0);
            let need_off = (f64::from(contract.min_days_off_per_week) * frac).floor();
            if need_off > 0.0 {
                out += (n - (week.len() as f64 - need_off)).max(0.0);
            }
        }
        let rest = (contract.min_rest_hours * 60.0).round() as i64 * 60;
        for d in 1..days {
            if let (Some(a), Some(b)) = (w[d - 1], w[d]) {
                if self.span[b].0 - self.span[a].1 < rest {
                    out += 1.0;
                }
            }
        }
        let k = contract.max_consecutive_days as usize;
        if k < days {
            for start in 0..days - k {
                let worked = (start..=start + k).filter(|&d| w[d].is_some()).count();
                out += worked.saturating_sub(k) as f64;
            }
        }
        for &(week, m) in &self.soft[e].hard_max {
            let n = self.weeks[week].clone().filter(|&d| w[d].is_some()).count();
            out += (n as f64 - f64::from(m)).max(0.0);
        }
        out
    }

    /// Employee `e`'s own cost for week `w`: labour, soft requests.
    fn own_cost(&self, e: usize, w: &[Option<usize>]) -> f64 {
        let mut cost: f64 = w.iter().flatten().map(|&c| self.base[c]).sum();
        let soft = &self.soft[e];
        for (weight, touching) in &soft.prefer_work {
            if !touching.iter().any(|&c| w[self.cands[c].day] == Some(c)) {
                cost += weight;
            }
        }
        for &(week, max, weight) in &soft.max_shifts {
            let n = self.weeks[week].clone().filter(|&d| w[d].is_some()).count() as u32;
            cost += f64::from(n.saturating_sub(max)) * weight;
        }
        cost
    }

    /// Fairness cost of group `g` with some members' counts replaced (each member at most
    /// once), from the group's histogram of counts (see [`Descent::fair_counts`]) without a
    /// pass over its members: a move asks this for every shift it tries.
    fn group_fairness(&self, g: usize, replaced: &[(usize, [u32; 2])]) -> f64 {
        let w = self.site.fairness.weight;
        let mut spread = [0; 2];
        for (k, spread) in spread.iter_mut().enumerate() {
            // Members at count `n`, with the replaced members' counts moved.
            let at = |n: usize| {
                let mut m = i64::from(self.fair_counts[g][k][n]);
                for &(e, counts) in replaced {
                    if self.fair_group_of[e] == Some(g) {
                        m += i64::from(counts[k] as usize == n)
                            - i64::from(self.counts[e][k] as usize == n);
                    }
                }
                m
            };
            let bins = self.fair_counts[g][k].len();
            let fewest = (0..bins).find(|&n| at(n) > 0).unwrap_or(0);
            let most = (0..bins).rev().find(|&n| at(n) > 0).unwrap_or(0);
            *spread = most - fewest;
        }
        (0..2).map(|k| w * f64::from(spread[k] as u32)).sum()
    }

    /// Move employee `e`'s count of kind `kind` by `by` (1 or −1), histogram included.
    fn count(&mut self, e: usize, kind: usize, by: i32) {
        let before = self.counts[e][kind];
        let after = before
            .checked_add_signed(by)
            .expect("a count never below 0");
        self.counts[e][kind] = after;
        if let Some(g) = self.fair_group_of[e] {
            self.fair_counts[g][kind][before as usize] -= 1;
            self.fair_counts[g][kind][after as usize] += 1;
        }
    }

    /// Fairness cost of the groups of the employees in `weeks` (one or two: a move's) when
    /// those employees work those weeks (whatever the current state says about them).
    fn fairness_of(&self, weeks: &[(usize, &[Option<usize>])]) -> f64 {
        assert!(weeks.len() <= 2, "a move changes at most two weeks");
        let mut replaced = [(usize::MAX, [0u32; 2]); 2];
        for (slot, (e, w)) in replaced.iter_mut().zip(weeks) {
            *slot = (*e, self.week_counts(w));
        }
        let mut total = 0.0;
        for (k, (e, _)) in weeks.iter().enumerate() {
            let Some(g) = self.fair_group_of[*e] else {
                continue;
            };
            // Each group once.
            if weeks[..k]
                .iter()
                .any(|(f, _)| self.fair_group_of[*f] == Some(g))
            {
                continue;
            }
            total += self.group_fairness(g, &replaced[..weeks.len()]);
        }
        total
    }

    /// The best hand-over of one of `e`'s shifts to a colleague of the same skill group
    /// (or another team lead) who is off that day, taking any of their candidates that day;
    /// applied if it improves. Returns the change (0 when nothing improved).
    fn hand_over(&mut self, e: usize) -> f64 {
        let days = self.site.grid.days;
        let mates: Vec<usize> = (0..self.site.employees.len())
            .filter(|&m| m != e && self.duty_of[m] == self.duty_of[e])
            .collect();
        let mine = self.chosen[e].clone();
        let breach_e = self.breach(e, &mine);
        let own_e = self.own_cost(e, &mine);
        let mut best: Option<(f64, usize, usize, Vec<u16>)> = None;
        for d in 0..days {
            let Some(c) = mine[d] else { continue };
            if self.cands[c].pinned {
                continue;
            }
            let mut after = mine.clone();
            after[d] = None;
            if self.breach(e, &after) > breach_e + 1e-9 {
                continue;
            }
            let own_change = self.own_cost(e, &after) - own_e;
            let removed = self.remove_change(c);
            let undo = self.take_off(c);
            for &m in &mates {
                let theirs = self.chosen[m].clone();
                if theirs[d].is_some() {
                    continue;
                }
                let breach_m = self.breach(m, &theirs);
                let own_m = self.own_cost(m, &theirs);
                let mut week = theirs.clone();
                for k in 0..self.by_day[m][d].len() {
                    let c2 = self.by_day[m][d][k];
                    if !self.seats_allow(c2) {
                        continue;
                    }
                    week[d] = Some(c2);
                    if self.breach(m, &week) > breach_m + 1e-9 {
                        continue;
                    }
                    let added = self.added_value(c2);
                    let ch = removed + own_change + self.own_cost(m, &week) - own_m
                        + self.fairness_of(&[(e, &after[..]), (m, &week[..])])
                        - self.fairness_of(&[(e, &mine[..]), (m, &theirs[..])])
                        + added;
                    if ch < -1e-6 && best.as_ref().is_none_or(|b| ch < b.0) {
                        best = Some((ch, c, c2, self.added_placement(c2)));
                    }
                }
            }
            self.undo(c, undo);
        }
        match best {
            Some((ch, c, c2, placement)) => {
                self.apply(c, -1.0);
                self.put(c2, &placement);
                ch
            }
            None => 0.0,
        }
    }

    fn week_counts(&self, w: &[Option<usize>]) -> [u32; 2] {
        let mut out = [0, 0];
        for &c in w.iter().flatten() {
            for (n, &on) in out.iter_mut().zip(&self.kinds[c]) {
                *n += u32::from(on);
            }
        }
        out
    }

    /// The best change of employee `e`'s week touching at most two days, applied if it
    /// improves. Returns the change of the objective (0 when nothing improved).
    fn improve(&mut self, e: usize) -> f64 {
        let days = self.site.grid.days;
        let current = self.chosen[e].clone();
        let breach_now = self.breach(e, &current);
        let own_now = self.own_cost(e, &current);
        let fair_now = self.fairness_of(&[(e, &current[..])]);
        let frozen = |c: Option<usize>| c.is_some_and(|c| self.cands[c].pinned);
        // Best: (breach, change, removed day, added candidate and its breaks).
        type Best = Option<(f64, f64, Option<usize>, Option<(usize, Vec<u16>)>)>;
        let mut best: Best = None;
        let better = |b: &Best, br: f64, ch: f64| {
            let ok = br < breach_now - 1e-9 || (br <= breach_now + 1e-9 && ch < -1e-6);
            ok && b
                .as_ref()
                .is_none_or(|(bb, bc, _, _)| br < bb - 1e-9 || (br <= bb + 1e-9 && ch < *bc))
        };
        let removals: Vec<Option<usize>> = std::iter::once(None)
            .chain(
                (0..days)
                    .filter(|&d| current[d].is_some() && !frozen(current[d]))
                    .map(Some),
            )
            .collect();
        for removed in removals {
            let mut week = current.clone();
            let mut base_change = 0.0;
            let mut undo = None;
            if let Some(d) = removed {
                let c = current[d].expect("a worked day");
                base_change = self.remove_change(c);
                undo = Some(self.take_off(c));
                week[d] = None;
                // Pure removal.
                let br = self.breach(e, &week);
                let ch = base_change + self.own_cost(e, &week) - own_now
                    + self.fairness_of(&[(e, &week[..])])
                    - fair_now;
                if better(&best, br, ch) {
                    best = Some((br, ch, removed, None));
                }
            }
            for d in 0..days {
                if week[d].is_some() {
                    continue;
                }
                for k in 0..self.by_day[e][d].len() {
                    let c = self.by_day[e][d][k];
                    if Some(c) == removed.and_then(|r| current[r]) || !self.seats_allow(c) {
                        continue;
                    }
                    week[d] = Some(c);
                    let br = self.breach(e, &week);
                    if br > breach_now + 1e-9 {
                        week[d] = None;
                        continue;
                    }
                    let own = self.own_cost(e, &week) - own_now;
                    let fair = self.fairness_of(&[(e, &week[..])]) - fair_now;
                    week[d] = None;
                    let ch = base_change + own + fair + self.added_value(c);
                    if better(&best, br, ch) {
                        best = Some((br, ch, removed, Some((c, self.added_placement(c)))));
                    }
                }
            }
            if let (Some(d), Some(undo)) = (removed, undo) {
                self.undo(current[d].expect("a worked day"), undo);
            }
        }
        match best {
            Some((_, change, removed, added)) => {
                if let Some(d) = removed {
                    self.apply(current[d].expect("a worked day"), -1.0);
                }
                if let Some((c, placement)) = added {
                    self.put(c, &placement);
                }
                change.min(-1e-9)
            }
            None => 0.0,
        }
    }

    /// Total breach of the hard rules over all employees (0 for a roster keeping them).
    fn total_breach(&self) -> f64 {
        (0..self.chosen.len())
            .map(|e| self.breach(e, &self.chosen[e]))
            .sum()
    }

    /// Make `target` (`[employee][day]`, and the placement of every candidate's breaks)
    /// the current roster.
    fn restore(&mut self, target: &[Vec<Option<usize>>], placement: &[u16]) {
        let differ: Vec<(usize, usize)> = target
            .iter()
            .enumerate()
            .flat_map(|(e, week)| (0..week.len()).map(move |day| (e, day)))
            .filter(|&(e, day)| {
                self.chosen[e][day] != target[e][day]
                    || self.chosen[e][day].is_some_and(|c| {
                        let (a, b) = (self.slot_base[c], self.slot_base[c + 1]);
                        !self.breaks.is_empty() && self.placement[a..b] != placement[a..b]
                    })
            })
            .collect();
        for &(e, day) in &differ {
            if let Some(c) = self.chosen[e][day] {
                self.apply(c, -1.0);
            }
        }
        for &(e, day) in &differ {
            if let Some(c) = target[e][day] {
                let (a, b) = (self.slot_base[c], self.slot_base[c + 1]);
                self.put(c, placement.get(a..b).unwrap_or_default());
            }
        }
    }

    /// Perturb: up to `count` employees on a day at random change what they do that day
    /// (keeping their seats and hard rules). Without `relaxed`, employees working that day
    /// move to another of their candidates at random. With the relaxation's value of every
    /// candidate, each employee's day is drawn from it: each of their candidates that day
    /// with its value as the chance, the day off with what is left (a draw of what they
    /// already do moves nobody, so the kick moves those the relaxation disagrees with).
    /// Kicks that follow the relaxation reach rosters the random ones rarely do (Tokyo 20 s,
    /// ten seeds: 1.97 % against 2.18 %; see `docs/decisions.md`). Returns the employees
    /// moved.
    fn kick(&mut self, rng: &mut ChaCha8Rng, count: usize, relaxed: Option<&[f64]>) -> Vec<usize> {
        use rand::Rng;
        let days = self.site.grid.days;
        let day = rng.gen_range(0..days);
        let mut people: Vec<usize> = (0..self.chosen.len())
            .filter(|&e| {
                let options = self.by_day[e][day].len();
                match self.chosen[e][day] {
                    Some(c) if self.cands[c].pinned => false,
                    now => match relaxed {
                        None => now.is_some() && options > 1,
                        Some(_) => options > 0,
                    },
                }
            })
            .collect();
        people.shuffle(rng);
        let mut moved = Vec::new();
        for e in people {
            if moved.len() == count {
                break;
            }
            let now = self.chosen[e][day];
            let options = &self.by_day[e][day];
            let to = match relaxed {
                None => Some(options[rng.gen_range(0..options.len())]),
                Some(relaxed) => {
                    let value = |c: usize| relaxed[c].clamp(0.0, 1.0);
                    let worked: f64 = options.iter().map(|&c| value(c)).sum();
                    let mut draw = rng.gen_range(0.0..worked.max(1.0));
                    options.iter().copied().find(|&c| {
                        draw -= value(c);
                        draw < 0.0
                    })
                }
            };
            if to == now || to.is_some_and(|c| !self.seats_allow(c)) {
                continue;
            }
            let mut week = self.chosen[e].clone();
            let before = self.breach(e, &week);
            week[day] = to;
            if self.breach(e, &week) > before + 1e-9 {
                continue;
            }
            if let Some(now) = now {
                self.apply(now, -1.0);
            }
            if let Some(c) = to {
                let (_, placement) = self.add_change(c);
                self.put(c, &placement);
            }
            moved.push(e);
        }
        moved
    }

    /// The roster with its breaks' starts (minutes from the shift's start).
    fn placed_roster(&self) -> Vec<PlacedShift> {
        self.selection()
            .into_iter()
            .map(|c| {
                let offsets = self.breaks[c]
                    .iter()
                    .zip(self.placed(c))
                    .map(|(starts, &o)| starts[usize::from(o)].0)
                    .collect();
                (c, offsets)
            })
            .collect()
    }

    /// The selected candidates, sorted.
    fn selection(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self.chosen.iter().flatten().flatten().copied().collect();
        out.sort_unstable();
        out
    }

    /// The descent's objective of the current roster.
    fn total(&self) -> f64 {
        let coverage: f64 = self.cost.iter().sum::<f64>() + self.email_cost;
        let own: f64 = (0..self.chosen.len())
            .map(|e| self.own_cost(e, &self.chosen[e]))
            .sum();
        let fairness: f64 = (0..self.fair_groups.len())
            .filter(|&g| self.fair_groups[g].len() >= 2 && self.site.fairness.weight > 0.0)
            .map(|g| self.group_fairness(g, &[]))
            .sum();
        coverage + own + fairness
    }

    /// Coverage change of taking candidate `c` (on now) off.
    fn remove_change(&self, c: usize) -> f64 {
        let duty = self.duty_of[self.cands[c].employee];
        // Shares of one shift never overlap, so the intervals are independent.
        let off: Vec<(usize, f64)> = self
            .on_duty(c, self.placed(c))
            .into_iter()
            .map(|(i, share)| (i, -share))
            .collect();
        self.change_of(duty, &off)
    }
}

/// How [`descend`] runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DescentOptions {
    /// Seed of the employee order and of the kicks.
    pub seed: u32,
    /// Seconds at most.
    pub budget: f64,
    /// Start with a descent valuing email per interval (fast far from a good roster).
    pub spread_first: bool,
    /// Spend the time left after the descent on the iterated local search.
    pub perturb: bool,
    /// At most this many kicks per chain (`None`: until the budget or the kicks run out) —
    /// a search whose work does not depend on the clock, for benchmarks.
    pub kicks: Option<usize>,
}

/// Employees moved by one kick of the iterated local search.
const KICK_EMPLOYEES: usize = 2;
/// Employees moved by one kick when breaks are placed exactly: on Tokyo from the same
/// start, 20 s, three seeds, 4–8 gave 4.451–4.458 M against 4.470 M for two (one: 4.508 M);
/// 60 s, two seeds, six 4.435 M against 4.451 M.
const KICK_EMPLOYEES_PLACED: usize = 6;
/// Intervals per block of the email tail's summary ([`Descent::email_tail_change`]). On a
/// Tokyo 20-s plan the tail's share of the samples fell from 9.2 % to 4.9 % with 8 (6.1 %
/// with 4, 6.6 % with 16).
const TAIL_BLOCK: usize = 8;
/// After this many kicks in a row without improvement the iterated local search kicks
/// twice as hard; once its strongest kicks have failed as often it starts again from the
/// ordinary kick, and after [`KICK_CYCLES`] such cycles without improvement it ends (or
/// at its time budget): a deterministic end on a fast enough machine.
const MAX_FAILED_KICKS: usize = 100;
/// Cycles of escalating kicks (ordinary to strongest) without an improvement, or another
/// chain's better roster, after which a chain ends. gen-300 at 120 s with the placed
/// descent from 18 s and no guided sub-MILP (six seeds): with one cycle the chains ended
/// 1–22 s before the time (0.86 % on average), with five they ran to it (0.79 %). Three
/// (not measured apart) keep a small site's convergence shorter: a Seattle chain ends after
/// about 36 s of kicks instead of about 90 s (with one cycle, 18 s).
const KICK_CYCLES: usize = 3;
/// The strongest kick moves this many times the employees of an ordinary one (doubling
/// after each run of failed kicks; an improvement, or another chain's better roster taken
/// up, goes back to the ordinary kick). On Tokyo at 30 s a chain whose six-employee kicks
/// ran out at 19.4 s left a third of the plan idle (2.45 %; with escalation 1.95 %).
const KICK_ESCALATION: usize = 4;

/// A kicked and repaired roster worse than the chain's current one by less than this share
/// of its objective becomes the chain's current roster (the best is kept apart, and the
/// chain ends on it): a chain that keeps only improvements stays in the first valley its
/// kicks cannot leave. Tokyo 20 s, seeds 0–9: 2.08 % on average against 2.28 % with
/// improvements only (8 of 10 seeds better); 3e-4 gave 2.14 % (session 25).
const KEEP_WORSE: f64 = 1e-4;
/// Colleagues of the same skill group (at random) repaired with the kicked employees.
const REPAIR_MATES: usize = 4;
/// Repair sweeps over the kicked employees and those colleagues after a kick.
const REPAIR_ROUNDS: usize = 3;

/// Improve `selected` (indices into `cands`) by best-response descent for at most
/// `how.budget` seconds; with `how.perturb`, the time left after the descent goes to an iterated
/// local search (kick, repair, keep if better). Returns the new selection and what was done.
pub fn descend(
    site: &Site,
    req: &Requirements,
    cands: &[Candidate],
    selected: &[usize],
    how: &DescentOptions,
) -> (Vec<usize>, DescentStats) {
    descend_until(site, req, cands, selected, how, &|| false)
}

/// [`descend`] whose iterated local search also ends as soon as `enough()` holds (e.g. when
/// something better to do with the time has arrived).
pub fn descend_until(
    site: &Site,
    req: &Requirements,
    cands: &[Candidate],
    selected: &[usize],
    how: &DescentOptions,
    enough: &dyn Fn() -> bool,
) -> (Vec<usize>, DescentStats) {
    let started = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(how.seed) ^ 0x5eed_d35c);
    let load = |spread: bool, selected: &[usize]| {
        let mut d = Descent::new(site, req, cands, spread, false);
        for &c in selected {
            if d.chosen[cands[c].employee][cands[c].day].is_none() {
                d.apply(c, 1.0);
            }
        }
        d
    };
    let mut stats = DescentStats::default();
    let mut d = load(false, selected);
    stats.start = d.total();
    let out_of_time = || started.elapsed().as_secs_f64() > how.budget;
    if how.spread_first && req.deferred.iter().any(Option::is_some) {
        // A quick first descent with email valued per interval: far from a good roster the
        // week-long email pass rarely settles, so every move would cost a whole pass.
        let mut quick = load(true, selected);
        sweep(&mut quick, &mut rng, &mut stats, out_of_time, false);
        d.restore(&quick.chosen, &[]);
    }
    local_search(&mut d, &mut rng, &mut stats, how, started, enough, None);
    (d.selection(), stats)
}

/// What the rest of a plan tells a running descent.
pub struct Signals<'a> {
    /// Ends the iterated local search as soon as it holds (something better to do with the
    /// time has arrived).
    pub enough: &'a (dyn Fn() -> bool + Sync),
    /// Whether a second core is free (see [`descend_placed`]).
    pub second_core: &'a (dyn Fn() -> bool + Sync),
    /// The relaxation's value of every candidate (indexed as `cands`), set once solved:
    /// from then on every kick follows it ([`Descent::kick`]).
    pub relaxed: &'a OnceLock<Vec<f64>>,
    /// Asked once, on the second core as soon as it is free, with the best roster so far
    /// (its shifts, indices into `cands`): a different roster for the second chain to start
    /// from (the plan's relaxation-guided sub-MILP, [`crate::model::search::guided_restart`]),
    /// or `None` to start it from that best roster.
    pub restart: &'a (dyn Fn(&[usize]) -> Option<Vec<usize>> + Sync),
}

/// A relaxation that never arrives.
static NO_RELAXATION: OnceLock<Vec<f64>> = OnceLock::new();

impl Signals<'static> {
    /// Nothing ever signalled: no early end, no second core, no relaxation.
    pub fn none() -> Signals<'static> {
        Signals {
            enough: &|| false,
            second_core: &|| false,
            relaxed: &NO_RELAXATION,
            restart: &|_| None,
        }
    }
}

/// A shift with its breaks placed: the candidate, and each break's start in minutes from
/// the shift's start (in the order of [`crate::domain::breaks::break_slots`]).
pub type PlacedShift = (usize, Vec<u32>);

/// The placed descent's own value of `start` once its breaks are settled (each break
/// moved alone until no move improves) — what [`descend_placed`] would start from. Its
/// email pass is a feasible allocation, not the model's best one, so the two can part
/// (before the pass took agents off the real-time queues for a pressing backlog,
/// prime-day's guided roster was 13.6 M here against 7.54 M priced by HiGHS), and then
/// the descent would optimise the wrong objective.
pub fn settled_value(
    site: &Site,
    req: &Requirements,
    cands: &[Candidate],
    start: &[PlacedShift],
) -> f64 {
    let mut d = Descent::new(site, req, cands, false, true);
    d.put_placed(start);
    d.repressure();
    settle_breaks(&mut d, &mut DescentStats::default(), || false);
    d.total()
}

/// [`descend_until`] with every shift's breaks placed exactly, so that moves are valued on
/// the coverage the agents really give (a break where it actually falls, not spread over
/// its window): the valuation of the full model with its integer break counts. Shifts
/// start with the given breaks (any break not given, or at a start its rule does not
/// allow, goes where it costs least); a move that puts a shift on places its breaks
/// greedily, and moving one break to another start is a move of its own. Returns the
/// roster with its placement.
///
/// `second_core` says whether a second core is free: once it does (polled until the first
/// chain ends), a second chain of the iterated local search starts on it, from the best
/// roster found so far, with kicks of its own; each chain adopts the other's best when it
/// is better than its own. With a second chain the roster depends on when it started (like
/// any run stopped by time); without, it depends on the inputs and the seed only.
pub fn descend_placed(
    site: &Site,
    req: &Requirements,
    cands: &[Candidate],
    start: &[PlacedShift],
    how: &DescentOptions,
    signals: &Signals,
) -> (Vec<PlacedShift>, DescentStats) {
    let started = Instant::now();
    let incumbent = Incumbent::new(signals.relaxed);
    let first_done = AtomicBool::new(false);
    // One chain: from a roster with its breaks to be settled (`start`, or the one
    // `signals.restart` gave), or from `from` (the other chain's best).
    let chain = |salt: u64, start: &[PlacedShift], from: Option<Offered>| {
        let mut rng = ChaCha8Rng::seed_from_u64(u64::from(how.seed) ^ salt);
        let mut d = Descent::new(site, req, cands, false, true);
        match from {
            Some((_, chosen, placement)) => d.restore(&chosen, &placement),
            None => d.put_placed(start),
        }
        d.repressure();
        let mut stats = DescentStats {
            start: d.total(),
            ..DescentStats::default()
        };
        local_search(
            &mut d,
            &mut rng,
            &mut stats,
            how,
            started,
            signals.enough,
            Some(&incumbent),
        );
        (d, stats)
    };
    let (mut d, mut stats, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            // Wait for the core (or for the first chain's end, or the time's).
            loop {
                if first_done.load(Ordering::Acquire)
                    || started.elapsed().as_secs_f64() >= how.budget
                {
                    return None;
                }
                if (signals.second_core)() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            // The first chain's best so far, or a roster the plan finds from it.
            let best = incumbent.best();
            let shifts: Vec<usize> = best.as_ref().map_or_else(
                || start.iter().map(|&(c, _)| c).collect(),
                |(_, chosen, _)| chosen.iter().flatten().flatten().copied().collect(),
            );
            match (signals.restart)(&shifts) {
                Some(other) => {
                    let other: Vec<PlacedShift> =
                        other.into_iter().map(|c| (c, Vec::new())).collect();
                    let (_, mut stats) = chain(0x5ec0_9d2c, &other, None);
                    stats.guided_start = true;
                    Some(stats)
                }
                None => Some(chain(0x5ec0_9d2c, start, best).1),
            }
        });
        let (d, stats) = chain(0xb4ea_c5ed, start, None);
        first_done.store(true, Ordering::Release);
        let second = second.join().expect("the second chain does not panic");
        (d, stats, second)
    });
    if let Some(other) = second {
        stats.chains = 2;
        stats.kicks += other.kicks;
        stats.strongest_kick = stats.strongest_kick.max(other.strongest_kick);
        stats.kept_worse += other.kept_worse;
        stats.guided_kicks += other.guided_kicks;
        stats.guided_start = other.guided_start;
        stats.moves += other.moves;
        stats.stopped_by_time |= other.stopped_by_time;
        // The better of the two chains' ends (each ended on its own best).
        if let Some((total, chosen, placement)) = incumbent.best() {
            if total < d.total() - 1e-6 {
                d.restore(&chosen, &placement);
            }
        }
        stats.end = d.total();
        stats.change = stats.end - stats.start;
        stats.seconds = started.elapsed().as_secs_f64();
    }
    (d.placed_roster(), stats)
}

/// What the chains of [`descend_placed`] share: the best roster they have found (its
/// objective, shifts per employee and day, and break placement; `version` counts the
/// offers taken, so a chain takes the lock only when something changed), and the
/// relaxation once it is in ([`Signals::relaxed`]).
struct Incumbent<'a> {
    version: AtomicU64,
    best: Mutex<Option<Offered>>,
    relaxed: &'a OnceLock<Vec<f64>>,
}

/// A chain's roster as [`Incumbent`] keeps it: objective, shifts per employee and day,
/// break placement.
type Offered = (f64, Vec<Vec<Option<usize>>>, Vec<u16>);

impl<'a> Incumbent<'a> {
    fn new(relaxed: &'a OnceLock<Vec<f64>>) -> Incumbent<'a> {
        Incumbent {
            version: AtomicU64::new(0),
            best: Mutex::new(None),
            relaxed,
        }
    }

    /// Offer a chain's best: taken when better than the incumbent.
    fn offer(&self, d: &Descent, total: f64) {
        let mut best = self.best.lock().expect("no chain panics holding it");
        if best.as_ref().is_none_or(|b| total < b.0 - 1e-6) {
            *best = Some((total, d.chosen.clone(), d.placement.clone()));
            self.version.fetch_add(1, Ordering::AcqRel);
        }
    }

    fn best(&self) -> Option<Offered> {
        self.best
            .lock()
            .expect("no chain panics holding it")
            .clone()
    }
}

/// The descent from the state in `d`, then (with `how.perturb`) the iterated local search
/// until `how.budget` seconds from `started` or `enough()`; `stats` completed.
fn local_search(
    d: &mut Descent,
    rng: &mut ChaCha8Rng,
    stats: &mut DescentStats,
    how: &DescentOptions,
    started: Instant,
    enough: &dyn Fn() -> bool,
    shared: Option<&Incumbent>,
) {
    let out_of_time = || started.elapsed().as_secs_f64() > how.budget;
    let n_emp = d.site.employees.len();
    settle_breaks(d, stats, out_of_time);
    if !d.breaks.is_empty() && std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some() {
        eprintln!(
            "descent: breaks settled at {:.0} after {:.2} s",
            d.total(),
            started.elapsed().as_secs_f64()
        );
    }
    sweep(d, rng, stats, out_of_time, false);
    let mut kicks_ran_out = false;
    let mut clock_ended = false;
    if std::env::var_os("SHIFTWISE_LOG_SEARCH").is_some() {
        eprintln!(
            "descent: local optimum {:.0} after {:.2} s, {} sweeps",
            d.total(),
            started.elapsed().as_secs_f64(),
            stats.sweeps
        );
    }
    if how.perturb {
        // Iterated local search: kick a few employees on one day to other shifts (drawn from
        // the relaxation once it is in), repair by descent on them and their colleagues of
        // the same skill group, keep the result if it keeps every hard rule and is better
        // than the best, or a little worse than the chain's current roster; else go back.
        let mut best = (d.chosen.clone(), d.placement.clone());
        let mut best_total = d.total();
        let breach = d.total_breach();
        let mut failed = 0;
        let mut seen = 0;
        if let Some(shared) = shared {
            shared.offer(d, best_total);
        }
        // A kick and its repair run whole: one starts only with at least the longest so far
        // left of the budget (prime-day's take over a second each; a kick begun just before
        // the end overran a 60-s plan by 0.6 s), counted per employee moved so that a
        // stronger kick expects to take longer.
        let mut longest_per_employee = 0.0_f64;
        let base = if d.breaks.is_empty() {
            KICK_EMPLOYEES
        } else {
            KICK_EMPLOYEES_PLACED
        };
        let mut strength = base;
        // The chain's current roster when it is not the best: one a little worse kept after
        // a kick.
        let mut astray: Option<Offered> = None;
        // Cycles of escalation since the last improvement (this one included).
        let mut cycles = 1;
        loop {
            // A run of failed kicks: twice as many employees moved, up to the strongest;
            // after the strongest, the ordinary kick again.
            if failed >= MAX_FAILED_KICKS && strength < base * KICK_ESCALATION {
                strength *= 2;
                failed = 0;
            } else if failed >= MAX_FAILED_KICKS && cycles < KICK_CYCLES {
                cycles += 1;
                strength = base;
                failed = 0;
            }
            // The next kick would not fit in what is left: the clock ends the chain.
            clock_ended = started.elapsed().as_secs_f64() + longest_per_employee * strength as f64
                >= how.budget;
            if clock_ended
                || failed >= MAX_FAILED_KICKS
                || enough()
                || how.kicks.is_some_and(|most| stats.kicks >= most)
            {
                break;
            }
            let kick_started = Instant::now();
            // Another chain's better roster is taken up (both keep every hard rule).
            if let Some(shared) = shared {
                let version = shared.version.load(Ordering::Acquire);
                if version != seen {
                    seen = version;
                    if let Some((total, chosen, placement)) = shared.best() {
                        if total < best_total - 1e-6 {
                            d.restore(&chosen, &placement);
                            best = (chosen, placement);
                            best_total = d.total();
                            astray = None;
                            failed = 0;
                            strength = base;
                            cycles = 1;
                        }
                    }
                }
            }
            stats.kicks += 1;
            // The kick's own strength: an improvement below sets `strength` back.
            let kicked = strength;
            stats.strongest_kick = stats.strongest_kick.max(kicked);
            let relaxed = shared
                .and_then(|s| s.relaxed.get())
                .filter(|r| r.len() == d.cands.len());
            stats.guided_kicks += usize::from(relaxed.is_some());
            let moved = d.kick(rng, kicked, relaxed.map(Vec::as_slice));
            let mut mates: Vec<usize> = (0..n_emp)
                .filter(|&e| {
                    !moved.contains(&e) && moved.iter().any(|&m| d.duty_of[m] == d.duty_of[e])
                })
                .collect();
            mates.shuffle(rng);
            mates.truncate(REPAIR_MATES);
            let touched: Vec<usize> = moved.iter().copied().chain(mates).collect();
            for _ in 0..REPAIR_ROUNDS {
                let mut changed = false;
                for &e in &touched {
                    changed |= d.improve(e) < 0.0;
                    changed |= d.hand_over(e) < 0.0;
                    changed |= d.rebreak(e) < 0.0;
                }
                if !changed {
                    break;
                }
            }
            let total = d.total();
            let keeps = d.total_breach() <= breach + 1e-9;
            let current = astray.as_ref().map_or(best_total, |a| a.0);
            if total < best_total - 1e-6 && keeps {
                // The valuation follows the new roster (its pressure re-read).
                let total = total + d.repressure();
                stats.moves += 1;
                stats.change += total - best_total;
                best_total = total;
                best = (d.chosen.clone(), d.placement.clone());
                astray = None;
                failed = 0;
                strength = base;
                cycles = 1;
                if let Some(shared) = shared {
                    shared.offer(d, total);
                }
            } else if keeps
                && total < current + KEEP_WORSE * current.abs()
                && (total - current).abs() > 1e-6
            {
                // A little worse than the current roster: the chain goes on from it, its
                // valuation following it (without, 2.16 % instead of 2.08 % on the ten seeds).
                let total = total + d.repressure();
                astray = Some((total, d.chosen.clone(), d.placement.clone()));
                stats.kept_worse += 1;
                failed += 1;
            } else {
                match &astray {
                    Some((_, chosen, placement)) => d.restore(chosen, placement),
                    None => d.restore(&best.0, &best.1),
                }
                failed += 1;
            }
            longest_per_employee =
                longest_per_employee.max(kick_started.elapsed().as_secs_f64() / kicked as f64);
        }
        kicks_ran_out = failed >= MAX_FAILED_KICKS;
        // The chain ends on its best.
        if astray.is_some() {
            d.restore(&best.0, &best.1);
            d.repressure();
        }
    }
    stats.seconds = started.elapsed().as_secs_f64();
    stats.stopped_by_time = (out_of_time() || clock_ended) && !kicks_ran_out;
    stats.end = d.total();
    stats.chains = 1;
}

/// With breaks placed exactly: move single breaks only, over every employee in turn, until
/// no break move improves or `stop()`. A roster whose breaks were placed one shift at a time
/// (each seeing only the shifts put before it) starts far from its placement's optimum, and
/// a break move is much cheaper to value than a shift move (gen-300: the sweeps with every
/// move took 20.6 s from such a start).
fn settle_breaks(d: &mut Descent, stats: &mut DescentStats, stop: impl Fn() -> bool) {
    if d.breaks.is_empty() {
        return;
    }
    loop {
        let mut improved = false;
        for e in 0..d.chosen.len() {
            if stop() {
                return;
            }
            let change = d.rebreak(e);
            if change < 0.0 {
                stats.moves += 1;
                stats.change += change;
                improved = true;
            }
        }
        if !improved {
            return;
        }
    }
}

/// Sweep over the employees in a random order, each taking their best improving move and
/// hand-over, until a sweep improves nothing or `stop()`. With `check`, every move's
/// predicted change is compared with the objective recomputed from scratch (tests).
fn sweep(
    d: &mut Descent,
    rng: &mut ChaCha8Rng,
    stats: &mut DescentStats,
    stop: impl Fn() -> bool,
    check: bool,
) {
    let n_emp = d.chosen.len();
    'sweeps: loop {
        stats.sweeps += 1;
        d.repressure();
        let mut order: Vec<usize> = (0..n_emp).collect();
        order.shuffle(rng);
        let mut improved = false;
        for e in order {
            if stop() {
                break 'sweeps;
            }
            for k in 0..3 {
                let before = if check { d.total() } else { 0.0 };
                let change = match k {
                    0 => d.improve(e),
                    1 => d.hand_over(e),
                    _ => d.rebreak(e),
                };
                if check && change < 0.0 {
                    let actual = d.total() - before;
                    assert!(
                        (actual - change).abs() <= 1e-6 * before.abs().max(1.0),
                        "move of employee {e} valued {change} but changed the objective by {actual}"
                    );
                }
                if change < 0.0 {
                    stats.moves += 1;
                    stats.change += change;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// The descent's objective of `selected`: the sub-models' objective, with email as an upper
/// bound (see the module notes).
pub fn objective(site: &Site, req: &Requirements, cands: &[Candidate], selected: &[usize]) -> f64 {
    let mut d = Descent::new(site, req, cands, false, false);
    for &c in selected {
        d.apply(c, 1.0);
    }
    d.total()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{candidate_shifts, greedy::greedy_roster, Builder};
    use crate::solve::{solve, SolveOptions};

    const QUICK: DescentOptions = DescentOptions {
        seed: 0,
        budget: 1e9,
        spread_first: true,
        perturb: false,
        kicks: None,
    };

    /// Tokyo without its email queue: the descent's objective is then exactly the model's.
    fn tokyo_without_email() -> (Site, Requirements) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/tokyo");
        let (site, _) = crate::load_site(&dir).expect("data/tokyo loads");
        let mut req = crate::staffing::requirements(&site);
        for (q, queue) in site.queues.iter().enumerate() {
            if queue.is_deferred() {
                req.agents[q].iter_mut().for_each(|a| *a = 0.0);
                req.deferred[q] = None;
            }
        }
        (site, req)
    }

    fn priced(site: &Site, req: &Requirements, cands: &[Candidate], selected: &[usize]) -> f64 {
        let chosen: Vec<Candidate> = selected.iter().map(|&c| cands[c].clone()).collect();
        let k = chosen.len();
        let mut b = Builder::restricted(site, req, chosen, vec![true; k], false, false);
        b.build(Family::ALL);
        let lm = std::mem::take(&mut b.lm);
        let out = solve(lm, &SolveOptions::default()).expect("HiGHS runs");
        assert!(out.status.has_solution(), "{:?}", out.status);
        out.objective
    }

    #[test]
    fn the_iterated_search_gives_way_when_told() {
        let (site, req) = tokyo_without_email();
        let cands = candidate_shifts(&site);
        let start = greedy_roster(&site, &req, &cands);
        let how = DescentOptions {
            budget: 5.0,
            perturb: true,
            ..QUICK
        };
        let (_, told) = descend_until(&site, &req, &cands, &start, &how, &|| true);
        assert_eq!(told.kicks, 0, "no kick once something better has arrived");
        assert!(told.moves > 0, "the descent itself still runs");
        let (_, free) = descend_until(&site, &req, &cands, &start, &how, &|| false);
        assert!(free.kicks > 0);
    }

    #[test]
    fn flow_reroutes_to_serve_both_queues() {
        // Groups: a (queue 1 only), b (queues 1 and 2), one agent each; serving queue 1 is
        // worth 5, queue 2 worth 3. Sending b to queue 1 first (the greedy choice) leaves a
        // idle: 5. The optimum reroutes through the reverse arc: a→1, b→2, worth 8.
        let mut f = Flow::new(6);
        let (a, b, q1, q2, sink) = (1, 2, 3, 4, 5);
        f.arc(0, a, 1.0, 0.0);
        f.arc(0, b, 1.0, 0.0);
        f.arc(b, q1, f64::INFINITY, 0.0);
        f.arc(a, q1, f64::INFINITY, 0.0);
        f.arc(b, q2, f64::INFINITY, 0.0);
        let k1 = f.arc(q1, sink, 1.0, -5.0);
        let k2 = f.arc(q2, sink, 1.0, -3.0);
        assert!((f.min_cost() + 8.0).abs() < 1e-12);
        assert!((f.flow(k1) - 1.0).abs() < 1e-12 && (f.flow(k2) - 1.0).abs() < 1e-12);
    }

    /// Descend from the greedy roster with every move's value checked against the change
    /// of the descent's running objective, and that objective, at the end, against one
    /// built from scratch for the roster it ended on (with `exact_breaks`, every break
    /// placed, greedily at first, and rebuilt where the descent left it).
    fn checked_descent(site: &Site, req: &Requirements, exact_breaks: bool) -> usize {
        let cands = candidate_shifts(site);
        let start = greedy_roster(site, req, &cands);
        let mut stats = DescentStats::default();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for spread in [true, false] {
            let mut d = Descent::new(site, req, &cands, spread, exact_breaks);
            for &c in &start {
                let (_, placement) = d.add_change(c);
                d.put(c, &placement);
            }
            sweep(&mut d, &mut rng, &mut stats, || false, true);
            let mut fresh = Descent::new(site, req, &cands, spread, exact_breaks);
            for c in d.selection() {
                let placement = d.placed(c).to_vec();
                fresh.put(c, &placement);
            }
            let (running, rebuilt) = (d.total(), fresh.total());
            assert!(
                (running - rebuilt).abs() <= 1e-6 * rebuilt.abs().max(1.0),
                "the descent's running objective {running} against {rebuilt} rebuilt from its roster"
            );
        }
        stats.moves
    }

    #[test]
    fn every_move_is_valued_exactly() {
        // Seattle: fairness, team leads, a DST week, employees in other zones; Tokyo: email,
        // students, seats.
        for name in ["seattle-dst", "tokyo"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("data")
                .join(name);
            let (site, _) = crate::load_site(&dir).expect("example site loads");
            assert!(site.fairness.weight > 0.0);
            let req = crate::staffing::requirements(&site);
            assert!(
                checked_descent(&site, &req, false) > 0,
                "{name}: no move at all"
            );
        }
    }

    /// Tokyo as it is (email included) and its requirements.
    fn tokyo() -> (Site, Requirements) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/tokyo");
        let (site, _) = crate::load_site(&dir).expect("data/tokyo loads");
        let req = crate::staffing::requirements(&site);
        (site, req)
    }

    /// The descent's state with the greedy roster on, every break placed.
    fn greedy_placed<'a>(
        site: &'a Site,
        req: &'a Requirements,
        cands: &'a [Candidate],
    ) -> Descent<'a> {
        let mut d = Descent::new(site, req, cands, false, true);
        for c in greedy_roster(site, req, cands) {
            let (_, placement) = d.add_change(c);
            d.put(c, &placement);
        }
        d
    }

    #[test]
    fn with_agents_taken_off_the_phone_for_email_every_move_is_valued_exactly() {
        // Tokyo's greedy roster leaves its email late when only idle agents do it: the
        // placed descent values taking agents off the real-time queues, and every move
        // (whether its idle-agent pass settles before the diversion or not) is valued as
        // the week recomputed from scratch values it.
        let (site, req) = tokyo();
        let cands = candidate_shifts(&site);
        let mut d = greedy_placed(&site, &req, &cands);
        let idle_only = d.total();
        let change = d.repressure();
        assert!(d.divert_from.is_some(), "diversion in use");
        assert!(change < -0.5 * idle_only, "{idle_only} {change}");
        let visited = std::cell::Cell::new(0);
        let mut stats = DescentStats::default();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let stop = || {
            visited.set(visited.get() + 1);
            visited.get() > 150
        };
        sweep(&mut d, &mut rng, &mut stats, stop, true);
        assert!(stats.moves > 0);
    }

    #[test]
    fn the_email_tail_follows_the_idle_agents_pass() {
        // Tokyo's greedy roster leaves email late over long stretches: a move's pass runs
        // far past its last change, and the tail table must value it as the pass does.
        let (site, req) = tokyo();
        let cands = candidate_shifts(&site);
        let mut d = greedy_placed(&site, &req, &cands);
        // Everyone off on an even day works it too: email catches up there and falls
        // behind again on the odd days, so passes both stop early and run long.
        for e in 0..d.chosen.len() {
            for day in (0..d.chosen[e].len()).step_by(2) {
                if d.chosen[e][day].is_none() {
                    if let Some(&c) = d.by_day[e][day].first() {
                        let (_, placement) = d.add_change(c);
                        d.put(c, &placement);
                    }
                }
            }
        }
        assert_eq!(d.email.len(), 1);
        let n = site.grid.len();
        let (mut long, mut cases) = (0, 0);
        for from in (1..n).step_by(5) {
            for shift in [-3.0, -0.4, -0.01, 0.02, 0.5, 4.0] {
                let old = d.idle_done[from - 1][0];
                let new = (old + shift).clamp(0.0, d.email[0].arrived_by[from - 1]);
                let delta = new - old;
                // The pass itself, interval by interval, until back on course.
                let mut done = vec![new];
                let mut expected = 0.0;
                let mut steps = 0;
                for i in from..n {
                    if (done[0] - d.idle_done[i - 1][0]).abs() <= 1e-12 {
                        break;
                    }
                    expected += d.idle_step(i, &mut done, &d.room[i].free) - d.idle_step_cost[i];
                    steps += 1;
                }
                let tail = d
                    .email_tail_change(from, delta, usize::MAX)
                    .expect("no diversion asked");
                assert!(
                    (tail - expected).abs() <= 1e-6 * expected.abs().max(1.0),
                    "from {from}, delta {delta}: tail {tail}, pass {expected}"
                );
                cases += 1;
                long += usize::from(steps >= 20 && expected.abs() > 1.0);
            }
        }
        let capped = d.email_tail.iter().filter(|t| t[0] <= 1e-12).count();
        let spare = d.email_tail.iter().filter(|t| t[1] > 1e-12).count();
        assert!(
            capped >= 10 && spare >= 10,
            "the pass catches up in {capped} intervals, with work to spare in {spare}"
        );
        assert!(
            long >= 10,
            "only {long} of {cases} passes ran long enough to matter"
        );
        // Whole blocks of the table are stepped over by passes both ahead and behind...
        let ahead = d.email_tail_blocks.iter().filter(|b| b[0] >= 0.5).count();
        let behind = d.email_tail_blocks.iter().filter(|b| b[1] <= -0.4).count();
        assert!(
            ahead >= 3 && behind >= 3,
            "blocks a pass crosses unchanged: {ahead} ahead by 0.5, {behind} behind by 0.4"
        );
        // ...but never past the first diverting interval.
        let quiet = d
            .email_tail_blocks
            .iter()
            .position(|b| b[0] >= 0.5)
            .expect("a block crossed unchanged")
            * TAIL_BLOCK;
        assert_eq!(d.email_tail_change(quiet, 0.5, quiet + 3), None);
        // Reaching the first diverting interval asks for the week afresh.
        let late = (1..n)
            .find(|&i| d.email_tail[i][0] > 1.0 && d.email_tail[i - 1][0] > 1.0)
            .expect("a late stretch");
        assert_eq!(d.email_tail_change(late, 0.5, late + 1), None);
    }

    /// Everything a removal changes, bit for bit (`f64`s as bits).
    fn snapshot(d: &Descent) -> Vec<u64> {
        let mut out: Vec<u64> = Vec::new();
        out.extend(d.duty.iter().flatten().map(|x| x.to_bits()));
        out.extend(d.leads.iter().map(|x| x.to_bits()));
        out.extend(d.cost.iter().map(|x| x.to_bits()));
        for r in &d.room {
            out.extend(r.free.iter().map(|x| x.to_bits()));
            out.extend(
                r.divert
                    .iter()
                    .flat_map(|(a, b)| [a.to_bits(), b.to_bits()]),
            );
        }
        out.push(d.email_cost.to_bits());
        out.extend(d.idle_step_cost.iter().map(|x| x.to_bits()));
        out.extend(d.idle_done.iter().flatten().map(|x| x.to_bits()));
        out.extend(d.email_tail.iter().flatten().map(|x| x.to_bits()));
        out.extend(d.email_tail_blocks.iter().flatten().map(|x| x.to_bits()));
        out.extend(&d.generation);
        out.push(d.email_generation);
        out.extend(d.onsite.iter().map(|&n| u64::from(n)));
        out.extend(d.counts.iter().flatten().map(|&n| u64::from(n)));
        out.extend(
            d.fair_counts
                .iter()
                .flatten()
                .flatten()
                .map(|&n| u64::from(n)),
        );
        out.extend(
            d.chosen
                .iter()
                .flatten()
                .map(|c| c.map_or(u64::MAX, |c| c as u64)),
        );
        out.push(d.total().to_bits());
        out
    }

    #[test]
    fn a_removal_tried_and_undone_leaves_the_state_exactly_as_it_was() {
        // Taking a shift off and putting it back by `apply` leaves the on-duty counts a
        // rounding away from where they were; `undo` must give back every bit, the
        // remembered arrivals and the generations included.
        let (site, req) = tokyo();
        let cands = candidate_shifts(&site);
        let mut d = greedy_placed(&site, &req, &cands);
        d.repressure();
        let on: Vec<usize> = d.selection().into_iter().step_by(9).collect();
        assert!(on.len() > 20);
        for c in on {
            let before = snapshot(&d);
            let arrivals = d.cache.iter().map(|m| m.len()).sum::<usize>();
            let undo = d.take_off(c);
            assert_ne!(
                snapshot(&d),
                before,
                "taking candidate {c} off changed nothing"
            );
            // Another removal tried inside: its own undo first.
            if let Some(other) = d
                .chosen
                .iter()
                .flatten()
                .flatten()
                .copied()
                .find(|&o| o != c)
            {
                let inner = d.take_off(other);
                d.undo(other, inner);
            }
            d.undo(c, undo);
            assert_eq!(snapshot(&d), before, "candidate {c} taken off and undone");
            assert_eq!(d.cache.iter().map(|m| m.len()).sum::<usize>(), arrivals);
        }
    }

    #[test]
    fn a_shape_remembered_is_valued_as_a_fresh_one() {
        // Between moves, trials and undone removals, every candidate's remembered change
        // (coverage, breaks' placement, email) must equal one computed afresh. A state
        // change that forgot to renew an interval's generation would leave stale values.
        let (site, req) = tokyo();
        let cands = candidate_shifts(&site);
        let mut d = greedy_placed(&site, &req, &cands);
        d.repressure();
        let shared = d.shape.len() - d.added.len();
        assert!(shared > 1_000, "candidates sharing a shape: {shared}");
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let check = |d: &mut Descent, rng: &mut ChaCha8Rng| {
            use rand::Rng;
            let tried: Vec<usize> = (0..400).map(|_| rng.gen_range(0..cands.len())).collect();
            let remembered: Vec<(f64, Vec<u16>)> = tried.iter().map(|&c| d.add_change(c)).collect();
            // Again, from memory.
            for (&c, r) in tried.iter().zip(&remembered) {
                assert_eq!(d.add_change(c), *r, "candidate {c} valued twice");
            }
            d.added.iter_mut().for_each(|a| *a = None);
            for (&c, r) in tried.iter().zip(&remembered) {
                let fresh = d.add_change(c);
                assert_eq!(fresh.1, r.1, "candidate {c}: breaks placed apart");
                assert_eq!(
                    fresh.0.to_bits(),
                    r.0.to_bits(),
                    "candidate {c}: {} vs {}",
                    fresh.0,
                    r.0
                );
            }
        };
        check(&mut d, &mut rng);
        let mut moved = 0;
        for e in 0..site.employees.len() {
            // A removal tried and undone, then a move applied, between checks.
            if let Some(c) = d.chosen[e].iter().flatten().copied().next() {
                let undo = d.take_off(c);
                check(&mut d, &mut rng);
                d.undo(c, undo);
            }
            if d.improve(e) < 0.0 || d.hand_over(e) < 0.0 {
                moved += 1;
                check(&mut d, &mut rng);
            }
            if moved >= 6 {
                break;
            }
        }
        assert!(moved >= 6, "only {moved} moves");
    }

    #[test]
    fn fairness_from_the_counts_histogram_is_the_spread_over_members() {
        let (site, req) = tokyo();
        assert!(site.fairness.weight > 0.0);
        let cands = candidate_shifts(&site);
        let mut d = greedy_placed(&site, &req, &cands);
        for e in 0..site.employees.len() {
            d.improve(e);
        }
        let brute = |d: &Descent, g: usize, replaced: &[(usize, [u32; 2])]| -> f64 {
            let mut ext = [[u32::MAX, 0]; 2];
            for &m in &d.fair_groups[g] {
                let counts = replaced
                    .iter()
                    .find(|(e, _)| *e == m)
                    .map_or(d.counts[m], |(_, c)| *c);
                for (x, n) in ext.iter_mut().zip(counts) {
                    *x = [x[0].min(n), x[1].max(n)];
                }
            }
            (0..2)
                .map(|k| site.fairness.weight * f64::from(ext[k][1] - ext[k][0]))
                .sum()
        };
        let mut compared = 0;
        for g in 0..d.fair_groups.len() {
            let members = d.fair_groups[g].clone();
            if members.len() < 2 {
                continue;
            }
            assert_eq!(d.group_fairness(g, &[]), brute(&d, g, &[]));
            for &a in &members {
                for &b in members.iter().take(5) {
                    for counts in [[0, 0], [2, 1], [5, 0], [1, 4]] {
                        let replaced = [(a, counts), (b, [counts[1], counts[0]])];
                        let one = &replaced[..1 + usize::from(a != b)];
                        assert_eq!(d.group_fairness(g, one), brute(&d, g, one), "group {g}");
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 100);
        // The spread is not trivially 0: some group has members working weekends.
        assert!((0..d.fair_groups.len())
            .any(|g| d.fair_groups[g].len() >= 2 && d.group_fairness(g, &[]) > 0.0));
    }

    #[test]
    fn with_breaks_placed_every_move_is_valued_exactly() {
        // Tokyo has meal and mindfulness breaks on a 30-minute grid (15-minute breaks take
        // half an interval); the sweeps include moving single breaks.
        let (site, req) = tokyo_without_email();
        assert!(!site.break_rules.is_empty());
        assert!(checked_descent(&site, &req, true) > 0, "no move at all");
    }

    /// The fixed-shift model of `selected` with exact breaks, its break counts pinned to
    /// `placed` when given (else HiGHS places them), solved: objective and placement.
    fn priced_with_breaks(
        site: &Site,
        req: &Requirements,
        cands: &[Candidate],
        selected: &[usize],
        placed: Option<&[Vec<u32>]>,
    ) -> (f64, Vec<Vec<u32>>) {
        let chosen: Vec<Candidate> = selected.iter().map(|&c| cands[c].clone()).collect();
        let k = chosen.len();
        let mut b = Builder::restricted(site, req, chosen, vec![true; k], false, true);
        b.build(Family::ALL);
        if let Some(placed) = placed {
            b.pin_placement(placed);
        }
        let lm = std::mem::take(&mut b.lm);
        let out = solve(lm, &SolveOptions::default()).expect("HiGHS runs");
        assert!(out.status.has_solution(), "{:?}", out.status);
        let offsets = b
            .placement(&out)
            .into_iter()
            .map(|p| p.into_iter().map(|(_, o)| o).collect())
            .collect();
        (out.objective, offsets)
    }

    /// Tokyo without email, its candidates, and the greedy roster with no break placed.
    fn tokyo_greedy_unplaced() -> (Site, Requirements, Vec<Candidate>, Vec<PlacedShift>) {
        let (site, req) = tokyo_without_email();
        let cands = candidate_shifts(&site);
        let greedy = greedy_roster(&site, &req, &cands);
        let start = greedy.iter().map(|&c| (c, Vec::new())).collect();
        (site, req, cands, start)
    }

    #[test]
    fn settling_breaks_moves_only_breaks_and_ends_where_no_break_move_improves() {
        let (site, req, cands, start) = tokyo_greedy_unplaced();
        let mut d = Descent::new(&site, &req, &cands, false, true);
        d.put_placed(&start);
        let (shifts, before) = (d.chosen.clone(), d.total());
        let mut stats = DescentStats::default();
        settle_breaks(&mut d, &mut stats, || false);
        assert_eq!(d.chosen, shifts, "settling moved a shift");
        // Breaks placed one shift at a time, each seeing only the shifts before it, leave
        // much to gain.
        assert!(stats.moves > 0 && d.total() < before - 1e-6);
        assert!((d.total() - (before + stats.change)).abs() <= 1e-6 * before);
        for e in 0..site.employees.len() {
            assert_eq!(d.rebreak(e), 0.0, "employee {e}'s breaks can still move");
        }
        // Its value is the model's with the break counts pinned to the placement.
        let (selected, offsets): (Vec<usize>, Vec<Vec<u32>>) =
            d.placed_roster().into_iter().unzip();
        let (pinned, _) = priced_with_breaks(&site, &req, &cands, &selected, Some(&offsets));
        assert!(
            (pinned - d.total()).abs() <= 1e-6 * pinned,
            "{pinned} vs {}",
            d.total()
        );
    }

    #[test]
    fn a_converged_chain_kicks_harder_before_it_ends() {
        // Seattle (15 people): the iterated search runs out of kicks in seconds.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/seattle-dst");
        let (site, _) = crate::load_site(&dir).expect("data/seattle-dst loads");
        let req = crate::staffing::requirements(&site);
        assert!(!site.break_rules.is_empty());
        let cands = candidate_shifts(&site);
        let start: Vec<PlacedShift> = greedy_roster(&site, &req, &cands)
            .into_iter()
            .map(|c| (c, Vec::new()))
            .collect();
        let how = DescentOptions {
            perturb: true,
            ..QUICK
        };
        let (_, stats) = descend_placed(&site, &req, &cands, &start, &how, &Signals::none());
        assert!(!stats.stopped_by_time, "the kicks ran out, not the clock");
        assert_eq!(
            stats.strongest_kick,
            KICK_EMPLOYEES_PLACED * KICK_ESCALATION,
            "it ended before its strongest kicks had failed"
        );
        // Three strengths, each failing MAX_FAILED_KICKS times, in every cycle.
        assert!(
            stats.kicks >= 3 * KICK_CYCLES * MAX_FAILED_KICKS,
            "{} kicks",
            stats.kicks
        );
        // Given a tenth of that time, the clock ends the chain — also when it stops because its
        // next kick would not fit in what is left of the budget.
        let half = DescentOptions {
            budget: stats.seconds / 10.0,
            ..how
        };
        let (_, short) = descend_placed(&site, &req, &cands, &start, &half, &Signals::none());
        assert!(short.kicks < stats.kicks, "{} kicks", short.kicks);
        assert!(short.stopped_by_time, "the clock, not the kicks, ended it");
        // Some kicked rosters a little worse than the current one were kept, yet the chain
        // ends on its best: the roster it last offered as its best.
        assert!(stats.kept_worse > 0, "no worse roster kept");
        let shared = Incumbent::new(&NO_RELAXATION);
        let mut d = Descent::new(&site, &req, &cands, false, true);
        d.put_placed(&start);
        d.repressure();
        let mut again = DescentStats::default();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let few = DescentOptions {
            kicks: Some(150),
            ..how
        };
        local_search(
            &mut d,
            &mut rng,
            &mut again,
            &few,
            Instant::now(),
            &|| false,
            Some(&shared),
        );
        assert!(again.kept_worse > 0);
        let (best, chosen, _) = shared.best().expect("a best offered");
        assert_eq!(
            d.chosen, chosen,
            "the chain ended elsewhere than on its best"
        );
        assert!((d.total() - best).abs() <= 1e-3, "{} vs {best}", d.total());
    }

    #[test]
    fn a_chain_takes_up_a_better_roster_another_chain_offers() {
        let (site, req, cands, start) = tokyo_greedy_unplaced();
        let long = DescentOptions {
            budget: 8.0,
            perturb: true,
            ..QUICK
        };
        let (better, found) = descend_placed(&site, &req, &cands, &start, &long, &Signals::none());
        assert_eq!(found.chains, 1);
        // The other chain's roster, offered.
        let mut other = Descent::new(&site, &req, &cands, false, true);
        other.put_placed(&better);
        assert!((other.total() - found.end).abs() <= 1e-6 * found.end);
        let shared = Incumbent::new(&NO_RELAXATION);
        shared.offer(&other, other.total());
        // A worse offer leaves it.
        let mut worse = Descent::new(&site, &req, &cands, false, true);
        worse.put_placed(&start);
        shared.offer(&worse, worse.total());
        assert_eq!(shared.version.load(Ordering::Acquire), 1);
        // A chain from the greedy roster allowed one kick: its descent alone ends well above
        // the offered roster, which it takes up.
        let mut d = Descent::new(&site, &req, &cands, false, true);
        d.put_placed(&start);
        let mut stats = DescentStats::default();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let once = std::cell::Cell::new(false);
        let enough = || once.replace(true);
        let how = DescentOptions {
            budget: 1e9,
            perturb: true,
            ..QUICK
        };
        local_search(
            &mut d,
            &mut rng,
            &mut stats,
            &how,
            Instant::now(),
            &enough,
            Some(&shared),
        );
        assert_eq!(stats.kicks, 1);
        assert!(
            d.total() <= found.end + 1e-6 * found.end,
            "{} above the offered {}",
            d.total(),
            found.end
        );
    }

    /// Seattle (15 people), its candidates, and its greedy roster as a relaxation whose
    /// every value is 0 or 1.
    fn seattle_with_greedy_as_relaxation(
    ) -> (Site, Requirements, Vec<Candidate>, Vec<usize>, Vec<f64>) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/seattle-dst");
        let (site, _) = crate::load_site(&dir).expect("data/seattle-dst loads");
        let req = crate::staffing::requirements(&site);
        let cands = candidate_shifts(&site);
        let mut target = greedy_roster(&site, &req, &cands);
        target.sort_unstable();
        let mut relaxed = vec![0.0; cands.len()];
        for &c in &target {
            relaxed[c] = 1.0;
        }
        (site, req, cands, target, relaxed)
    }

    #[test]
    fn guided_kicks_take_employees_where_the_relaxation_puts_them() {
        let (site, req, cands, target, relaxed) = seattle_with_greedy_as_relaxation();
        assert!(target.len() > 20);
        // From an empty roster, kicks of every employee on a day at random: each day
        // kicked becomes the relaxation's (its shifts on, every other candidate off).
        let mut d = Descent::new(&site, &req, &cands, false, true);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let everyone = site.employees.len();
        for _ in 0..80 {
            d.kick(&mut rng, everyone, Some(&relaxed));
        }
        assert_eq!(d.selection(), target);
        // A kick changes nobody already where the relaxation puts them.
        assert!(d.kick(&mut rng, everyone, Some(&relaxed)).is_empty());
        // Half a shift, of someone who may have the day off: on about half the time.
        let free = |c: &usize| {
            let e = &site.employees[cands[*c].employee];
            site.contracts[e.contract].min_shifts_per_week == 0 && e.min_hours.is_none()
        };
        let shift = *target.iter().find(|c| free(c)).expect("a part-timer works");
        let (e, day) = (cands[shift].employee, cands[shift].day);
        let mut half = relaxed.clone();
        half[shift] = 0.5;
        let mut on = 0;
        for _ in 0..700 {
            d.kick(&mut rng, everyone, Some(&half));
            on += usize::from(d.chosen[e][day] == Some(shift));
        }
        assert!((200..=500).contains(&on), "on {on} times of 700");
    }

    #[test]
    fn once_the_relaxation_is_in_every_kick_follows_it() {
        let (site, req, cands, target, relaxed) = seattle_with_greedy_as_relaxation();
        let start: Vec<PlacedShift> = target.iter().map(|&c| (c, Vec::new())).collect();
        let how = DescentOptions {
            perturb: true,
            kicks: Some(30),
            ..QUICK
        };
        let (_, blind) = descend_placed(&site, &req, &cands, &start, &how, &Signals::none());
        assert_eq!((blind.kicks, blind.guided_kicks), (30, 0));
        let known = OnceLock::new();
        known.set(relaxed).expect("unset");
        let told = Signals {
            relaxed: &known,
            ..Signals::none()
        };
        let (_, guided) = descend_placed(&site, &req, &cands, &start, &how, &told);
        assert_eq!((guided.kicks, guided.guided_kicks), (30, 30));
    }

    #[test]
    fn the_second_chain_starts_from_the_roster_the_restart_gives() {
        let (site, req, cands, target, _) = seattle_with_greedy_as_relaxation();
        let start: Vec<PlacedShift> = target.iter().map(|&c| (c, Vec::new())).collect();
        // A better roster than the start: the iterated search's, given its kicks.
        let converged = DescentOptions {
            perturb: true,
            kicks: Some(300),
            ..QUICK
        };
        let (better, found) =
            descend_placed(&site, &req, &cands, &start, &converged, &Signals::none());
        let better: Vec<usize> = better.into_iter().map(|(c, _)| c).collect();
        assert!(found.end < found.start - 1.0);
        let asked = Mutex::new(Vec::new());
        let restart = |shifts: &[usize]| {
            asked.lock().unwrap().push(shifts.to_vec());
            Some(better.clone())
        };
        let how = DescentOptions {
            budget: 2.0,
            perturb: true,
            ..QUICK
        };
        // Two chains, the second core free at once.
        let two_chains = |restart: &(dyn Fn(&[usize]) -> Option<Vec<usize>> + Sync)| {
            let signals = Signals {
                second_core: &|| true,
                restart,
                ..Signals::none()
            };
            descend_placed(&site, &req, &cands, &start, &how, &signals).1
        };
        let stats = two_chains(&restart);
        let asked = asked.into_inner().unwrap();
        assert_eq!(asked.len(), 1, "asked once, when the second core was free");
        // What it was asked with is a roster: the start, or the first chain's best.
        assert!(asked[0].len() >= target.len() / 2);
        assert!((stats.chains, stats.guided_start) == (2, true));
        // The plan ends no worse than the restart's roster (its breaks settled again).
        assert!(
            stats.end <= found.end * (1.0 + 1e-3),
            "{} against the restart's {}",
            stats.end,
            found.end
        );
        // Without a roster from the restart, the second chain starts from the best.
        let plain = two_chains(&|_| None);
        assert!((plain.chains, plain.guided_start) == (2, false));
    }

    #[test]
    fn with_a_second_core_two_chains_end_on_a_roster_valued_as_the_model_values_it() {
        let (site, req, cands, start) = tokyo_greedy_unplaced();
        let how = DescentOptions {
            budget: 6.0,
            perturb: true,
            ..QUICK
        };
        let (placed, stats) = descend_placed(
            &site,
            &req,
            &cands,
            &start,
            &how,
            &Signals {
                second_core: &|| true,
                ..Signals::none()
            },
        );
        assert_eq!(stats.chains, 2);
        assert!(stats.kicks > 0 && stats.end < stats.start);
        assert!((stats.change - (stats.end - stats.start)).abs() <= 1e-6 * stats.start);
        let (selected, offsets): (Vec<usize>, Vec<Vec<u32>>) = placed.into_iter().unzip();
        let (pinned, _) = priced_with_breaks(&site, &req, &cands, &selected, Some(&offsets));
        assert!(
            (pinned - stats.end).abs() <= 1e-6 * pinned,
            "two chains {} vs HiGHS with the same placement {pinned}",
            stats.end
        );
    }

    #[test]
    fn with_breaks_placed_the_objective_is_the_models_and_the_descent_improves_it() {
        let (site, req) = tokyo_without_email();
        let cands = candidate_shifts(&site);
        let greedy = greedy_roster(&site, &req, &cands);
        // HiGHS's own placement of the greedy roster, handed to the descent with no time
        // to move: its valuation is HiGHS's objective.
        let (best_placed, placement) = priced_with_breaks(&site, &req, &cands, &greedy, None);
        let mut start: Vec<PlacedShift> = greedy.iter().copied().zip(placement).collect();
        start.sort_unstable();
        let idle = DescentOptions {
            budget: 0.0,
            ..QUICK
        };
        let (same, s0) = descend_placed(&site, &req, &cands, &start, &idle, &Signals::none());
        assert!(
            (s0.start - best_placed).abs() <= 1e-6 * best_placed,
            "descent {} vs HiGHS {best_placed}",
            s0.start
        );
        assert_eq!(same, start, "no time, no move");
        assert!(s0.stopped_by_time);
        // After a descent, the model with the breaks pinned where the descent put them
        // agrees with the descent's own count, and it beats the start.
        let (descended, stats) =
            descend_placed(&site, &req, &cands, &start, &QUICK, &Signals::none());
        assert!(stats.moves > 0);
        assert!(
            !stats.stopped_by_time,
            "a local optimum, not the clock, ended it"
        );
        let selected: Vec<usize> = descended.iter().map(|(c, _)| *c).collect();
        let offsets: Vec<Vec<u32>> = descended.iter().map(|(_, o)| o.clone()).collect();
        let (pinned, _) = priced_with_breaks(&site, &req, &cands, &selected, Some(&offsets));
        assert!(
            (pinned - stats.end).abs() <= 1e-6 * pinned,
            "descent {} vs HiGHS with the same placement {pinned}",
            stats.end
        );
        assert!(pinned < best_placed - 1.0, "{pinned} !< {best_placed}");
        // Every break of every shift is at a start its rule allows.
        for (c, offsets) in &descended {
            let allowed = crate::model::candidates::break_starts(&site, &cands[*c]);
            assert_eq!(allowed.len(), offsets.len());
            for (starts, o) in allowed.iter().zip(offsets) {
                assert!(starts.iter().any(|s| s.0 == *o), "break at {o} not allowed");
            }
        }
    }

    #[test]
    fn with_email_the_objective_bounds_the_model_from_above() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/tokyo");
        let (site, _) = crate::load_site(&dir).expect("data/tokyo loads");
        let req = crate::staffing::requirements(&site);
        assert!(req.deferred.iter().any(Option::is_some), "Tokyo has email");
        let cands = candidate_shifts(&site);
        let start = greedy_roster(&site, &req, &cands);
        let (better, _) = descend(&site, &req, &cands, &start, &QUICK);
        for roster in [&start, &better] {
            let own = objective(&site, &req, &cands, roster);
            let exact = priced(&site, &req, &cands, roster);
            assert!(
                own >= exact - 1e-6 * exact,
                "descent {own} below HiGHS {exact}"
            );
        }
        // On the descended roster email is done on time by idle agents: the bound is tight.
        let (own, exact) = (
            objective(&site, &req, &cands, &better),
            priced(&site, &req, &cands, &better),
        );
        assert!(
            own - exact <= 1e-3 * exact,
            "descent {own} vs HiGHS {exact}"
        );
        assert!(exact < priced(&site, &req, &cands, &start));
        // Same seed, same roster.
        let (again, _) = descend(&site, &req, &cands, &start, &QUICK);
        assert_eq!(again, better);
    }

    #[test]
    fn objective_matches_the_model_and_descent_improves_it() {
        let (site, req) = tokyo_without_email();
        let cands = candidate_shifts(&site);
        let start = greedy_roster(&site, &req, &cands);
        let own = objective(&site, &req, &cands, &start);
        let exact = priced(&site, &req, &cands, &start);
        assert!(
            (own - exact).abs() <= 1e-6 * exact,
            "descent {own} vs HiGHS {exact}"
        );

        let (better, stats) = descend(&site, &req, &cands, &start, &QUICK);
        assert!(stats.moves > 0);
        let own_after = objective(&site, &req, &cands, &better);
        let exact_after = priced(&site, &req, &cands, &better);
        assert!(
            (own_after - exact_after).abs() <= 1e-6 * exact_after,
            "descent {own_after} vs HiGHS {exact_after}"
        );
        assert!((stats.end - own_after).abs() <= 1e-6 * own_after);
        assert!(exact_after < exact - 1.0, "{exact_after} !< {exact}");
        // A local optimum: a second descent from it finds nothing.
        let (again, s2) = descend(&site, &req, &cands, &better, &QUICK);
        assert_eq!(s2.moves, 0);
        assert_eq!(again, better);
    }
}
