//! Accounts that hold: back-off per name and client that locks nobody out,
//! one-time passwords that allow only choosing a new one, sessions ended
//! by every change of password or role, and second factors used once even
//! under concurrent sign-ins.

use std::sync::Arc;

use refwatch_accounts::{Password, SessionToken};
use refwatch_domain::Clock;
use refwatch_policy::{Principal, Role};
use refwatch_storage::SqliteStore;

use super::*;
use crate::tests::{TestClock, decode_base32, key};

const GOOD: &str = "correct horse battery staple";
const BAD: &str = "wrong password entirely";

async fn service_with(
    user: &str,
    role: Role,
) -> (Service<SqliteStore>, TestClock, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new();
    let store = SqliteStore::open(&dir.path().join("db")).await.unwrap();
    let service = Service::create_keys(store, &key(), Arc::new(clock.clone()))
        .await
        .unwrap();
    service
        .add_user(user, role, Some(Password::new(GOOD.into())))
        .await
        .unwrap();
    (service, clock, dir)
}

fn rejected(r: Result<SignedIn, ServiceError>) -> SignInError {
    match r {
        Err(ServiceError::SignIn(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn pw(text: &str) -> Password {
    Password::new(text.into())
}

#[tokio::test]
async fn guesses_back_off_per_name_and_client_and_lock_nobody_out() {
    let (service, clock, _dir) = service_with("admin", Role::Administrator).await;
    let attacker = "203.0.113.7";
    for _ in 0..3 {
        assert_eq!(
            rejected(service.sign_in("admin", &pw(BAD), None, attacker).await),
            SignInError::Rejected
        );
    }
    // Within the wait even the right password is not considered...
    assert!(matches!(
        rejected(service.sign_in("admin", &pw(GOOD), None, attacker).await),
        SignInError::TryLater(_)
    ));
    // ...from the attacker's address; the administrator elsewhere signs in.
    for _ in 0..20 {
        clock.advance(300);
        let _ = service.sign_in("admin", &pw(BAD), None, attacker).await;
    }
    let signed = service
        .sign_in("admin", &pw(GOOD), None, "127.0.0.1")
        .await
        .unwrap();
    assert_eq!(
        signed.actor.principal,
        Principal::Account(Role::Administrator)
    );
    // Unknown names back off exactly like known ones: nothing tells them apart.
    for _ in 0..3 {
        assert_eq!(
            rejected(service.sign_in("nobody", &pw(BAD), None, attacker).await),
            SignInError::Rejected
        );
    }
    assert!(matches!(
        rejected(service.sign_in("nobody", &pw(BAD), None, attacker).await),
        SignInError::TryLater(_)
    ));
    // Refusals during back-off are audited (the first of each wait; the
    // rest counted), failures by account id, never by the name typed.
    for _ in 0..5 {
        let _ = service.sign_in("nobody", &pw(BAD), None, attacker).await;
    }
    let entries = service.audit_entries().await.unwrap();
    let refused: Vec<_> = entries
        .iter()
        .filter(|e| e.event.action == "sign_in_refused")
        .collect();
    assert!(refused.len() >= 2, "{}", refused.len());
    assert!(
        entries
            .iter()
            .all(|e| !format!("{:?}", e.event).contains("nobody"))
    );
    // An administrator lifting the back-off (enable) clears it at once.
    service.set_user_disabled("admin", false).await.unwrap();
    assert!(
        service
            .sign_in("admin", &pw(GOOD), None, attacker)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_one_time_password_allows_only_choosing_a_new_one() {
    let (service, _clock, _dir) = service_with("admin", Role::Administrator).await;
    let new = service.add_user("kim", Role::Editor, None).await.unwrap();
    let signed = service
        .sign_in("kim", &new.password, None, "c")
        .await
        .unwrap();
    assert!(signed.must_change_password);
    assert_eq!(
        service.session_holder(&signed.token).await.unwrap(),
        Some(SessionHolder::MustChangePassword)
    );
    assert_eq!(
        service.actor_for_session(&signed.token).await.unwrap(),
        None
    );
    // The same password again is refused as the new one.
    assert!(matches!(
        service
            .change_password(&signed.token, &new.password, &new.password, "c")
            .await,
        Err(ServiceError::User(_))
    ));
    service
        .change_password(&signed.token, &new.password, &pw(GOOD), "c")
        .await
        .unwrap();
    assert_eq!(
        service.session_holder(&signed.token).await.unwrap(),
        Some(SessionHolder::Live(signed.actor.clone()))
    );
    // A reset gives a new one-time password: back to choosing only.
    let reset = service.reset_password("kim").await.unwrap();
    let again = service.sign_in("kim", &reset, None, "c").await.unwrap();
    assert_eq!(
        service.session_holder(&again.token).await.unwrap(),
        Some(SessionHolder::MustChangePassword)
    );
}

#[tokio::test]
async fn every_change_of_password_role_or_state_ends_the_other_sessions() {
    let (service, _clock, _dir) = service_with("kim", Role::Editor).await;
    let good = pw(GOOD);
    let sign_in = || service.sign_in("kim", &good, None, "c");
    let live = |t: SessionToken| {
        let s = &service;
        async move { s.actor_for_session(&t).await.unwrap().is_some() }
    };
    let (a, b) = (sign_in().await.unwrap(), sign_in().await.unwrap());
    // A change of password keeps the session that made it, ends the others.
    service
        .change_password(&a.token, &pw(GOOD), &pw("another long passphrase"), "c")
        .await
        .unwrap();
    assert!(live(a.token.clone()).await);
    assert!(!live(b.token.clone()).await);
    service
        .change_password(&a.token, &pw("another long passphrase"), &pw(GOOD), "c")
        .await
        .unwrap();
    // A role change, disabling and a reset end every session.
    let admin = service.for_caller(Caller::operator());
    let c = sign_in().await.unwrap();
    admin.set_role("kim", Role::Analyst).await.unwrap();
    assert!(!live(a.token.clone()).await && !live(c.token.clone()).await);
    let d = sign_in().await.unwrap();
    admin.set_user_disabled("kim", true).await.unwrap();
    assert!(!live(d.token.clone()).await);
    admin.set_user_disabled("kim", false).await.unwrap();
    let e = sign_in().await.unwrap();
    admin.reset_password("kim").await.unwrap();
    assert!(!live(e.token.clone()).await);
}

#[tokio::test]
async fn guesses_of_the_current_password_back_off_too() {
    let (service, _clock, _dir) = service_with("kim", Role::Editor).await;
    let s = service.sign_in("kim", &pw(GOOD), None, "c").await.unwrap();
    let change = |current: &'static str| {
        let (service, token) = (&service, s.token.clone());
        async move {
            service
                .change_password(&token, &pw(current), &pw("a brand new passphrase"), "c")
                .await
        }
    };
    for _ in 0..3 {
        assert!(matches!(
            change(BAD).await,
            Err(ServiceError::SignIn(SignInError::Rejected))
        ));
    }
    assert!(matches!(
        change(GOOD).await,
        Err(ServiceError::SignIn(SignInError::TryLater(_)))
    ));
    let entries = service.audit_entries().await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.event.action == "password_change_refused")
    );
}

#[tokio::test]
async fn a_second_factor_is_used_once_even_by_simultaneous_sign_ins() {
    let (service, clock, _dir) = service_with("lee", Role::Analyst).await;
    let enrolment = service.enable_totp("lee").await.unwrap();
    let secret = enrolment
        .otpauth_url
        .split("secret=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .unwrap()
        .to_owned();
    let seed = decode_base32(&secret);
    // A right password without the code is answered like a wrong one.
    assert_eq!(
        rejected(service.sign_in("lee", &pw(GOOD), None, "c").await),
        rejected(service.sign_in("lee", &pw(BAD), None, "d").await)
    );
    let code = format!("{:06}", refwatch_accounts::totp_code(&seed, clock.now()));
    let good = pw(GOOD);
    let attempt = || service.sign_in("lee", &good, Some(&code), "e");
    let (x, y, z) = tokio::join!(attempt(), attempt(), attempt());
    let ok = [x, y, z].iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "one code, one session");
    let recovery = enrolment.recovery_codes[0].expose().to_owned();
    let attempt = || service.sign_in("lee", &good, Some(&recovery), "f");
    let (x, y, z) = tokio::join!(attempt(), attempt(), attempt());
    assert_eq!([x, y, z].iter().filter(|r| r.is_ok()).count(), 1);
}
