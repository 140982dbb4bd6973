//! Erlang B and Erlang C queueing formulas: from offered load to agents.
//!
//! The model is the M/M/N queue (Poisson arrivals, exponential handle times,
//! `N` identical agents, infinite patience, first come first served). With
//! arrival rate `λ` and average handle time `AHT`, the *offered load* is
//! `A = λ · AHT` Erlangs (see [`offered_load`]).
//!
//! # Formulas
//!
//! * **Erlang B** (blocking probability of the loss system M/M/N/N) is computed
//!   with the classical recursion `B(0) = 1`,
//!   `B(n) = A·B(n−1) / (n + A·B(n−1))`, which is equivalent to the
//!   textbook expression `B = (A^N/N!) / Σ_{k≤N} A^k/k!` but never forms the
//!   huge powers and factorials. Internally it is evaluated in its reciprocal
//!   form `1/B(n) = 1 + (n/A)·(1/B(n−1))`, which only adds and multiplies
//!   positive numbers (so rounding errors stay relative and small) and can be
//!   unrolled to shorten the dependency chain. If `1/B` overflows, `B` is
//!   below the smallest normal `f64` and is reported as `0`.
//! * **Erlang C** (probability that a contact has to wait) follows from Erlang B:
//!   `C = N·B / (N − A·(1 − B))` for `N > A`, and `C = 1` when `N ≤ A` (the
//!   queue is unstable and every contact eventually waits).
//! * **Service level** (fraction of contacts answered within `T` seconds):
//!   `SL = 1 − C · exp(−(N − A)·T / AHT)`.
//! * **Average speed of answer**: `ASA = C · AHT / (N − A)`.
//! * **Occupancy**: `A / N`, capped at 1.
//!
//! These are the standard call-center formulas as presented, for example, in
//! G. Koole, *Call Center Optimization* (MG books, 2013), chapter on the
//! Erlang C model; the Erlang B recursion and the relation between the Erlang
//! B and Erlang C formulas are the classical ones from teletraffic theory
//! (A. K. Erlang, 1917; see any queueing text, e.g. Gross & Harris,
//! *Fundamentals of Queueing Theory*).
//!
//! # Large loads
//!
//! The recursion for `1/B` is a linear recurrence whose multipliers `n/A` are
//! at most 1 for `n ≤ A`, so an error in a starting value is damped by the
//! product `Π (n/A)` over the steps taken below `A`, and never amplified
//! (relative to the result) by the steps above `A`. When `min(N, ⌊A⌋)` is
//! above 64, the recursion for `B(N)` is therefore started `m` steps below
//! `min(N, ⌊A⌋)` from the bound `1/B(s) ≤ A/(A − s)` instead of at 0,
//! with `m` chosen so that the damping makes the starting error smaller than
//! `e^−40 ≈ 4·10^−18` relative. That is about `√(2A·(40 + ln A))` steps near
//! `N ≈ A` (about 700 instead of 5000 at `A = 5000`) and about `40·A/(A − N)`
//! steps for `N` well below `A`. Above `A`, `B` falls quickly and the
//! recursion stops as soon as `1/B` overflows. Every call therefore costs
//! `O(√(A·ln A))` steps at most, whatever the inputs.
//!
//! # Input conventions
//!
//! All functions are total on `f64`: they never panic and never loop forever.
//! A load that is zero, negative or NaN is treated as "no traffic". Times are
//! in seconds. A non-positive (or NaN) handle time is treated as "contacts
//! take no time" (every contact that waits is answered at once), and a
//! negative answer-within time as 0.

/// Below this many recursion steps the recursion simply starts at 0.
const WARM_START_MIN_STEPS: f64 = 64.0;

/// `−ln` of the relative error allowed for the warm start of the recursion.
const WARM_START_LOG_TOLERANCE: f64 = 40.0;

/// `u32::MAX` as `f64` (exact).
const MAX_SERVERS_F64: f64 = u32::MAX as f64;

/// Performance of an M/M/N queue, as returned by [`queue_stats`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueStats {
    /// Fraction of contacts answered within the answer-within time, in `[0, 1]`.
    pub service_level: f64,
    /// Average speed of answer (mean wait over all contacts) in seconds;
    /// `f64::INFINITY` when the queue is unstable (agents ≤ load).
    pub asa_seconds: f64,
    /// Agent occupancy `A / N`, capped at 1 (0 when there is no load).
    pub occupancy: f64,
    /// Probability that a contact has to wait (the Erlang C value), in `[0, 1]`.
    pub prob_wait: f64,
}

/// A staffing target for one queue: service level plus optional caps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceTarget {
    /// Required fraction of contacts answered within `answer_within` seconds,
    /// e.g. `0.8` for "80/20". Values are clamped to `[0, 1]`; NaN means no
    /// service-level requirement.
    pub service_level: f64,
    /// Answer-within time of the service level, in seconds (e.g. `20.0`).
    pub answer_within: f64,
    /// Optional cap on the average speed of answer, in seconds. A negative cap
    /// is treated as 0 (no waiting at all); NaN as no cap.
    pub max_asa: Option<f64>,
    /// Optional cap on agent occupancy `A / N`, e.g. `0.85`. A cap of 1 or more
    /// never binds; NaN means no cap; a cap of 0 or below cannot be met by any
    /// finite staffing, so [`servers_required`] saturates at `u32::MAX`.
    pub max_occupancy: Option<f64>,
}

/// Offered load in Erlangs: `contacts · aht_seconds / interval_seconds`.
///
/// Returns 0 when `interval_seconds` is not positive (there is no interval to
/// spread the work over) and clamps negative results (negative counts or
/// handle times) to 0.
pub fn offered_load(contacts: f64, aht_seconds: f64, interval_seconds: f64) -> f64 {
    if !is_positive(interval_seconds) {
        return 0.0;
    }
    let load = contacts * aht_seconds / interval_seconds;
    if is_positive(load) {
        load
    } else {
        0.0
    }
}

/// Erlang B blocking probability for `servers` servers and `load` Erlangs.
///
/// Uses the recursion `B(0) = 1`, `B(n) = A·B(n−1) / (n + A·B(n−1))` (see the
/// module documentation). `erlang_b(0, _)` is 1; with no load and at least one
/// server the result is 0; with infinite load it is 1. Works for loads of many
/// thousands of Erlangs and tens of thousands of servers without overflow.
pub fn erlang_b(servers: u32, load: f64) -> f64 {
    if servers == 0 {
        return 1.0;
    }
    if !is_positive(load) {
        return 0.0;
    }
    if load == f64::INFINITY {
        return 1.0;
    }
    inverse_erlang_b(servers, load).recip()
}

