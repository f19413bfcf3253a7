//! Accounts through the protected core: adding and managing users (for
//! administrators), signing in with back-off and lockout, second factors
//! and sessions. Every step is audited by account id, never by password or
//! by a name typed at a failed sign-in.

use refwatch_accounts::{
    Account, Gate, Lockout, Password, SESSION_SECONDS, Session, SessionToken, Throttle, TotpSecret,
    check_new_password, check_username, generate_password, generate_recovery_codes, hash_password,
    hash_token, verify_password, verify_totp,
};
use refwatch_domain::{AccountId, Timestamp};
use refwatch_policy::{AdminOperation, Principal, Role, decide_admin};
use refwatch_storage::{Revoke, Store, StoreError};

use crate::{Caller, Service, ServiceError, require};

/// A new account and its one-time password, to hand to its owner once.
#[derive(Debug)]
pub struct NewAccount {
    /// The account's id.
    pub id: AccountId,
    /// The one-time password; it must be changed at first sign-in.
    pub password: Password,
}

/// A second factor just enabled: what to put in the authenticator app, and
/// the recovery codes to keep on paper.
#[derive(Debug)]
pub struct TotpEnrolment {
    /// The `otpauth://` address.
    pub otpauth_url: String,
    /// Ten single-use recovery codes.
    pub recovery_codes: Vec<Password>,
}

/// A successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    /// The session token, to hand to the client.
    pub token: SessionToken,
    /// Who signed in.
    pub actor: Caller,
    /// Whether the password must be changed before anything else.
    pub must_change_password: bool,
    /// When the session ends.
    pub expires_at: Timestamp,
}

/// Why a sign-in failed. Deliberately vague about which part was wrong: a
/// right password with a missing or wrong code is answered like a wrong
/// password, so that guesses cannot be checked without the second factor.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignInError {
    /// Wrong username, password or code, or the account is disabled.
    #[error(
        "wrong username, password or code (with an authenticator app, enter its six-digit code or a recovery code too)"
    )]
    Rejected,
    /// Too many failures from this client for this name: try again after this time.
    #[error("too many failed attempts; try again after {0}")]
    TryLater(Timestamp),
}

/// Whose a live session is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionHolder {
    /// Its account, which may act by its role.
    Live(Caller),
    /// Its account's password was set by someone else (a one-time password):
    /// the session may only choose a new one.
    MustChangePassword,
}

/// A hash to verify against when the username is unknown, so that the time
/// taken does not tell whether an account exists.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$ThfqBFUpZWvbqGySbcop2g$SDkoV/r5WitxmGBQ9MzOTks+nC/wxPA2xwYFENritaU";

/// An audit detail for a failure: what was wrong, and refusals held back.
fn failure_detail(what: &str, held: u32) -> String {
    if held == 0 {
        what.to_owned()
    } else {
        format!("{what}; {held} more attempts refused while backing off")
    }
}

fn actor_of(account: &Account) -> Caller {
    Caller {
        principal: Principal::Account(account.role),
        label: format!("user:{}", account.id),
    }
}

impl<S: Store> Service<S> {
    async fn account_named(&self, username: &str) -> Result<Account, ServiceError> {
        self.store
            .accounts()
            .await?
            .into_iter()
            .find(|a| a.username == username)
            .ok_or_else(|| {
                ServiceError::User(format!(
                    "there is no user named {username}; `refwatch user list` shows them"
                ))
            })
    }

    /// Saves an account's changes with one audit entry, by account id.
    async fn save_account(
        &self,
        account: &Account,
        action: &str,
        detail: &str,
    ) -> Result<(), ServiceError> {
        let event = self.event(
            action,
            Some("account"),
            Some(account.id.to_string()),
            detail,
        );
        self.store
            .update_account(account, &self.batch(vec![event])?)
            .await?;
        Ok(())
    }

    fn manage_users(&self) -> Result<(), ServiceError> {
        require(
            decide_admin(self.actor.principal, AdminOperation::ManageUsers),
            "manage users",
        )
    }

