//! The soak's one-minute version: `scripts/soak` runs `watch` over 500 objects with a hand
//! change every second, on clusters of its own, and fails unless memory stays flat after
//! warm-up, sockets and watches do not grow, and every change is seen within one interval.
//! (The twenty-minute run with an API server restart is `scripts/soak`'s default.)

use std::process::Command;

#[test]
fn a_minute_of_watch_keeps_its_promises() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(root.join("scripts/soak"))
        .args(["--seconds", "60", "--objects", "500", "--no-restart"])
        .env_remove("KUBECTL_DRIFT_TESTENV")
        .env(
            "KUBECTL_DRIFT_SOAK_BINARY",
            assert_cmd::cargo::cargo_bin("kubectl-drift"),
        )
        .output()
        .expect("cannot run scripts/soak");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success() && stdout.contains("soak: the promises hold"),
        "{stdout}\n{stderr}"
    );
    assert!(stdout.contains("detection latency over"), "{stdout}");
}
