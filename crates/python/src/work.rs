//! Long calls: the work runs on its own thread without the GIL, while the calling thread
//! waits with the GIL released and checks for signals, so Ctrl-C raises the cancel flag.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pyo3::prelude::*;
use sameas::Control;

/// How often the waiting thread checks for signals.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Runs `work` without the GIL. A signal handler that raises (Ctrl-C's
/// `KeyboardInterrupt`) raises the cancel flag `work` sees through its [`Control`]; once
/// `work` has returned, that exception is raised. The facade leaves a cancelled resolver as
/// it was.
///
/// # Errors
/// The exception a signal handler raised.
pub fn run<T: Send>(py: Python<'_>, work: impl FnOnce(&Control<'_>) -> T + Send) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    let caller = std::thread::current();
    std::thread::scope(|scope| {
        let cancel = &cancel;
        let handle = scope.spawn(move || {
            let out = work(&Control::none().with_cancel(cancel));
            caller.unpark();
            out
        });
        let mut interrupted = None;
        while !handle.is_finished() {
            py.detach(|| std::thread::park_timeout(SIGNAL_CHECK));
            if interrupted.is_none()
                && let Err(err) = py.check_signals()
            {
                cancel.store(true, Ordering::Relaxed);
                interrupted = Some(err);
            }
        }
        let out = handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match interrupted {
            Some(err) => Err(err),
            None => Ok(out),
        }
    })
}
