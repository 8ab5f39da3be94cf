//! The one error type of the crate, and the `Result` alias every public function returns.

use std::path::PathBuf;

/// Everything that can go wrong in photocat. Each variant maps to one Python exception class.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A record named by id does not exist.
    #[error("{kind} {id:?} not found")]
    NotFound {
        /// What kind of record was looked up (`asset`, `album`, ...).
        kind: &'static str,
        /// The id that was not found.
        id: String,
    },
    /// An argument is malformed or out of range; the message says what is allowed.
    #[error("{0}")]
    InvalidArgument(String),
    /// A new record collides with an existing one (an explicit id, or a checksum).
    #[error("{message}")]
    Duplicate {
        /// What collided, and with what.
        message: String,
        /// The id of the record that already exists.
        existing_id: String,
    },
    /// The file exists but is not a photocat catalogue (empty, another format, a redb file of
    /// another application). The file was not modified.
    #[error("{path} is not a photocat catalogue: {reason}")]
    NotACatalog {
        /// The file that was opened.
        path: PathBuf,
        /// Why it was rejected.
        reason: String,
    },
    /// The file is a photocat catalogue of a format version this build cannot read.
    #[error(
        "catalogue format version {found} is not supported (this build reads version {supported})"
    )]
    UnsupportedVersion {
        /// The version recorded in the file.
        found: u32,
        /// The version this build writes and reads.
        supported: u32,
    },
    /// Stored data does not decode: the file was damaged or written by something else.
    #[error("corrupt catalogue: {0}")]
    Corrupt(String),
    /// The storage engine failed (redb).
    #[error("storage error: {0}")]
    Storage(#[from] redb::Error),
    /// An operating-system I/O error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// `Result` with [`Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }

    pub(crate) fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound {
            kind,
            id: id.into(),
        }
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::Storage(e.into())
            }
        }
    )*};
}
from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_problem() {
        assert_eq!(
            Error::not_found("asset", "asset_x").to_string(),
            "asset \"asset_x\" not found"
        );
        let e = Error::UnsupportedVersion {
            found: 9,
            supported: 1,
        };
        assert!(e.to_string().contains("version 9"));
    }
}