    /// Adds a user with a one-time password (or the one given, for scripted
    /// set-up). Administrators only.
    pub async fn add_user(
        &self,
        username: &str,
        role: Role,
        password: Option<Password>,
    ) -> Result<NewAccount, ServiceError> {
        self.manage_users()?;
        check_username(username).map_err(|m| ServiceError::User(m.to_owned()))?;
        let (password, must_change) = match password {
            Some(p) => {
                check_new_password(&p).map_err(|m| ServiceError::User(m.to_owned()))?;
                (p, false)
            }
            None => (generate_password(), true),
        };
        let account = Account {
            id: AccountId::random(),
            username: username.to_owned(),
            role,
            password_hash: hash_password(&password),
            must_change,
            disabled: false,
            lockout: Lockout::default(),
            totp: None,
            totp_last_step: None,
            created_at: self.clock.now(),
        };
        let event = self.event(
            "user_add",
            Some("account"),
            Some(account.id.to_string()),
            &format!("role {role}"),
        );
        match self
            .store
            .insert_account(&account, &self.batch(vec![event])?)
            .await
        {
            Err(StoreError::AlreadyExists { .. }) => Err(ServiceError::User(format!(
                "a user named {username} already exists"
            ))),
            other => other.map_err(ServiceError::from),
        }?;
        Ok(NewAccount {
            id: account.id,
            password,
        })
    }

    /// Every account. Administrators only.
    pub async fn users(&self) -> Result<Vec<Account>, ServiceError> {
        self.manage_users()?;
        Ok(self.store.accounts().await?)
    }

    async fn change_account(
        &self,
        username: &str,
        action: &str,
        detail: &str,
        f: impl FnOnce(&mut Account),
    ) -> Result<Account, ServiceError> {
        self.manage_users()?;
        let mut account = self.account_named(username).await?;
        f(&mut account);
        self.save_account(&account, action, detail).await?;
        Ok(account)
    }

    async fn revoke_all(&self, account: AccountId) -> Result<(), ServiceError> {
        let event = self.event(
            "sessions_revoke",
            Some("account"),
            Some(account.to_string()),
            "all sessions",
        );
        self.store
            .revoke_sessions(
                account,
                Revoke::All,
                self.clock.now(),
                &self.batch(vec![event])?,
            )
            .await?;
        Ok(())
    }

    /// Disables or enables a user; disabling ends their sessions. Enabling
    /// also forgets the back-off of their name from every client.
    pub async fn set_user_disabled(
        &self,
        username: &str,
        disabled: bool,
    ) -> Result<(), ServiceError> {
        let action = if disabled {
            "user_disable"
        } else {
            "user_enable"
        };
        let account = self
            .change_account(username, action, "", |a| {
                a.disabled = disabled;
                if !disabled {
                    a.lockout = Lockout::default();
                }
            })
            .await?;
        if !disabled {
            self.throttle().clear(username);
        }
        if disabled {
            self.revoke_all(account.id).await?;
        }
        Ok(())
    }

    /// Gives a user a new one-time password and ends their sessions.
    pub async fn reset_password(&self, username: &str) -> Result<Password, ServiceError> {
        let password = generate_password();
        let hash = hash_password(&password);
        let account = self
            .change_account(username, "user_reset_password", "", |a| {
                a.password_hash = hash;
                a.must_change = true;
                a.lockout = Lockout::default();
            })
            .await?;
        self.throttle().clear(username);
        self.revoke_all(account.id).await?;
        Ok(password)
    }

    /// Changes a user's role; their sessions end so the new role applies at once.
    pub async fn set_role(&self, username: &str, role: Role) -> Result<(), ServiceError> {
        let account = self
            .change_account(username, "user_set_role", &format!("role {role}"), |a| {
                a.role = role
            })
            .await?;
        self.revoke_all(account.id).await
    }

    /// Enables a TOTP second factor for a user, with recovery codes. Administrators only.
    pub async fn enable_totp(&self, username: &str) -> Result<TotpEnrolment, ServiceError> {
        self.manage_users()?;
        let secret = TotpSecret::generate();
        let mut account = self.account_named(username).await?;
        account.totp = Some(
            self.keys()?
                .seal_secret(&format!("totp:{}", account.id), secret.bytes())?,
        );
        let codes = generate_recovery_codes();
        let hashes: Vec<String> = codes.iter().map(|c| hash_token(c.expose())).collect();
        self.save_account(&account, "user_totp_enable", "").await?;
        let event = self.event(
            "user_recovery_codes",
            Some("account"),
            Some(account.id.to_string()),
            "10 codes",
        );
        self.store
            .set_recovery_codes(account.id, &hashes, &self.batch(vec![event])?)
            .await?;
        Ok(TotpEnrolment {
            otpauth_url: secret.otpauth_url(username),
            recovery_codes: codes,
        })
    }

