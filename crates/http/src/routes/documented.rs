//! GET endpoints declared as tables, where several answer the same way: each path still
//! gets its own documented handler (`#[utoipa::path]` takes one path, and the OpenAPI
//! document must describe every path the router serves), delegating to a shared handler.
//!
//! - `documented_get_family!`: endpoints that differ only in what they answer — the same
//!   caller, parameters and errors of a `costs:read` query, one generic handler (the cost
//!   lists, the Overview's views).
//! - `documented_get_routes!`: one API under several prefixes (OpenCost's bare, `/model`
//!   and `/v1` paths), plus `routes()` listing them for the router.
//!
//! Both build on `documented_get_handler!`, one handler.

/// One documented GET handler: `$shared(state, caller, params)` answering `$answer`,
/// documented as `$body` (the same type unless the wire form needs a documentation twin).
macro_rules! documented_get_handler {
    (
        $(#[doc = $doc:literal])*
        $name:ident $path:literal => $shared:path, $params:ty, $answer:ty, $body:ty, $ok:literal;
        tag = $tag:literal, caller = $caller:ty, errors = [$($error:tt)*], security = $security:tt
    ) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            get, path = $path, tag = $tag, params($params),
            responses((status = 200, description = $ok, body = $body), $($error)*),
            security $security
        )]
        #[tracing::instrument(skip_all)]
        pub async fn $name(
            state: actix_web::web::Data<$crate::state::AppState>,
            caller: $caller,
            params: actix_web::web::Query<$params>,
        ) -> Result<actix_web::web::Json<$answer>, $crate::error::ApiError> {
            $shared(state, caller, params).await
        }
    };
}

/// A family of `costs:read` queries: same caller, parameters and errors (`$invalid` the
/// 400's description), one generic handler whose answer type picks what it answers.
macro_rules! documented_get_family {
    (
        tag = $tag:literal, caller = $caller:ty, security = $security:tt,
        params = $params:ty, invalid = $invalid:literal, handler = $shared:path;
        $($(#[doc = $doc:literal])* $name:ident $path:literal => $answer:ty, $ok:literal;)*
    ) => {
        $(documented_get_handler! {
            $(#[doc = $doc])*
            $name $path => $shared, $params, $answer, $answer, $ok;
            tag = $tag, caller = $caller,
            errors = [
                (status = 400, description = $invalid, body = $crate::error::ErrorBody),
                (status = 401, description = "Missing or invalid API key", body = $crate::error::ErrorBody),
                (status = 403, description = "The key lacks `costs:read`", body = $crate::error::ErrorBody),
                (status = 503, description = "Store unavailable", body = $crate::error::ErrorBody),
            ],
            security = $security
        })*
    };
}

/// OpenCost's API under one prefix: readable without a key in the anonymous mode.
macro_rules! documented_get_routes {
    (
        tag = $tag:literal, caller = $caller:ty;
        $($name:ident $path:literal => $handler:path, $params:ty, $ret:ty, $doc:ty, $what:literal;)*
    ) => {
        $(documented_get_handler! {
            #[doc = $what]
            $name $path => $handler, $params, $ret, $doc, $what;
            tag = $tag, caller = $caller,
            errors = [
                (status = 400, description = "A parameter is invalid; the error names it", body = $crate::error::ErrorBody),
                (status = 401, description = "Missing or invalid API key (without the anonymous mode)", body = $crate::error::ErrorBody),
                (status = 403, description = "The key lacks `costs:read`", body = $crate::error::ErrorBody),
                (status = 503, description = "Store unavailable", body = $crate::error::ErrorBody),
            ],
            security = (("api_key" = []), ())
        })*

        /// Every route: path and handler.
        pub fn routes() -> Vec<(&'static str, actix_web::Route)> {
            vec![$(($path, actix_web::web::get().to($name))),*]
        }
    };
}
