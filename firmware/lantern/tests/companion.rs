//! The companion's JSON API against a running simulated lamp: the real loop on its own thread
//! in real time, the real router, the real config writer in a temporary state folder.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atelier_config::Places;
use atelier_web::{Access, Route};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use lantern::config::LanternConfig;
use lantern::lamp::LampHandle;
use lantern::simulated::CEILING;
use tower::ServiceExt as _;

mod common;

const HOST: &str = "lantern.local:8080";

/// A running lamp pointing at the ceiling, and its companion's router.
struct Running {
    router: Router,
    routes: Vec<Route>,
    lamp: Option<common::LampThread>,
    places: Places,
    codes: Arc<Mutex<Vec<String>>>,
    dir: Option<tempfile::TempDir>,
}

impl Running {
    fn handle(&self) -> &LampHandle {
        &self.lamp.as_ref().expect("running").handle
    }

    /// Stops the lamp; its folders stay for the next start.
    fn shut_down(mut self) -> (Places, tempfile::TempDir) {
        self.lamp.take();
        let dir = self.dir.take().expect("folders");
        (self.places.clone(), dir)
    }
}

fn start() -> Running {
    let dir = tempfile::tempdir().expect("tmp");
    let defaults = common::defaults(dir.path(), 160, 90, &[]);
    let places = Places::find("lantern", Some(&defaults)).with_state(dir.path().join("state"));
    start_with(places, dir)
}

fn start_with(places: Places, dir: tempfile::TempDir) -> Running {
    let config: LanternConfig = places.load().expect("valid");
    let lamp = common::LampThread::start(&config, CEILING);
    let codes = Arc::new(Mutex::new(Vec::new()));
    let gate = common::gate(&places, &config, &lamp.handle, &codes);
    let companion = lantern::companion::Companion::new(places.clone(), lamp.handle.clone());
    let (router, routes) = lantern::companion::router(companion, gate);
    Running {
        router,
        routes,
        lamp: Some(lamp),
        places,
        codes,
        dir: Some(dir),
    }
}

struct Reply {
    status: StatusCode,
    json: serde_json::Value,
    bytes: Vec<u8>,
}

async fn call(
    router: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body)
        }
        None => Body::empty(),
    };
    let response = router
        .clone()
        .oneshot(request.body(body).expect("request"))
        .await
        .expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .expect("body")
        .to_vec();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Reply {
        status,
        json,
        bytes,
    }
}

/// Pairs through the API with the code the lamp was asked to project.
async fn pair(running: &Running) -> String {
    let asked = call(&running.router, Method::POST, "/api/pair/code", None, None).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED);
    // The lamp projects it: its state says so within a few frames.
    let mut state = running.handle().state();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| s.pairing_code_shown),
    )
    .await
    .expect("the lamp shows the code within 5 s")
    .expect("lamp running");
    let code = shown_code(running);
    let paired = call(
        &running.router,
        Method::POST,
        "/api/pair",
        None,
        Some(serde_json::json!({ "code": code, "name": "test phone" }).to_string()),
    )
    .await;
    assert_eq!(paired.status, StatusCode::OK, "{:?}", paired.json);
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| !s.pairing_code_shown),
    )
    .await
    .expect("the code goes once paired")
    .expect("lamp running");
    paired.json["token"].as_str().expect("token").to_owned()
}