/// Erlang C probability of waiting for `servers` agents and `load` Erlangs.
///
/// `C = N·B / (N − A·(1 − B))` with `B` the Erlang B value. Returns 1 when
/// `servers ≤ load` (unstable queue) and 0 when there is no load.
pub fn erlang_c(servers: u32, load: f64) -> f64 {
    if !is_positive(load) {
        return 0.0;
    }
    let n = f64::from(servers);
    if n <= load {
        return 1.0;
    }
    wait_probability(n, load, inverse_erlang_b(servers, load))
}

/// Service level: fraction of contacts answered within `answer_within` seconds.
///
/// `SL = 1 − C · exp(−(N − A) · T / AHT)`. Returns 1 when there is no load and
/// 0 when `servers ≤ load`.
pub fn service_level(servers: u32, load: f64, aht: f64, answer_within: f64) -> f64 {
    if !is_positive(load) {
        return 1.0;
    }
    let n = f64::from(servers);
    if n <= load {
        return 0.0;
    }
    let c = wait_probability(n, load, inverse_erlang_b(servers, load));
    service_level_from(c, n - load, answer_decay(aht, answer_within))
}

/// Average speed of answer in seconds: `ASA = C · AHT / (N − A)`.
///
/// Returns 0 when there is no load and `f64::INFINITY` when `servers ≤ load`.
pub fn asa(servers: u32, load: f64, aht: f64) -> f64 {
    if !is_positive(load) {
        return 0.0;
    }
    let n = f64::from(servers);
    if n <= load {
        return f64::INFINITY;
    }
    let c = wait_probability(n, load, inverse_erlang_b(servers, load));
    asa_from(c, non_negative(aht), n - load)
}

/// All queue measures for a given staffing: the "inverse" of
/// [`servers_required`], used to evaluate a scenario's staffing.
///
/// The fields equal [`service_level`], [`asa`], the capped occupancy `A / N`
/// and [`erlang_c`] for the same arguments. With no load: service level 1,
/// ASA 0, occupancy 0, probability of waiting 0 (also for 0 agents). With
/// `servers ≤ load`: service level 0, ASA infinite, occupancy 1, probability
/// of waiting 1.
pub fn queue_stats(servers: u32, load: f64, aht: f64, answer_within: f64) -> QueueStats {
    if !is_positive(load) {
        return QueueStats {
            service_level: 1.0,
            asa_seconds: 0.0,
            occupancy: 0.0,
            prob_wait: 0.0,
        };
    }
    let n = f64::from(servers);
    if n <= load {
        return QueueStats {
            service_level: 0.0,
            asa_seconds: f64::INFINITY,
            occupancy: 1.0,
            prob_wait: 1.0,
        };
    }
    let excess = n - load;
    let c = wait_probability(n, load, inverse_erlang_b(servers, load));
    QueueStats {
        service_level: service_level_from(c, excess, answer_decay(aht, answer_within)),
        asa_seconds: asa_from(c, non_negative(aht), excess),
        occupancy: (load / n).min(1.0),
        prob_wait: c,
    }
}

/// Smallest number of agents meeting `target` for `load` Erlangs with average
/// handle time `aht` seconds.
///
/// The result `N` is 0 when there is no load; otherwise it is the smallest
/// `N > A` (so `N ≥ 1`) with service level ≥ `target.service_level`, ASA ≤
/// `target.max_asa` (if set) and `A / N ≤ target.max_occupancy` (if set). All
/// three measures are monotone in `N`, so the first `N` that meets them all is
/// the answer. Saturates at `u32::MAX` when no representable `N` suffices.
///
/// The search starts at `max(⌊A⌋ + 1, ⌈A / max_occupancy⌉)`, computes Erlang B
/// there with one pass of the recursion, then steps `N → N + 1` with a single
/// recursion step each, updating `exp(−(N − A)·T/AHT)` by a constant factor
/// (two calls to `exp` per search in total).
pub fn servers_required(load: f64, aht: f64, target: &ServiceTarget) -> u32 {
    if !is_positive(load) {
        return 0;
    }
    if load >= MAX_SERVERS_F64 {
        return u32::MAX;
    }
    let sl_target = if target.service_level.is_nan() {
        0.0
    } else {
        target.service_level.clamp(0.0, 1.0)
    };
    let asa_cap = match target.max_asa {
        Some(cap) if !cap.is_nan() => Some(non_negative(cap)),
        _ => None,
    };
    let occupancy_cap = match target.max_occupancy {
        Some(cap) if cap.is_nan() => None,
        Some(cap) if cap <= 0.0 => return u32::MAX,
        other => other,
    };

    let mut start = load.floor() + 1.0;
    if let Some(cap) = occupancy_cap {
        start = start.max((load / cap).ceil());
    }
    if start >= MAX_SERVERS_F64 {
        return u32::MAX;
    }
    // `start` is an integer in [1, u32::MAX), so the conversion is exact.
    let mut n = start as u32;
    if let Some(cap) = occupancy_cap {
        // Guard against rounding in `load / cap`: make `load / n <= cap` hold
        // exactly as the caller would check it. `load / n` is monotone in `n`.
        while load / f64::from(n) > cap {
            if n == u32::MAX {
                return n;
            }
            n += 1;
        }
    }

    let inv_load = load.recip();
    let aht = non_negative(aht);
    let decay_rate = answer_decay(aht, target.answer_within);
    let step_decay = (-decay_rate).exp();
    let mut inv_b = inverse_erlang_b(n, load);
    let mut decay = (-(f64::from(n) - load) * decay_rate).exp();
    loop {
        let nf = f64::from(n);
        let excess = nf - load;
        let c = wait_probability(nf, load, inv_b);
        let sl_ok = 1.0 - c * decay >= sl_target;
        let asa_ok = match asa_cap {
            Some(cap) => asa_from(c, aht, excess) <= cap,
            None => true,
        };
        // With C == 0 every (sanitised) target is met; the test is a
        // safety net that guarantees termination.
        if (sl_ok && asa_ok) || c == 0.0 || n == u32::MAX {
            return n;
        }
        n += 1;
        inv_b = 1.0 + (nf + 1.0) * inv_load * inv_b;
        decay *= step_decay;
    }
}

