//! The robot's page, in-process: every route's access through the route table (a new route
//! cannot slip through unguarded), and the OpenAPI file against the same table. The real
//! process with a phone pairing, pressing and reprinting is in tests/daemon.rs.

use std::path::Path;

use atelier_web::{Access, Gate, GateConfig, Pairing, PairingPolicy, Route};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use comic::archive::Archive;
use comic::page::{ComicPage, PrinterSwitch, Watch};
use comic::robot::spool::Spool;
use comic::robot::{Event, Inbox, Pattern};
use tower::ServiceExt as _;

fn page() -> (Router, Vec<Route>, Inbox, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tmp");
    let inbox = Inbox::new();
    let archive = Archive::open(&dir.path().join("archive")).expect("archive");
    let spool = Spool::open(&dir.path().join("spool")).expect("spool");
    let gate = Gate::new(
        GateConfig::for_machine("comic"),
        Pairing::in_memory(PairingPolicy::default()),
        |_: &str, _| {},
    );
    let places = atelier_config::Places::find(
        "comic",
        Some(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../hardware/comic.toml")),
    )
    .with_state(dir.path().join("state"));
    let switch = PrinterSwitch::new(places, || {});
    let page = ComicPage::new(Watch::new(), inbox.clone(), archive, spool, switch);
    let (router, routes) = comic::page::router(page, gate);
    (router, routes, inbox, dir)
}

async fn status_of(router: &Router, method: Method, path: &str) -> StatusCode {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "comic.local:8081")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
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
    let (router, routes, inbox, _dir) = page();
    let mut changing = 0;
    for route in &routes {
        let path = route.path.replace("{number}", "1").replace("{id}", "0000");
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
    // Press, reprint, switch the printer, revoke a device.
    assert!(changing >= 4, "{changing}");
    // Nothing reached the robot.
    assert_eq!(inbox.waiting(), 0);
}

#[test]
fn the_openapi_file_documents_exactly_the_routes() {
    let (_router, routes, _machine, _dir) = page();
    let spec = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api/comic.openapi.json"),
    )
    .expect("docs/api/comic.openapi.json");
    let differences = atelier_web::openapi::differences(&spec, &routes);
    assert!(differences.is_empty(), "{differences:#?}");
}

#[test]
fn the_view_follows_the_robot_s_events() {
    let watch = Watch::new();
    let at = atelier_hal::Instant::ZERO;
    watch.record(&Event::Showing(Pattern::Ready));
    watch.record(&Event::Accepted {
        number: 4,
        pressed_at: at,
        queued: 1,
    });
    watch.record(&Event::Printing { number: 4, at });
    let view = watch.view();
    assert_eq!(view.queue, [4]);
    assert_eq!(view.printing, Some(4));
    watch.record(&Event::Fault {
        number: 4,
        fault: comic::robot::Fault::PaperOut,
        retry_at: at,
    });
    assert_eq!(
        view_fault(&watch),
        Some("the printer is out of paper".to_owned())
    );
    watch.record(&Event::Printed { number: 4, at });
    let view = watch.view();
    assert!(view.queue.is_empty() && view.fault.is_none() && view.printed == 1);
    assert_eq!(view.pattern, Some(Pattern::Ready));
    assert_eq!(
        serde_json::to_value(Pattern::Printing { room: true }).expect("json"),
        serde_json::json!({ "state": "printing", "room": true })
    );
}

fn view_fault(watch: &Watch) -> Option<String> {
    watch.view().fault
}

/// The package ships avahi's service file for the default page, so the robot, running as an
/// unprivileged user that cannot write /etc/avahi/services, finds its announcement in place.
#[test]
fn the_packaged_avahi_file_is_the_one_the_default_page_announces() {
    let defaults = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../hardware/comic.toml");
    let places = atelier_config::Places::find("comic", Some(&defaults));
    let config = comic::config::ComicConfig::load(&places).expect("defaults");
    let site = comic::daemon::page_site(&config.page);
    let announced = atelier_web::discovery::avahi_service_file(&site.announcement(site.port));
    let packaged = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cross/deb/comic/avahi-comic.xml"),
    )
    .expect("packaged file");
    assert_eq!(packaged, announced);
}
