//! The web layer through its router, request by request, as a browser or a script would call
//! it: pairing, the gate's checks, limits and errors.

use std::sync::{Arc, Mutex};

use atelier_web::{Access, Api, Caller, Gate, GateConfig, JsonBody, Pairing, PairingPolicy, Route};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::{Extension, Json};
use serde::Deserialize;
use tower::ServiceExt as _;

const HOST: &str = "lantern.local:8080";
const ORIGIN: &str = "http://lantern.local:8080";

struct Site {
    router: Router,
    routes: Vec<Route>,
    shown: Arc<Mutex<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rename {
    name: String,
}

/// A machine with one route of each kind, besides the pairing routes.
fn site(open_read: bool) -> Site {
    let shown = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&shown);
    let config = GateConfig {
        open_read,
        ..GateConfig::for_machine("lantern")
    };
    let gate = Gate::new(
        config,
        Pairing::in_memory(PairingPolicy::default()),
        move |code: &str, _: std::time::Duration| log.lock().expect("codes").push(code.to_owned()),
    );
    let name = Arc::new(Mutex::new("lamp".to_owned()));
    let read = Arc::clone(&name);
    let (router, routes) = Api::<()>::new(gate)
        .asset("/", "text/html; charset=utf-8", b"<!doctype html><title>lamp</title>")
        .route(Method::GET, "/api/state", Access::Read, move || async move {
            Json(serde_json::json!({ "name": *read.lock().expect("name") }))
        })
        .route(
            Method::PUT,
            "/api/name",
            Access::Paired,
            move |Extension(caller): Extension<Caller>, JsonBody(body): JsonBody<Rename>| async move {
                assert!(caller.device.is_some(), "the gate let an unpaired caller through");
                *name.lock().expect("name") = body.name;
                axum::http::StatusCode::NO_CONTENT
            },
        )
        // A second method on a path already routed: the table keeps both.
        .route(Method::DELETE, "/api/name", Access::Paired, || async {
            StatusCode::NO_CONTENT
        })
        .body_limit(1024)
        .finish(());
    Site {
        router,
        routes,
        shown,
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: serde_json::Value,
}

async fn call(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Reply {
        status,
        headers,
        json,
    }
}

fn request(method: Method, path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
}

fn json_body(value: serde_json::Value) -> Body {
    Body::from(value.to_string())
}

/// Pairs a device through the routes; its token.
async fn pair(site: &Site, name: &str) -> String {
    let asked = call(
        &site.router,
        request(Method::POST, "/api/pair/code")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{:?}", asked.json);
    let code = site
        .shown
        .lock()
        .expect("codes")
        .last()
        .cloned()
        .expect("shown");
    let paired = call(
        &site.router,
        request(Method::POST, "/api/pair")
            .header(header::CONTENT_TYPE, "application/json")
            .body(json_body(serde_json::json!({ "code": code, "name": name })))
            .expect("request"),
    )
    .await;
    assert_eq!(paired.status, StatusCode::OK, "{:?}", paired.json);
    let cookie = paired.headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(cookie.starts_with("lantern_token="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    paired.json["token"].as_str().expect("token").to_owned()
}

/// A request to every route in the table, filling path parameters.
fn each_route(routes: &[Route]) -> Vec<(Method, String, Access)> {
    routes
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path.replace("{id}", "abcd1234"),
                r.access,
            )
        })
        .collect()
}

#[tokio::test]
async fn every_route_that_needs_pairing_answers_401_without_a_token() {
    for open_read in [false, true] {
        let site = site(open_read);
        let mut checked = 0;
        for (method, path, access) in each_route(&site.routes) {
            let reply = call(
                &site.router,
                request(method.clone(), &path)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from("{}"))
                    .expect("request"),
            )
            .await;
            let refused = reply.status == StatusCode::UNAUTHORIZED;
            let must_refuse = match access {
                Access::Public => false,
                Access::Read => !open_read,
                Access::Paired => true,
            };
            assert_eq!(
                refused, must_refuse,
                "{method} {path} ({access:?}): {}",
                reply.status
            );
            if refused {
                assert!(
                    reply.json["error"]
                        .as_str()
                        .expect("message")
                        .contains("pair")
                );
            }
            // Every route that changes something needs pairing, whatever the table says.
            if method != Method::GET && path != "/api/pair" && path != "/api/pair/code" {
                assert_eq!(access, Access::Paired, "{method} {path}");
            }
            checked += 1;
        }
        assert!(checked >= 8, "{checked} routes");
    }
}

