//! Discord's rate limits, honoured before a request is sent rather than discovered by 429s.
//!
//! - Per-route buckets keyed like serenity's `Route::ratelimiting_bucket` (route + major id).
//!   Requests in one bucket go one at a time, in call order (tokio's mutex is FIFO), so sends to a
//!   channel also land in the order they were made. `X-RateLimit-Remaining`/`Reset-After` from
//!   each answer say whether the next one must wait.
//! - The global limit (50 requests/s per bot) as a sliding one-second window.
//! - A 429 blocks its bucket, or everything when `global`, for `retry_after`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::HeaderMap;
use serenity::http::RatelimitingBucket;
use tokio::time::Instant;

pub const GLOBAL_PER_SECOND: usize = 50;

#[derive(Default)]
pub struct BucketState {
    remaining: Option<u32>,
    reset_at: Option<Instant>,
}

impl BucketState {
    /// How long to wait before this bucket allows another request.
    fn wait(&self, now: Instant) -> Option<Duration> {
        match (self.remaining, self.reset_at) {
            (Some(0), Some(reset)) if reset > now => Some(reset - now),
            _ => None,
        }
    }

    pub fn update(&mut self, headers: &HeaderMap, now: Instant) {
        let num = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<f64>().ok());
        if let Some(remaining) = num("x-ratelimit-remaining") {
            self.remaining = Some(remaining.max(0.0) as u32);
        }
        if let Some(after) = num("x-ratelimit-reset-after") {
            self.reset_at = Some(now + Duration::from_secs_f64(after.max(0.0)));
        }
    }

    pub fn block_for(&mut self, wait: Duration, now: Instant) {
        self.remaining = Some(0);
        self.reset_at = Some(now + wait);
    }
}

#[derive(Default)]
struct Global {
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

#[derive(Default)]
pub struct Ratelimiter {
    buckets: Mutex<HashMap<RatelimitingBucket, Arc<tokio::sync::Mutex<BucketState>>>>,
    global: Mutex<Global>,
}

impl Ratelimiter {
    pub fn bucket(&self, key: RatelimitingBucket) -> Arc<tokio::sync::Mutex<BucketState>> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        buckets.entry(key).or_default().clone()
    }

    /// Waits until the bucket (held by the caller) and the global limit allow one request,
    /// and counts it against the global window.
    pub async fn acquire(&self, bucket: &BucketState) {
        if let Some(wait) = bucket.wait(Instant::now()) {
            tracing::debug!(wait_ms = wait.as_millis() as u64, "route bucket exhausted; waiting");
            tokio::time::sleep(wait).await;
        }
        loop {
            let wait = {
                let mut g = self.global.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                while g.sent.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1)) {
                    g.sent.pop_front();
                }
                if let Some(until) = g.blocked_until.filter(|u| *u > now) {
                    Some(until - now)
                } else if g.sent.len() >= GLOBAL_PER_SECOND {
                    Some(Duration::from_secs(1) - now.duration_since(g.sent[0]))
                } else {
                    g.sent.push_back(now);
                    None
                }
            };
            match wait {
                Some(w) => tokio::time::sleep(w).await,
                None => return,
            }
        }
    }

    pub fn block_global(&self, wait: Duration) {
        let mut g = self.global.lock().unwrap_or_else(|e| e.into_inner());
        let until = Instant::now() + wait;
        if g.blocked_until.is_none_or(|u| u < until) {
            g.blocked_until = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[tokio::test(start_paused = true)]
    async fn exhausted_bucket_waits_for_reset() {
        let limiter = Ratelimiter::default();
        let mut state = BucketState::default();
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        headers.insert("x-ratelimit-reset-after", HeaderValue::from_static("1.5"));
        let start = Instant::now();
        state.update(&headers, start);
        limiter.acquire(&state).await;
        assert!(Instant::now() - start >= Duration::from_millis(1500));
    }

    #[tokio::test(start_paused = true)]
    async fn global_window_admits_fifty_per_second() {
        let limiter = Ratelimiter::default();
        let state = BucketState::default();
        let start = Instant::now();
        for _ in 0..GLOBAL_PER_SECOND {
            limiter.acquire(&state).await;
        }
        assert_eq!(Instant::now(), start);
        limiter.acquire(&state).await;
        assert!(Instant::now() - start >= Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn global_block_holds_everyone() {
        let limiter = Ratelimiter::default();
        limiter.block_global(Duration::from_millis(700));
        let start = Instant::now();
        limiter.acquire(&BucketState::default()).await;
        assert!(Instant::now() - start >= Duration::from_millis(700));
    }
}
