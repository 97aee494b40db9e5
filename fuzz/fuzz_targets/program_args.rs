#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kubectl_drift::fuzzing::program_args(data));
