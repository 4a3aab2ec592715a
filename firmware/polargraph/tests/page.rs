//! The plotter's page, in-process on a daemon that is not started: every route's access
//! through the route table (a new route cannot slip through unguarded), and the OpenAPI file
//! against the same table. The real `polargraph run` with a phone pairing and plotting is in
//! tests/daemon.rs.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use atelier_board::BackendKind;
use atelier_config::Places;
use atelier_web::{Access, Route};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use polargraph::PlotterConfig;
use polargraph::daemon::Daemon;
use polargraph::session::Session;
use tower::ServiceExt as _;

fn page() -> (Router, Vec<Route>, Daemon, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tmp");
    let config_path = dir.path().join("polargraph.toml");
    let shipped =
        std::fs::read_to_string(common::repo().join("hardware/polargraph.toml")).expect("read");
    std::fs::write(
        &config_path,
        shipped.replace("backend = \"rpi\"", "backend = \"sim\""),
    )
    .expect("config");
    let places =
        Places::find("polargraph", Some(&config_path)).with_state(dir.path().join("state"));
    let config: PlotterConfig = places.load().expect("valid");
    let stop = Arc::new(AtomicBool::new(false));
    let session = Session::open(&config, BackendKind::Sim, &places, None, Arc::clone(&stop))
        .expect("the simulated plotter");
    let daemon = Daemon::new(
        session,
        std::time::Duration::from_secs(60),
        stop,
        Arc::new(AtomicBool::new(false)),
    );
    let gate =
        polargraph::page::gate(&dir.path().join("pairings.json"), &config.page).expect("pairings");
    let page = polargraph::page::PlotterPage::new(
        daemon.control(),
        daemon.session(),
        &common::repo().join("assets/plotter"),
    );
    let (router, routes) = polargraph::page::router(page, gate);
    (router, routes, daemon, dir)
}

async fn status_of(router: &Router, method: Method, path: &str) -> StatusCode {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "polargraph.local:8082")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"sample":"ramp.png","style":"squiggle"}"#))
        .expect("request");
    router
        .clone()
        .oneshot(request)
        .await
        .expect("infallible")
        .status()
}

#[tokio::test]
async fn every_route_but_the_page_and_pairing_needs_a_paired_device() {
    let (router, routes, daemon, _dir) = page();
    let mut changing = 0;
    for route in &routes {
        let path = route
            .path
            .replace("{file}", "plan.svg")
            .replace("{id}", "0000");
        let status = status_of(&router, route.method.clone(), &path).await;
        match route.access {
            Access::Public => assert_ne!(status, StatusCode::UNAUTHORIZED, "{path}"),
            Access::Read | Access::Paired => {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{} {path}", route.method)
            }
        }
        if route.method != Method::GET && !path.starts_with("/api/pair") {
            assert_eq!(route.access, Access::Paired, "{} {path}", route.method);
            changing += 1;
        }
    }
    // Upload, preview, plot, pause, resume, home, set-home, revoke a device.
    assert!(changing >= 8, "{changing}");
    // Nothing reached the plotter's queue.
    assert_eq!(daemon.control().status().queued, 0);
}

#[test]
fn the_openapi_file_documents_exactly_the_routes() {
    let (_router, routes, _machine, _dir) = page();
    let spec = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api/polargraph.openapi.json"),
    )
    .expect("docs/api/polargraph.openapi.json");
    let differences = atelier_web::openapi::differences(&spec, &routes);
    assert!(differences.is_empty(), "{differences:#?}");
}

/// The package ships avahi's service file for the default page, so the plotter, running as an
/// unprivileged user that cannot write /etc/avahi/services, finds its announcement in place.
#[test]
fn the_packaged_avahi_file_is_the_one_the_default_page_announces() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config =
        polargraph::PlotterConfig::load(&root.join("hardware/polargraph.toml")).expect("defaults");
    let site = polargraph::page::web_site(&config.page);
    let announced = atelier_web::discovery::avahi_service_file(&site.announcement(site.port));
    let packaged = std::fs::read_to_string(root.join("cross/deb/polargraph/avahi-polargraph.xml"))
        .expect("packaged file");
    assert_eq!(packaged, announced);
}
