//! `OutgoingMessage` → Discord's JSON (and files), checked locally against Discord's limits so a
//! bad message fails with a sentence instead of a 400 — and never gets silently cut.

use serde_json::{json, Map, Value};

use std::sync::Arc;

use crate::error::{BridgeError, BridgeResult, ErrorCode};
use crate::model::{AllowedMentions, Button, Embed, OutgoingMessage};
use crate::redact::Redactor;
use crate::rest::{Body, FilePart};

pub const MAX_CONTENT: usize = 2000;
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
const MAX_FILES: usize = 10;

fn invalid(msg: impl Into<String>) -> BridgeError {
    BridgeError::new(ErrorCode::InvalidMessage, msg)
}

pub fn snowflake(what: &str, id: &str) -> BridgeResult<u64> {
    match id.parse::<u64>() {
        Ok(n) if n > 0 && id.chars().all(|c| c.is_ascii_digit()) => Ok(n),
        _ => Err(BridgeError::new(
            ErrorCode::InvalidId,
            format!("{what} \"{id}\" is not a Discord id; ids are numbers like \"1180000000000000000\" (Developer Mode → Copy ID)."),
        )),
    }
}

#[derive(Debug)]
enum FileSource {
    Path(String),
    Bytes(Vec<u8>),
}

#[derive(Debug)]
struct PendingFile {
    name: String,
    source: FileSource,
}

/// A checked message: its JSON and the files still to be read.
#[derive(Debug)]
pub struct Draft {
    json: Value,
    files: Vec<PendingFile>,
    redactor: Arc<Redactor>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Create,
    Edit,
    Interaction,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn check_len(what: &str, s: &Option<String>, max: usize) -> BridgeResult<usize> {
    let n = s.as_deref().map(chars).unwrap_or(0);
    if n > max {
        return Err(invalid(format!("{what} is {n} characters; Discord allows {max}.")));
    }
    Ok(n)
}

fn embed_json(i: usize, e: &Embed) -> BridgeResult<(Value, usize)> {
    let mut total = check_len(&format!("embeds[{i}].title"), &e.title, 256)?;
    total += check_len(&format!("embeds[{i}].description"), &e.description, 4096)?;
    total += check_len(&format!("embeds[{i}].footer"), &e.footer, 2048)?;
    total += check_len(&format!("embeds[{i}].author"), &e.author, 256)?;
    let mut map = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            map.insert(k.into(), v);
        }
    };
    put("title", e.title.clone().map(Value::from));
    put("description", e.description.clone().map(Value::from));
    put("url", e.url.clone().map(Value::from));
    put("color", e.color.map(|c| Value::from(c & 0xFF_FFFF)));
    put("footer", e.footer.clone().map(|t| json!({ "text": t })));
    put("author", e.author.clone().map(|n| json!({ "name": n })));
    put("timestamp", e.timestamp.clone().map(Value::from));
    put("image", e.image_url.clone().map(|u| json!({ "url": u })));
    put("thumbnail", e.thumbnail_url.clone().map(|u| json!({ "url": u })));
    if let Some(fields) = &e.fields {
        if fields.len() > 25 {
            return Err(invalid(format!("embeds[{i}] has {} fields; Discord allows 25.", fields.len())));
        }
        let mut out = Vec::new();
        for (j, f) in fields.iter().enumerate() {
            total += check_len(&format!("embeds[{i}].fields[{j}].name"), &Some(f.name.clone()), 256)?;
            total += check_len(&format!("embeds[{i}].fields[{j}].value"), &Some(f.value.clone()), 1024)?;
            if f.name.is_empty() || f.value.is_empty() {
                return Err(invalid(format!("embeds[{i}].fields[{j}] needs a non-empty name and value.")));
            }
            out.push(json!({ "name": f.name, "value": f.value, "inline": f.inline.unwrap_or(false) }));
        }
        map.insert("fields".into(), Value::Array(out));
    }
    Ok((Value::Object(map), total))
}

