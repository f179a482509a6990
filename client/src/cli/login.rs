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
}

pub async fn run(replica: &mut Replica, args: LoginArgs) -> anyhow::Result<()> {
    let password = match args.password {
        Some(p) => p,
        None => read_password()?,
    };
    let known = replica.identity_for(&args.user)?.is_some();
    let me = sync::login(replica, &args.server, &args.user, &password).await?;
    let how = if known { "logged in again (重新登录), same device identity" } else { "logged in (登录成功), new device identity" };
    println!("{how}: {} {} — {}", me.display_name, me.user, format::role(me.role));
    println!("device (设备) {}", me.device_id);
    if let Some(t) = &me.token {
        println!("token valid until (有效期至) {}", format::time(t.expires_at));
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    Ok(password)
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
