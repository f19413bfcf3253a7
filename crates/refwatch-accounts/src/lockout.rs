//! Failed sign-ins recorded on an account.

use refwatch_domain::Timestamp;

/// Failed sign-ins on an account since its last success, for administrators
/// to see. No account is ever locked by failures, so no one can lock
/// another out: back-off is per username and client ([`crate::Throttle`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lockout {
    /// Failures since the last success.
    pub failures: u32,
    /// When the last failure happened.
    pub until: Option<Timestamp>,
}

impl Lockout {
    /// The record after a failed attempt at `now`.
    pub fn after_failure(&self, now: Timestamp) -> Lockout {
        Lockout {
            failures: self.failures.saturating_add(1),
            until: Some(now),
        }
    }

    /// The record after a successful sign-in.
    pub fn after_success() -> Lockout {
        Lockout::default()
    }
}
