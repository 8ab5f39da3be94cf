//! `photocat::__fuzz::datetime` on the fuzzer's bytes (the check is shared with
//! tests/fuzz_regressions.rs; see fuzz/README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    photocat::__fuzz::datetime(data);
});
