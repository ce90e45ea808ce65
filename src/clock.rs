//! `monotonicMs()`: the system's monotonic clock (CLOCK_MONOTONIC on Linux and macOS), so that
//! separate processes — a test server and a client, under Node or Bun — can time one event
//! against one clock. Used by the benchmarks.

use napi_derive::napi;

#[cfg(unix)]
fn now_ms() -> f64 {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    #[cfg(target_os = "linux")]
    const CLOCK_MONOTONIC: i32 = 1;
    #[cfg(not(target_os = "linux"))]
    const CLOCK_MONOTONIC: i32 = 6; // macOS
    let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one Timespec into the pointer it is given.
    unsafe { clock_gettime(CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}

#[cfg(not(unix))]
fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs_f64() * 1000.0
}

/// Milliseconds (with microsecond precision) on the system's monotonic clock.
#[napi]
pub fn monotonic_ms() -> f64 {
    now_ms()
}
