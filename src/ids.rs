//! Identifiers: kind prefixes, generation of new ids, and validation of imported ones.
//!
//! Generated ids are `<kind>_<token>` where the token is 16 random bytes in URL-safe base64
//! without padding (22 characters), so ids are unique without coordination. Imported records
//! may keep their own ids: 1 to 128 characters of `[A-Za-z0-9_.:-]` (Immich UUIDs fit).

use base64::Engine;

use crate::error::{Error, Result};

/// The kinds of record that carry a generated id, each with its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `library_`
    Library,
    /// `asset_`
    Asset,
    /// `album_`
    Album,
    /// `person_`
    Person,
    /// `face_`
    Face,
    /// `tag_`
    Tag,
    /// `stack_`
    Stack,
}

impl IdKind {
    /// The prefix of generated ids of this kind, including the underscore.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Library => "library_",
            IdKind::Asset => "asset_",
            IdKind::Album => "album_",
            IdKind::Person => "person_",
            IdKind::Face => "face_",
            IdKind::Tag => "tag_",
            IdKind::Stack => "stack_",
        }
    }

    /// The word used for this kind in error messages.
    pub fn noun(self) -> &'static str {
        match self {
            IdKind::Library => "library",
            IdKind::Asset => "asset",
            IdKind::Album => "album",
            IdKind::Person => "person",
            IdKind::Face => "face",
            IdKind::Tag => "tag",
            IdKind::Stack => "stack",
        }
    }
}

/// A new unique id of the given kind.
pub fn generate(kind: IdKind) -> String {
    let mut id = String::with_capacity(kind.prefix().len() + 22);
    id.push_str(kind.prefix());
    push_token(&mut id);
    id
}

/// A new unique URL-safe token of 22 characters (128 random bits), as ids carry.
pub(crate) fn token() -> String {
    let mut t = String::with_capacity(22);
    push_token(&mut t);
    t
}

fn push_token(out: &mut String) {
    let mut bytes = [0u8; 16];
    // getrandom only fails when the OS has no entropy source at all; fall back to a
    // time-and-counter token rather than panicking, which keeps ids unique within a process.
    if getrandom::fill(&mut bytes).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        bytes[..8].copy_from_slice(&nanos.to_le_bytes());
        bytes[8..].copy_from_slice(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(bytes, out);
}

/// The longest id accepted.
pub const MAX_ID_LEN: usize = 128;

/// Checks that `id` is an acceptable id: 1 to 128 characters of `[A-Za-z0-9_.:-]`.
pub fn validate(kind: IdKind, id: &str) -> Result<()> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-');
    if id.is_empty() || id.len() > MAX_ID_LEN || !id.chars().all(ok_char) {
        return Err(Error::invalid(format!(
            "invalid {} id {:?}: ids are 1 to {MAX_ID_LEN} characters of [A-Za-z0-9_.:-]",
            kind.noun(),
            truncate_for_message(id)
        )));
    }
    Ok(())
}

/// The given id after validation, or a new generated one.
pub fn given_or_new(kind: IdKind, id: Option<&str>) -> Result<String> {
    match id {
        Some(id) => validate(kind, id).map(|()| id.to_owned()),
        None => Ok(generate(kind)),
    }
}

/// Shortens user input quoted in an error message.
pub(crate) fn truncate_for_message(s: &str) -> String {
    if s.chars().count() <= 80 {
        s.to_owned()
    } else {
        let head: String = s.chars().take(77).collect();
        format!("{head}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_prefix_and_are_valid_and_distinct() {
        let a = generate(IdKind::Asset);
        let b = generate(IdKind::Asset);
        assert!(a.starts_with("asset_"));
        assert_eq!(a.len(), "asset_".len() + 22);
        assert_ne!(a, b);
        validate(IdKind::Asset, &a).unwrap();
    }

    #[test]
    fn imported_ids() {
        validate(IdKind::Asset, "3f1c2a9e-8b7d-4c21-9f0e-2b6a1d4c8e7f").unwrap();
        validate(IdKind::Asset, "a").unwrap();
        validate(IdKind::Asset, &"x".repeat(128)).unwrap();
        for bad in ["", "a b", "é", "a/b", &"x".repeat(129)] {
            let e = validate(IdKind::Asset, bad).unwrap_err().to_string();
            assert!(e.contains("[A-Za-z0-9_.:-]"), "{e}");
        }
    }
}
