//! The fuzz targets' entry functions (`kubectl_drift::fuzzing`) run over their seed
//! corpora (`fuzz/corpus/TARGET`) and a few thousand deterministic mutations of them, on
//! the stable toolchain, so that CI keeps every crash once found and fixed out for good.
//! The long, coverage-guided runs are `cargo fuzz run TARGET` in `fuzz/`.

use std::path::Path;
use std::time::{Duration, Instant};

use kubectl_drift::fuzzing;

/// SplitMix64: small, seeded, the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that YAML, JSON and Git names break on, spliced into the seeds.
const TOKENS: &[&[u8]] = &[
    b"---\n",
    b"...\n",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"- ",
    b": ",
    b"? ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"\"",
    b"'",
    b"|\n",
    b">-\n",
    b"!!binary ",
    b"!!str ",
    b"!!int ",
    b"#",
    b"\t",
    b"\n",
    b"  ",
    b"0x1F",
    b"0o17",
    b"1_000",
    b"1e400",
    b".nan",
    b"~",
    b"yes",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\0",
    b"..",
    b"/",
    b".git",
    b"%YAML 1.1\n",
    b"%TAG ! tag:x,2000:\n",
    b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let end = (at + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            3 if !out.is_empty() => {
                let start = rng.below(out.len());
                let end = (start + rng.below(64)).min(out.len());
                let chunk = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            4 => out.insert(at, rng.next() as u8),
            _ => {
                if !out.is_empty() {
                    let i = rng.below(out.len());
                    out[i] = rng.next() as u8;
                }
            }
        }
    }
    out
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the seed corpus {}: {e}", dir.display()))
        .map(|e| e.expect("a corpus entry").path())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).expect("a seed"))
        .collect();
    assert!(seeds.len() >= 3, "{target} has {} seeds", seeds.len());
    seeds
}

/// Runs `entry` over every seed and `mutations` mutations of them; each input must finish
/// within `limit`. Returns how many inputs ran.
fn run(target: &str, seed: u64, mutations: usize, limit: Duration, entry: fn(&[u8])) -> usize {
    let seeds = seeds(target);
    // FUZZ_SEEDED_ROUNDS=N runs N times the mutations, from other seeds after the first N.
    let rounds: u64 = std::env::var("FUZZ_SEEDED_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mutations = mutations * rounds as usize;
    let mut rng = Rng(seed ^ (rounds - 1).wrapping_mul(0x1000_0001));
    let mut slowest = (Duration::ZERO, Vec::new());
    let mut check = |input: &[u8]| {
        let start = Instant::now();
        if let Err(panic) = std::panic::catch_unwind(|| entry(input)) {
            // Kept for `cargo fuzz run TARGET FILE` and for the seed corpus once fixed.
            let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("crash-{target}"));
            std::fs::write(&file, input).expect("the crashing input is saved");
            panic!(
                "{target}: input {} (saved in {}) panicked: {:?}",
                input.escape_ascii(),
                file.display(),
                panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or(panic.downcast_ref::<&str>().copied())
            );
        }
        let took = start.elapsed();
        if took > slowest.0 {
            slowest = (took, input.to_vec());
        }
    };
    for input in &seeds {
        check(input);
    }
    for _ in 0..mutations {
        let base = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, base);
        check(&input);
    }
    assert!(
        slowest.0 < limit,
        "{target}: an input took {:?}: {:?}",
        slowest.0,
        String::from_utf8_lossy(&slowest.1)
    );
    seeds.len() + mutations
}

#[test]
fn yaml_reader() {
    let ran = run(
        "yaml",
        0x5EED_0001,
        4000,
        Duration::from_secs(1),
        fuzzing::yaml,
    );
    assert!(ran > 4000);
}

#[test]
fn manifest_loader() {
    let ran = run(
        "manifest",
        0x5EED_0002,
        4000,
        Duration::from_secs(1),
        fuzzing::manifests,
    );
    assert!(ran > 4000);
}

#[test]
fn git_tree_reader() {
    let ran = run(
        "git_tree",
        0x5EED_0003,
        300,
        Duration::from_secs(2),
        fuzzing::git_tree,
    );
    assert!(ran > 300);
}

#[test]
fn normalize_and_diff() {
    let ran = run(
        "drift",
        0x5EED_0004,
        4000,
        Duration::from_secs(1),
        fuzzing::drift_pair,
    );
    assert!(ran > 4000);
}

#[test]
fn names_and_argument_vectors() {
    let ran = run(
        "program_args",
        0x5EED_0005,
        4000,
        Duration::from_secs(1),
        fuzzing::program_args,
    );
    assert!(ran > 4000);
}

/// The path check the Git target relies on rejects what it must.
#[test]
fn unsafe_tree_paths_are_caught() {
    for bad in [
        "../x.yaml",
        "a/../x.yaml",
        "/etc/x.yaml",
        "a//x.yaml",
        ".git/config",
        "a/.GIT/x.yaml",
        "a\0b.yaml",
        "a\nb.yaml",
        "./x.yaml",
    ] {
        let caught = std::panic::catch_unwind(|| fuzzing::assert_safe_path(bad));
        assert!(caught.is_err(), "{bad:?} passed");
    }
    fuzzing::assert_safe_path("k8s/prod/app.yaml");
}

#[test]
fn plan_reader() {
    let ran = run(
        "plan",
        0x5EED_0005,
        2000,
        Duration::from_secs(1),
        fuzzing::plan,
    );
    assert!(ran > 2000);
}
