//! REST: serenity's `Route` catalogue (paths and rate-limit buckets) executed by our own client so
//! that the same code runs against Discord and a Discord-compatible server (`apiBaseUrl`) with
//! Discord's rate limits honoured either way. serenity's `Http` cannot do both: its `proxy` is
//! dropped while its limiter is on, and its errors drop the headers a limiter needs.

mod errors;
mod ratelimit;

use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serenity::http::Route;
use tokio::time::Instant;

use crate::error::{BridgeError, BridgeResult, ErrorCode};
use crate::options::{Token, DISCORD_BASE};
pub use errors::http_error;
use ratelimit::Ratelimiter;
pub use ratelimit::Ticket;

const UA: &str = concat!("DiscordBot (https://github.com/omp-discord-bridge, ", env!("CARGO_PKG_VERSION"), ")");
const MAX_429_RETRIES: u32 = 5;
const MAX_5XX_RETRIES: u32 = 3;

/// One file of a multipart message.
#[derive(Clone)]
pub struct FilePart {
    pub name: String,
    pub data: Vec<u8>,
}

pub enum Body {
    Empty,
    Json(serde_json::Value),
    /// `payload_json` plus `files[n]`.
    Multipart(serde_json::Value, Vec<FilePart>),
}

pub struct Rest {
    client: reqwest::Client,
    base: String,
    auth: Option<Token>,
    limiter: Ratelimiter,
    timeout: Duration,
}

impl Rest {
    /// `base` is "https://discord.com" or a Discord-compatible server's origin; `auth` is None
    /// for webhooks, which need no token.
    pub fn new(base: String, auth: Option<Token>, timeout: Duration) -> BridgeResult<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| BridgeError::new(ErrorCode::HttpError, format!("could not start the HTTP client: {e}")))?;
        Ok(Self { client, base, auth, limiter: Ratelimiter::default(), timeout })
    }

    fn url(&self, route: &Route<'_>, query: &[(&str, String)]) -> String {
        let path = route.path();
        let mut url = match path.strip_prefix(DISCORD_BASE) {
            Some(rest) => format!("{}{}", self.base, rest),
            None => path.into_owned(),
        };
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            url.push_str(v);
        }
        url
    }

    fn build(&self, method: &Method, url: &str, body: &Body) -> BridgeResult<reqwest::Request> {
        let mut req = self.client.request(method.clone(), url).timeout(self.timeout).header(USER_AGENT, UA);
        if let Some(token) = &self.auth {
            let value = HeaderValue::from_str(&token.header()).map_err(|_| {
                BridgeError::new(ErrorCode::InvalidOption, "token has characters not allowed in a header")
            })?;
            req = req.header(AUTHORIZATION, value);
        }
        req = match body {
            Body::Empty => req,
            Body::Json(v) => req.header(CONTENT_TYPE, "application/json").body(v.to_string()),
            Body::Multipart(payload, files) => {
                let mut form = reqwest::multipart::Form::new().text("payload_json", payload.to_string());
                for (i, f) in files.iter().enumerate() {
                    let part = reqwest::multipart::Part::bytes(f.data.clone()).file_name(f.name.clone());
                    form = form.part(format!("files[{i}]"), part);
                }
                req.multipart(form)
            }
        };
        req.build().map_err(|e| {
            BridgeError::new(ErrorCode::InvalidOption, format!("could not build the request: {}", e.without_url()))
        })
    }

    /// Takes the call's place in its route's line; do this when the call is made.
    pub fn ticket(&self, route: &Route<'_>) -> Ticket {
        self.limiter.ticket(route.ratelimiting_bucket())
    }

    /// Sends one request when its ticket's turn comes, waiting for rate limits, retrying 429s
    /// and 5xx (keeping its turn, so later calls stay behind it); returns the body.
    pub async fn request(
        &self,
        ticket: Ticket,
        route: Route<'_>,
        method: Method,
        query: &[(&str, String)],
        body: Body,
    ) -> BridgeResult<Vec<u8>> {
        let url = self.url(&route, query);
        ticket.turn().await;
        let mut limited = 0;
        let mut failed = 0;
        loop {
            if let Some(wait) = ticket.wait() {
                tracing::debug!(wait_ms = wait.as_millis() as u64, "route bucket exhausted; waiting");
                tokio::time::sleep(wait).await;
            }
            self.limiter.acquire_global().await;
            let req = self.build(&method, &url, &body)?;
            let started = std::time::Instant::now();
            let response = match self.client.execute(req).await {
                Ok(r) => r,
                Err(e) if e.is_timeout() => {
                    return Err(BridgeError::new(
                        ErrorCode::Timeout,
                        format!(
                            "Discord did not answer {method} {} within {} ms.",
                            route_name(&route),
                            self.timeout.as_millis()
                        ),
                    ))
                }
                Err(e) => {
                    return Err(BridgeError::new(
                        ErrorCode::DiscordUnavailable,
                        format!("could not reach {} ({}); check the network or apiBaseUrl.", self.base, root_cause(&e)),
                    ))
                }
            };
            let now = Instant::now();
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            ticket.update(&headers, now);
            let bytes = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            tracing::debug!(%method, route = route_name(&route), status, ms = started.elapsed().as_millis() as u64, "rest");
            match status {
                200..=299 => return Ok(bytes),
                429 => {
                    let info = errors::RateLimited::parse(&headers, &bytes);
                    limited += 1;
                    tracing::warn!(
                        route = route_name(&route),
                        global = info.global,
                        retry_after_ms = info.retry_after.as_millis() as u64,
                        "429"
                    );
                    if info.global {
                        self.limiter.block_global(info.retry_after);
                    } else if !ticket.block_for(info.retry_after, now) {
                        tokio::time::sleep(info.retry_after).await;
                    }
                    if limited > MAX_429_RETRIES {
                        let mut err = BridgeError::new(
                            ErrorCode::RateLimited,
                            format!(
                                "Discord kept rate-limiting {} after {MAX_429_RETRIES} retries; slow down.",
                                route_name(&route)
                            ),
                        );
                        err.retry_after_ms = Some(info.retry_after.as_secs_f64() * 1000.0);
                        err.http_status = Some(429);
                        return Err(err);
                    }
                }
                500 | 502 | 503 | 504 if failed < MAX_5XX_RETRIES => {
                    failed += 1;
                    tokio::time::sleep(backoff(failed)).await;
                }
                _ => return Err(http_error(status, &bytes, self.auth.as_ref())),
            }
        }
    }

    pub async fn json<T: DeserializeOwned>(
        &self,
        ticket: Ticket,
        route: Route<'_>,
        method: Method,
        query: &[(&str, String)],
        body: Body,
    ) -> BridgeResult<T> {
        let name = route_name(&route);
        let bytes = self.request(ticket, route, method, query, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            BridgeError::new(ErrorCode::HttpError, format!("Discord's answer to {name} could not be read: {e}"))
        })
    }
}

/// The route's name for messages (never its path: webhook paths carry the webhook's token).
fn route_name(route: &Route<'_>) -> String {
    let debug = format!("{route:?}");
    debug.split([' ', '{']).next().unwrap_or("request").to_string()
}

fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// 250 ms, 500 ms, 1 s … plus up to 100 ms of jitter so many clients do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let jitter = u64::from(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos() % 100,
    );
    Duration::from_millis(250u64 << attempt.min(5)) + Duration::from_millis(jitter)
}
