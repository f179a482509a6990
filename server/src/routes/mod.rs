//! The HTTP routes: each handler parses, authorises, calls one function and maps the result.

mod admin;
mod audit;
mod auth;
mod blobs;
mod evidence;
mod flags;
mod health;
mod projection;
mod reports;
mod sync;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/v1/auth/login", web::post().to(auth::login))
        .route("/v1/sync", web::post().to(sync::sync))
        .route("/v1/projection", web::get().to(projection::projection))
        .route("/v1/flags", web::get().to(flags::flags))
        .route("/v1/blobs/{sha256}", web::head().to(blobs::head))
        .route("/v1/blobs/{sha256}", web::put().to(blobs::put))
        .route("/v1/blobs/{sha256}", web::get().to(blobs::get))
        .route("/v1/evidence/missing", web::get().to(evidence::missing))
        .route("/v1/compliance", web::get().to(reports::compliance))
        .route("/v1/reconciliation", web::get().to(reports::reconciliation))
        .route("/v1/ledger", web::get().to(reports::ledger))
        .route("/v1/audit/townships", web::get().to(audit::townships))
        .route("/v1/audit/integrity", web::get().to(audit::integrity))
        .route("/v1/audit/checkpoint", web::get().to(audit::checkpoint))
        .route("/v1/audit/consistency", web::get().to(audit::consistency))
        .route("/v1/admin/assignments", web::post().to(admin::assign));
}
