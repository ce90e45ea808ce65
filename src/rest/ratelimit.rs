//! Discord's rate limits, honoured before a request is sent rather than discovered by 429s.
//!
//! - Per-route buckets keyed like serenity's `Route::ratelimiting_bucket` (route + major id).
//!   Each call takes a `Ticket` when it is made (on the JS thread), and a bucket serves its
//!   tickets one at a time in that order: sends to one channel land in the order they were
//!   called, whatever the runtime's scheduling. `X-RateLimit-Remaining`/`Reset-After` from each
//!   answer say whether the next one must wait.
//! - The global limit (50 requests/s per bot) as a sliding one-second window.
//! - A 429 blocks its bucket, or everything when `global`, for `retry_after`.
//! - Header values come from the network: a wait that is not a finite, non-negative number (NaN,
//!   `inf`, `-1`, text) is treated as absent, and a finite one is capped at [`MAX_WAIT`], so no
//!   answer can make the limiter panic or wait for ever.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use reqwest::header::HeaderMap;
use serenity::http::RatelimitingBucket;
use tokio::sync::Notify;
use tokio::time::Instant;

pub const GLOBAL_PER_SECOND: usize = 50;
/// Waiting for a bucket to reset goes this much past `Reset-After`: the header is rounded to
/// milliseconds, and arriving a fraction early costs a 429.
const RESET_MARGIN: Duration = Duration::from_millis(25);
/// The longest wait a rate-limit header or body may ask for; longer values are capped to it.
/// Discord's longest real waits (a Cloudflare ban of the IP after too many invalid requests)
/// last about an hour; route resets are seconds to minutes.
pub const MAX_WAIT: Duration = Duration::from_secs(3600);

/// A wait in seconds, as read from the network: None for anything that is not a finite,
/// non-negative number; capped at `MAX_WAIT`.
pub fn wait_from_secs(secs: f64) -> Option<Duration> {
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(secs.min(MAX_WAIT.as_secs_f64())).ok()
}

/// A header's value as a wait (see `wait_from_secs`); None when absent or unreadable.
pub fn header_wait(headers: &HeaderMap, name: &str) -> Option<Duration> {
    header_number(headers, name).and_then(wait_from_secs)
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Default)]
pub struct BucketState {
    remaining: Option<u32>,
    reset_at: Option<Instant>,
}

impl BucketState {
    /// How long to wait before this bucket allows another request.
    fn wait(&self, now: Instant) -> Option<Duration> {
        match (self.remaining, self.reset_at) {
            (Some(0), Some(reset)) if reset + RESET_MARGIN > now => Some(reset + RESET_MARGIN - now),
            _ => None,
        }
    }

    /// Reads `X-RateLimit-Remaining` and `X-RateLimit-Reset-After`; a value that is not a
    /// finite, non-negative number is ignored, as if the header were absent.
    fn update(&mut self, headers: &HeaderMap, now: Instant) {
        if let Some(remaining) = header_number(headers, "x-ratelimit-remaining").filter(|r| r.is_finite() && *r >= 0.0)
        {
            // Saturating: a count above u32::MAX is "plenty".
            self.remaining = Some(remaining as u32);
        }
        if let Some(after) = header_wait(headers, "x-ratelimit-reset-after") {
            self.reset_at = Some(now + after);
        }
    }
}

#[derive(Default)]
struct Line {
    next: u64,
    serving: u64,
    /// Tickets given up before their turn (the call failed before sending).
    skipped: BTreeSet<u64>,
}

#[derive(Default)]
pub struct Bucket {
    state: Mutex<BucketState>,
    line: Mutex<Line>,
    turn: Notify,
}

/// A place in a bucket's line. Dropping it (request done, or given up) lets the next one go.
pub struct Ticket {
    bucket: Option<Arc<Bucket>>,
    number: u64,
}

impl Ticket {
    /// Waits until every earlier call in this bucket is done.
    pub async fn turn(&self) {
        let Some(bucket) = &self.bucket else { return };
        loop {
            let notified = bucket.turn.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if lock(&bucket.line).serving == self.number {
                return;
            }
            notified.await;
        }
    }

    /// How long the bucket says to wait before sending.
    pub fn wait(&self) -> Option<Duration> {
        self.bucket.as_ref().and_then(|b| lock(&b.state).wait(Instant::now()))
    }

    pub fn update(&self, headers: &HeaderMap, now: Instant) {
        if let Some(b) = &self.bucket {
            lock(&b.state).update(headers, now);
        }
    }

    /// Blocks the bucket for `wait` (a 429 for this route); false if the route has no bucket.
    pub fn block_for(&self, wait: Duration, now: Instant) -> bool {
        let Some(b) = &self.bucket else { return false };
        let mut state = lock(&b.state);
        state.remaining = Some(0);
        state.reset_at = Some(now + wait);
        true
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let Some(bucket) = &self.bucket else { return };
        let mut line = lock(&bucket.line);
        if line.serving == self.number {
            line.serving += 1;
            loop {
                let next = line.serving;
                if !line.skipped.remove(&next) {
                    break;
                }
                line.serving += 1;
            }
        } else {
            line.skipped.insert(self.number);
        }
        drop(line);
        bucket.turn.notify_waiters();
    }
}

