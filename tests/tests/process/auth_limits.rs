//! Password hashes when the cost rises, through the real server process restarted with the new
//! cost: rehashed at the next good login only. The other login limits run in-process
//! (`api/auth_limits.rs`).

use anyhow::Result;
use patrolsync_tests::DEMO_PASSWORD;
use patrolsync_tests::raw::RawDevice;
use patrolsync_tests::server::TestServer;
use reqwest::StatusCode;

/// The status of a login as `user` with `password` from a new device identity.
async fn try_login(server: &TestServer, user: &str, password: &str) -> Result<StatusCode> {
    Ok(RawDevice::new(&server.url(), "vo-t01-v01")?.try_login(user, password).await?.status())
}

fn stored_hash(server: &TestServer, user: &str) -> Result<String> {
    Ok(server.open_store()?.query_row("SELECT password_hash FROM users WHERE id = ?1", [user], |r| r.get(0))?)
}

#[tokio::test]
async fn a_raised_cost_rehashes_at_the_next_good_login_only() -> Result<()> {
    let mut server = TestServer::start()?;
    assert!(stored_hash(&server, "vo-t01-v01")?.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    server.set_env("PATROLSYNC_AUTH_PASSWORD_MEMORY_KIB", "24576");
    server.restart()?;
    let raised = server;
    assert_eq!(try_login(&raised, "vo-t01-v01", "wrong password").await?, StatusCode::UNAUTHORIZED);
    assert!(stored_hash(&raised, "vo-t01-v01")?.contains("m=19456"), "a wrong password rehashes nothing");
    assert_eq!(try_login(&raised, "vo-t01-v01", DEMO_PASSWORD).await?, StatusCode::OK);
    let new = stored_hash(&raised, "vo-t01-v01")?;
    assert!(new.starts_with("$argon2id$v=19$m=24576,t=2,p=1$"), "{new}");
    assert!(stored_hash(&raised, "vo-t01-v02")?.contains("m=19456"), "others wait for their own login");
    assert_eq!(try_login(&raised, "vo-t01-v01", DEMO_PASSWORD).await?, StatusCode::OK, "the new hash verifies");
    Ok(())
}
