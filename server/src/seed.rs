//! Loading the demo county into an empty store, through the same path as any reference data:
//! the server authors the events, so devices receive their part through sync. Demo users share
//! one password, made at random on first load (or taken from `PATROLSYNC_DEMO_PASSWORD`), kept
//! beside the store in `demo-password` (readable by its owner only) and printed at start.

use rand::Rng;
use std::path::{Path, PathBuf};
use sync_protocol::body::Body;

use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot keep the demo password in {0}")]
    PasswordFile(PathBuf, #[source] std::io::Error),
    #[error("cannot hash the demo password: {0}")]
    Hash(String),
}

/// Loads the demo county if the store has no units yet; returns the demo users' password.
pub async fn load_demo(store: &Store, db: &Path) -> Result<String, SeedError> {
    let password = demo_password(db)?;
    let empty: bool = store.read(|conn| Ok(conn.query_row("SELECT count(*) = 0 FROM units", [], |r| r.get(0))?)).await?;
    if !empty {
        return Ok(password);
    }
    let bodies: Vec<Body> = crate::demo::county().bodies().to_vec();
    let users: Vec<String> =
        bodies.iter().filter_map(|b| if let Body::UserEnrolled(u) = b { Some(u.user.to_string()) } else { None }).collect();
    let secret = password.clone();
    let phc = tokio::task::spawn_blocking(move || crate::auth::password::hash(&secret))
        .await
        .map_err(|e| SeedError::Hash(e.to_string()))?
        .map_err(|e| SeedError::Hash(e.to_string()))?;
    store
        .writer()
        .run(move |ctx| {
            for body in &bodies {
                ctx.author(body)?;
            }
            // Demo mode only: one hash shared by every demo user, so loading takes one argon2 run.
            for user in &users {
                ctx.set_password(user, &phc)?;
            }
            Ok(())
        })
        .await?;
    Ok(password)
}

fn demo_password(db: &Path) -> Result<String, SeedError> {
    let file = db.with_file_name("demo-password");
    if let Ok(p) = std::env::var("PATROLSYNC_DEMO_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p);
    }
    if let Ok(p) = std::fs::read_to_string(&file) {
        return Ok(p.trim().to_string());
    }
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let password: String = (0..16).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    std::fs::write(&file, format!("{password}\n")).map_err(|e| SeedError::PasswordFile(file.clone(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).map_err(|e| SeedError::PasswordFile(file.clone(), e))?;
    }
    Ok(password)
}
