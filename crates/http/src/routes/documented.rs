//! `documented_get_routes!`: a list of GET routes, each path its own documented handler
//! (`#[utoipa::path]` takes one path, and the OpenAPI document must describe every path the
//! router serves) delegating to a shared handler, plus `routes()` listing them for the
//! router. Used where one API answers under several prefixes (OpenCost's bare, `/model`
//! and `/v1` paths).

macro_rules! documented_get_routes {
    (
        tag = $tag:literal, caller = $caller:ty;
        $($name:ident $path:literal => $handler:path, $params:ty, $ret:ty, $doc:ty, $what:literal;)*
    ) => {
        $(
            #[doc = $what]
            #[utoipa::path(
                get, path = $path, tag = $tag, params($params),
                responses(
                    (status = 200, description = $what, body = $doc),
                    (status = 400, description = "A parameter is invalid; the error names it", body = $crate::error::ErrorBody),
                    (status = 401, description = "Missing or invalid API key (without the anonymous mode)", body = $crate::error::ErrorBody),
                    (status = 403, description = "The key lacks `costs:read`", body = $crate::error::ErrorBody),
                    (status = 503, description = "Store unavailable", body = $crate::error::ErrorBody),
                ),
                security(("api_key" = []), ())
            )]
            #[tracing::instrument(skip_all)]
            pub async fn $name(
                state: actix_web::web::Data<$crate::state::AppState>,
                caller: $caller,
                params: actix_web::web::Query<$params>,
            ) -> Result<actix_web::web::Json<$ret>, $crate::error::ApiError> {
                $handler(state, caller, params).await
            }
        )*

        /// Every route: path and handler.
        pub fn routes() -> Vec<(&'static str, actix_web::Route)> {
            vec![$(($path, actix_web::web::get().to($name))),*]
        }
    };
}
