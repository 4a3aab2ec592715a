//! Holding a machine's OpenAPI file and its route table together: every `/api/` route is
//! documented, nothing else is, and each operation's `x-access` says who may call it, as the
//! table does. Each machine's tests call [`differences`] on its file.

use crate::api::Route;

/// How `spec` (an OpenAPI document as JSON text) and `routes` differ; empty when they agree.
pub fn differences(spec: &str, routes: &[Route]) -> Vec<String> {
    let spec: serde_json::Value = match serde_json::from_str(spec) {
        Ok(spec) => spec,
        Err(e) => return vec![format!("not JSON: {e}")],
    };
    let Some(paths) = spec["paths"].as_object() else {
        return vec!["no `paths` object".to_owned()];
    };
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, methods)| {
            methods
                .as_object()
                .into_iter()
                .flat_map(|m| m.keys())
                .filter(|m| m.as_str() != "parameters")
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let mut routed: Vec<(String, String)> = routes
        .iter()
        .filter(|r| r.path.starts_with("/api/"))
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    documented.sort();
    routed.sort();
    let mut found = Vec::new();
    for (method, path) in &routed {
        if !documented.contains(&(method.clone(), path.clone())) {
            found.push(format!("{method} {path} is routed but not documented"));
        }
    }
    for (method, path) in &documented {
        if !routed.contains(&(method.clone(), path.clone())) {
            found.push(format!("{method} {path} is documented but not routed"));
        }
    }
    for route in routes.iter().filter(|r| r.path.starts_with("/api/")) {
        let operation = &spec["paths"][route.path][route.method.as_str().to_lowercase()];
        let documented = operation["x-access"].as_str();
        let routed = serde_json::to_value(route.access).ok();
        if documented.is_some() && documented != routed.as_ref().and_then(|a| a.as_str()) {
            found.push(format!(
                "{} {}: x-access {documented:?}, the route says {routed:?}",
                route.method, route.path
            ));
        } else if documented.is_none() && operation.is_object() {
            found.push(format!("{} {}: no x-access", route.method, route.path));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::Access;
    use axum::http::Method;

    fn route(method: Method, path: &'static str, access: Access) -> Route {
        Route {
            method,
            path,
            access,
        }
    }

    #[test]
    fn a_missing_route_an_extra_one_and_a_wrong_access_are_each_named() {
        let spec = r#"{"paths": {
            "/api/state": {"get": {"x-access": "read"}},
            "/api/gone": {"post": {"x-access": "paired"}},
            "/api/press": {"parameters": [], "post": {"x-access": "read"}}
        }}"#;
        let routes = [
            route(Method::GET, "/", Access::Public),
            route(Method::GET, "/api/state", Access::Read),
            route(Method::POST, "/api/press", Access::Paired),
            route(Method::GET, "/api/new", Access::Read),
        ];
        let found = differences(spec, &routes);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("GET /api/new is routed but not documented"));
        assert!(found[1].contains("POST /api/gone is documented but not routed"));
        assert!(found[2].contains("POST /api/press: x-access"));
        let agreed = r#"{"paths": {"/api/state": {"get": {"x-access": "read"}}}}"#;
        assert!(differences(agreed, &routes[..2]).is_empty());
    }
}
