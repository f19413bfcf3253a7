//! Growing back-off and temporary lockout after failed sign-ins.

use refwatch_domain::Timestamp;

/// Failures before back-off starts.
const FREE_FAILURES: u32 = 3;
/// The longest back-off between attempts.
const MAX_BACKOFF_SECONDS: i64 = 300;
/// Failures that lock the account.
const LOCK_AFTER: u32 = 10;
/// How long a lockout lasts.
const LOCK_SECONDS: i64 = 3600;

/// An account's sign-in failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lockout {
    /// Failures since the last success.
    pub failures: u32,
    /// No attempt is considered before this time.
    pub until: Option<Timestamp>,
}

/// Whether an attempt may be considered now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInGate {
    /// Go ahead and check the password.
    Open,
    /// Too soon after failures: wait until then.
    Wait(Timestamp),
    /// Locked after too many failures, until then.
    Locked(Timestamp),
}

impl Lockout {
    /// Whether an attempt at `now` may be considered.
    pub fn gate(&self, now: Timestamp) -> SignInGate {
        match self.until {
            Some(until) if now < until && self.failures >= LOCK_AFTER => SignInGate::Locked(until),
            Some(until) if now < until => SignInGate::Wait(until),
            _ => SignInGate::Open,
        }
    }

    /// The state after a failed attempt at `now`: no delay for the first
    /// few, then 1, 2, 4... seconds up to five minutes, and an hour's lock
    /// after ten.
    pub fn after_failure(&self, now: Timestamp) -> Lockout {
        let failures = self.failures + 1;
        let until = if failures >= LOCK_AFTER {
            Some(now.plus_seconds(LOCK_SECONDS))
        } else if failures >= FREE_FAILURES {
            let exp = (failures - FREE_FAILURES).min(20);
            Some(now.plus_seconds((1i64 << exp).min(MAX_BACKOFF_SECONDS)))
        } else {
            None
        };
        Lockout { failures, until }
    }

    /// The state after a successful sign-in.
    pub fn after_success() -> Lockout {
        Lockout::default()
    }
}
