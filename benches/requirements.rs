//! Benchmark: staffing requirements for a one-year horizon at 15-minute intervals for
//! 10 queues — 35,040 intervals × 10 queues = 350,400 interval-queues.
//!
//! Measures [`shiftwise::staffing::requirements_for`] alone (Erlang C per real-time
//! interval with the service-level search and the achieved service level, chat
//! concurrency, the email deadline form and shrinkage), on a large center:
//!
//! * 5 phone queues whose offered load peaks (busiest interval of the year) at about
//!   150, 90, 55, 35 and 20 Erlangs;
//! * 3 chat queues (concurrency 3, 2, 2) peaking at about 70, 35 and 18 busy slots;
//! * 2 email queues (response times 4 h and 24 h) arriving around the clock.
//!
//! Phone and chat are closed at night (0 contacts 22:00–07:00) and follow a two-peak
//! intraday curve with an evening shoulder, a weekly pattern (busy Monday, quiet
//! Sunday), a yearly season and seeded day-to-day and interval noise, so the offered
//! load runs from 0 to the peak.
//! The forecast is built once, outside the measurement, deterministically.
//!
//! Target (issue): under 50 ms single-threaded on the 2-core development machine.
//! `requirements_for` is sequential and this bench starts no threads (criterion is
//! built without its `rayon` feature), so the figure is a single-core time.
//!
//! ```text
//! cargo bench --bench requirements
//! ```

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use shiftwise::domain::{Channel, Forecast, Queue};
use shiftwise::staffing::erlang::ServiceTarget;
use shiftwise::staffing::requirements_for;

/// Interval length, seconds (15 minutes).
const INTERVAL_SECONDS: f64 = 900.0;
/// Intervals per day.
const PER_DAY: usize = 96;
/// Days in the horizon.
const DAYS: usize = 365;
/// Intervals per queue: 35,040.
const INTERVALS: usize = PER_DAY * DAYS;
/// Shrinkage.
const SHRINKAGE: f64 = 0.3;

/// One benchmark queue: its definition, peak offered load (Erlangs; busy slots for
/// chat; agent-intervals of work for email) and mean handle time.
struct Spec {
    queue: Queue,
    peak_load: f64,
    aht_seconds: f64,
}

fn queue(
    id: &str,
    channel: Channel,
    concurrency: u32,
    target: (f64, f64),
    response_h: f64,
) -> Queue {
    Queue {
        id: id.into(),
        channel,
        language: id.rsplit('-').next().unwrap_or("en").into(),
        target: ServiceTarget {
            service_level: target.0,
            answer_within: target.1,
            max_asa: if channel == Channel::Phone {
                Some(60.0)
            } else {
                None
            },
            max_occupancy: Some(0.9),
        },
        concurrency,
        response_time_hours: response_h,
    }
}

fn specs() -> Vec<Spec> {
    let s = |queue, peak_load, aht_seconds| Spec {
        queue,
        peak_load,
        aht_seconds,
    };
    vec![
        s(
            queue("phone-en", Channel::Phone, 1, (0.8, 20.0), 0.0),
            150.0,
            300.0,
        ),
        s(
            queue("phone-es", Channel::Phone, 1, (0.8, 20.0), 0.0),
            90.0,
            330.0,
        ),
        s(
            queue("phone-fr", Channel::Phone, 1, (0.8, 30.0), 0.0),
            55.0,
            360.0,
        ),
        s(
            queue("phone-de", Channel::Phone, 1, (0.9, 15.0), 0.0),
            35.0,
            280.0,
        ),
        s(
            queue("phone-ja", Channel::Phone, 1, (0.7, 60.0), 0.0),
            20.0,
            420.0,
        ),
        s(
            queue("chat-en", Channel::Chat, 3, (0.8, 60.0), 0.0),
            70.0,
            900.0,
        ),
        s(
            queue("chat-es", Channel::Chat, 2, (0.8, 60.0), 0.0),
            35.0,
            840.0,
        ),
        s(
            queue("chat-fr", Channel::Chat, 2, (0.8, 90.0), 0.0),
            18.0,
            960.0,
        ),
        s(
            queue("email-en", Channel::Email, 1, (0.0, 0.0), 4.0),
            12.0,
            480.0,
        ),
        s(
            queue("email-es", Channel::Email, 1, (0.0, 0.0), 24.0),
            6.0,
            540.0,
        ),
    ]
}