#[tokio::test]
async fn a_paired_device_reads_and_changes_with_its_token_until_it_is_revoked() {
    let site = site(false);
    let token = pair(&site, "phone").await;
    let bearer = format!("Bearer {token}");
    let renamed = call(
        &site.router,
        request(Method::PUT, "/api/name")
            .header(header::AUTHORIZATION, &bearer)
            .header(header::CONTENT_TYPE, "application/json")
            .body(json_body(serde_json::json!({ "name": "porch" })))
            .expect("request"),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::NO_CONTENT);
    let state = call(
        &site.router,
        request(Method::GET, "/api/state")
            .header(header::AUTHORIZATION, &bearer)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(state.json["name"], "porch");
    let devices = call(
        &site.router,
        request(Method::GET, "/api/devices")
            .header(header::AUTHORIZATION, &bearer)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    let list = devices.json.as_array().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "phone");
    assert!(
        !devices.json.to_string().contains(&token),
        "tokens are never listed"
    );
    let id = list[0]["id"].as_str().expect("id");
    let revoked = call(
        &site.router,
        request(Method::DELETE, &format!("/api/devices/{id}"))
            .header(header::AUTHORIZATION, &bearer)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK);
    let after = call(
        &site.router,
        request(Method::GET, "/api/state")
            .header(header::AUTHORIZATION, &bearer)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert!(
        after.json["error"]
            .as_str()
            .expect("message")
            .contains("no longer valid")
    );
}

#[tokio::test]
async fn the_cookie_works_from_the_page_and_never_from_another_site() {
    let site = site(false);
    let token = pair(&site, "phone").await;
    let cookie = format!("other=1; lantern_token={token}");
    let put = |origin: Option<&str>| {
        let mut builder = request(Method::PUT, "/api/name")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(origin) = origin {
            builder = builder.header(header::ORIGIN, origin);
        }
        builder
            .body(json_body(serde_json::json!({ "name": "x" })))
            .expect("request")
    };
    assert_eq!(
        call(&site.router, put(Some(ORIGIN))).await.status,
        StatusCode::NO_CONTENT
    );
    let cross = call(&site.router, put(Some("http://evil.example"))).await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert!(
        cross.json["error"]
            .as_str()
            .expect("message")
            .contains("cross-site")
    );
    // Same host, other port: another origin.
    let port = call(&site.router, put(Some("http://lantern.local:9999"))).await;
    assert_eq!(port.status, StatusCode::FORBIDDEN);
    // A cookie change with no Origin at all is not from a current browser on the page.
    assert_eq!(
        call(&site.router, put(None)).await.status,
        StatusCode::FORBIDDEN
    );
    // Reading with the cookie needs no Origin (a plain navigation sends none).
    let read = call(
        &site.router,
        request(Method::GET, "/api/state")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
}

#[tokio::test]
async fn a_request_for_another_host_name_is_refused_so_dns_rebinding_gets_nothing() {
    let site = site(true);
    for (host, ok) in [
        ("lantern.local:8080", true),
        ("LANTERN.local.", true),
        ("127.0.0.1:8080", true),
        ("[::1]:8080", true),
        ("localhost:8080", true),
        ("192.168.4.20", true),
        ("attacker.example:8080", false),
        ("lantern.local.attacker.example", false),
    ] {
        let reply = call(
            &site.router,
            Request::builder()
                .uri("/api/state")
                .header(header::HOST, host)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(
            reply.status == StatusCode::OK,
            ok,
            "{host}: {}",
            reply.status
        );
        if !ok {
            assert_eq!(reply.status, StatusCode::MISDIRECTED_REQUEST);
        }
    }
    let no_host = call(
        &site.router,
        Request::builder()
            .uri("/api/state")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(no_host.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn wrong_codes_lock_pairing_and_a_used_code_is_refused() {
    let site = site(false);
    let try_code = |code: &str| {
        request(Method::POST, "/api/pair")
            .header(header::CONTENT_TYPE, "application/json")
            .body(json_body(serde_json::json!({ "code": code, "name": "x" })))
            .expect("request")
    };
    let none = call(&site.router, try_code("123456")).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    assert!(
        none.json["error"]
            .as_str()
            .expect("message")
            .contains("no pairing code")
    );
    call(
        &site.router,
        request(Method::POST, "/api/pair/code")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    let code = site.shown.lock().expect("codes")[0].clone();
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..4 {
        assert_eq!(
            call(&site.router, try_code(wrong)).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let locked = call(&site.router, try_code(wrong)).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers[header::RETRY_AFTER], "60");
    // The right code is no good now either.
    assert_eq!(
        call(&site.router, try_code(&code)).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A code asked for again at once is refused too (no flood of codes on the machine).
    let again = call(
        &site.router,
        request(Method::POST, "/api/pair/code")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);

    let fresh = site_with_code().await;
    let used = fresh.1.clone();
    let first = call(&fresh.0.router, try_code(&used)).await;
    assert_eq!(first.status, StatusCode::OK);
    let second = call(&fresh.0.router, try_code(&used)).await;
    assert_eq!(second.status, StatusCode::FORBIDDEN);
}

async fn site_with_code() -> (Site, String) {
    let site = site(false);
    call(
        &site.router,
        request(Method::POST, "/api/pair/code")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    let code = site.shown.lock().expect("codes")[0].clone();
    (site, code)
}

#[tokio::test]
async fn bad_bodies_get_a_json_error_naming_the_problem_and_change_nothing() {
    let site = site(false);
    let token = pair(&site, "phone").await;
    let bearer = format!("Bearer {token}");
    let put = |body: Body, content_type: &str| {
        request(Method::PUT, "/api/name")
            .header(header::AUTHORIZATION, &bearer)
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .expect("request")
    };
    let unknown = call(
        &site.router,
        put(
            json_body(serde_json::json!({ "nmae": "x" })),
            "application/json",
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.json["error"]
            .as_str()
            .expect("message")
            .contains("nmae")
    );
    let broken = call(
        &site.router,
        put(Body::from("{\"name\": "), "application/json"),
    )
    .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    let text = call(&site.router, put(Body::from("name=x"), "text/plain")).await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = serde_json::json!({ "name": "x".repeat(5000) });
    let too_big = call(&site.router, put(json_body(huge), "application/json")).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        too_big.json["error"]
            .as_str()
            .expect("message")
            .contains("too large")
    );
    let state = call(
        &site.router,
        request(Method::GET, "/api/state")
            .header(header::AUTHORIZATION, &bearer)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(state.json["name"], "lamp", "nothing changed");
}

#[tokio::test]
async fn pages_carry_security_headers_and_unknown_paths_a_json_404() {
    let site = site(false);
    let page = call(
        &site.router,
        request(Method::GET, "/")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    assert_eq!(page.headers[header::X_FRAME_OPTIONS], "SAMEORIGIN");
    let policy = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    assert!(policy.contains("default-src 'self'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'self'"), "{policy}");
    let missing = call(
        &site.router,
        request(Method::GET, "/nope")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.json["error"].is_string());
}

#[tokio::test]
async fn live_state_streams_to_a_page_over_a_real_socket_and_the_server_stops_on_shutdown() {
    use tokio::io::AsyncWriteExt as _;

    let (tx, rx) = tokio::sync::watch::channel(serde_json::json!({ "surface": "wall" }));
    let gate = Gate::new(
        GateConfig {
            open_read: true,
            ..GateConfig::for_machine("lantern")
        },
        Pairing::in_memory(PairingPolicy::default()),
        |_: &str, _: std::time::Duration| {},
    );
    let (router, _) = Api::<()>::new(gate)
        .route(Method::GET, "/api/live", Access::Read, move || {
            let rx = rx.clone();
            async move { atelier_web::live::sse(rx, "state") }
        })
        .finish(());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(atelier_web::serve(listener, router, async {
        let _ = stopped.await;
    }));
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connects");
    stream
        .write_all(
            format!(
                "GET /api/live HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .expect("request");
    let head = read_until(&mut stream, "wall").await;
    assert!(head.contains("text/event-stream"), "{head}");
    assert!(head.contains("event: state"), "{head}");
    tx.send(serde_json::json!({ "surface": "ceiling" }))
        .expect("send");
    read_until(&mut stream, "ceiling").await;
    drop(stream);
    stop.send(()).expect("server waits");
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("stops")
        .expect("joins")
        .expect("served");
}

async fn read_until(stream: &mut tokio::net::TcpStream, needle: &str) -> String {
    use tokio::io::AsyncReadExt as _;
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("the event arrives within 10 s")
            .expect("reads");
        assert!(
            n > 0,
            "closed before {needle:?}: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}
