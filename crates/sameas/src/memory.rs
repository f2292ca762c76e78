//! How a program built on sameas asks the kernel for memory.
//!
//! A run allocates and frees memory in waves (records, then columns, then pairs); mimalloc
//! hands pages it no longer uses back to the kernel and takes them again later. Where the
//! kernel backs them with transparent huge pages, each page taken again is zeroed 2 MB at a
//! time: on a machine up for hours a third of a million-record run's CPU went to the kernel
//! (BENCHMARKS.md, "Small pages for the command line"). The command line therefore asks for
//! ordinary pages.

/// Asks the kernel not to back this process's memory with transparent huge pages (Linux's
/// `PR_SET_THP_DISABLE`, for the whole process from then on), unless `MIMALLOC_ALLOW_THP=1`
/// is set. Returns whether the request was made and granted; elsewhere than Linux it does
/// nothing. Call it first thing in `main`: pages already backed stay as they are.
///
/// ```
/// // A program's first line; the answer only says whether the kernel took the request.
/// let _ = sameas::memory::prefer_small_pages();
/// ```
pub fn prefer_small_pages() -> bool {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some_and(|v| v == "1") {
        return false;
    }
    small_pages()
}

#[cfg(target_os = "linux")]
fn small_pages() -> bool {
    rustix::thread::disable_transparent_huge_pages(true).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn small_pages() -> bool {
    false
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn the_kernel_keeps_the_request() {
        if super::prefer_small_pages() {
            assert!(rustix::thread::transparent_huge_pages_are_disabled().unwrap());
        }
    }
}