/// `x > 0`, with NaN counting as not positive.
fn is_positive(x: f64) -> bool {
    x > 0.0
}

/// `x` if positive, else 0 (NaN → 0).
fn non_negative(x: f64) -> f64 {
    if is_positive(x) {
        x
    } else {
        0.0
    }
}

/// Exponent rate `T / AHT` of the service-level formula, sanitised: 0 when
/// `T ≤ 0` (or NaN), infinite when `AHT ≤ 0` (or NaN) and `T > 0`.
fn answer_decay(aht: f64, answer_within: f64) -> f64 {
    if !is_positive(answer_within) {
        return 0.0;
    }
    if !is_positive(aht) {
        return f64::INFINITY;
    }
    let rate = answer_within / aht;
    if rate.is_nan() {
        // Both infinite: no meaningful ratio; be conservative (SL = 1 − C).
        0.0
    } else {
        rate
    }
}

/// Service level from the Erlang C value `c`, `excess = N − A > 0` and the
/// rate `T / AHT`.
fn service_level_from(c: f64, excess: f64, decay_rate: f64) -> f64 {
    (1.0 - c * (-excess * decay_rate).exp()).clamp(0.0, 1.0)
}

/// ASA from the Erlang C value `c`, a non-negative `aht` and `excess = N − A > 0`.
fn asa_from(c: f64, aht: f64, excess: f64) -> f64 {
    if c == 0.0 {
        // Avoids 0 · ∞ for an infinite handle time.
        0.0
    } else {
        c * aht / excess
    }
}

/// Erlang C from `inv_b = 1/B(N)` for `n = N > load > 0`.
///
/// Multiplying numerator and denominator of `N·B / (N − A·(1 − B))` by `1/B`
/// gives `N / ((1/B)·(N − A) + A)`, which is 0 when `1/B` overflowed.
fn wait_probability(n: f64, load: f64, inv_b: f64) -> f64 {
    (n / (inv_b * (n - load) + load)).min(1.0)
}

/// Starting point `(s, 1/B(s))` of the recursion for `1/B(servers)`, for a
/// finite `load > 0`.
///
/// Let `top = min(servers, ⌊A⌋)` and start `m` steps below it, at
/// `s = top − m`, from the upper bound `1/B(s) = Σ_j s!/((s−j)!·A^j) ≤
/// Σ_j (s/A)^j = A/(A − s)`, whose error is below `A/(A − s)`. The steps
/// `k = s+1..=top` multiply that error by `k/A = 1 − (A − k)/A ≤
/// exp(−(A − k)/A)`, in total by at most `exp(−(m·gap + m(m−1)/2)/A)` with
/// `gap = A − top`; steps above `A` do not increase the relative error, and
/// `1/B ≥ 1`. So the relative error is below `exp(−40)` once
/// `m²/2 + m·(gap − ½) ≥ A·L` with `L = 40 + ln(A / max(gap, 1))`
/// (as `A − s = gap + m ≥ max(gap, 1)`), i.e. for `m ≥ 2AL / (h + √(h² + 2AL))`,
/// `h = gap − ½`; this is evaluated divided through by `A` to avoid overflow.
fn warm_start(servers: u32, load: f64) -> (u32, f64) {
    let top = f64::from(servers).min(load.floor());
    if top <= WARM_START_MIN_STEPS {
        return (0, 1.0);
    }
    let gap = load - top;
    let budget = WARM_START_LOG_TOLERANCE + (load / gap.max(1.0)).ln().max(0.0);
    let x = (gap - 0.5) / load;
    let y = 2.0 * budget / load;
    let steps = (2.0 * budget / (x + (x * x + y).sqrt())).ceil();
    let start = top - steps;
    if start >= 1.0 {
        // `start` is an integer in [1, servers), so the conversion is exact.
        (start as u32, load / (load - start))
    } else {
        (0, 1.0)
    }
}

/// `1/B(servers, load)` for a finite `load > 0`, by the recursion
/// `1/B(n) = 1 + (n/A)·(1/B(n−1))`, unrolled four steps at a time.
///
/// Returns `f64::INFINITY` when `1/B` overflows (`B` underflows).
fn inverse_erlang_b(servers: u32, load: f64) -> f64 {
    let inv_load = load.recip();
    let (mut n, mut inv_b) = warm_start(servers, load);
    let mut nf = f64::from(n);
    while servers - n >= 4 {
        // inv_b(n+4) = 1 + a4 + a4·a3 + a4·a3·a2 + a4·a3·a2·a1 · inv_b(n)
        // with a_i = (n + i)/A; only the last multiply-add is on the
        // loop-carried dependency chain.
        let a1 = (nf + 1.0) * inv_load;
        let a2 = (nf + 2.0) * inv_load;
        let a3 = (nf + 3.0) * inv_load;
        let a4 = (nf + 4.0) * inv_load;
        let p2 = a4 * a3;
        let p3 = p2 * a2;
        let p4 = p3 * a1;
        inv_b = (1.0 + a4 + p2 + p3) + p4 * inv_b;
        n += 4;
        nf += 4.0;
        if inv_b == f64::INFINITY {
            return inv_b;
        }
    }
    while n < servers {
        n += 1;
        nf += 1.0;
        inv_b = 1.0 + nf * inv_load * inv_b;
    }
    inv_b
}

#[cfg(test)]
mod tests {
    use super::*;

    // ------------------------------------------------------------------
    // Independent oracles (no shared code with the implementation above).
    // ------------------------------------------------------------------

    /// Erlang B and C from the factorial-sum formula, with the terms
    /// `A^k/k!` built by repeated multiplication. Only for small `N` and `A`
    /// (terms must stay finite).
    /// `C = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A))`.
    fn factorial_b_c(n: u32, a: f64) -> (f64, f64) {
        let mut term = 1.0_f64; // A^k / k!
        let mut below = 0.0_f64; // Σ_{k<n} A^k/k!
        for k in 0..n {
            below += term;
            term = term * a / f64::from(k + 1);
        }
        let b = term / (below + term);
        let nf = f64::from(n);
        let c = if nf > a {
            let top = term * nf / (nf - a);
            top / (below + top)
        } else {
            1.0
        };
        (b, c)
    }

