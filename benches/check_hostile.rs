//! How long `faqbot check` takes on each of the 40 hostile FAQ folders of
//! `tests/support/hostile_folders.rs` (issue 13's target: within 2 s each).
//!
//! Each sample is one run of the real (release) binary, `faqbot --config
//! <folder>/config.toml check`, start to exit; `tests/hostile_folders.rs`
//! checks what it prints. Run with
//!
//! ```sh
//! cargo bench --bench check_hostile
//! ```
//!
//! Besides criterion's estimates (`target/criterion/check_hostile/*`), the
//! bench prints every folder's median and slowest run, and the median and
//! the maximum over the folders.

#[cfg(unix)]
#[path = "../tests/support/common.rs"]
mod common;
#[cfg(unix)]
#[path = "../tests/support/hostile_folders.rs"]
mod hostile;

#[cfg(unix)]
mod bench {
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    use criterion::{Criterion, SamplingMode};

    use super::hostile;

    /// Every run's time, per folder.
    static TIMES: Mutex<BTreeMap<&'static str, Vec<Duration>>> = Mutex::new(BTreeMap::new());

    fn run_check(config: &Path) -> Option<i32> {
        Command::new(env!("CARGO_BIN_EXE_faqbot"))
            .args(["--config", config.to_str().expect("utf-8 path"), "check"])
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run faqbot")
            .code()
    }

    fn median(times: &mut [Duration]) -> Duration {
        times.sort_unstable();
        times[times.len() / 2]
    }

    pub fn check_hostile(c: &mut Criterion) {
        let folders = hostile::generate("bench");
        let mut group = c.benchmark_group("check_hostile");
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for folder in &folders.folders {
            // What is timed must be the check refusing the folder, not a
            // crash or a usage error.
            assert_eq!(
                run_check(&folder.config),
                Some(1),
                "{}: check did not end with exit 1",
                folder.name
            );
            group.bench_function(folder.name, |b| {
                b.iter_custom(|iterations| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iterations {
                        let started = Instant::now();
                        run_check(&folder.config);
                        let took = started.elapsed();
                        total += took;
                        if let Ok(mut times) = TIMES.lock() {
                            times.entry(folder.name).or_default().push(took);
                        }
                    }
                    total
                })
            });
        }
        group.finish();
        summarise();
    }

    fn summarise() {
        let Ok(mut times) = TIMES.lock() else {
            return;
        };
        if times.is_empty() {
            return;
        }
        println!("\nfaqbot check, per hostile folder (every run, warm-up included):");
        let mut medians = Vec::new();
        let mut slowest = (Duration::ZERO, "");
        for (name, runs) in times.iter_mut() {
            let n = runs.len();
            let middle = median(runs);
            let most = runs.iter().copied().max().unwrap_or_default();
            println!("  {name:<36} median {middle:>10.1?}  max {most:>10.1?}  ({n} runs)");
            medians.push(middle);
            if most > slowest.0 {
                slowest = (most, name);
            }
        }
        let folders = medians.len();
        println!(
            "over {folders} folders: median of the medians {:.1?}, slowest median {:.1?}, slowest run {:.1?} ({})",
            median(&mut medians),
            medians.iter().copied().max().unwrap_or_default(),
            slowest.0,
            slowest.1
        );
    }
}

#[cfg(unix)]
criterion::criterion_group!(benches, bench::check_hostile);
#[cfg(unix)]
criterion::criterion_main!(benches);

#[cfg(not(unix))]
fn main() {}