#[derive(Default)]
struct Global {
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

#[derive(Default)]
pub struct Ratelimiter {
    buckets: Mutex<HashMap<RatelimitingBucket, Arc<Bucket>>>,
    global: Mutex<Global>,
}

impl Ratelimiter {
    /// Takes a place in the route's line (call this when the call is made, not when it runs).
    pub fn ticket(&self, key: RatelimitingBucket) -> Ticket {
        if key.is_none() {
            return Ticket { bucket: None, number: 0 };
        }
        let bucket = lock(&self.buckets).entry(key).or_default().clone();
        let number = {
            let mut line = lock(&bucket.line);
            line.next += 1;
            line.next - 1
        };
        Ticket { bucket: Some(bucket), number }
    }

    /// Waits until the global limit allows one request, and counts it.
    pub async fn acquire_global(&self) {
        loop {
            let wait = {
                let mut g = lock(&self.global);
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
        let mut g = lock(&self.global);
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
    use serenity::http::Route;
    use serenity::model::id::ChannelId;

    fn key(channel: u64) -> RatelimitingBucket {
        Route::ChannelMessages { channel_id: ChannelId::new(channel) }.ratelimiting_bucket()
    }

    #[tokio::test(start_paused = true)]
    async fn exhausted_bucket_waits_for_reset() {
        let limiter = Ratelimiter::default();
        let ticket = limiter.ticket(key(1));
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        headers.insert("x-ratelimit-reset-after", HeaderValue::from_static("1.5"));
        ticket.update(&headers, Instant::now());
        assert_eq!(ticket.wait(), Some(Duration::from_millis(1500) + RESET_MARGIN));
    }

    #[tokio::test(start_paused = true)]
    async fn tickets_are_served_in_the_order_taken() {
        let limiter = Arc::new(Ratelimiter::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let tickets: Vec<Ticket> = (0..5).map(|_| limiter.ticket(key(7))).collect();
        let mut tasks = Vec::new();
        // Spawn in reverse: the line, not the scheduler, decides the order.
        for (i, t) in tickets.into_iter().enumerate().rev() {
            let order = order.clone();
            tasks.push(tokio::spawn(async move {
                t.turn().await;
                order.lock().unwrap().push(i);
                drop(t);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_ticket_given_up_early_does_not_block_the_line() {
        let limiter = Ratelimiter::default();
        let first = limiter.ticket(key(3));
        let second = limiter.ticket(key(3));
        let third = limiter.ticket(key(3));
        drop(second);
        drop(first);
        tokio::time::timeout(Duration::from_secs(1), third.turn()).await.expect("third gets its turn");
        let other = limiter.ticket(key(4));
        tokio::time::timeout(Duration::from_secs(1), other.turn()).await.expect("buckets are independent");
    }

    #[tokio::test(start_paused = true)]
    async fn global_window_admits_fifty_per_second() {
        let limiter = Ratelimiter::default();
        let start = Instant::now();
        for _ in 0..GLOBAL_PER_SECOND {
            limiter.acquire_global().await;
        }
        assert_eq!(Instant::now(), start);
        limiter.acquire_global().await;
        assert!(Instant::now() - start >= Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn global_block_holds_everyone() {
        let limiter = Ratelimiter::default();
        limiter.block_global(Duration::from_millis(700));
        let start = Instant::now();
        limiter.acquire_global().await;
        assert!(Instant::now() - start >= Duration::from_millis(700));
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[tokio::test(start_paused = true)]
    async fn garbage_reset_after_is_ignored() {
        for bad in ["NaN", "inf", "-inf", "infinity", "-1", "-0.5", "soon", "", "1.5s"] {
            let limiter = Ratelimiter::default();
            let ticket = limiter.ticket(key(11));
            ticket
                .update(&headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset-after", bad)]), Instant::now());
            assert_eq!(ticket.wait(), None, "reset-after {bad:?} must count as absent");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn absurd_reset_after_is_capped() {
        for huge in ["1e300", "1.7976931348623157e308", "18446744073709551616", "99999999999"] {
            let limiter = Ratelimiter::default();
            let ticket = limiter.ticket(key(12));
            ticket
                .update(&headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset-after", huge)]), Instant::now());
            assert_eq!(ticket.wait(), Some(MAX_WAIT + RESET_MARGIN), "reset-after {huge}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn garbage_remaining_is_ignored() {
        for bad in ["NaN", "-1", "inf", "many"] {
            let limiter = Ratelimiter::default();
            let ticket = limiter.ticket(key(13));
            ticket
                .update(&headers(&[("x-ratelimit-remaining", bad), ("x-ratelimit-reset-after", "5")]), Instant::now());
            assert_eq!(ticket.wait(), None, "remaining {bad:?} must count as absent, not as 0");
        }
        let limiter = Ratelimiter::default();
        let ticket = limiter.ticket(key(14));
        ticket
            .update(&headers(&[("x-ratelimit-remaining", "1e300"), ("x-ratelimit-reset-after", "5")]), Instant::now());
        assert_eq!(ticket.wait(), None, "a huge remaining count is plenty");
    }

    #[test]
    fn wait_from_secs_is_total() {
        assert_eq!(wait_from_secs(f64::NAN), None);
        assert_eq!(wait_from_secs(f64::INFINITY), None);
        assert_eq!(wait_from_secs(f64::NEG_INFINITY), None);
        assert_eq!(wait_from_secs(-1e-9), None);
        assert_eq!(wait_from_secs(f64::MAX), Some(MAX_WAIT));
        assert_eq!(wait_from_secs(0.25), Some(Duration::from_millis(250)));
    }
}