    /// The literal recursion from the specification, restarted from 0:
    /// `B(0) = 1`, `B(n) = A·B(n−1) / (n + A·B(n−1))`.
    fn spec_b(n: u32, a: f64) -> f64 {
        let mut b = 1.0_f64;
        for k in 1..=n {
            b = a * b / (f64::from(k) + a * b);
        }
        b
    }

    /// Erlang C, SL and ASA from `spec_b`, using the textbook forms.
    fn spec_c(n: u32, a: f64) -> f64 {
        let nf = f64::from(n);
        if nf <= a {
            return 1.0;
        }
        let b = spec_b(n, a);
        nf * b / (nf - a * (1.0 - b))
    }

    fn spec_sl(n: u32, a: f64, aht: f64, t: f64) -> f64 {
        let nf = f64::from(n);
        if nf <= a {
            return 0.0;
        }
        1.0 - spec_c(n, a) * (-(nf - a) * t / aht).exp()
    }

    fn spec_asa(n: u32, a: f64, aht: f64) -> f64 {
        let nf = f64::from(n);
        if nf <= a {
            return f64::INFINITY;
        }
        spec_c(n, a) * aht / (nf - a)
    }

    /// Does `n` agents meet the target according to the spec oracle?
    /// `slack > 0` makes the check lenient, `slack < 0` strict; it absorbs
    /// rounding differences between two correct evaluations.
    fn spec_meets(n: u32, a: f64, aht: f64, target: &ServiceTarget, slack: f64) -> bool {
        let nf = f64::from(n);
        if nf <= a {
            return false;
        }
        if spec_sl(n, a, aht, target.answer_within) < target.service_level - slack {
            return false;
        }
        if let Some(cap) = target.max_asa {
            if spec_asa(n, a, aht) > cap * (1.0 + slack) + slack {
                return false;
            }
        }
        if let Some(cap) = target.max_occupancy {
            // Exact check (the implementation guarantees this literally).
            if a / nf > cap {
                return false;
            }
        }
        true
    }

    fn target(sl: f64, t: f64) -> ServiceTarget {
        ServiceTarget {
            service_level: sl,
            answer_within: t,
            max_asa: None,
            max_occupancy: None,
        }
    }

    fn assert_rel(actual: f64, expected: f64, rel: f64, what: &str) {
        let err = (actual - expected).abs() / expected.abs().max(f64::MIN_POSITIVE);
        assert!(
            err <= rel,
            "{what}: got {actual:.17e}, expected {expected:.17e}, rel err {err:e} > {rel:e}"
        );
    }

    // ------------------------------------------------------------------
    // 1. Published worked examples, values from a high-precision oracle.
    // ------------------------------------------------------------------
    //
    // The oracle values below were produced by a Python script using the
    // factorial-sum form of Erlang B/C evaluated exactly with
    // `fractions.Fraction` (A = 48, A = 10) or with `decimal.Decimal` at 50
    // significant digits (A = 20, 5000, 10000), and `Decimal.exp` (60
    // digits) for the service level; no recursion on B was used. They are
    // printed to 17 significant digits.

    /// Example: 360 calls per half hour, 4-minute (240 s) calls, 55 agents,
    /// 15-second answer target — the step-by-step "Erlang-C formula" example
    /// widely reproduced on the web (Westbay Engineers' Erlang-C page and its
    /// copies). A = 360 · 240 / 1800 = 48 Erlangs.
    ///
    /// Oracle (exact rational C, Decimal exp):
    ///   N=53: C=0.37654195365687876 SL20=0.75176824517433294 SL15=0.72451602175052543
    ///   N=54: C=0.30130789937626934 SL20=0.81724752101468356 SL15=0.79291431114366107 ASA=12.052315975050774
    ///   N=55: C=0.23870093637800921 SL20=0.86679648817285093 SL15=0.84588309217058033 ASA=8.1840321043888871
    ///   N=56: C=0.1871542303279026  ASA=5.614626909837078
    ///   N=57: C=0.14518144419712642 ASA=3.8715051785900378
    ///   B(55, 48) = 0.038374280687835931
    /// So with 55 agents about 24% of calls wait (not ~50%), the example's
    /// 80%-in-15-s target needs 55 agents (54 give 79.3%), and an
    /// 80%-in-20-s target needs only 54 agents (53 give 75.2%).
    #[test]
    fn published_example_360_calls_48_erlangs() {
        let a = offered_load(360.0, 240.0, 1800.0);
        assert_eq!(a, 48.0);

        let c_oracle = [
            (53, 0.376_541_953_656_878_76),
            (54, 0.301_307_899_376_269_34),
            (55, 0.238_700_936_378_009_2),
            (56, 0.187_154_230_327_902_6),
            (57, 0.145_181_444_197_126_42),
        ];
        for (n, c) in c_oracle {
            assert_rel(erlang_c(n, a), c, 1e-12, &format!("erlang_c({n}, 48)"));
        }
        assert_rel(
            erlang_b(55, a),
            0.038_374_280_687_835_93,
            1e-12,
            "erlang_b(55, 48)",
        );

        let sl20 = [
            (53, 0.751_768_245_174_332_9),
            (54, 0.817_247_521_014_683_6),
            (55, 0.866_796_488_172_850_9),
        ];
        for (n, sl) in sl20 {
            assert_rel(
                service_level(n, a, 240.0, 20.0),
                sl,
                1e-12,
                &format!("SL20({n})"),
            );
        }
        let sl15 = [
            (53, 0.724_516_021_750_525_4),
            (54, 0.792_914_311_143_661_1),
            (55, 0.845_883_092_170_580_3),
        ];
        for (n, sl) in sl15 {
            assert_rel(
                service_level(n, a, 240.0, 15.0),
                sl,
                1e-12,
                &format!("SL15({n})"),
            );
        }
        assert_rel(asa(54, a, 240.0), 12.052_315_975_050_774, 1e-12, "ASA(54)");
        assert_rel(asa(55, a, 240.0), 8.184_032_104_388_887, 1e-12, "ASA(55)");

        assert_eq!(servers_required(a, 240.0, &target(0.8, 15.0)), 55);
        assert_eq!(servers_required(a, 240.0, &target(0.8, 20.0)), 54);

        let stats = queue_stats(55, a, 240.0, 15.0);
        assert_rel(
            stats.prob_wait,
            0.238_700_936_378_009_2,
            1e-12,
            "stats.prob_wait",
        );
        assert_rel(
            stats.service_level,
            0.845_883_092_170_580_3,
            1e-12,
            "stats.sl",
        );
        assert_rel(stats.asa_seconds, 8.184_032_104_388_887, 1e-12, "stats.asa");
        assert_rel(stats.occupancy, 48.0 / 55.0, 1e-15, "stats.occupancy");
    }

