//! Scratch: LP relaxation by family subset (not committed).
use shiftwise::model::{candidate_shifts, Builder, Family};
fn main() {
    let site = shiftwise::load_site(std::path::Path::new(&std::env::args().nth(1).unwrap()))
        .unwrap()
        .0;
    let req = shiftwise::staffing::requirements(&site);
    let cands = candidate_shifts(&site);
    let drop: Vec<String> = std::env::args().skip(2).collect();
    let fams: Vec<Family> = Family::ALL
        .iter()
        .copied()
        .filter(|f| !drop.contains(&format!("{f:?}")))
        .collect();
    let mut b = Builder::new(&site, &req, cands, false);
    b.build(&fams);
    let lm = std::mem::take(&mut b.lm);
    let out =
        shiftwise::solve::solve_relaxation(lm, &shiftwise::solve::SolveOptions::default()).unwrap();
    println!("LP {:.0} {:?}", out.objective, b.cost_breakdown(&out));
    if std::env::var_os("PLAN").is_some() {
        let opts = shiftwise::solve::SolveOptions {
            time_limit: 60.0,
            ..Default::default()
        };
        let p = shiftwise::plan::plan_with_families(&site, &opts, &fams).unwrap();
        println!("IP {:.0} {:?}", p.summary.objective, p.summary.costs);
    }
}
#[allow(dead_code)]
fn unused() {}
