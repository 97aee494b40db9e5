//! The `kubectl-drift` binary: parse the command line, run it, and turn the outcome into an
//! exit code (0 in sync, 1 drift, 2 error). Everything else lives in the library.

use clap::Parser;

fn main() {
    let cli = kubectl_drift::cli::Cli::parse();
    std::process::exit(kubectl_drift::app::main(cli));
}