    /// A = 10 Erlangs (e.g. 100 calls per 30 minutes at 180 s AHT, the
    /// Call Centre Helper style example), N = 11..=15, against the exact
    /// oracle: C, B, and SL/ASA at AHT 180 s, T = 20 s.
    #[test]
    fn ten_erlangs_against_exact_oracle() {
        let a = offered_load(100.0, 180.0, 1800.0);
        assert_eq!(a, 10.0);
        // (N, C, B, SL20, ASA) from the exact-fraction oracle.
        let rows = [
            (
                11,
                0.682_118_204_689_332_4,
                0.163_232_333_244_433_95,
                0.389_613_811_729_153_4,
                122.781_276_844_079_83,
            ),
            (
                12,
                0.449_388_224_298_270_86,
                0.119_739_188_444_825_15,
                0.640_158_040_374_006_6,
                40.444_940_186_844_38,
            ),
            (
                13,
                0.285_270_453_036_492_95,
                0.084_338_862_672_366_48,
                0.795_594_788_417_783_1,
                17.116_227_182_189_576,
            ),
            (
                14,
                0.174_131_933_595_049_83,
                0.056_819_143_386_520_86,
                0.888_350_019_179_466_9,
                7.835_937_011_777_243,
            ),
            (
                15,
                0.102_042_367_007_988_01,
                0.036_496_945_472_370_79,
                0.941_452_842_869_022_3,
                3.673_525_212_287_568,
            ),
        ];
        for (n, c, b, sl, w) in rows {
            assert_rel(erlang_c(n, a), c, 1e-12, &format!("C({n})"));
            assert_rel(erlang_b(n, a), b, 1e-12, &format!("B({n})"));
            assert_rel(
                service_level(n, a, 180.0, 20.0),
                sl,
                1e-12,
                &format!("SL({n})"),
            );
            assert_rel(asa(n, a, 180.0), w, 1e-12, &format!("ASA({n})"));
            // The in-test factorial formula agrees with the exact oracle too.
            let (fb, fc) = factorial_b_c(n, a);
            assert_rel(fc, c, 1e-13, &format!("factorial C({n})"));
            assert_rel(fb, b, 1e-13, &format!("factorial B({n})"));
        }
        // 13 agents give 79.56% < 80%, 14 give 88.8%.
        assert_eq!(servers_required(a, 180.0, &target(0.8, 20.0)), 14);
    }

    /// Example from the Erlang C calculator page at
    /// personal.telefonica.terra.es/web/vr/erlang/eng/mcerlc.htm: 600 calls
    /// per hour of 120 s = 20 Erlangs; for a delay probability of 15%, 26
    /// circuits are needed, with an average delay of about 3 s per call; with
    /// 30 circuits the delay probability is 2.5%.
    /// Oracle (Decimal, 50 digits): C(25)=0.20910282659883661,
    /// C(26)=0.14339992844892319, C(30)=0.024950458104571097,
    /// ASA(26, 120 s)=2.8679985689784635, B(26)=0.037195206530624136.
    #[test]
    fn published_example_20_erlangs_delay_probability() {
        let a = offered_load(600.0, 120.0, 3600.0);
        assert_eq!(a, 20.0);
        assert_rel(erlang_c(25, a), 0.209_102_826_598_836_6, 1e-12, "C(25)");
        assert_rel(erlang_c(26, a), 0.143_399_928_448_923_2, 1e-12, "C(26)");
        assert_rel(erlang_c(30, a), 0.024_950_458_104_571_097, 1e-12, "C(30)");
        assert_rel(erlang_b(26, a), 0.037_195_206_530_624_136, 1e-12, "B(26)");
        assert_rel(asa(26, a, 120.0), 2.867_998_568_978_463_5, 1e-12, "ASA(26)");
        // The page's rounded figures.
        assert!(erlang_c(25, a) > 0.15 && erlang_c(26, a) <= 0.15);
        assert!((asa(26, a, 120.0) - 3.0).abs() < 0.5);
        assert!((erlang_c(30, a) - 0.025).abs() < 0.0005);
    }

    /// The implementation against the in-test factorial formula on a grid of
    /// small loads and server counts.
    #[test]
    fn erlang_b_and_c_match_factorial_formula_on_grid() {
        let loads = [0.05, 0.3, 1.0, 2.5, 7.0, 10.0, 19.9, 33.3, 48.0, 60.5, 99.0];
        for a in loads {
            for n in 1..=150_u32 {
                let (fb, fc) = factorial_b_c(n, a);
                let b = erlang_b(n, a);
                let c = erlang_c(n, a);
                if fb > 1e-300 {
                    assert_rel(b, fb, 1e-11, &format!("B({n}, {a})"));
                } else {
                    // Documented: values in the subnormal range may flush to 0.
                    assert!((0.0..=1e-300).contains(&b), "B({n}, {a}) = {b}");
                }
                if f64::from(n) > a {
                    if fc > 1e-300 {
                        assert_rel(c, fc, 1e-11, &format!("C({n}, {a})"));
                    } else {
                        assert!((0.0..=1e-300).contains(&c), "C({n}, {a}) = {c}");
                    }
                } else {
                    assert_eq!(erlang_c(n, a), 1.0);
                }
            }
        }
    }

    // ------------------------------------------------------------------
    // 2. Brute force: the answer meets the target, one fewer does not.
    // ------------------------------------------------------------------

