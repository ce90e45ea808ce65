//! Secrets never leave for Discord. Everything sent (content, embeds, button labels, text files)
//! passes through a `Redactor` first: the bot token, the values of environment variables whose
//! names look secret (`*_TOKEN`, `*_KEY`, `*_SECRET`, `*PASSWORD*`), any extra values the caller
//! names, and common key formats (API keys, private key blocks, JWTs, Discord tokens, webhook
//! URLs). A replacement is never longer than what it replaces, so text already split to fit
//! Discord's limits still fits.

use std::sync::Arc;

use once_cell::sync::Lazy;
use regex::Regex;

/// Values shorter than this are not treated as secrets: they would match ordinary words.
const MIN_SECRET_LEN: usize = 8;

/// An environment value is masked when it looks like a secret rather than a word: at least 8
/// characters mixing two kinds (letters, digits, symbols, or both cases), or 16 of any kind.
/// `OPENAI_API_KEY=sk-…` and `DB_PASSWORD=hunter2!` are masked; `LLM_API_KEY=scripted` is not, or
/// every mention of the word would be.
fn looks_secret(v: &str) -> bool {
    let kinds = [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    v.len() >= 16 || (v.len() >= MIN_SECRET_LEN && kinds.iter().filter(|k| **k).count() >= 2)
}

static FORMATS: Lazy<Regex> = Lazy::new(|| {
    Regex::new(concat!(
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----(?s:.)*?-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----",
        r"|(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        r"|(?-u:\b)[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}(?-u:\b)",
        r"|(?-u:\b)sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}",
        r"|(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
        r"|(?-u:\b)(?:AKIA|ASIA)[0-9A-Z]{16}(?-u:\b)",
        r"|(?-u:\b)xox[abprs]-[A-Za-z0-9-]{10,}",
        r"|(?-u:\b)AIza[0-9A-Za-z_-]{35}",
        r"|(?-u:\b)[rs]k_live_[0-9A-Za-z]{16,}",
        r"|(?:discord|discordapp)\.com/api/(?:v[0-9]+/)?webhooks/[0-9]+/[A-Za-z0-9_-]{20,}",
    ))
    .expect("the secret formats compile")
});

/// Names of environment variables whose values are secrets.
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.ends_with("_TOKEN")
        || n.ends_with("_KEY")
        || n.ends_with("_SECRET")
        || n.contains("PASSWORD")
        || n.contains("PASSWD")
        || matches!(n.as_str(), "TOKEN" | "SECRET" | "API_KEY")
}

/// "[redacted]", or as many `*` as the secret had characters when that is shorter.
fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    if n >= 10 {
        "[redacted]".into()
    } else {
        "*".repeat(n)
    }
}

#[derive(Debug, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is masked whole.
    values: Vec<String>,
}

impl Redactor {
    /// The process's secret-looking environment variables plus `extra` (e.g. the bot token).
    pub fn from_env<I: IntoIterator<Item = String>>(extra: I) -> Self {
        let env = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, v)| secret_name(k) && looks_secret(v.trim()))
            .map(|(_, v)| v);
        Self::with_values(env.chain(extra))
    }

    pub fn with_values<I: IntoIterator<Item = String>>(values: I) -> Self {
        let mut values: Vec<String> =
            values.into_iter().map(|v| v.trim().to_string()).filter(|v| v.len() >= MIN_SECRET_LEN).collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Redactor { values }
    }

    /// This redactor's values and `extra` ones, for one pass over a text.
    pub fn plus(&self, extra: Vec<String>) -> Redactor {
        Redactor::with_values(self.values.iter().cloned().chain(extra))
    }

    pub fn text(&self, text: &str) -> String {
        let mut out = FORMATS.replace_all(text, |c: &regex::Captures<'_>| mask(&c[0])).into_owned();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), &mask(v));
            }
        }
        out
    }

    pub fn opt(&self, text: &mut Option<String>) {
        if let Some(t) = text {
            *t = self.text(t);
        }
    }

    /// A file's bytes: text files are redacted like messages; anything else goes as it is.
    pub fn bytes(&self, data: Vec<u8>) -> Vec<u8> {
        match String::from_utf8(data) {
            Ok(text) => self.text(&text).into_bytes(),
            Err(e) => e.into_bytes(),
        }
    }
}