/// The code last sent to the lamp to project.
fn shown_code(running: &Running) -> String {
    running
        .codes
        .lock()
        .expect("codes")
        .last()
        .cloned()
        .expect("a code was shown")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_that_changes_the_lamp_needs_pairing() {
    let running = start();
    let mut paired_routes = 0;
    for route in &running.routes {
        let path = route
            .path
            .replace("{name}", "ceiling")
            .replace("{id}", "0000");
        let reply = call(
            &running.router,
            route.method.clone(),
            &path,
            None,
            Some("{}".into()),
        )
        .await;
        match route.access {
            Access::Public => assert_ne!(reply.status, StatusCode::UNAUTHORIZED, "{path}"),
            Access::Read | Access::Paired => {
                assert_eq!(
                    reply.status,
                    StatusCode::UNAUTHORIZED,
                    "{} {path}",
                    route.method
                )
            }
        }
        if route.method != Method::GET && !path.starts_with("/api/pair") {
            assert_eq!(route.access, Access::Paired, "{} {path}", route.method);
            paired_routes += 1;
        }
    }
    assert!(paired_routes >= 7, "{paired_routes}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paired_phone_assigns_an_app_and_the_choice_survives_a_restart() {
    let running = start();
    let token = pair(&running).await;
    let state = call(
        &running.router,
        Method::GET,
        "/api/state",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(state.status, StatusCode::OK);
    let ceiling = |json: &serde_json::Value| {
        json["surfaces"]
            .as_array()
            .expect("surfaces")
            .iter()
            .find(|s| s["name"] == "ceiling")
            .cloned()
            .expect("ceiling")
    };
    assert_eq!(ceiling(&state.json)["app"], "space-porthole");
    let body =
        serde_json::json!({ "app": "clock", "settings": { "style": "digital" }, "rotation": 180 });
    let changed = call(
        &running.router,
        Method::PUT,
        "/api/surfaces/ceiling/app",
        Some(&token),
        Some(body.to_string()),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.json);
    assert_eq!(ceiling(&changed.json)["app"], "clock");
    assert_eq!(ceiling(&changed.json)["settings"]["style"], "digital");
    assert_eq!(ceiling(&changed.json)["rotation"], 180);
    // The packaged defaults are untouched; the overlay holds the change.
    let defaults = std::fs::read_to_string(&running.places.defaults).expect("defaults");
    assert!(defaults.contains("[apps.space-porthole]"));
    let edits = std::fs::read_to_string(&running.places.edits).expect("edits");
    assert!(edits.contains("[apps.clock]"), "{edits}");

    let renamed = call(
        &running.router,
        Method::PUT,
        "/api/lamp",
        Some(&token),
        Some(r#"{"name": "Porch lamp"}"#.into()),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK);
    let mut state = running.handle().state();
    tokio::time::timeout(
        Duration::from_secs(5),
        state.wait_for(|s| s.name == "Porch lamp"),
    )
    .await
    .expect("the running lamp takes the new name")
    .expect("running");

    // Restart: a new lamp on the same folders starts with the phone's choices, and the phone
    // is still paired.
    let (places, dir) = running.shut_down();
    let again = start_with(places, dir);
    let state = call(&again.router, Method::GET, "/api/state", Some(&token), None).await;
    assert_eq!(state.status, StatusCode::OK, "the pairing survived");
    assert_eq!(ceiling(&state.json)["app"], "clock");
    assert_eq!(state.json["lamp"]["name"], "Porch lamp");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_with_a_reason_and_change_nothing() {
    let running = start();
    let token = pair(&running).await;
    let put_app = |body: String| {
        call(
            &running.router,
            Method::PUT,
            "/api/surfaces/ceiling/app",
            Some(&token),
            Some(body),
        )
    };
    let before = std::fs::read(&running.places.edits).ok();
    let unknown = put_app(r#"{"app": "weather"}"#.into()).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.json["error"]
            .as_str()
            .expect("reason")
            .contains("unknown app")
    );
    let range = call(
        &running.router,
        Method::PUT,
        "/api/location",
        Some(&token),
        Some(r#"{"latitude": 123, "longitude": 0, "timezone": "UTC"}"#.into()),
    )
    .await;
    assert_eq!(range.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        range.json["error"]
            .as_str()
            .expect("reason")
            .contains("latitude")
    );
    let nowhere = call(
        &running.router,
        Method::PUT,
        "/api/surfaces/floor/app",
        Some(&token),
        Some(r#"{"app": "clock"}"#.into()),
    )
    .await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    let huge = format!(
        r#"{{"app": "message", "settings": {{"text": "{}"}}}}"#,
        "x".repeat(100_000)
    );
    assert_eq!(put_app(huge).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    let extra = put_app(r#"{"app": "clock", "colour": "red"}"#.into()).await;
    assert_eq!(extra.status, StatusCode::UNPROCESSABLE_ENTITY);
    let last = call(
        &running.router,
        Method::DELETE,
        "/api/surfaces/nowhere",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        std::fs::read(&running.places.edits).ok(),
        before,
        "nothing written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_direction_is_a_new_surface_and_the_preview_is_a_picture() {
    let running = start();
    let token = pair(&running).await;
    let added = call(
        &running.router,
        Method::POST,
        "/api/surfaces",
        Some(&token),
        Some(r#"{"name": "skylight"}"#.into()),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.json);
    let skylight = added.json["surfaces"]
        .as_array()
        .expect("surfaces")
        .iter()
        .find(|s| s["name"] == "skylight")
        .cloned()
        .expect("added");
    let z = skylight["direction"][2].as_f64().expect("direction");
    assert!((z + 1.0).abs() < 0.05, "the lamp points up: {skylight}");
    let preview = call(
        &running.router,
        Method::GET,
        "/api/preview.jpg",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK);
    let image = image::load_from_memory_with_format(&preview.bytes, image::ImageFormat::Jpeg)
        .expect("a JPEG");
    assert_eq!((image.width(), image.height()), (160, 90));
}

#[test]
fn the_openapi_file_documents_exactly_the_routes() {
    let running = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async { start() });
    let spec = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api/lantern.openapi.json"),
    )
    .expect("docs/api/lantern.openapi.json");
    let differences = atelier_web::openapi::differences(&spec, &running.routes);
    assert!(differences.is_empty(), "{differences:#?}");
}

/// JSON of any shape, with the keys the API knows among random ones.
fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    let key = prop::sample::select(vec![
        "app",
        "settings",
        "rotation",
        "mirror",
        "name",
        "latitude",
        "longitude",
        "timezone",
        "style",
        "text",
        "kelvin",
        "code",
        "x",
        "",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)),
        "[a-z ]{0,12}".prop_map(serde_json::Value::from),
        any::<String>()
            .prop_map(|s| serde_json::Value::from(s.chars().take(50).collect::<String>())),
        prop::sample::select(vec![
            "clock",
            "space-porthole",
            "calendar",
            "message",
            "Europe/Paris",
            "+99:99",
            "ceiling"
        ])
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::vec((key.clone(), inner), 0..5).prop_map(|pairs| {
                serde_json::Value::Object(
                    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                )
            }),
        ]
    })
}

#[test]
fn any_request_body_gets_an_answer_never_a_panic_or_a_server_error() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let running = runtime.block_on(async { start() });
    let token = runtime.block_on(pair(&running));
    let changing: Vec<(Method, String)> = running
        .routes
        .iter()
        .filter(|r| r.method != Method::GET)
        .map(|r| {
            (
                r.method.clone(),
                r.path.replace("{name}", "ceiling").replace("{id}", "0000"),
            )
        })
        .collect();
    let bodies = prop_oneof![
        3 => json_value().prop_map(|v| v.to_string()),
        1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 96,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]),
    );
    runner
        .run(&(0..changing.len(), bodies), |(route, body)| {
            let (method, path) = &changing[route];
            let reply = runtime.block_on(call(
                &running.router,
                method.clone(),
                path,
                Some(&token),
                Some(body.clone()),
            ));
            prop_assert!(
                !reply.status.is_server_error(),
                "{method} {path} {body:?}: {} {:?}",
                reply.status,
                reply.json
            );
            if !reply.status.is_success() {
                prop_assert!(
                    reply.json["error"].is_string(),
                    "{method} {path}: {:?}",
                    reply.json
                );
            }
            Ok(())
        })
        .expect("every body answered with a 2xx or a 4xx and a reason");
    // The lamp is still there and its config still valid.
    let config: Result<LanternConfig, _> = running.places.load();
    assert!(config.is_ok(), "{config:?}");
}

/// The package ships avahi's service file for the default lamp, so the lamp, running as an
/// unprivileged user that cannot write /etc/avahi/services, finds its announcement in place.
#[test]
fn the_packaged_avahi_file_is_the_one_the_default_lamp_announces() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let places = atelier_config::Places::find("lantern", Some(&root.join("hardware/lantern.toml")));
    let config: lantern::config::LanternConfig = places.load().expect("defaults");
    let announced =
        atelier_web::discovery::avahi_service_file(&atelier_web::discovery::Announcement {
            instance: config.lamp.name.clone(),
            hostname: config.companion.hostname.clone(),
            port: config.companion.port,
        });
    let packaged = std::fs::read_to_string(root.join("cross/deb/lantern/avahi-lantern.xml"))
        .expect("packaged file");
    assert_eq!(packaged, announced);
}