    #[test]
    fn servers_required_is_minimal_by_brute_force() {
        let slack = 1e-9;
        let mut loads = Vec::new();
        let mut a = 0.1;
        while a <= 200.0 {
            loads.push(a);
            a *= 1.17;
        }
        loads.extend([0.5, 1.0, 2.0, 48.0, 100.0, 144.5, 150.0, 199.99, 200.0]);
        let mut targets = Vec::new();
        for sl in [0.0, 0.5, 0.8, 0.9, 0.95, 0.99] {
            for t in [0.0, 10.0, 20.0, 60.0] {
                for max_asa in [None, Some(5.0), Some(30.0)] {
                    for max_occupancy in [None, Some(0.85), Some(0.95)] {
                        targets.push(ServiceTarget {
                            service_level: sl,
                            answer_within: t,
                            max_asa,
                            max_occupancy,
                        });
                    }
                }
            }
        }
        let mut checked = 0;
        for &a in &loads {
            for aht in [30.0, 180.0, 600.0] {
                for tg in &targets {
                    let n = servers_required(a, aht, tg);
                    assert!(f64::from(n) > a, "N={n} must exceed A={a}");
                    assert!(
                        spec_meets(n, a, aht, tg, slack),
                        "N={n} fails target {tg:?} at A={a}, aht={aht}"
                    );
                    let fewer = n - 1;
                    assert!(
                        f64::from(fewer) <= a || !spec_meets(fewer, a, aht, tg, -slack),
                        "N-1={fewer} already meets {tg:?} at A={a}, aht={aht}"
                    );
                    // Consistency with the public evaluation functions.
                    let stats = queue_stats(n, a, aht, tg.answer_within);
                    assert!(stats.service_level >= tg.service_level - slack);
                    if let Some(cap) = tg.max_asa {
                        assert!(stats.asa_seconds <= cap + slack);
                    }
                    if let Some(cap) = tg.max_occupancy {
                        assert!(stats.occupancy <= cap);
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000);
    }

    // ------------------------------------------------------------------
    // 3. Monotonicity.
    // ------------------------------------------------------------------

    #[test]
    fn more_load_never_needs_fewer_servers() {
        let targets = [
            target(0.8, 20.0),
            target(0.95, 0.0),
            ServiceTarget {
                service_level: 0.7,
                answer_within: 30.0,
                max_asa: Some(15.0),
                max_occupancy: Some(0.9),
            },
        ];
        for tg in &targets {
            let mut prev = 0;
            let mut a = 0.0;
            while a <= 300.0 {
                let n = servers_required(a, 240.0, tg);
                assert!(n >= prev, "A={a}: {n} < {prev} for {tg:?}");
                prev = n;
                a += 0.037;
            }
        }
    }

    #[test]
    fn measures_are_monotone_in_servers() {
        for a in [0.5_f64, 3.0, 48.0, 150.0, 777.7] {
            let first = a.floor() as u32 + 1;
            let mut prev_sl = 0.0;
            let mut prev_c = 1.0;
            let mut prev_asa = f64::INFINITY;
            let mut prev_b = 1.0;
            for n in 1..first + 200 {
                let sl = service_level(n, a, 300.0, 20.0);
                let c = erlang_c(n, a);
                let w = asa(n, a, 300.0);
                let b = erlang_b(n, a);
                assert!(sl >= prev_sl, "SL not increasing at N={n}, A={a}");
                assert!(c <= prev_c, "C not decreasing at N={n}, A={a}");
                assert!(w <= prev_asa, "ASA not decreasing at N={n}, A={a}");
                assert!(b < prev_b || b == 0.0, "B not decreasing at N={n}, A={a}");
                // Strictly increasing while the increase is visible in f64.
                if n >= first && 1.0 - sl > 1e-12 {
                    assert!(sl > prev_sl, "SL not strictly increasing at N={n}, A={a}");
                }
                (prev_sl, prev_c, prev_asa, prev_b) = (sl, c, w, b);
            }
            assert!(prev_sl > 0.999_999);
        }
    }

    // ------------------------------------------------------------------
    // 4. Stability for large loads and extreme inputs.
    // ------------------------------------------------------------------

    /// Oracle (Decimal factorial sum, 50 digits):
    ///   A=5000: B(5000)=0.011199358278505486, B(5100)=0.0022435792955605247,
    ///           C(5100)=0.10288141360093403, SL(5100, AHT 300, 20 s)=0.9998690696355218;
    ///           80/20 at AHT 300 s needs 5019 (SL 0.80170861260141402; 5018: 0.78390600895831497).
    ///   A=10000: B(10000)=0.0079365632488056712, C(10100)=0.22476290646653221.
    #[test]
    fn large_loads_are_stable_and_accurate() {
        let c = erlang_c(5100, 5000.0);
        assert!(c.is_finite() && (0.0..=1.0).contains(&c));
        assert_rel(c, 0.102_881_413_600_934_03, 1e-10, "C(5100, 5000)");
        assert_rel(
            erlang_b(5100, 5000.0),
            0.002_243_579_295_560_524_7,
            1e-10,
            "B(5100, 5000)",
        );
        assert_rel(
            erlang_b(5000, 5000.0),
            0.011_199_358_278_505_486,
            1e-10,
            "B(5000, 5000)",
        );
        assert_rel(
            service_level(5100, 5000.0, 300.0, 20.0),
            0.999_869_069_635_521_8,
            1e-12,
            "SL(5100, 5000)",
        );
        assert_rel(
            erlang_b(10_000, 10_000.0),
            0.007_936_563_248_805_671,
            1e-10,
            "B(1e4, 1e4)",
        );
        assert_rel(
            erlang_c(10_100, 10_000.0),
            0.224_762_906_466_532_21,
            1e-10,
            "C(10100, 1e4)",
        );

        let tg = target(0.8, 20.0);
        let n = servers_required(5000.0, 300.0, &tg);
        assert_eq!(n, 5019);
        assert!(service_level(n, 5000.0, 300.0, 20.0) >= 0.8);
        assert!(service_level(n - 1, 5000.0, 300.0, 20.0) < 0.8);
        assert!(spec_meets(n, 5000.0, 300.0, &tg, 1e-9));
        assert!(!spec_meets(n - 1, 5000.0, 300.0, &tg, -1e-9));

        // Many servers relative to the load: B underflows to 0, never NaN.
        for (n, a) in [
            (20_000, 10_000.0),
            (20_000, 1.0),
            (u32::MAX, 1.0),
            (u32::MAX, 5000.0),
        ] {
            let b = erlang_b(n, a);
            let c = erlang_c(n, a);
            assert!(
                b.is_finite() && (0.0..1e-300).contains(&b),
                "B({n}, {a}) = {b}"
            );
            assert!(
                c.is_finite() && (0.0..1e-300).contains(&c),
                "C({n}, {a}) = {c}"
            );
            assert_eq!(service_level(n, a, 300.0, 20.0), 1.0);
        }
    }

    /// The warm start against the literal recursion restarted from 0 (which
    /// the warm start skips), below, at and above the load.
    #[test]
    fn warm_start_matches_full_recursion() {
        for a in [
            64.5_f64, 100.0, 144.5, 400.0, 1234.5, 5000.0, 10_000.0, 25_000.0,
        ] {
            let s = a.sqrt();
            for offset in [
                -40.0, -20.0, -11.0, -5.0, -1.0, -0.3, 0.0, 0.5, 1.0, 3.0, 10.0, 30.0,
            ] {
                let x = a + offset * s;
                if x < 1.0 {
                    continue;
                }
                let n = x.floor() as u32;
                let full = spec_b(n, a);
                assert_rel(erlang_b(n, a), full, 1e-11, &format!("B({n}, {a})"));
                if f64::from(n) > a {
                    assert_rel(erlang_c(n, a), spec_c(n, a), 1e-11, &format!("C({n}, {a})"));
                }
            }
            for n in [1, 2, 10, 65, 100, 1000] {
                if f64::from(n) < a {
                    assert_rel(erlang_b(n, a), spec_b(n, a), 1e-12, &format!("B({n}, {a})"));
                }
            }
        }
    }

    /// For `N < A`, `1/B(N) = Σ_j N!/((N−j)!·A^j)`, a series whose terms
    /// shrink at least geometrically (ratio ≤ N/A); summed directly it is an
    /// oracle for huge loads where the recursion from 0 would be too long.
    #[test]
    fn huge_loads_below_capacity_match_series() {
        fn series_b(n: u32, a: f64) -> f64 {
            let mut term = 1.0_f64;
            let mut sum = 0.0_f64;
            for i in 0..=n {
                sum += term;
                term *= f64::from(n - i) / a;
                if term < sum * 1e-20 {
                    break;
                }
            }
            sum.recip()
        }
        for (n, a) in [
            (1_000_u32, 1e6),
            (900_000, 1e6),
            (999_000, 1e6),
            (4_000_000_000, 4.2e9),
            (u32::MAX, 1e12),
            (u32::MAX, 1e300),
            (12, 1e300),
        ] {
            assert_rel(
                erlang_b(n, a),
                series_b(n, a),
                1e-12,
                &format!("B({n}, {a})"),
            );
        }
    }

    #[test]
    fn extreme_inputs_do_not_panic_or_hang() {
        let nan = f64::NAN;
        let inf = f64::INFINITY;
        let values = [
            0.0, -0.0, -1.0, 1e-300, 1e-5, 0.5, 1.0, 47.9, 1e6, 1e300, inf, -inf, nan,
        ];
        for &a in &values {
            for &n in &[0_u32, 1, 2, 10, 1000, u32::MAX] {
                let b = erlang_b(n, a);
                assert!((0.0..=1.0).contains(&b), "B({n}, {a}) = {b}");
                let c = erlang_c(n, a);
                assert!((0.0..=1.0).contains(&c), "C({n}, {a}) = {c}");
                for &aht in &[0.0, -5.0, 1e-9, 240.0, inf, nan] {
                    for &t in &[0.0, -1.0, 20.0, inf, nan] {
                        let st = queue_stats(n, a, aht, t);
                        assert!((0.0..=1.0).contains(&st.service_level), "{st:?}");
                        assert!((0.0..=1.0).contains(&st.occupancy), "{st:?}");
                        assert!((0.0..=1.0).contains(&st.prob_wait), "{st:?}");
                        assert!(st.asa_seconds >= 0.0, "{st:?}");
                    }
                }
            }
        }
        // servers_required on extreme loads and targets: terminates, and the
        // finite-input results are sensible.
        let targets = [
            target(1.0, 0.0),
            target(1.0, 20.0),
            target(2.0, 20.0),
            target(nan, nan),
            target(-1.0, -1.0),
            ServiceTarget {
                service_level: 0.8,
                answer_within: 20.0,
                max_asa: Some(0.0),
                max_occupancy: Some(nan),
            },
            ServiceTarget {
                service_level: 0.8,
                answer_within: 20.0,
                max_asa: Some(-3.0),
                max_occupancy: Some(2.0),
            },
            ServiceTarget {
                service_level: 0.8,
                answer_within: 20.0,
                max_asa: Some(nan),
                max_occupancy: Some(1e-6),
            },
        ];
        for &a in &[1e-300, 1e-5, 0.5, 47.9, 1e5] {
            for &aht in &[0.0, 1e-9, 240.0, 1e9] {
                for tg in &targets {
                    let n = servers_required(a, aht, tg);
                    assert!(f64::from(n) > a, "A={a} aht={aht} {tg:?}: N={n}");
                }
            }
        }
        // SL 100% with T = 0 needs C to round to 0: finite, and above A.
        let n = servers_required(48.0, 240.0, &target(1.0, 0.0));
        assert!(n > 48 && n < 1000, "{n}");
        assert_eq!(1.0 - erlang_c(n, 48.0), 1.0);
        // Unattainable or saturating requests.
        let zero_occ = ServiceTarget {
            max_occupancy: Some(0.0),
            ..target(0.8, 20.0)
        };
        assert_eq!(servers_required(10.0, 240.0, &zero_occ), u32::MAX);
        assert_eq!(servers_required(inf, 240.0, &target(0.8, 20.0)), u32::MAX);
        assert_eq!(servers_required(1e10, 240.0, &target(0.8, 20.0)), u32::MAX);
        assert_eq!(servers_required(nan, 240.0, &target(0.8, 20.0)), 0);
        // Occupancy cap 1e-6 at 1e5 Erlangs: 1e11 agents would be needed.
        let tiny_occ = ServiceTarget {
            max_occupancy: Some(1e-6),
            ..target(0.8, 20.0)
        };
        assert_eq!(servers_required(1e5, 240.0, &tiny_occ), u32::MAX);
        // Zero handle time with positive load: every waiting contact is
        // answered at once, so only N > A is needed.
        assert_eq!(servers_required(47.5, 0.0, &target(0.99, 20.0)), 48);
    }

    // ------------------------------------------------------------------
    // 5. Zero load.
    // ------------------------------------------------------------------

    #[test]
    fn zero_load_needs_no_one() {
        let tg = ServiceTarget {
            service_level: 0.99,
            answer_within: 5.0,
            max_asa: Some(1.0),
            max_occupancy: Some(0.5),
        };
        for a in [0.0, -0.0, -3.0] {
            assert_eq!(servers_required(a, 300.0, &tg), 0);
            for n in [0, 1, 7] {
                assert_eq!(service_level(n, a, 300.0, 20.0), 1.0);
                assert_eq!(asa(n, a, 300.0), 0.0);
                assert_eq!(erlang_c(n, a), 0.0);
                assert_eq!(
                    queue_stats(n, a, 300.0, 20.0),
                    QueueStats {
                        service_level: 1.0,
                        asa_seconds: 0.0,
                        occupancy: 0.0,
                        prob_wait: 0.0,
                    }
                );
            }
            assert_eq!(erlang_b(0, a), 1.0);
            assert_eq!(erlang_b(3, a), 0.0);
        }
        assert_eq!(offered_load(0.0, 300.0, 1800.0), 0.0);
        // Any positive load needs at least one agent.
        assert_eq!(servers_required(1e-9, 300.0, &target(0.0, 0.0)), 1);
    }

    #[test]
    fn unstable_queue_values() {
        for (n, a) in [(0, 0.5), (48, 48.0), (47, 48.0), (5, 1e9)] {
            assert_eq!(erlang_c(n, a), 1.0);
            assert_eq!(service_level(n, a, 240.0, 20.0), 0.0);
            assert_eq!(asa(n, a, 240.0), f64::INFINITY);
            let st = queue_stats(n, a, 240.0, 20.0);
            assert_eq!(st.occupancy, 1.0);
            assert_eq!(st.prob_wait, 1.0);
            assert_eq!(st.service_level, 0.0);
            assert_eq!(st.asa_seconds, f64::INFINITY);
        }
        // Just above the load the queue is stable but C is close to 1.
        let c = erlang_c(49, 48.999);
        assert!(c > 0.99 && c < 1.0, "{c}");
    }

    // ------------------------------------------------------------------
    // 6. ASA and occupancy caps.
    // ------------------------------------------------------------------

    #[test]
    fn occupancy_cap_binds() {
        // 48 / 0.85 = 56.47 → 57, above the 54 needed for 80/20.
        let tg = ServiceTarget {
            max_occupancy: Some(0.85),
            ..target(0.8, 20.0)
        };
        let n = servers_required(48.0, 240.0, &tg);
        assert_eq!(n, 57);
        // 48/57 = 0.842 ≤ 0.85 < 48/56 = 0.857.
        // A loose cap does not bind: 48 / 0.95 = 50.5 → 51 < 54.
        let loose = ServiceTarget {
            max_occupancy: Some(0.95),
            ..target(0.8, 20.0)
        };
        assert_eq!(servers_required(48.0, 240.0, &loose), 54);
        // Cap hit exactly: 40 / 0.8 = 50 agents, 50 gives exactly 0.8.
        let exact = ServiceTarget {
            max_occupancy: Some(0.8),
            ..target(0.0, 20.0)
        };
        assert_eq!(servers_required(40.0, 240.0, &exact), 50);
    }

    #[test]
    fn asa_cap_binds() {
        // Oracle ASA at A = 48, AHT 240: N=54 → 12.05 s, 55 → 8.18 s,
        // 56 → 5.61 s, 57 → 3.87 s.
        let cap = |max_asa| ServiceTarget {
            max_asa: Some(max_asa),
            ..target(0.0, 20.0)
        };
        assert_eq!(servers_required(48.0, 240.0, &cap(10.0)), 55);
        assert_eq!(servers_required(48.0, 240.0, &cap(5.0)), 57);
        assert_eq!(servers_required(48.0, 240.0, &cap(12.1)), 54);
        assert_eq!(servers_required(48.0, 240.0, &cap(12.0)), 55);
        // A loose ASA cap does not bind over the SL target (80/20 → 54).
        let loose = ServiceTarget {
            max_asa: Some(60.0),
            ..target(0.8, 20.0)
        };
        assert_eq!(servers_required(48.0, 240.0, &loose), 54);
        // The tightest constraint wins.
        let all = ServiceTarget {
            service_level: 0.8,
            answer_within: 20.0,
            max_asa: Some(5.0),
            max_occupancy: Some(0.85),
        };
        assert_eq!(servers_required(48.0, 240.0, &all), 57);
        assert_rel(
            asa(56, 48.0, 240.0),
            5.614_626_909_837_078,
            1e-12,
            "ASA(56)",
        );
        assert_rel(
            asa(57, 48.0, 240.0),
            3.871_505_178_590_038,
            1e-12,
            "ASA(57)",
        );
    }

    // ------------------------------------------------------------------
    // Misc.
    // ------------------------------------------------------------------

    #[test]
    fn offered_load_formula() {
        assert_eq!(offered_load(360.0, 240.0, 1800.0), 48.0);
        assert_eq!(offered_load(30.0, 600.0, 900.0), 20.0);
        assert_eq!(offered_load(10.0, 300.0, 0.0), 0.0);
        assert_eq!(offered_load(10.0, 300.0, -900.0), 0.0);
        assert_eq!(offered_load(-10.0, 300.0, 900.0), 0.0);
    }

    #[test]
    fn queue_stats_matches_individual_functions() {
        for (n, a, aht, t) in [
            (55, 48.0, 240.0, 15.0),
            (12, 10.0, 180.0, 0.0),
            (300, 250.0, 400.0, 30.0),
        ] {
            let st = queue_stats(n, a, aht, t);
            assert_eq!(st.service_level, service_level(n, a, aht, t));
            assert_eq!(st.asa_seconds, asa(n, a, aht));
            assert_eq!(st.prob_wait, erlang_c(n, a));
            assert_eq!(st.occupancy, a / f64::from(n));
        }
    }

    #[test]
    fn service_level_edge_times() {
        // T = 0: SL = 1 − C.
        let c = erlang_c(55, 48.0);
        assert_eq!(service_level(55, 48.0, 240.0, 0.0), 1.0 - c);
        assert_eq!(service_level(55, 48.0, 240.0, -5.0), 1.0 - c);
        // Zero handle time with T > 0: everyone is answered within T.
        assert_eq!(service_level(55, 48.0, 0.0, 20.0), 1.0);
        assert_eq!(asa(55, 48.0, 0.0), 0.0);
    }
}
