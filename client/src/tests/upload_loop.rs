//! The upload loop on its own timer: transient failures are retried with backoff (milliseconds
//! here), a permanent one ends the loop, and shutdown stops it.

use std::time::Duration;

use super::fixture::{DAY, Fixture};
use crate::sync::{Backoff, LoopConfig, SyncLoop};

fn fast() -> SyncLoop {
    SyncLoop::new(LoopConfig {
        interval: Duration::from_millis(5),
        backoff: Backoff { base: Duration::from_millis(2), max: Duration::from_millis(8) },
    })
}

#[tokio::test]
async fn transient_failures_are_retried_with_backoff_until_shutdown() {
    let mut f = Fixture::new();
    f.patrol_in_zone("waiting for signal");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut stop = Some(stop);
    let mut waits = Vec::new();
    let exit = fast()
        .run(
            &mut f.replica,
            async {
                let _ = stopped.await;
            },
            |(result, wait)| {
                assert!(result.as_ref().is_err_and(|e| !e.is_permanent()));
                waits.push(wait.expect("a transient failure is retried"));
                if waits.len() == 4 {
                    stop.take().map(|s| s.send(()));
                }
            },
        )
        .await
        .expect("stopped by shutdown");
    assert_eq!((exit.attempts, exit.successes, exit.failing), (4, 0, 4));
    assert!(waits.iter().all(|w| *w <= Duration::from_millis(8)));
    assert!(waits[3] >= Duration::from_millis(4), "the wait grows: {waits:?}");
    assert_eq!(f.replica.status().expect("status").pending, 1);
}

#[tokio::test]
async fn a_permanent_failure_ends_the_loop() {
    let mut f = Fixture::new();
    f.clock.advance(31 * DAY);
    let mut seen = 0;
    let err = fast().run(&mut f.replica, std::future::pending(), |_| seen += 1).await.expect_err("needs login");
    assert!(err.needs_login());
    assert_eq!(seen, 1);
}