fn button_json(row: usize, col: usize, b: &Button) -> BridgeResult<Value> {
    let at = format!("components[{row}][{col}]");
    let style = match b.style.as_deref().unwrap_or("primary") {
        "primary" => 1,
        "secondary" => 2,
        "success" => 3,
        "danger" => 4,
        "link" => 5,
        other => {
            return Err(invalid(format!(
                "{at}.style \"{other}\" is not one of primary, secondary, success, danger, link."
            )))
        }
    };
    if b.label.is_none() && b.emoji.is_none() {
        return Err(invalid(format!("{at} needs a label or an emoji.")));
    }
    check_len(&format!("{at}.label"), &b.label, 80)?;
    let mut map = Map::new();
    map.insert("type".into(), 2.into());
    map.insert("style".into(), style.into());
    if style == 5 {
        let url = b.url.clone().ok_or_else(|| invalid(format!("{at} is a link button and needs a url.")))?;
        map.insert("url".into(), url.into());
    } else {
        let id = b
            .custom_id
            .clone()
            .ok_or_else(|| invalid(format!("{at} needs a customId (it comes back on the click).")))?;
        check_len(&format!("{at}.customId"), &Some(id.clone()), 100)?;
        map.insert("custom_id".into(), id.into());
    }
    if let Some(label) = &b.label {
        map.insert("label".into(), label.clone().into());
    }
    if let Some(emoji) = &b.emoji {
        let v = match emoji.rsplit_once(':') {
            Some((name, id)) if id.chars().all(|c| c.is_ascii_digit()) && !id.is_empty() => {
                json!({ "name": name, "id": id })
            }
            _ => json!({ "name": emoji }),
        };
        map.insert("emoji".into(), v);
    }
    if b.disabled == Some(true) {
        map.insert("disabled".into(), true.into());
    }
    Ok(Value::Object(map))
}

fn mentions_json(m: Option<&AllowedMentions>) -> BridgeResult<Value> {
    let Some(m) = m else { return Ok(json!({ "parse": [], "replied_user": false })) };
    let parse = m.parse.clone().unwrap_or_default();
    for p in &parse {
        if !["users", "roles", "everyone"].contains(&p.as_str()) {
            return Err(invalid(format!("allowedMentions.parse \"{p}\" is not one of users, roles, everyone.")));
        }
    }
    let mut map = Map::new();
    map.insert("parse".into(), json!(parse));
    if let Some(users) = &m.users {
        for u in users {
            snowflake("allowedMentions.users", u)?;
        }
        map.insert("users".into(), json!(users));
    }
    if let Some(roles) = &m.roles {
        for r in roles {
            snowflake("allowedMentions.roles", r)?;
        }
        map.insert("roles".into(), json!(roles));
    }
    map.insert("replied_user".into(), m.replied_user.unwrap_or(false).into());
    Ok(Value::Object(map))
}

pub const SUPPRESS_EMBEDS: u32 = 1 << 2;
pub const EPHEMERAL: u32 = 1 << 6;
pub const SUPPRESS_NOTIFICATIONS: u32 = 1 << 12;

