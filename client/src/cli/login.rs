//! `login`, `logout` and `switch-user`: who is using the phone. The password comes from `--password` or,
//! better (it stays out of the shell history), from standard input.

use std::io::BufRead;

use anyhow::Context;
use clap::Args;

use super::format;
use crate::replica::{Replica, Transport};
use crate::sync;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("pw").required(true))]
pub struct LoginArgs {
    /// The server, e.g. https://patrol.county.cn (plain http:// only to this machine, unless
    /// --allow-plain-http)
    #[arg(long)]
    pub server: String,
    /// The county's CA certificate (PEM), trusted beside the system's roots; remembered for this
    /// user's later syncs (县局自建 CA 证书)
    #[arg(long)]
    pub ca_file: Option<std::path::PathBuf>,
    /// Allow plain http:// to a host other than this machine (a trusted network only): the password
    /// and patrols then cross the network unencrypted (允许明文 HTTP)
    #[arg(long)]
    pub allow_plain_http: bool,
    #[arg(long)]
    pub user: String,
    /// The code of the user's county, when the server serves several (所属县代码)
    #[arg(long)]
    pub county: Option<String>,
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
    let known = replica.identity_for(&args.user)?;
    let transport = transport(args.ca_file.as_deref(), args.allow_plain_http, known.as_ref().map(|id| &id.transport))?;
    let known = known.is_some();
    let mut new = args.new_password;
    let account = sync::Account { username: &args.user, county: args.county.as_deref() };
    let me = match sync::login_with(replica, &args.server, &transport, account, &password, new.as_deref()).await {
        Err(sync::SyncError::Refused { code, .. }) if code == "password_change_required" && new.is_none() => {
            eprintln!("this is a one-time password: choose a new one (一次性密码，请设置新密码)");
            let chosen = read_line("new password").context("a one-time password needs a new password (--new-password)")?;
            let me = sync::login_with(replica, &args.server, &transport, account, &password, Some(&chosen)).await?;
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

/// The transport of this login: a CA file given now replaces the one remembered; without one the
/// identity keeps the CA it had. Plain HTTP to another host needs the flag on each login.
fn transport(ca_file: Option<&std::path::Path>, allow_plain_http: bool, known: Option<&Transport>) -> anyhow::Result<Transport> {
    let ca_pem = match ca_file {
        Some(path) => {
            let pem =
                std::fs::read_to_string(path).with_context(|| format!("reading the CA file {} (读取证书文件失败)", path.display()))?;
            sync::parse_ca(&pem).with_context(|| format!("the CA file {}", path.display()))?;
            Some(pem)
        }
        None => known.and_then(|t| t.ca_pem.clone()),
    };
    Ok(Transport { ca_pem, allow_plain_http })
}

fn read_password() -> anyhow::Result<String> {
    read_line("password")
}

/// The next line of standard input (without its line ending), which must not be empty.
fn read_line(what: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).with_context(|| format!("reading the {what} from standard input"))?;
    let text = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!text.is_empty(), "no {what} on standard input (an empty line, or none)");
    Ok(text)
}

/// `passwd`: the active user changes their password; the current and the new one are read from
/// standard input, one a line (kept out of the shell history).
pub async fn passwd(replica: &Replica) -> anyhow::Result<()> {
    let current = read_line("current password")?;
    let new = read_line("new password")?;
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