    fn throttle(&self) -> std::sync::MutexGuard<'_, Throttle> {
        self.snapshots
            .throttle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Signs in from `client` (its network address, or `cli`). Refuses
    /// early, without checking the password, while this name backs off for
    /// this client (known names and unknown alike); records failures,
    /// refusals and successes in the audit log by account id.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &Password,
        second: Option<&str>,
        client: &str,
    ) -> Result<SignedIn, ServiceError> {
        let now = self.clock.now();
        let account = self
            .store
            .accounts()
            .await?
            .into_iter()
            .find(|a| a.username == username);
        let gate = self.throttle().gate(username, client, now);
        if let Gate::Wait { until, log } = gate {
            if let Some(n) = log {
                let event = self.event(
                    "sign_in_refused",
                    account.as_ref().map(|_| "account"),
                    account.as_ref().map(|a| a.id.to_string()),
                    &format!("{n} attempts refused while backing off"),
                );
                self.store.append_audit(&self.batch(vec![event])?).await?;
            }
            return Err(SignInError::TryLater(until).into());
        }
        let Some(mut account) = account else {
            let _ = verify_password(password, DUMMY_HASH);
            let held = self.throttle().fail(username, client, now);
            let event = self.event(
                "sign_in_failed",
                None,
                None,
                &failure_detail("unknown account", held),
            );
            self.store.append_audit(&self.batch(vec![event])?).await?;
            return Err(SignInError::Rejected.into());
        };
        let password_ok = verify_password(password, &account.password_hash) && !account.disabled;
        let second_ok = password_ok && self.second_factor(&mut account, second, now).await?;
        if !second_ok {
            let held = self.throttle().fail(username, client, now);
            account.lockout = account.lockout.after_failure(now);
            let what = if password_ok {
                "second factor"
            } else {
                "password"
            };
            self.save_account(&account, "sign_in_failed", &failure_detail(what, held))
                .await?;
            return Err(SignInError::Rejected.into());
        }
        self.throttle().succeed(username, client);
        account.lockout = Lockout::after_success();
        let token = SessionToken::generate();
        let session = Session {
            token_hash: hash_token(token.expose()),
            account: account.id,
            created_at: now,
            expires_at: now.plus_seconds(SESSION_SECONDS),
            revoked_at: None,
        };
        self.save_account(&account, "sign_in", "").await?;
        self.store
            .insert_session(&session, &self.batch(vec![])?)
            .await?;
        Ok(SignedIn {
            token,
            actor: actor_of(&account),
            must_change_password: account.must_change,
            expires_at: session.expires_at,
        })
    }

    /// Whether the second factor is satisfied: none is enabled, or `second`
    /// is a TOTP code of a step not used before, or an unused recovery
    /// code. Either is used up in one statement, so that concurrent
    /// sign-ins cannot both use it.
    async fn second_factor(
        &self,
        account: &mut Account,
        second: Option<&str>,
        now: Timestamp,
    ) -> Result<bool, ServiceError> {
        let Some(sealed) = account.totp.clone() else {
            return Ok(true);
        };
        let Some(code) = second.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(false);
        };
        let seed = self
            .keys()?
            .open_secret(&format!("totp:{}", account.id), &sealed)?;
        if let Some(step) = verify_totp(&seed, code, now, account.totp_last_step) {
            let claimed = self.store.claim_totp_step(account.id, step).await?;
            if claimed {
                account.totp_last_step = Some(step);
            }
            return Ok(claimed);
        }
        Ok(self
            .store
            .use_recovery_code(account.id, &hash_token(code), now)
            .await?)
    }

    /// Who holds a session token, if it is live and the account enabled.
    /// A session whose password must be changed acts for nobody.
    pub async fn actor_for_session(
        &self,
        token: &SessionToken,
    ) -> Result<Option<Caller>, ServiceError> {
        Ok(match self.session_holder(token).await? {
            Some(SessionHolder::Live(caller)) => Some(caller),
            _ => None,
        })
    }

    /// Whose a session token is, if it is live and the account enabled.
    pub async fn session_holder(
        &self,
        token: &SessionToken,
    ) -> Result<Option<SessionHolder>, ServiceError> {
        let now = self.clock.now();
        let Some(session) = self.store.session(&hash_token(token.expose())).await? else {
            return Ok(None);
        };
        if !session.is_live(now) {
            return Ok(None);
        }
        let account = self
            .store
            .accounts()
            .await?
            .into_iter()
            .find(|a| a.id == session.account);
        Ok(account.filter(|a| !a.disabled).map(|a| {
            if a.must_change {
                SessionHolder::MustChangePassword
            } else {
                SessionHolder::Live(actor_of(&a))
            }
        }))
    }

    /// Ends a session.
    pub async fn sign_out(&self, token: &SessionToken) -> Result<(), ServiceError> {
        let hash = hash_token(token.expose());
        if let Some(session) = self.store.session(&hash).await? {
            let event = self.event(
                "sign_out",
                Some("account"),
                Some(session.account.to_string()),
                "",
            );
            self.store
                .revoke_sessions(
                    session.account,
                    Revoke::One(&hash),
                    self.clock.now(),
                    &self.batch(vec![event])?,
                )
                .await?;
        }
        Ok(())
    }

    /// Changes the password of the session's holder, given the current
    /// one; ends every other session and token of the account. Guesses of
    /// the current password back off like sign-ins, per name and client.
    pub async fn change_password(
        &self,
        token: &SessionToken,
        current: &Password,
        new: &Password,
        client: &str,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let hash = hash_token(token.expose());
        let Some(session) = self.store.session(&hash).await?.filter(|s| s.is_live(now)) else {
            return Err(SignInError::Rejected.into());
        };
        let mut account = self
            .store
            .accounts()
            .await?
            .into_iter()
            .find(|a| a.id == session.account && !a.disabled)
            .ok_or(SignInError::Rejected)?;
        let gate = self.throttle().gate(&account.username, client, now);
        if let Gate::Wait { until, log } = gate {
            if let Some(n) = log {
                let event = self.event(
                    "password_change_refused",
                    Some("account"),
                    Some(account.id.to_string()),
                    &format!("{n} attempts refused while backing off"),
                );
                self.store.append_audit(&self.batch(vec![event])?).await?;
            }
            return Err(SignInError::TryLater(until).into());
        }
        if !verify_password(current, &account.password_hash) {
            let held = self.throttle().fail(&account.username, client, now);
            account.lockout = account.lockout.after_failure(now);
            self.save_account(
                &account,
                "password_change_failed",
                &failure_detail("password", held),
            )
            .await?;
            return Err(SignInError::Rejected.into());
        }
        check_new_password(new).map_err(|m| ServiceError::User(m.to_owned()))?;
        if verify_password(new, &account.password_hash) {
            return Err(ServiceError::User(
                "the new password must differ from the current one".into(),
            ));
        }
        self.throttle().succeed(&account.username, client);
        account.password_hash = hash_password(new);
        account.must_change = false;
        self.save_account(&account, "password_change", "").await?;
        let event = self.event(
            "sessions_revoke",
            Some("account"),
            Some(account.id.to_string()),
            "every other session, after a password change",
        );
        self.store
            .revoke_sessions(
                account.id,
                Revoke::AllBut(&hash),
                now,
                &self.batch(vec![event])?,
            )
            .await?;
        Ok(())
    }

    /// Whether any account exists yet.
    pub async fn has_users(&self) -> Result<bool, ServiceError> {
        Ok(!self.store.accounts().await?.is_empty())
    }

    /// The same core acting for someone else (e.g. after sign-in), sharing the unlocked keys.
    pub fn acting_as(self, actor: Caller) -> Self {
        Self { actor, ..self }
    }
}

impl<S: Store> Service<S> {
    /// Re-seals every account's TOTP seed with the current data key
    /// (during a data key rotation, before the old key is retired).
    pub(crate) async fn reseal_totp(&self) -> Result<usize, ServiceError> {
        let keys = self.keys()?;
        let mut done = 0;
        for mut account in self.store.accounts().await? {
            let Some(sealed) = account.totp.as_ref() else {
                continue;
            };
            if sealed.key_version == keys.current_version() {
                continue;
            }
            let context = format!("totp:{}", account.id);
            let seed = keys.open_secret(&context, sealed)?;
            account.totp = Some(keys.seal_secret(&context, &seed)?);
            self.save_account(&account, "keys_reseal", "TOTP seed")
                .await?;
            done += 1;
        }
        Ok(done)
    }
}