/// The `flags` field, from `flags` and the booleans over it; only the bits Discord accepts for
/// this kind of send. None when nothing asks for flags (an edit then leaves them as they are).
fn flags_json(msg: &OutgoingMessage, purpose: Purpose) -> BridgeResult<Option<u32>> {
    let (allowed, allowed_names) = match purpose {
        Purpose::Create => {
            (SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS, "SUPPRESS_EMBEDS (4) and SUPPRESS_NOTIFICATIONS (4096)")
        }
        Purpose::Interaction => (
            SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | EPHEMERAL,
            "SUPPRESS_EMBEDS (4), EPHEMERAL (64) and SUPPRESS_NOTIFICATIONS (4096)",
        ),
        Purpose::Edit => (SUPPRESS_EMBEDS, "SUPPRESS_EMBEDS (4)"),
    };
    if let Some(flags) = msg.flags {
        let refused = flags & !allowed;
        if refused != 0 {
            return Err(invalid(format!(
                "flags {flags} has bits Discord does not accept here ({refused}); {} only {allowed_names}.",
                if purpose == Purpose::Edit { "an edit can change" } else { "a new message can carry" },
            )));
        }
    }
    if msg.ephemeral == Some(true) && purpose != Purpose::Interaction {
        return Err(invalid("ephemeral only applies to interaction responses."));
    }
    if msg.suppress_notifications.is_some() && purpose == Purpose::Edit {
        return Err(invalid("suppressNotifications only applies when a message is sent, not to an edit."));
    }
    let asked = msg.flags.is_some()
        || msg.suppress_embeds.is_some()
        || msg.suppress_notifications.is_some()
        || (msg.ephemeral.is_some() && purpose == Purpose::Interaction);
    if !asked {
        return Ok(None);
    }
    let mut flags = msg.flags.unwrap_or(0);
    for (set, bit) in [
        (msg.suppress_embeds, SUPPRESS_EMBEDS),
        (msg.suppress_notifications, SUPPRESS_NOTIFICATIONS),
        (msg.ephemeral.filter(|_| purpose == Purpose::Interaction), EPHEMERAL),
    ] {
        match set {
            Some(true) => flags |= bit,
            Some(false) => flags &= !bit,
            None => {}
        }
    }
    // A new message with no flag needs no field; an edit sends 0 to clear SUPPRESS_EMBEDS.
    Ok((flags != 0 || purpose == Purpose::Edit).then_some(flags))
}

/// Validates a message and makes its request body; every text in it is redacted first.
pub fn prepare(mut msg: OutgoingMessage, purpose: Purpose, redactor: &Arc<Redactor>) -> BridgeResult<Draft> {
    redact_message(&mut msg, redactor);
    let mut map = Map::new();
    if let Some(content) = &msg.content {
        let n = chars(content);
        if n > MAX_CONTENT {
            return Err(BridgeError::new(
                ErrorCode::ContentTooLong,
                format!("content is {n} characters; Discord allows {MAX_CONTENT}. Split it (splitMessage) or send it as a file."),
            ));
        }
        map.insert("content".into(), content.clone().into());
    }
    if let Some(embeds) = &msg.embeds {
        if embeds.len() > 10 {
            return Err(invalid(format!("{} embeds; Discord allows 10 per message.", embeds.len())));
        }
        let mut total = 0;
        let mut out = Vec::new();
        for (i, e) in embeds.iter().enumerate() {
            let (v, n) = embed_json(i, e)?;
            total += n;
            out.push(v);
        }
        if total > 6000 {
            return Err(invalid(format!("the embeds hold {total} characters in all; Discord allows 6000.")));
        }
        map.insert("embeds".into(), Value::Array(out));
    }
    if let Some(rows) = &msg.components {
        if rows.len() > 5 {
            return Err(invalid(format!("{} rows of buttons; Discord allows 5.", rows.len())));
        }
        let mut out = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            if row.is_empty() || row.len() > 5 {
                return Err(invalid(format!("components[{r}] has {} buttons; a row holds 1 to 5.", row.len())));
            }
            let buttons =
                row.iter().enumerate().map(|(c, b)| button_json(r, c, b)).collect::<BridgeResult<Vec<_>>>()?;
            out.push(json!({ "type": 1, "components": buttons }));
        }
        map.insert("components".into(), Value::Array(out));
    }
    if let Some(reply) = &msg.reply_to {
        snowflake("replyTo", reply)?;
        map.insert("message_reference".into(), json!({ "message_id": reply, "fail_if_not_exists": false }));
    }
    map.insert("allowed_mentions".into(), mentions_json(msg.allowed_mentions.as_ref())?);
    if let Some(flags) = flags_json(&msg, purpose)? {
        map.insert("flags".into(), flags.into());
    }
    let mut files = Vec::new();
    for (i, f) in msg.files.unwrap_or_default().into_iter().enumerate() {
        let source = match (f.path, f.data) {
            (Some(path), None) => FileSource::Path(path),
            (None, Some(data)) => FileSource::Bytes(data.to_vec()),
            _ => return Err(invalid(format!("files[{i}] needs exactly one of path or data."))),
        };
        let name = match (&f.name, &source) {
            (Some(n), _) => n.clone(),
            (None, FileSource::Path(p)) => std::path::Path::new(p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| invalid(format!("files[{i}].path \"{p}\" has no file name.")))?,
            (None, FileSource::Bytes(_)) => return Err(invalid(format!("files[{i}] has data but no name."))),
        };
        files.push((PendingFile { name, source }, f.description));
    }
    if files.len() > MAX_FILES {
        return Err(invalid(format!("{} files; Discord allows {MAX_FILES} per message.", files.len())));
    }
    if !files.is_empty() || msg.clear_attachments == Some(true) {
        let attachments: Vec<Value> = files
            .iter()
            .enumerate()
            .map(|(i, (f, d))| json!({ "id": i, "filename": f.name, "description": d }))
            .collect();
        map.insert("attachments".into(), Value::Array(attachments));
    }
    if purpose != Purpose::Edit
        && !["content", "embeds", "components"].iter().any(|k| map.contains_key(*k))
        && files.is_empty()
    {
        return Err(invalid("the message is empty: give it content, an embed, a file or buttons."));
    }
    if map.get("content").is_some_and(|c| c.as_str() == Some(""))
        && !["embeds", "components"].iter().any(|k| map.contains_key(*k))
        && files.is_empty()
    {
        return Err(invalid("the message is empty: give it content, an embed, a file or buttons."));
    }
    Ok(Draft {
        json: Value::Object(map),
        files: files.into_iter().map(|(f, _)| f).collect(),
        redactor: redactor.clone(),
    })
}

