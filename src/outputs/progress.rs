//! Progress bars for long steps (reading, fitting and writing many series; milestone
//! simulations), on stderr and only when stderr is a terminal, so pipes, logs and tests
//! see nothing. A bar appears once its step has run for about a second: short runs stay
//! quiet.

use crate::commands::forecast::Ticker;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a step runs before its bar is drawn.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// One progress bar; cheap to tick from many threads.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    terminal: bool,
    shown: AtomicBool,
    start: Instant,
}

impl Progress {
    /// A bar over `len` items named `unit` (e.g. "series", "paths"), labelled `step`.
    pub fn new(len: u64, unit: &str, step: &str) -> Self {
        Self::with_terminal(len, unit, step, std::io::stderr().is_terminal())
    }

    /// [`Progress::new`] with the terminal test given (false: never drawn).
    pub fn with_terminal(len: u64, unit: &str, step: &str, terminal: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        let template = if unit == "bytes" {
            "{msg:>8} {bar:40} {binary_bytes}/{binary_total_bytes} {elapsed}".to_string()
        } else {
            format!("{{msg:>8}} {{bar:40}} {{human_pos}}/{{human_len}} {unit} {{elapsed}}")
        };
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(step.to_string());
        Self {
            bar,
            terminal,
            shown: AtomicBool::new(false),
            start: Instant::now(),
        }
    }

    /// Advance by `n` items; draws the bar once the step has run for [`SHOW_AFTER`].
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
        if self.terminal
            && !self.shown.load(Ordering::Relaxed)
            && self.start.elapsed() >= SHOW_AFTER
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Items done so far.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Relabel the bar (e.g. "fit" → "write").
    pub fn set_step(&self, step: &str) {
        self.bar.set_message(step.to_string());
    }

    /// Whether the bar has been drawn.
    pub fn is_shown(&self) -> bool {
        self.shown.load(Ordering::Relaxed)
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A run's steps as progress bars, one at a time: the [`Ticker`] a command's library call
/// ticks (`commands::forecast`), each step drawn as a [`Progress`].
#[derive(Debug, Default)]
pub struct Steps(RwLock<Option<Progress>>);

impl Steps {
    fn bar(&self) -> std::sync::RwLockReadGuard<'_, Option<Progress>> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn slot(&self) -> std::sync::RwLockWriteGuard<'_, Option<Progress>> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl Ticker for Steps {
    fn begin(&self, len: u64, unit: &str, step: &str) {
        let mut slot = self.slot();
        if let Some(old) = slot.take() {
            old.finish();
        }
        *slot = Some(Progress::new(len, unit, step));
    }

    fn relabel(&self, step: &str) {
        if let Some(p) = self.bar().as_ref() {
            p.set_step(step);
        }
    }

    fn inc(&self, n: u64) {
        if let Some(p) = self.bar().as_ref() {
            p.inc(n);
        }
    }

    fn end(&self) {
        if let Some(p) = self.slot().take() {
            p.finish();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_off_a_terminal_counts_but_is_never_drawn() {
        let p = Progress::with_terminal(10, "series", "fit", false);
        std::thread::sleep(SHOW_AFTER + Duration::from_millis(20));
        p.inc(3);
        p.inc(4);
        assert_eq!(p.position(), 7);
        assert!(!p.is_shown());
    }

    #[test]
    fn steps_count_each_step_on_its_own_bar() {
        let s = Steps::default();
        s.inc(5); // no step yet: nothing to count
        s.begin(10, "series", "fit");
        s.inc(3);
        s.relabel("write");
        assert_eq!(s.bar().as_ref().map(Progress::position), Some(3));
        s.begin(100, "paths", "simulate");
        assert_eq!(s.bar().as_ref().map(Progress::position), Some(0));
        s.end();
        assert!(s.bar().is_none());
    }

    #[test]
    fn a_bar_on_a_terminal_waits_a_second_before_it_is_drawn() {
        let p = Progress::with_terminal(10, "paths", "simulate", true);
        p.inc(1);
        assert!(!p.is_shown());
        std::thread::sleep(SHOW_AFTER + Duration::from_millis(20));
        p.inc(1);
        assert!(p.is_shown());
        p.finish();
    }
}