/// The redactor for calls made without a client (webhooks, `splitMessage`): the environment only.
pub static ENV: Lazy<Arc<Redactor>> = Lazy::new(|| Arc::new(Redactor::from_env(std::iter::empty())));

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Redactor {
        Redactor::with_values([
            "MTIzNDU2Nzg5MDEyMzQ1Njc4.OMPtst.test-token".to_string(),
            "hunter2-password".into(),
            "short".into(),
        ])
    }

    #[test]
    fn named_values_are_masked() {
        let t = r().text("token MTIzNDU2Nzg5MDEyMzQ1Njc4.OMPtst.test-token and pw hunter2-password, short stays");
        assert_eq!(t, "token [redacted] and pw [redacted], short stays");
    }

    #[test]
    fn each_key_format_is_masked() {
        let samples = [
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAA\n-----END OPENSSH PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "sk-proj-abcdefghijklmnopqrstuvwxyz012345",
            "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
            "github_pat_11ABCDEFG0123456789_abcdefghij",
            "AKIAIOSFODNN7EXAMPLE",
            "xoxb-1234567890-abcdefghij",
            "AIzaSyA-abcdefghijklmnopqrstuvwxyz0123456",
            "sk_live_abcdefghijklmnop1234",
            "https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz-_0123",
        ];
        // Put together here, so the repository holds no string shaped like a real bot token.
        let discord_token =
            ["MTAxNTk5MzI0NjQ4NzQ1NjY0OQ", "GhX1aB", "abcdefghijklmnopqrstuvwxyz0123456789AB"].join(".");
        for s in samples.iter().copied().chain([discord_token.as_str()]) {
            let out = Redactor::default().text(&format!("before {s} after"));
            assert!(!out.contains(&s[s.len() - 8..]), "{s} leaked: {out}");
            assert!(out.starts_with("before ") && out.ends_with(" after"), "{out}");
        }
    }

    #[test]
    fn ordinary_text_is_untouched() {
        let s = "Ran cargo test: 22 passed. See src/redact.rs and https://discord.com/channels/1/2. sk-short";
        assert_eq!(Redactor::default().text(s), s);
    }

    #[test]
    fn never_longer_than_the_original() {
        let r = Redactor::with_values(["abcdefgh".to_string()]);
        assert_eq!(r.text("x abcdefgh y"), "x ******** y");
    }

    #[test]
    fn env_values_that_look_secret() {
        for v in ["sk-abc123def456", "hunter2!x", "Password1", "correcthorsebatterystaple"] {
            assert!(looks_secret(v), "{v}");
        }
        for v in ["scripted", "postgres", "true", "12345", "localhost"] {
            assert!(!looks_secret(v), "{v}");
        }
    }

    #[test]
    fn env_names_that_look_secret() {
        for n in ["DISCORD_TOKEN", "OPENAI_API_KEY", "aws_secret", "DB_PASSWORD", "PGPASSWORD", "TOKEN"] {
            assert!(secret_name(n), "{n}");
        }
        for n in ["PATH", "HOME", "KEYBOARD", "TOKENIZER_PATH", "SSH_AUTH_SOCK"] {
            assert!(!secret_name(n), "{n}");
        }
    }

    #[test]
    fn binary_files_pass_unchanged() {
        let png = vec![0x89, b'P', b'N', b'G', 0xff, 0x00];
        assert_eq!(Redactor::default().bytes(png.clone()), png);
        assert_eq!(r().bytes(b"pw=hunter2-password".to_vec()), b"pw=[redacted]".to_vec());
    }
}