fn redact_message(msg: &mut OutgoingMessage, r: &Redactor) {
    r.opt(&mut msg.content);
    for e in msg.embeds.iter_mut().flatten() {
        for t in [&mut e.title, &mut e.description, &mut e.footer, &mut e.author, &mut e.url] {
            r.opt(t);
        }
        for f in e.fields.iter_mut().flatten() {
            f.name = r.text(&f.name);
            f.value = r.text(&f.value);
        }
    }
    for b in msg.components.iter_mut().flatten().flatten() {
        r.opt(&mut b.label);
    }
    for f in msg.files.iter_mut().flatten() {
        r.opt(&mut f.description);
    }
}

impl Draft {
    pub fn set(&mut self, key: &str, value: Value) {
        if let Value::Object(map) = &mut self.json {
            map.insert(key.into(), value);
        }
    }

    /// Reads the files (off the JS thread) and makes the request body.
    pub async fn into_body(self) -> BridgeResult<Body> {
        if self.files.is_empty() {
            return Ok(Body::Json(self.json));
        }
        let mut parts = Vec::new();
        for f in self.files {
            let data = match f.source {
                FileSource::Bytes(b) => b,
                FileSource::Path(p) => {
                    let meta = tokio::fs::metadata(&p).await.map_err(|e| {
                        BridgeError::new(
                            ErrorCode::FileNotFound,
                            format!("cannot read file \"{p}\": {e}; check the path."),
                        )
                    })?;
                    if meta.len() > MAX_FILE_BYTES {
                        return Err(file_too_large(&p, meta.len()));
                    }
                    tokio::fs::read(&p).await.map_err(|e| {
                        BridgeError::new(
                            ErrorCode::FileNotFound,
                            format!("cannot read file \"{p}\": {e}; check the path."),
                        )
                    })?
                }
            };
            if data.len() as u64 > MAX_FILE_BYTES {
                return Err(file_too_large(&f.name, data.len() as u64));
            }
            parts.push(FilePart { name: f.name, data: self.redactor.bytes(data) });
        }
        Ok(Body::Multipart(self.json, parts))
    }
}

