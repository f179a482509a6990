//! `login`, `logout` and `switch-user`: who is using the phone. The password comes from `--password` or,
//! better (it stays out of the shell history), from standard input.

use std::io::BufRead;

use anyhow::Context;
use clap::Args;

use super::format;
use crate::replica::Replica;
use crate::sync;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("pw").required(true))]
pub struct LoginArgs {
    /// The server, e.g. http://10.1.2.3:8080
    #[arg(long)]
    pub server: String,
    #[arg(long)]
    pub user: String,
    #[arg(long, group = "pw")]
    pub password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long, group = "pw")]
    pub password_stdin: bool,
    /// The new password, when the password is a one-time password an admin issued. Without it,
    /// such a login reads the new password from the next line of standard input.
    #[arg(long)]
    pub new_password: Option<String>,
}

pub async fn run(replica: &mut Replica, args: LoginArgs) -> anyhow::Result<()> {
    let password = match args.password {
        Some(p) => p,
        None => read_password()?,
    };
    let known = replica.identity_for(&args.user)?.is_some();
    let mut new = args.new_password;
    let me = match sync::login_changing_password(replica, &args.server, &args.user, &password, new.as_deref()).await {
        Err(sync::SyncError::Refused { code, .. }) if code == "password_change_required" && new.is_none() => {
            eprintln!("this is a one-time password: choose a new one (一次性密码，请设置新密码)");
            let chosen = read_line("the new password").context("a one-time password needs a new password (--new-password)")?;
            let me = sync::login_changing_password(replica, &args.server, &args.user, &password, Some(&chosen)).await?;
            new = Some(chosen);
            me
        }
        other => other?,
    };
    if new.is_some() {
        println!("password changed (密码已修改)");
    }
    let how = if known { "logged in again (重新登录), same device identity" } else { "logged in (登录成功), new device identity" };
    println!("{how}: {} {} — {}", me.display_name, me.user, format::role(me.role));
    println!("device (设备) {}", me.device_id);
    if let Some(t) = &me.token {
        println!("token valid until (有效期至) {}", format::time(t.expires_at));
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    read_line("the password")
}

/// The next line of standard input (without its line ending), which must not be empty.
fn read_line(what: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).with_context(|| format!("reading {what} from standard input"))?;
    let text = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!text.is_empty(), "no {what} on standard input");
    Ok(text)
}

/// `passwd`: the active user changes their password; the current and the new one are read from
/// standard input, one a line (kept out of the shell history).
pub async fn passwd(replica: &Replica) -> anyhow::Result<()> {
    let current = read_line("the current password")?;
    let new = read_line("the new password")?;
    sync::change_password(replica, &current, &new).await?;
    let me = replica.require_active()?;
    println!("password changed (密码已修改): {} {}", me.display_name, me.user);
    Ok(())
}

pub async fn logout(replica: &Replica) -> anyhow::Result<()> {
    let me = sync::logout(replica).await?;
    println!("logged out (已退出登录): {} {}; pending events stay on the phone", me.display_name, me.user);
    Ok(())
}

pub fn switch(replica: &mut Replica, user: &str) -> anyhow::Result<()> {
    let me = replica.switch_to(user)?;
    println!("now using (当前用户) {} {} — device {}", me.display_name, me.user, me.device_id);
    Ok(())
}
