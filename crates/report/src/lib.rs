//! One self-contained HTML report of a sameas run: data quality per channel and field,
//! resolution (records → entities, entity sizes, match probabilities against the threshold
//! and review band, blocking, refusals, generic values), the largest and most conflicted
//! entities (masked), and, when their outputs are given, customer value (`score`) and
//! segments, cohorts and channels (`segment`).
//!
//! The page works offline: its style and its charts (SVG drawn here) are inline, and it
//! names no URL. It holds bins, counts and masked values only, so its size does not grow
//! with the input's rows.
//!
//! ```no_run
//! use std::path::PathBuf;
//! let sources = sameas_report::Sources::read(&[PathBuf::from("out")]).unwrap();
//! std::fs::write("report.html", sameas_report::render(&sources)).unwrap();
//! ```

#![deny(missing_docs)]

mod page;
mod read;
mod svg;

pub use read::{SourceKind, Sources};

/// What can go wrong reading a run's outputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A path is not what the report reads, or a file is malformed (named, with the row).
    #[error("{0}")]
    Input(String),
}

/// The report of `sources` as one HTML document.
pub fn render(sources: &Sources) -> String {
    page::render(sources)
}

/// Reads `paths` ([`Sources::read`]) and writes their report to `out`; returns its size in
/// bytes.
///
/// # Errors
/// As [`Sources::read`], and [`Error::Io`] when `out` cannot be written.
pub fn write_report(paths: &[std::path::PathBuf], out: &std::path::Path) -> Result<usize, Error> {
    let html = render(&Sources::read(paths)?);
    std::fs::write(out, &html).map_err(|source| Error::Io {
        path: out.display().to_string(),
        source,
    })?;
    Ok(html.len())
}

/// The report of a resolution held in memory (the library's and the Python API's way in):
/// the run's files are written to a temporary folder, read as [`Sources::read`] reads a
/// resolve directory, and removed.
///
/// # Errors
/// [`Error::Io`] when the temporary folder cannot be written.
pub fn render_resolution(
    resolution: &sameas::Resolution,
    config: &sameas::ResolverConfig,
) -> Result<String, Error> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "sameas-report-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = sameas::write_resolution(&dir, resolution, config, &resolution.report)
        .map_err(|err| Error::Io {
            path: dir.display().to_string(),
            source: std::io::Error::other(err.to_string()),
        })
        .and_then(|()| Sources::read(std::slice::from_ref(&dir)));
    let _ = std::fs::remove_dir_all(&dir);
    let mut sources = written?;
    if let Some(run) = &mut sources.resolve {
        // The folder is gone: name the run as the commands a reader would type do.
        run.name = "DIR".to_string();
    }
    Ok(render(&sources))
}
