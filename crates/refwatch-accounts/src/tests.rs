use refwatch_domain::Timestamp;

use super::*;

#[test]
fn totp_matches_the_rfc_6238_test_vectors() {
    // RFC 6238, appendix B, SHA-1 seed "12345678901234567890" (8 digits there; the last 6 here).
    let seed = b"12345678901234567890";
    for (t, code) in [
        (59, 287_082),
        (1_111_111_109, 81_804),
        (1_111_111_111, 50_471),
        (1_234_567_890, 5_924),
        (2_000_000_000, 279_037),
    ] {
        assert_eq!(totp_code(seed, Timestamp(t)), code, "t = {t}");
    }
    assert_eq!(verify_totp(seed, "287082", Timestamp(59), None), Some(1));
    assert_eq!(
        verify_totp(seed, "287082", Timestamp(59), Some(1)),
        None,
        "a used code is refused"
    );
    assert!(
        verify_totp(seed, "287082", Timestamp(75), None).is_some(),
        "one step of drift is allowed"
    );
    assert!(verify_totp(seed, "287082", Timestamp(200), None).is_none());
    assert!(verify_totp(seed, "28708", Timestamp(59), None).is_none());
    assert!(verify_totp(seed, "abcdef", Timestamp(59), None).is_none());
}

#[test]
fn base32_matches_rfc_4648() {
    assert_eq!(base32(b""), "");
    assert_eq!(base32(b"f"), "MY");
    assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
}

#[test]
fn back_off_grows_per_name_and_client_and_locks_nobody_out() {
    let t0 = Timestamp(1_000_000);
    let mut throttle = Throttle::default();
    let mut waits = Vec::new();
    for i in 0..12 {
        let now = t0.plus_seconds(i * 10_000);
        assert_eq!(
            throttle.gate("admin", "10.0.0.9", now),
            Gate::Open,
            "attempt {i}"
        );
        throttle.fail("admin", "10.0.0.9", now);
        waits.push(match throttle.gate("admin", "10.0.0.9", now) {
            Gate::Open => None,
            Gate::Wait { until, .. } => Some(until.0 - now.0),
        });
    }
    // No delay for the first two, then doubling, capped at five minutes; never a lock.
    assert_eq!(
        waits,
        [
            None,
            None,
            Some(1),
            Some(2),
            Some(4),
            Some(8),
            Some(16),
            Some(32),
            Some(64),
            Some(128),
            Some(256),
            Some(300)
        ]
    );
    // The attacker's failures hold back neither another client nor a
    // differently written name from the same client's...
    let now = t0.plus_seconds(11 * 10_000);
    assert_eq!(throttle.gate("admin", "127.0.0.1", now), Gate::Open);
    // ...but the same name in other case or with spaces is the same name.
    assert!(matches!(
        throttle.gate(" ADMIN", "10.0.0.9", now),
        Gate::Wait { .. }
    ));
    // Names no account has back off the same way.
    for _ in 0..3 {
        throttle.fail("nobody-here", "10.0.0.9", now);
    }
    assert!(matches!(
        throttle.gate("nobody-here", "10.0.0.9", now),
        Gate::Wait { .. }
    ));
    // A success or an administrator's clearing forgets the failures.
    throttle.succeed("nobody-here", "10.0.0.9");
    assert_eq!(throttle.gate("nobody-here", "10.0.0.9", now), Gate::Open);
    throttle.clear("admin");
    assert_eq!(throttle.gate("admin", "10.0.0.9", now), Gate::Open);
}

#[test]
fn refusals_during_back_off_are_logged_once_per_wait_and_counted() {
    let now = Timestamp(5_000);
    let mut throttle = Throttle::default();
    for _ in 0..3 {
        throttle.fail("kim", "c", now);
    }
    let logs: Vec<Option<u32>> = (0..4)
        .map(|_| match throttle.gate("kim", "c", now) {
            Gate::Wait { log, .. } => log,
            Gate::Open => panic!("backing off"),
        })
        .collect();
    assert_eq!(logs, [Some(1), None, None, None]);
    // The three held back are written with the next failure's entry.
    let later = now.plus_seconds(10);
    assert_eq!(throttle.gate("kim", "c", later), Gate::Open);
    assert_eq!(throttle.fail("kim", "c", later), 3);
    assert_eq!(throttle.fail("kim", "c", later), 0);
}

#[test]
fn the_throttle_forgets_rather_than_grow_without_end() {
    let mut throttle = Throttle::default();
    let now = Timestamp(9_000_000);
    for i in 0..120_000u32 {
        throttle.fail(&format!("user{i}"), "c", now.plus_seconds(i64::from(i)));
    }
    assert!(throttle.len() <= 50_000, "{}", throttle.len());
}

#[test]
fn passwords_hash_and_verify() {
    let p = generate_password();
    assert_eq!(p.expose().len(), 23);
    let hash = hash_password(&p);
    assert!(hash.starts_with("$argon2id$"));
    assert!(verify_password(&p, &hash));
    assert!(!verify_password(
        &Password::new("wrong password!".into()),
        &hash
    ));
    assert!(!verify_password(&p, "not a hash"));
    assert_eq!(format!("{p:?}"), "Password(<redacted>)");
}

#[test]
fn new_passwords_and_usernames_are_checked() {
    assert!(check_new_password(&Password::new("short".into())).is_err());
    assert!(check_new_password(&Password::new("correct horse battery".into())).is_ok());
    assert!(check_username("kim.documenter").is_ok());
    assert!(check_username("").is_err());
    assert!(check_username("김").is_err());
    assert!(check_username("a b").is_err());
}

#[test]
fn tokens_are_random_and_stored_hashed() {
    let a = SessionToken::generate();
    let b = SessionToken::generate();
    assert_ne!(a.expose(), b.expose());
    assert_eq!(a.expose().len(), 64);
    assert_ne!(hash_token(a.expose()), a.expose());
    assert_eq!(format!("{a:?}"), "SessionToken(<redacted>)");
}
