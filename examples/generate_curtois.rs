//! Write a planted instance in the Shift Scheduling Benchmark's format (see
//! `shiftwise::curtois::planted`): feasible by construction, with the planted roster's
//! cost printed as an upper bound on its optimum.
//!
//! ```text
//! cargo run --release --example generate_curtois -- DAYS STAFF TYPES SEED OUT.txt
//! ```
//!
//! E.g. `364 150 32 1 /tmp/P364x150.txt` for the largest shape of the published set, then
//! `SHIFTWISE_CURTOIS_DIR=/tmp cargo bench --bench curtois` or `shiftwise bench-curtois`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: generate_curtois DAYS STAFF TYPES SEED OUT.txt";
    if args.len() != 5 {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let nums: Result<Vec<u64>, _> = args[..4].iter().map(|a| a.parse::<u64>()).collect();
    let Ok(nums) = nums else {
        eprintln!("{usage}: DAYS, STAFF, TYPES and SEED are whole numbers");
        return ExitCode::from(2);
    };
    if nums[0] == 0 || nums[1] == 0 || nums[2] == 0 {
        eprintln!("{usage}: DAYS, STAFF and TYPES must be at least 1");
        return ExitCode::from(2);
    }
    let p = shiftwise::curtois::planted::planted(
        nums[0] as usize,
        nums[1] as usize,
        nums[2] as usize,
        nums[3],
    );
    let out = std::path::Path::new(&args[4]);
    let tmp = out.with_extension("txt.tmp");
    if let Err(e) = std::fs::write(&tmp, &p.text).and_then(|_| std::fs::rename(&tmp, out)) {
        eprintln!("{}: {e}", out.display());
        return ExitCode::from(1);
    }
    let inst = match shiftwise::curtois::load(out) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("the written instance does not load: {e}");
            return ExitCode::from(1);
        }
    };
    println!(
        "{}: planted roster costs {}",
        out.display(),
        shiftwise::curtois::objective(&inst, &p.roster)
    );
    ExitCode::SUCCESS
}