fn file_too_large(name: &str, len: u64) -> BridgeError {
    BridgeError::new(
        ErrorCode::FileTooLarge,
        format!(
            "file \"{name}\" is {:.1} MiB; Discord accepts up to {} MiB per file. Compress it or share a link.",
            len as f64 / 1048576.0,
            MAX_FILE_BYTES / 1048576
        ),
    )
}

/// Splits text into pieces of at most `limit` characters, preferring line breaks, then spaces,
/// and keeping ``` code fences balanced: a fence open at a cut is closed there and reopened
/// (with its language) at the start of the next piece. Nothing is dropped.
pub fn split_content(text: &str, limit: usize) -> Vec<String> {
    let limit = limit.max(32);
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    let mut reopen: Option<String> = None;
    while !rest.is_empty() {
        let prefix: Vec<char> = reopen.as_ref().map(|f| format!("{f}\n").chars().collect()).unwrap_or_default();
        // Room for the prefix and a closing "\n```".
        let room = limit.saturating_sub(prefix.len() + 4).max(1);
        let take = if rest.len() <= limit - prefix.len() {
            rest.len()
        } else {
            let window = &rest[..room.min(rest.len())];
            let newline = window.iter().rposition(|&c| c == '\n').filter(|&p| p > room / 2);
            let space = window.iter().rposition(|&c| c == ' ').filter(|&p| p > room / 2);
            newline.or(space).map(|p| p + 1).unwrap_or(window.len())
        };
        let body: String = rest[..take].iter().collect();
        rest.drain(..take);
        let mut piece: String = prefix.iter().collect();
        piece.push_str(&body);
        // Which fence is open at the end of this piece?
        let mut open: Option<String> = None;
        for line in piece.lines() {
            let t = line.trim_start();
            if let Some(after) = t.strip_prefix("```") {
                open = if open.is_some() { None } else { Some(format!("```{}", after.trim())) };
            }
        }
        if let (Some(_), false) = (&open, rest.is_empty()) {
            if !piece.ends_with('\n') {
                piece.push('\n');
            }
            piece.push_str("```");
        }
        reopen = if rest.is_empty() { None } else { open };
        let trimmed = piece.trim_end_matches('\n').to_string();
        if !trimmed.is_empty() {
            pieces.push(trimmed);
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> Arc<Redactor> {
        Arc::new(Redactor::default())
    }

    fn msg(content: &str) -> OutgoingMessage {
        OutgoingMessage {
            content: Some(content.into()),
            embeds: None,
            components: None,
            reply_to: None,
            files: None,
            allowed_mentions: None,
            ephemeral: None,
            clear_attachments: None,
            nonce: None,
            suppress_embeds: None,
            suppress_notifications: None,
            flags: None,
        }
    }

    #[test]
    fn flags_from_booleans_and_numbers() {
        let with = |f: fn(&mut OutgoingMessage), purpose| {
            let mut m = msg("see https://example.com");
            f(&mut m);
            prepare(m, purpose, &none()).map(|d| d.json.get("flags").cloned())
        };
        assert_eq!(with(|_| {}, Purpose::Create).unwrap(), None);
        assert_eq!(with(|m| m.suppress_embeds = Some(true), Purpose::Create).unwrap(), Some(json!(4)));
        assert_eq!(with(|m| m.suppress_embeds = Some(false), Purpose::Create).unwrap(), None);
        assert_eq!(with(|m| m.suppress_notifications = Some(true), Purpose::Create).unwrap(), Some(json!(4096)));
        assert_eq!(with(|m| m.flags = Some(4 | 4096), Purpose::Create).unwrap(), Some(json!(4100)));
        assert_eq!(
            with(
                |m| {
                    m.flags = Some(4 | 4096);
                    m.suppress_embeds = Some(false);
                },
                Purpose::Create
            )
            .unwrap(),
            Some(json!(4096))
        );
        assert_eq!(
            with(
                |m| {
                    m.ephemeral = Some(true);
                    m.suppress_embeds = Some(true);
                },
                Purpose::Interaction
            )
            .unwrap(),
            Some(json!(68))
        );
        // An edit: true sets, false clears (0 is sent), unset leaves the message's flags alone.
        assert_eq!(with(|m| m.suppress_embeds = Some(true), Purpose::Edit).unwrap(), Some(json!(4)));
        assert_eq!(with(|m| m.suppress_embeds = Some(false), Purpose::Edit).unwrap(), Some(json!(0)));
        assert_eq!(with(|_| {}, Purpose::Edit).unwrap(), None);
    }

    #[test]
    fn flags_discord_refuses_are_refused_here() {
        let refused = |f: fn(&mut OutgoingMessage), purpose| {
            let mut m = msg("x");
            f(&mut m);
            prepare(m, purpose, &none()).unwrap_err()
        };
        // CROSSPOSTED, URGENT, EPHEMERAL outside interactions, IS_VOICE_MESSAGE, a high bit.
        for bad in [1, 16, 64, 8192, 1 << 31] {
            let mut m = msg("x");
            m.flags = Some(bad);
            let e = prepare(m, Purpose::Create, &none()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidMessage, "flag {bad}");
            assert!(e.message.contains("SUPPRESS_EMBEDS"), "{}", e.message);
        }
        assert_eq!(refused(|m| m.flags = Some(4096), Purpose::Edit).code, ErrorCode::InvalidMessage);
        assert_eq!(refused(|m| m.suppress_notifications = Some(true), Purpose::Edit).code, ErrorCode::InvalidMessage);
        assert_eq!(refused(|m| m.ephemeral = Some(true), Purpose::Create).code, ErrorCode::InvalidMessage);
    }

    #[test]
    fn default_allows_no_mentions() {
        let d = prepare(msg("@everyone hi"), Purpose::Create, &none()).unwrap();
        assert_eq!(d.json["allowed_mentions"], json!({ "parse": [], "replied_user": false }));
    }

    #[test]
    fn too_long_is_refused_not_cut() {
        let e = prepare(msg(&"x".repeat(2001)), Purpose::Create, &none()).unwrap_err();
        assert_eq!(e.code, ErrorCode::ContentTooLong);
        assert!(prepare(msg(&"é".repeat(2000)), Purpose::Create, &none()).is_ok());
    }

    #[test]
    fn empty_is_refused() {
        assert_eq!(prepare(msg(""), Purpose::Create, &none()).unwrap_err().code, ErrorCode::InvalidMessage);
    }

    #[test]
    fn bad_ids_are_named() {
        let e = snowflake("channelId", "#general").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidId);
        assert!(e.message.contains("#general"));
    }

    #[test]
    fn split_keeps_every_character_and_fences() {
        let mut text = String::from("intro\n```rust\n");
        for i in 0..400 {
            text.push_str(&format!("let x{i} = {i};\n"));
        }
        text.push_str("```\nafter");
        let pieces = split_content(&text, 2000);
        assert!(pieces.len() > 1);
        for p in &pieces {
            assert!(p.chars().count() <= 2000, "piece too long");
            assert_eq!(p.matches("```").count() % 2, 0, "unbalanced fence in {p}");
        }
        let joined: String = pieces.join("\n");
        for i in 0..400 {
            assert!(joined.contains(&format!("let x{i} = {i};")));
        }
        assert!(pieces[1].starts_with("```rust\n"));
        assert!(joined.ends_with("after"));
    }

    #[test]
    fn split_hard_cuts_a_long_word() {
        let pieces = split_content(&"a".repeat(4500), 2000);
        assert_eq!(pieces.iter().map(|p| p.len()).sum::<usize>(), 4500);
        assert!(pieces.iter().all(|p| p.len() <= 2000));
    }
}
