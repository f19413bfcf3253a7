//! Back-off for password guesses, per username and client.
//!
//! Keyed by the username as typed (whether or not an account has it) and
//! the client's address, so that unknown names back off exactly like known
//! ones, and so that one attacker cannot lock anyone else out: the back-off
//! of a name grows only for the client that guesses it. There is no lock;
//! after a few free failures each further one doubles the wait, up to five
//! minutes. Passwords are at least 12 characters and hashed with argon2id,
//! so guesses stay slow even from many addresses (docs/policy.md).

use std::collections::HashMap;

use refwatch_domain::Timestamp;

/// Failures before back-off starts.
const FREE_FAILURES: u32 = 3;
/// The longest wait between attempts.
const MAX_BACKOFF_SECONDS: i64 = 300;
/// How many (name, client) pairs are remembered; beyond, the oldest are forgotten.
const CAPACITY: usize = 50_000;
/// A pair with no failure for this long is forgotten.
const FORGET_SECONDS: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    failures: u32,
    until: Option<Timestamp>,
    last: Option<Timestamp>,
    /// Attempts refused during back-off and not yet written to the audit log.
    held: u32,
    /// Whether a refusal of the current wait has been written to the audit log.
    wait_logged: bool,
}

/// What to do with an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Go ahead and check the password.
    Open,
    /// Refused: too soon after failures; wait until then. `log` says whether
    /// to write an audit entry now, and for how many refusals (this one and
    /// those held back since the last entry).
    Wait {
        /// When the next attempt will be considered.
        until: Timestamp,
        /// Refusals to write to the audit log now, if any.
        log: Option<u32>,
    },
}

/// Failures per (username, client), in memory.
#[derive(Debug, Default)]
pub struct Throttle {
    entries: HashMap<(String, String), Entry>,
}

fn key(username: &str, client: &str) -> (String, String) {
    // Bounded, so that long names cannot fill memory.
    let name: String = username.trim().to_lowercase().chars().take(64).collect();
    (name, client.chars().take(64).collect())
}

impl Throttle {
    /// Whether an attempt for `username` from `client` may be considered at
    /// `now`. The first refusal of each wait is to be logged; later ones are
    /// counted and logged with the next.
    pub fn gate(&mut self, username: &str, client: &str, now: Timestamp) -> Gate {
        let Some(e) = self.entries.get_mut(&key(username, client)) else {
            return Gate::Open;
        };
        match e.until {
            Some(until) if now < until => {
                let log = if e.wait_logged {
                    e.held += 1;
                    None
                } else {
                    e.wait_logged = true;
                    Some(std::mem::take(&mut e.held) + 1)
                };
                Gate::Wait { until, log }
            }
            _ => Gate::Open,
        }
    }

    /// Records a failure at `now`; returns refusals held back since the last
    /// audit entry, to write with the failure's entry.
    pub fn fail(&mut self, username: &str, client: &str, now: Timestamp) -> u32 {
        self.forget_old(now);
        let e = self.entries.entry(key(username, client)).or_default();
        e.failures += 1;
        e.last = Some(now);
        e.until = (e.failures >= FREE_FAILURES).then(|| {
            let exp = (e.failures - FREE_FAILURES).min(20);
            now.plus_seconds((1i64 << exp).min(MAX_BACKOFF_SECONDS))
        });
        e.wait_logged = false;
        std::mem::take(&mut e.held)
    }

    /// Forgets the failures of `username` from `client` after a success.
    pub fn succeed(&mut self, username: &str, client: &str) {
        self.entries.remove(&key(username, client));
    }

    /// Forgets every pair for `username` (an administrator lifted it).
    pub fn clear(&mut self, username: &str) {
        let name = key(username, "").0;
        self.entries.retain(|(n, _), _| *n != name);
    }

    /// How many pairs are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn forget_old(&mut self, now: Timestamp) {
        if self.entries.len() < CAPACITY {
            return;
        }
        self.entries
            .retain(|_, e| e.last.is_some_and(|t| now.0 - t.0 < FORGET_SECONDS));
        if self.entries.len() >= CAPACITY {
            // Still full: forget the half with the oldest failures.
            let mut times: Vec<i64> = self
                .entries
                .values()
                .filter_map(|e| e.last.map(|t| t.0))
                .collect();
            times.sort_unstable();
            let cut = times[times.len() / 2];
            self.entries
                .retain(|_, e| e.last.is_some_and(|t| t.0 > cut));
        }
    }
}