/// Relative intraday intensity of the interval starting at `minute` after local
/// midnight: a morning and an early-afternoon peak with an evening shoulder; 0 outside
/// 07:00–22:00 for real-time queues, a small night floor for email. [`forecast`]
/// divides it by its daily maximum.
fn intraday(minute: f64, deferred: bool) -> f64 {
    let h = minute / 60.0 + 0.125; // middle of the 15-minute interval
    let bump = |centre: f64, width: f64| (-((h - centre) / width).powi(2)).exp();
    let curve = 0.95 * bump(10.5, 2.2) + 0.85 * bump(14.5, 2.5) + 0.35 * bump(19.0, 1.8);
    if deferred {
        0.05 + curve
    } else if (7.0..22.0).contains(&h) {
        curve
    } else {
        0.0
    }
}

/// Relative daily volume by day of the week (day 0 is a Monday).
const WEEKLY: [f64; 7] = [1.15, 1.05, 1.0, 1.0, 0.95, 0.55, 0.35];

/// Largest product of the daily and interval factors in [`forecast`]: Monday, the
/// season's top, and both noises at their maximum. Dividing by it makes `peak_load`
/// the year's highest possible load (the busiest interval of a typical Monday runs at
/// about 70 % of it).
const MAX_FACTOR: f64 = 1.15 * 1.12 * 1.08 * 1.15;

/// A year of forecast for `specs`: contacts and AHT per queue and interval.
fn forecast(specs: &[Spec]) -> Forecast {
    let mut rng = ChaCha8Rng::seed_from_u64(20_260_101);
    let day_max = (0..PER_DAY)
        .map(|k| intraday((k * 15) as f64, false))
        .fold(0.0, f64::max);
    let mut contacts = Vec::with_capacity(specs.len());
    let mut aht_seconds = Vec::with_capacity(specs.len());
    for spec in specs {
        let deferred = spec.queue.channel == Channel::Email;
        let mut c = Vec::with_capacity(INTERVALS);
        let mut a = Vec::with_capacity(INTERVALS);
        for day in 0..DAYS {
            // Yearly season (±12 %, busiest in January) and day-to-day noise (±8 %).
            let season = 1.0 + 0.12 * (2.0 * std::f64::consts::PI * day as f64 / 365.0).cos();
            let daily = WEEKLY[day % 7] * season * rng.gen_range(0.92..1.08);
            for k in 0..PER_DAY {
                let shape = intraday((k * 15) as f64, deferred) / day_max;
                let noise = rng.gen_range(0.85..1.15);
                // Handle time: a little longer in the evening, mild noise.
                let aht = spec.aht_seconds
                    * (1.0 + 0.1 * (k as f64 / PER_DAY as f64 - 0.5))
                    * rng.gen_range(0.95..1.05);
                let load = spec.peak_load * shape * daily * noise / MAX_FACTOR;
                c.push((load * INTERVAL_SECONDS / aht * 10.0).round() / 10.0);
                a.push(aht.round());
            }
        }
        contacts.push(c);
        aht_seconds.push(a);
    }
    Forecast {
        contacts,
        aht_seconds,
        shrinkage: None,
    }
}

fn bench_requirements(c: &mut Criterion) {
    let specs = specs();
    let queues: Vec<Queue> = specs.iter().map(|s| s.queue.clone()).collect();
    let fc = forecast(&specs);
    let cells = (queues.len() * INTERVALS) as u64;
    assert_eq!(cells, 350_400);

    // Sanity: the loads span idle nights to a large center's peaks.
    let r = requirements_for(&queues, &fc, INTERVAL_SECONDS, SHRINKAGE);
    for (q, load) in r.offered_load.iter().enumerate() {
        let max = load.iter().copied().fold(0.0, f64::max);
        let min = load.iter().copied().fold(f64::INFINITY, f64::min);
        let peak_agents = r.agents_base[q].iter().max().copied().unwrap_or(0);
        eprintln!(
            "{:<9} load {:>6.1}..{:>6.1}  peak agents (before shrinkage) {:>4}",
            queues[q].id, min, max, peak_agents
        );
    }

    let mut group = c.benchmark_group("requirements");
    group.sample_size(10);
    group.throughput(Throughput::Elements(cells));
    group.bench_with_input(
        BenchmarkId::new("one_year_15min_10_queues", cells),
        &(queues, fc),
        |b, (queues, fc)| {
            b.iter(|| {
                requirements_for(
                    black_box(queues),
                    black_box(fc),
                    black_box(INTERVAL_SECONDS),
                    black_box(SHRINKAGE),
                )
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench_requirements);
criterion_main!(benches);
