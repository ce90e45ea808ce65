//! `sendWebhook(url, msg)`: posting through a channel webhook, no bot token needed. Webhook
//! URLs carry a secret, so they never appear in an error or a log line.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use once_cell::sync::Lazy;
use serenity::http::Route;
use serenity::model::channel::Message;
use serenity::model::id::WebhookId;

use crate::error::{self, or_reject, BridgeError, BridgeResult, ErrorCode};
use crate::model::{MessageInfo, OutgoingMessage};
use crate::outgoing::{self, Purpose};
use crate::redact::ENV;
use crate::rest::Rest;
use crate::{convert, logging};

/// One REST client (and so one set of rate-limit buckets) per webhook host, for the process.
static CLIENTS: Lazy<Mutex<HashMap<String, Arc<Rest>>>> = Lazy::new(Default::default);

struct WebhookUrl {
    base: String,
    id: u64,
    token: String,
}

fn parse_url(raw: &str) -> BridgeResult<WebhookUrl> {
    let bad = || {
        BridgeError::new(
            ErrorCode::InvalidOption,
            "the webhook URL is not a Discord webhook URL; copy it from Channel Settings → Integrations → Webhooks (https://discord.com/api/webhooks/<id>/<token>).",
        )
    };
    let url = reqwest::Url::parse(raw.trim()).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    let segments: Vec<&str> = url.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    let tail = match segments.as_slice() {
        ["api", v, "webhooks", id, token] if v.starts_with('v') => (*id, *token),
        ["api", "webhooks", id, token] => (*id, *token),
        _ => return Err(bad()),
    };
    let id = tail.0.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(bad)?;
    let base = url[..url::Position::BeforePath].to_string();
    Ok(WebhookUrl { base, id, token: tail.1.to_string() })
}

fn client_for(base: &str) -> BridgeResult<Arc<Rest>> {
    let mut clients = CLIENTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = clients.get(base) {
        return Ok(c.clone());
    }
    let rest = Arc::new(Rest::new(base.to_string(), None, Duration::from_secs(15))?);
    clients.insert(base.to_string(), rest.clone());
    Ok(rest)
}

/// Posts a message through a webhook and resolves with the message Discord created.
#[napi(ts_return_type = "Promise<MessageInfo | null>")]
pub fn send_webhook<'env>(
    env: &'env Env,
    webhook_url: String,
    message: OutgoingMessage,
) -> Result<PromiseRaw<'env, Option<MessageInfo>>> {
    logging::init();
    let prepared = parse_url(&webhook_url).and_then(|w| Ok((w, outgoing::prepare(message, Purpose::Create, &ENV)?)));
    let (hook, draft) = or_reject!(env, prepared);
    let rest = or_reject!(env, client_for(&hook.base));
    let ticket = rest.ticket(&Route::WebhookWithToken { webhook_id: WebhookId::new(hook.id), token: &hook.token });
    error::promise(env, async move {
        let body = draft.into_body().await?;
        let route = Route::WebhookWithToken { webhook_id: WebhookId::new(hook.id), token: &hook.token };
        let bytes = rest.request(ticket, route, reqwest::Method::POST, &[("wait", "true".into())], body).await?;
        if bytes.is_empty() {
            return Ok(None);
        }
        let message: Message = serde_json::from_slice(&bytes).map_err(|e| {
            BridgeError::new(ErrorCode::HttpError, format!("the webhook's answer could not be read: {e}"))
        })?;
        Ok(Some(convert::message(&message)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_discord_and_local_urls() {
        let w = parse_url("https://discord.com/api/webhooks/123/abc-DEF_1").unwrap();
        assert_eq!((w.base.as_str(), w.id, w.token.as_str()), ("https://discord.com", 123, "abc-DEF_1"));
        let w = parse_url("http://127.0.0.1:4000/api/v10/webhooks/9/t").unwrap();
        assert_eq!(w.base, "http://127.0.0.1:4000");
    }

    #[test]
    fn bad_url_error_does_not_echo_the_secret() {
        let e = parse_url("https://discord.com/api/hooks/123/supersecret").err().unwrap();
        assert!(!e.message.contains("supersecret"));
    }
}
