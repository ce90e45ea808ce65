//! Property tests (fuzzing) over what reads untrusted input or reshapes what users see: inbound
//! event translation, the content splitter and the redactor. CI runs proptest's default 256
//! cases each; `PROPTEST_CASES=100000 cargo test proptests` runs longer.

use once_cell::sync::Lazy;
use proptest::prelude::*;
use serde_json::Value;

use crate::gateway::dispatch::translate;
use crate::outgoing::split_content;
use crate::redact::Redactor;

const EVENTS: [&str; 6] = [
    "MESSAGE_CREATE",
    "MESSAGE_UPDATE",
    "MESSAGE_DELETE",
    "MESSAGE_REACTION_ADD",
    "INTERACTION_CREATE",
    "THREAD_CREATE",
];

/// Real payloads of the carried events, from the bundled server's catalogue.
static CATALOGUE: Lazy<Vec<(String, Value)>> = Lazy::new(|| {
    crate::gateway::dispatch::CATALOGUE
        .iter()
        .filter_map(|f| Some((f["t"].as_str()?.to_string(), f["d"].clone())))
        .filter(|(t, _)| EVENTS.contains(&t.as_str()))
        .collect()
});

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[0-9]{1,20}".prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the value at a pseudo-random place in `v` (steered by `path`) with `with`.
fn mutate(v: &mut Value, path: &[usize], with: Value) {
    let slot = match (v, path.first()) {
        (Value::Object(m), Some(&i)) if !m.is_empty() => {
            let key = m.keys().nth(i % m.len()).cloned().unwrap();
            m.get_mut(&key).unwrap()
        }
        (Value::Array(a), Some(&i)) if !a.is_empty() => {
            let n = a.len();
            &mut a[i % n]
        }
        (v, _) => {
            *v = with;
            return;
        }
    };
    if path.len() == 1 {
        *slot = with;
    } else {
        mutate(slot, &path[1..], with);
    }
}

fn run(name: &str, payload: &Value) {
    let raw = serde_json::value::to_raw_value(payload).unwrap();
    // Either an event, nothing, or a MALFORMED_EVENT error; never a panic.
    if let Err(e) = translate(name, Some(&raw)) {
        assert_eq!(e.code, crate::error::ErrorCode::MalformedEvent);
    }
}

fn no_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

proptest! {
    #[test]
    fn translate_survives_arbitrary_payloads(name in prop::sample::select(EVENTS.to_vec()), payload in json()) {
        run(name, &payload);
    }

    #[test]
    fn translate_survives_mutated_real_payloads(pick in any::<usize>(), path in prop::collection::vec(any::<usize>(), 1..6), with in json()) {
        let (name, payload) = &CATALOGUE[pick % CATALOGUE.len()];
        let mut payload = payload.clone();
        mutate(&mut payload, &path, with);
        run(name, &payload);
    }

    #[test]
    fn split_keeps_every_character_within_the_limit(text in "[a-z ]{0,12}(\n[a-zé ]{0,80}){0,60}", limit in 32usize..400) {
        let pieces = split_content(&text, limit);
        for p in &pieces {
            prop_assert!(p.chars().count() <= limit, "{} > {limit}", p.chars().count());
            prop_assert!(!p.is_empty());
        }
        prop_assert_eq!(no_whitespace(&pieces.concat()), no_whitespace(&text));
    }

    #[test]
    fn split_keeps_code_fences_balanced(lines in prop::collection::vec(prop_oneof![Just("```rust".to_string()), Just("```".to_string()), "[a-z ]{0,70}"], 0..80), limit in 32usize..300) {
        let text = lines.join("\n");
        let pieces = split_content(&text, limit);
        for p in pieces.iter().take(pieces.len().saturating_sub(1)) {
            let fences = p.lines().filter(|l| l.trim_start().starts_with("```")).count();
            prop_assert!(fences % 2 == 0, "unbalanced piece: {p:?}");
        }
        for p in &pieces {
            prop_assert!(p.chars().count() <= limit);
        }
    }

    #[test]
    fn redaction_removes_the_secret_and_never_lengthens(before in ".{0,60}", after in ".{0,60}", secret in "[A-Za-z0-9_-]{8,40}") {
        let r = Redactor::with_values([secret.clone()]);
        let text = format!("{before}{secret}{after}");
        let out = r.text(&text);
        prop_assert!(!out.contains(&secret));
        prop_assert!(out.chars().count() <= text.chars().count());
        prop_assert_eq!(r.text(&out), out.clone(), "redacting twice changes nothing");
    }
}
