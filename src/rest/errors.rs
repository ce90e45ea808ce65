//! Discord's error answers → coded errors with a sentence that says what to do.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::Deserialize;

use super::ratelimit::{header_wait, wait_from_secs};
use crate::error::{BridgeError, ErrorCode};
use crate::options::Token;

#[derive(Deserialize, Default)]
struct DiscordError {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Option<serde_json::Value>,
}

pub struct RateLimited {
    pub retry_after: Duration,
    pub global: bool,
}

impl RateLimited {
    /// Reads a 429: `retry_after` from the body, else the `Retry-After` header, else 1 s. A value
    /// that is not a finite, non-negative number counts as absent; a huge one is capped at
    /// `MAX_WAIT`. Never panics, whatever the server sent.
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Self {
        let body: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let retry_after = body
            .get("retry_after")
            .and_then(serde_json::Value::as_f64)
            .and_then(wait_from_secs)
            .or_else(|| header_wait(headers, "retry-after"))
            .unwrap_or(Duration::from_secs(1));
        let global = body.get("global").and_then(serde_json::Value::as_bool).unwrap_or(false)
            || header("x-ratelimit-global").is_some()
            || header("x-ratelimit-scope") == Some("global");
        Self { retry_after, global }
    }
}

/// Flattens Discord's nested `errors` object into "path: message" lines.
fn field_errors(value: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    let Some(map) = value.as_object() else { return };
    for (key, inner) in map {
        if key == "_errors" {
            for e in inner.as_array().into_iter().flatten() {
                let msg = e.get("message").and_then(|m| m.as_str()).unwrap_or("invalid");
                out.push(if path.is_empty() { msg.to_string() } else { format!("{path}: {msg}") });
            }
        } else {
            let next = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            field_errors(inner, &next, out);
        }
    }
}

