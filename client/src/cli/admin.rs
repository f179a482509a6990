//! `admin`: an administrator enrols, changes, disables or enables a user, resets a password to a
//! one-time password, revokes a lost phone's device identity, or reads the access log (needs the
//! network and an admin login; the access log also a county role's); prints the server's reply.

use clap::Subcommand;
use sync_protocol::body::Role;
use sync_protocol::ids::{DeviceId, UnitId, UserId, ZoneId};
use sync_protocol::wire::people::{AccessQuery, NewUser, UserChange};

use crate::replica::Replica;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Enrol a user (新增用户); prints their one-time password, which they must change at their
    /// first login.
    AddUser {
        #[arg(long)]
        user: UserId,
        #[arg(long)]
        name: String,
        /// village_officer, township_inspector, county_auditor, commissioner or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The units they answer for (a village; township-level units; the county), comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        units: Vec<UnitId>,
        #[arg(long)]
        phone: Option<String>,
        /// A village officer's zone (片区), from now on.
        #[arg(long)]
        zone: Option<ZoneId>,
    },
    /// Change a user's name, role, units or phone (修改用户); what is not given stays.
    ChangeUser {
        #[arg(long)]
        user: UserId,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_parser = parse_role)]
        role: Option<Role>,
        #[arg(long, value_delimiter = ',')]
        units: Option<Vec<UnitId>>,
        /// The phone number ("" removes it).
        #[arg(long)]
        phone: Option<String>,
    },
    /// Reset a user's password (重置密码): prints a one-time password; their sessions end.
    ResetPassword {
        #[arg(long)]
        user: UserId,
    },
    /// Disable a user (停用账号): refused from their next request on.
    DisableUser {
        #[arg(long)]
        user: UserId,
    },
    /// Enable a disabled user again (启用账号).
    EnableUser {
        #[arg(long)]
        user: UserId,
    },
    /// Revoke a device identity for good (注销设备), e.g. a lost phone.
    RevokeDevice {
        #[arg(long)]
        device: DeviceId,
    },
    /// The access log (登录日志): logins, failed logins, password changes (county roles).
    AccessLog {
        /// Only entries of this username.
        #[arg(long)]
        user: Option<String>,
        /// Entries after this id.
        #[arg(long)]
        after: Option<i64>,
        #[arg(long)]
        limit: Option<u32>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("unknown role {s:?}"))
}

pub async fn admin(replica: &Replica, command: AdminCommand) -> anyhow::Result<()> {
    use reqwest::Method;
    let reply = match command {
        AdminCommand::AddUser { user, name, role, units, phone, zone } => {
            let body = NewUser { user, display_name: name, role, units, phone, zone, from: None };
            crate::sync::admin_json(replica, Method::POST, "/v1/admin/users", &body).await?
        }
        AdminCommand::ChangeUser { user, name, role, units, phone } => {
            let body = UserChange { display_name: name, role, units, phone };
            crate::sync::admin_json(replica, Method::PATCH, &format!("/v1/admin/users/{user}"), &body).await?
        }
        AdminCommand::ResetPassword { user } => crate::sync::admin(replica, &format!("/v1/admin/users/{user}/reset-password")).await?,
        AdminCommand::DisableUser { user } => crate::sync::admin(replica, &format!("/v1/admin/users/{user}/disable")).await?,
        AdminCommand::EnableUser { user } => crate::sync::admin(replica, &format!("/v1/admin/users/{user}/enable")).await?,
        AdminCommand::RevokeDevice { device } => crate::sync::admin(replica, &format!("/v1/admin/devices/{device}/revoke")).await?,
        AdminCommand::AccessLog { user, after, limit } => {
            let query = AccessQuery { after, username: user, limit };
            crate::sync::access_log(replica, &query).await?
        }
    };
    println!("{}", serde_json::to_string_pretty(&reply)?);
    Ok(())
}
