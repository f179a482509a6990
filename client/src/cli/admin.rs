//! `admin`: an administrator disables or enables a user, or revokes a lost phone's device identity
//! (needs the network and an admin login); prints the server's reply.

use clap::Subcommand;
use sync_protocol::ids::{DeviceId, UserId};

use crate::replica::Replica;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
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
}

pub async fn admin(replica: &Replica, command: AdminCommand) -> anyhow::Result<()> {
    let path = match command {
        AdminCommand::DisableUser { user } => format!("/v1/admin/users/{user}/disable"),
        AdminCommand::EnableUser { user } => format!("/v1/admin/users/{user}/enable"),
        AdminCommand::RevokeDevice { device } => format!("/v1/admin/devices/{device}/revoke"),
    };
    let reply = crate::sync::admin(replica, &path).await?;
    println!("{}", serde_json::to_string_pretty(&reply)?);
    Ok(())
}
