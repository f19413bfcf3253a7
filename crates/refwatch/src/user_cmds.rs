//! `refwatch user ...`: managing accounts from the console.

use crate::args::{Cli, UserCommand};
use crate::dataset_cmds::required_key;
use crate::{Outcome, data_dir};

pub(crate) async fn run(cli: &Cli, command: &UserCommand) -> anyhow::Result<Outcome> {
    let key = required_key(cli)?;
    let service = data_dir::service(&cli.data_dir, Some(&key)).await?;
    match command {
        UserCommand::Add { name, role } => {
            let account = service.add_user(name, role.role(), None).await?;
            println!(
                "Added {name} ({}). One-time password: {} (shown once; hand it over in person; it must be changed at first sign-in).",
                role.role(),
                account.password.expose()
            );
        }
        UserCommand::List => {
            println!("{:<24}  {:<13}  state", "username", "role");
            for a in service.users().await? {
                let mut state = match a.disabled {
                    true => "disabled".to_owned(),
                    _ if a.must_change => "must change password".to_owned(),
                    _ => "active".to_owned(),
                };
                if a.lockout.failures > 0 {
                    state.push_str(&format!(
                        ", {} failed sign-ins since the last",
                        a.lockout.failures
                    ));
                }
                let second = if a.totp.is_some() {
                    ", second factor"
                } else {
                    ""
                };
                println!("{:<24}  {:<13}  {state}{second}", a.username, a.role.code());
            }
        }
        UserCommand::Disable { name } => {
            service.set_user_disabled(name, true).await?;
            println!("{name} is disabled and signed out everywhere.");
        }
        UserCommand::Enable { name } => {
            service.set_user_disabled(name, false).await?;
            println!("{name} may sign in again.");
        }
        UserCommand::ResetPassword { name } => {
            let password = service.reset_password(name).await?;
            println!(
                "New one-time password for {name}: {} (shown once; it must be changed at first sign-in).",
                password.expose()
            );
        }
        UserCommand::SetRole { name, role } => {
            service.set_role(name, role.role()).await?;
            println!(
                "{name} is now {}; their sessions were ended so the new role applies at once.",
                role.role()
            );
        }
        UserCommand::TotpEnable { name } => {
            let enrolment = service.enable_totp(name).await?;
            println!(
                "Add this to {name}'s authenticator app:\n  {}",
                enrolment.otpauth_url
            );
            println!("Recovery codes (each works once; keep them on paper):");
            for code in &enrolment.recovery_codes {
                println!("  {}", code.expose());
            }
        }
    }
    service.into_store().close().await;
    Ok(Outcome::Ok)
}
