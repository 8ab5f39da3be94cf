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
        "catalogue format version {found} is not supported (this build reads versions {} to \
         {supported}; a newer file needs a newer photocat)",
        crate::storage::OLDEST_SUPPORTED
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
    /// The catalogue file is already open: by another [`crate::Catalog`] in this process (a
    /// notebook cell run twice) or by another process. Nothing was read or written.
    #[error(
        "{} is already open (in this or another process); close the other Catalog first",
        path.display()
    )]
    AlreadyOpen {
        /// The file that was opened.
        path: PathBuf,
    },
    /// The storage engine failed (redb).
    #[error("storage error: {0}")]
    Storage(#[from] redb::Error),
    /// An operating-system I/O error, with the file it concerns. Every I/O error photocat
    /// raises about a catalogue file carries its path; `path` is None only for errors of no
    /// file (converted with `?` from a bare [`std::io::Error`]).
    #[error("{}", io_message(path.as_deref(), source))]
    Io {
        /// The file the operation was on.
        path: Option<PathBuf>,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Building Arrow data or encoding Parquet failed for a reason other than I/O (I/O errors
    /// are [`Error::Io`], with the file's path). Features `arrow` and `parquet` only.
    #[error("arrow export failed: {0}")]
    Arrow(String),
}

fn io_message(path: Option<&std::path::Path>, e: &std::io::Error) -> String {
    match path {
        Some(p) => format!("I/O error on {}: {e}", p.display()),
        None => format!("I/O error: {e}"),
    }
}

/// An Arrow error: ours (carried through a reader as `ExternalError`) comes back as it was.
#[cfg(feature = "arrow")]
impl From<arrow_schema::ArrowError> for Error {
    fn from(e: arrow_schema::ArrowError) -> Error {
        use arrow_schema::ArrowError;
        match e {
            ArrowError::ExternalError(inner) => match inner.downcast::<Error>() {
                Ok(e) => *e,
                Err(other) => Error::Arrow(other.to_string()),
            },
            other => Error::Arrow(other.to_string()),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Self {
        Error::Io { path: None, source }
    }
}

/// `Result` with [`Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }

    /// An I/O error on the file at `path`.
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            path: Some(path.to_path_buf()),
            source,
        }
    }

    /// The error with the catalogue file's path attached: a redb I/O error becomes
    /// [`Error::Io`] naming `path`, an `Io` without a path gets it, and redb's "already open"
    /// becomes [`Error::AlreadyOpen`]. Other errors are returned unchanged.
    pub(crate) fn at(self, path: Option<&std::path::Path>) -> Self {
        let Some(path) = path else { return self };
        match self {
            Error::Storage(redb::Error::Io(source)) | Error::Io { path: None, source } => {
                Error::io(path, source)
            }
            Error::Storage(redb::Error::DatabaseAlreadyOpen) => Error::AlreadyOpen {
                path: path.to_path_buf(),
            },
            e => e,
        }
    }

    /// An I/O failure of the storage engine, after which redb refuses the handle's every
    /// operation until the file is reopened.
    pub(crate) fn is_io_failure(&self) -> bool {
        matches!(
            self,
            Error::Storage(redb::Error::Io(_) | redb::Error::PreviousIo) | Error::Io { .. }
        )
    }

    /// The outcome of steps that ran side by side in one write (tables written concurrently):
    /// Ok when every step succeeded, else the first error that is not redb's `PreviousIo`.
    /// When one thread's write fails on I/O (a full disk), the others' later operations fail
    /// with `PreviousIo`, which only reports that failure: the caller must see the cause (its
    /// errno), as it would from one thread.
    pub(crate) fn first_of(results: impl IntoIterator<Item = Result<()>>) -> Result<()> {
        let mut echo = None;
        for r in results {
            match r {
                Ok(()) => {}
                Err(Error::Storage(redb::Error::PreviousIo)) => {
                    echo.get_or_insert(Error::Storage(redb::Error::PreviousIo));
                }
                Err(e) => return Err(e),
            }
        }
        echo.map_or(Ok(()), Err)
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
    fn the_cause_of_a_failed_write_wins_over_its_echoes() {
        let echo = || Err(Error::Storage(redb::Error::PreviousIo));
        let cause = || {
            Err(Error::from(redb::StorageError::Io(
                std::io::Error::from_raw_os_error(
                    27, // EFBIG
                ),
            )))
        };
        let got = Error::first_of([Ok(()), echo(), cause(), echo()]).unwrap_err();
        assert!(
            matches!(&got, Error::Storage(redb::Error::Io(e)) if e.raw_os_error() == Some(27)),
            "{got:?}"
        );
        assert!(matches!(
            Error::first_of([Ok(()), echo()]),
            Err(Error::Storage(redb::Error::PreviousIo))
        ));
        assert!(Error::first_of([Ok(()), Ok(())]).is_ok());
    }

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

    #[test]
    fn io_and_open_errors_name_the_file() {
        let p = std::path::Path::new("/photos/x.redb");
        let e = Error::Storage(redb::Error::Io(std::io::Error::from(
            std::io::ErrorKind::NotFound,
        )))
        .at(Some(p));
        assert!(
            matches!(&e, Error::Io { path: Some(q), .. } if q == p),
            "{e:?}"
        );
        assert!(
            e.to_string().starts_with("I/O error on /photos/x.redb: "),
            "{e}"
        );
        let e = Error::Storage(redb::Error::DatabaseAlreadyOpen).at(Some(p));
        assert_eq!(
            e.to_string(),
            "/photos/x.redb is already open (in this or another process); close the other \
             Catalog first"
        );
        // Without a file, errors stay as they are.
        let e = Error::from(std::io::Error::other("x")).at(None);
        assert!(matches!(e, Error::Io { path: None, .. }));
    }
}
