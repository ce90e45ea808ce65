//! Errors with a stable `code` that JavaScript can branch on, and a message that says what to do.
//! Rejected promises carry `code`, and where known `httpStatus`, `discordCode`, `retryAfterMs`
//! and `fieldErrors` (Discord's per-field form errors, flattened to "path: message").

use napi::bindgen_prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidToken,
    DisallowedIntents,
    InvalidIntents,
    InvalidOption,
    InvalidId,
    InvalidMessage,
    ContentTooLong,
    FileNotFound,
    FileTooLarge,
    UnknownChannel,
    UnknownMessage,
    UnknownGuild,
    UnknownInteraction,
    UnknownWebhook,
    UnknownMember,
    MissingAccess,
    MissingPermissions,
    InvalidFormBody,
    NotConnected,
    AlreadyConnected,
    DiscordUnavailable,
    Timeout,
    RateLimited,
    HttpError,
    MalformedEvent,
    ListenerThrew,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidToken => "INVALID_TOKEN",
            Self::DisallowedIntents => "DISALLOWED_INTENTS",
            Self::InvalidIntents => "INVALID_INTENTS",
            Self::InvalidOption => "INVALID_OPTION",
            Self::InvalidId => "INVALID_ID",
            Self::InvalidMessage => "INVALID_MESSAGE",
            Self::ContentTooLong => "CONTENT_TOO_LONG",
            Self::FileNotFound => "FILE_NOT_FOUND",
            Self::FileTooLarge => "FILE_TOO_LARGE",
            Self::UnknownChannel => "UNKNOWN_CHANNEL",
            Self::UnknownMessage => "UNKNOWN_MESSAGE",
            Self::UnknownGuild => "UNKNOWN_GUILD",
            Self::UnknownInteraction => "UNKNOWN_INTERACTION",
            Self::UnknownWebhook => "UNKNOWN_WEBHOOK",
            Self::UnknownMember => "UNKNOWN_MEMBER",
            Self::MissingAccess => "MISSING_ACCESS",
            Self::MissingPermissions => "MISSING_PERMISSIONS",
            Self::InvalidFormBody => "INVALID_FORM_BODY",
            Self::NotConnected => "NOT_CONNECTED",
            Self::AlreadyConnected => "ALREADY_CONNECTED",
            Self::DiscordUnavailable => "DISCORD_UNAVAILABLE",
            Self::Timeout => "TIMEOUT",
            Self::RateLimited => "RATE_LIMITED",
            Self::HttpError => "HTTP_ERROR",
            Self::MalformedEvent => "MALFORMED_EVENT",
            Self::ListenerThrew => "LISTENER_THREW",
        }
    }
}

#[derive(Debug, Clone)]
pub struct BridgeError {
    pub code: ErrorCode,
    pub message: String,
    pub http_status: Option<u16>,
    pub discord_code: Option<i64>,
    pub retry_after_ms: Option<f64>,
    pub field_errors: Vec<String>,
}

pub type BridgeResult<T> = std::result::Result<T, BridgeError>;

impl BridgeError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            http_status: None,
            discord_code: None,
            retry_after_ms: None,
            field_errors: Vec::new(),
        }
    }

    pub fn invalid_token() -> Self {
        Self::new(
            ErrorCode::InvalidToken,
            "Discord rejected the bot token. Copy a fresh token from the Developer Portal \
             (Bot → Reset Token) into DISCORD_TOKEN.",
        )
    }

    pub fn not_connected() -> Self {
        Self::new(ErrorCode::NotConnected, "The Discord client is not connected; call connect() first.")
    }

    /// Builds the JS `Error` object (on the JS thread) with `code` and the extra fields, and
    /// wraps it so napi rejects with exactly that object.
    pub fn into_napi(self, env: &Env) -> napi::Error {
        let build = || -> napi::Result<Unknown<'_>> {
            let js = napi::JsError::from(napi::Error::new(self.code.as_str(), self.message.clone())).into_unknown(*env);
            let mut obj = Object::from_unknown(js)?;
            if let Some(status) = self.http_status {
                obj.set("httpStatus", status)?;
            }
            if let Some(code) = self.discord_code {
                obj.set("discordCode", code)?;
            }
            if let Some(ms) = self.retry_after_ms {
                obj.set("retryAfterMs", ms)?;
            }
            if !self.field_errors.is_empty() {
                obj.set("fieldErrors", self.field_errors.clone())?;
            }
            Ok(obj.to_unknown())
        };
        match build() {
            Ok(value) => napi::Error::from(value),
            Err(_) => napi::Error::new(Status::GenericFailure, format!("{}: {}", self.code.as_str(), self.message)),
        }
    }
}

impl std::fmt::Display for BridgeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for BridgeError {}

/// Turns a future's `BridgeResult` into a JS promise that rejects with a coded error.
pub fn promise<'env, T, F>(env: &'env Env, fut: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: std::future::Future<Output = BridgeResult<T>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, |env, result| match result {
        Ok(value) => Ok(value),
        Err(err) => Err(err.into_napi(env)),
    })
}

/// Unwraps a validation result; on error the async method returns a promise that rejects with
/// it, so callers see every failure the same way (`await` / `.catch`), never a synchronous throw.
macro_rules! or_reject {
    ($env:expr, $result:expr) => {
        match $result {
            Ok(value) => value,
            Err(err) => return $crate::error::promise($env, async move { Err(err) }),
        }
    };
}
pub(crate) use or_reject;

/// A synchronous throw with a coded error (constructor validation).
pub fn throw(env: &Env, err: BridgeError) -> napi::Error {
    err.into_napi(env)
}
