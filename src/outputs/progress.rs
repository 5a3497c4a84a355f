//! Progress bars for long steps (reading, fitting and writing many series; milestone
//! simulations), on stderr and only when stderr is a terminal, so pipes, logs and tests
//! see nothing. A bar appears once its step has run for about a second: short runs stay
//! quiet.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
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