pub fn http_error(status: u16, body: &[u8], token: Option<&Token>) -> BridgeError {
    let parsed: DiscordError = serde_json::from_slice(body).unwrap_or_default();
    let said = match token {
        Some(t) => t.redact(&parsed.message),
        None => parsed.message.clone(),
    };
    let (code, text) = match (status, parsed.code) {
        (_, 50027) => (ErrorCode::UnknownWebhook, "The webhook URL's token is wrong; copy the webhook URL again into DISCORD_WEBHOOK_URL.".into()),
        (401, _) => (ErrorCode::InvalidToken, BridgeError::invalid_token().message),
        (_, 10003) => (ErrorCode::UnknownChannel, "Discord knows no channel with that id (or the bot cannot see it); check the id (Developer Mode → Copy Channel ID).".into()),
        (_, 10008) => (ErrorCode::UnknownMessage, "Discord knows no message with that id in that channel; it may have been deleted.".into()),
        (_, 10004) => (ErrorCode::UnknownGuild, "Discord knows no server with that id, or the bot is not in it; invite the bot first.".into()),
        (_, 10015) => (ErrorCode::UnknownWebhook, "The webhook does not exist any more or the URL is wrong; create a new webhook and set DISCORD_WEBHOOK_URL.".into()),
        (_, 10007 | 10013) => (ErrorCode::UnknownMember, "Discord knows no such user in that server; check the user id and that they are a member of the server.".into()),
        (_, 10062) => (ErrorCode::UnknownInteraction, "The interaction expired or was already answered: answer within 3 s, or defer first.".into()),
        (_, 50001) => (ErrorCode::MissingAccess, "The bot cannot see that channel; add the bot to the channel or give it View Channel.".into()),
        (_, 50013) => (ErrorCode::MissingPermissions, format!("The bot lacks a permission for this ({said}); grant it in the channel's or server's settings.")),
        (_, 50035) => (ErrorCode::InvalidFormBody, "Discord rejected the message's fields".into()),
        (404, _) => (ErrorCode::HttpError, format!("Discord answered 404 Not Found ({said}).")),
        (403, _) => (ErrorCode::MissingPermissions, format!("Discord refused this (403: {said}); check the bot's permissions.")),
        (500..=599, _) => (ErrorCode::DiscordUnavailable, format!("Discord is having trouble (HTTP {status}); try again later.")),
        _ => (ErrorCode::HttpError, format!("Discord answered HTTP {status}: {said}")),
    };
    let mut err = BridgeError::new(code, text);
    err.http_status = Some(status);
    if parsed.code != 0 {
        err.discord_code = Some(parsed.code);
    }
    if let Some(errors) = &parsed.errors {
        field_errors(errors, "", &mut err.field_errors);
        if code == ErrorCode::InvalidFormBody && !err.field_errors.is_empty() {
            err.message = format!("{}: {}", err.message, err.field_errors.join("; "));
        }
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_errors_are_flattened() {
        let body = br#"{"code":50035,"message":"Invalid Form Body","errors":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]},"embeds":{"0":{"title":{"_errors":[{"code":"X","message":"Too long"}]}}}}}"#;
        let e = http_error(400, body, None);
        assert_eq!(e.code, ErrorCode::InvalidFormBody);
        assert!(e.field_errors.contains(&"content: Must be 2000 or fewer in length.".to_string()));
        assert!(e.field_errors.contains(&"embeds.0.title: Too long".to_string()));
        assert!(e.message.contains("embeds.0.title: Too long"));
    }

    #[test]
    fn codes_map_to_names() {
        assert_eq!(
            http_error(404, br#"{"code":10003,"message":"Unknown Channel"}"#, None).code,
            ErrorCode::UnknownChannel
        );
        assert_eq!(http_error(401, br#"{"code":0,"message":"401: Unauthorized"}"#, None).code, ErrorCode::InvalidToken);
        assert_eq!(
            http_error(403, br#"{"code":50013,"message":"Missing Permissions"}"#, None).code,
            ErrorCode::MissingPermissions
        );
    }

    #[test]
    fn unknown_user_and_member_map_to_unknown_member() {
        for code in [10007, 10013] {
            let body = format!(r#"{{"code":{code},"message":"Unknown"}}"#);
            assert_eq!(http_error(404, body.as_bytes(), None).code, ErrorCode::UnknownMember);
        }
    }

    #[test]
    fn token_echoed_by_server_is_redacted() {
        let t = Token::parse("abcdefgh.ijkl.mnop").unwrap();
        let e = http_error(418, br#"{"code":1,"message":"bad abcdefgh.ijkl.mnop"}"#, Some(&t));
        assert!(!e.message.contains("abcdefgh.ijkl.mnop"));
    }

    #[test]
    fn retry_after_from_body_or_header() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-scope", "global".parse().unwrap());
        let r =
            RateLimited::parse(&h, br#"{"message":"You are being rate limited.","retry_after":0.25,"global":false}"#);
        assert!(r.global);
        assert_eq!(r.retry_after, Duration::from_millis(250));
    }

    #[test]
    fn hostile_retry_after_never_panics_and_is_bounded() {
        use super::super::ratelimit::MAX_WAIT;
        let one_second = Duration::from_secs(1);
        // (body, Retry-After header, expected wait)
        let cases: &[(&str, Option<&str>, Duration)] = &[
            (r#"{"retry_after":1e300}"#, None, MAX_WAIT),
            (r#"{"retry_after":1e400}"#, None, one_second), // not a JSON number serde can hold: unreadable body
            (r#"{"retry_after":-5}"#, None, one_second),
            (r#"{"retry_after":"NaN"}"#, Some("NaN"), one_second),
            (r#"{"retry_after":null}"#, Some("inf"), one_second),
            ("{}", Some("-infinity"), one_second),
            ("{}", Some("1e300"), MAX_WAIT),
            ("{}", Some("soon"), one_second),
            ("{}", Some(" 2 "), Duration::from_secs(2)),
            ("not json", Some("0.5"), Duration::from_millis(500)),
            (r#"{"retry_after":-0.0}"#, None, Duration::ZERO),
        ];
        for (body, header, expected) in cases {
            let mut h = HeaderMap::new();
            if let Some(v) = header {
                h.insert("retry-after", v.parse().unwrap());
            }
            let r = RateLimited::parse(&h, body.as_bytes());
            assert_eq!(r.retry_after, *expected, "body {body}, header {header:?}");
        }
    }

    #[test]
    fn a_garbage_retry_after_keeps_the_global_flag() {
        let r = RateLimited::parse(&HeaderMap::new(), br#"{"retry_after":"later","global":true}"#);
        assert!(r.global);
        assert_eq!(r.retry_after, Duration::from_secs(1));
    }
}
