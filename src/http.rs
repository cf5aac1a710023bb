//! Platform-neutral HTTP request and response values. The Worker converts to and from these, so
//! the whole API (routing, auth, envelopes) runs and is tested natively.

use serde::Serialize;

/// An incoming request, as the edge received it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Upper-case method (`GET`, `POST`, ...).
    pub method: String,
    /// The raw (still percent-encoded) path, e.g. `/v1/abc/software_configs`.
    pub path: String,
    /// The raw query string without `?` (may be empty).
    pub query: String,
    /// Headers with lower-case names, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The raw body bytes.
    pub body: Vec<u8>,
    /// Scheme, host and port the request was sent to (`https://edge.example`); empty when the
    /// platform does not say, and then [`Request::origin`] is `http://localhost`.
    pub origin: String,
}

impl Request {
    /// A request with the given method and `path?query`.
    pub fn new(method: &str, target: &str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Request {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query: query.to_owned(),
            ..Default::default()
        }
    }
    /// Adds a header (name lower-cased).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }
    /// Sets a JSON body and its content type.
    pub fn json(self, body: &serde_json::Value) -> Self {
        self.raw_body(body.to_string().into_bytes())
            .header("content-type", "application/json")
    }
    /// Sets the raw body.
    pub fn raw_body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }
    /// A request as an edge hands it over: the method as sent, the absolute URL it was sent to,
    /// and its headers as `name\nvalue\n` lines (names lower-case, as `Headers` iterates them;
    /// no value can hold a line break). The URL is split, not parsed: the platform has already
    /// parsed and normalised it.
    pub fn from_edge(method: &str, url: &str, header_lines: &str, body: Vec<u8>) -> Self {
        let (origin, target) = match url.split_once("://") {
            Some((scheme, rest)) => {
                let at = rest.find(['/', '?']).unwrap_or(rest.len());
                (&url[..scheme.len() + 3 + at], &rest[at..])
            }
            None => ("", url),
        };
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Request {
            method: method.to_ascii_uppercase(),
            path: if path.is_empty() { "/" } else { path }.to_owned(),
            query: query.to_owned(),
            headers: parse_header_lines(header_lines),
            body,
            origin: origin.to_owned(),
        }
    }
    /// Scheme, host and port the request was sent to, for absolute URLs in answers.
    pub fn origin(&self) -> &str {
        if self.origin.is_empty() {
            "http://localhost"
        } else {
            &self.origin
        }
    }
    /// The first value of a header (name compared case-insensitively).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Decoded query parameters, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        parse_query(&self.query)
    }
    /// The first decoded value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
    /// The path split into percent-decoded segments (empty segments dropped).
    pub fn segments(&self) -> Vec<String> {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect()
    }
}

/// A JSON body of one named value, `{"<name>": value}`, written without building a
/// `serde_json::Value` of it first.
pub struct Named<'a, T>(pub &'a str, pub T);

impl<T: Serialize> Serialize for Named<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.0, &self.1)?;
        map.end()
    }
}

/// A response to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// What failed inside (set with 5xx answers), for the log line; never sent.
    pub cause: Option<String>,
    /// One structured line for the platform's error log (set by `api::finish` for every 5xx);
    /// never sent.
    pub log: Option<String>,
    /// What the edge does once it has answered, off the answer's path; never sent.
    pub after: Vec<After>,
}

/// Work an edge does after answering, off the answer's path (Cloudflare's `waitUntil`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    /// Tell `project`'s object that the agent of the server `server_ref` polled at `ms`.
    Contact {
        project: String,
        server_ref: String,
        ms: u64,
    },
}

impl Response {
    /// A JSON response.
    pub fn json<T: Serialize + ?Sized>(status: u16, body: &T) -> Self {
        // Serialising our own types cannot fail; fall back to an empty object rather than panic.
        let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
        Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: bytes,
            cause: None,
            log: None,
            after: Vec::new(),
        }
    }
    /// An empty response (e.g. 204), still typed as JSON: python-heatclient insists.
    pub fn empty(status: u16) -> Self {
        Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Vec::new(),
            cause: None,
            log: None,
            after: Vec::new(),
        }
    }
    /// Records what failed inside, for the log.
    pub fn with_cause(mut self, cause: Option<String>) -> Self {
        self.cause = cause;
        self
    }
    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }
    /// Removes every value of a header and returns the first.
    pub fn take_header(&mut self, name: &str) -> Option<String> {
        let first = self.header_value(name).map(str::to_owned);
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        first
    }
    /// The first value of a header.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The headers as [`header_lines`], for an edge to build its response from.
    pub fn header_lines(&self) -> String {
        header_lines(&self.headers)
    }
    /// The body parsed as JSON (`Null` when empty or not JSON), for tests.
    pub fn json_body(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Headers as `name\nvalue\n` lines: how they cross between an edge's JavaScript and the core
/// in one string. A header whose name or value holds a line break (it could not be sent) is left
/// out.
pub fn header_lines(headers: &[(String, String)]) -> String {
    let mut lines = String::new();
    for (name, value) in headers {
        if name.contains(['\n', '\r']) || value.contains(['\n', '\r']) {
            continue;
        }
        lines.push_str(name);
        lines.push('\n');
        lines.push_str(value);
        lines.push('\n');
    }
    lines
}

/// Reads [`header_lines`] back (names lower-cased).
pub fn parse_header_lines(lines: &str) -> Vec<(String, String)> {
    let mut parts = lines.split('\n');
    let mut headers = Vec::new();
    while let (Some(name), Some(value)) = (parts.next(), parts.next()) {
        headers.push((name.to_ascii_lowercase(), value.to_owned()));
    }
    headers
}

/// `scheme://host[:port]` when `origin` is one (http or https; a host of letters, digits, `.`, `-`,
/// or a bracketed IPv6 address; an optional port), without a trailing `/`; `None` otherwise.
pub fn checked_origin(origin: &str) -> Option<String> {
    let lower = origin.to_ascii_lowercase();
    let origin = lower.strip_suffix('/').unwrap_or(&lower);
    let (scheme, authority) = origin.split_once("://")?;
    if !matches!(scheme, "http" | "https") || authority.is_empty() {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && p.bytes().all(|b| b.is_ascii_digit()) => (h, Some(p)),
        _ => (authority, None),
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !v6.is_empty()
            && v6
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5);
    (host_ok && port_ok).then(|| origin.to_owned())
}

/// Decodes `%XX` escapes (a `+` stays a `+`); invalid escapes stay as they are, and bytes that are
/// not UTF-8 become U+FFFD.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Parses `a=1&b=x%20y` into decoded pairs (form encoding: `+` is a space).
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_request_is_split_into_origin_path_query_and_headers() {
        let req = Request::from_edge(
            "propfind",
            "https://edge.example:8443/v1/p/software_configs?limit=2&marker=x",
            "x-auth-token\nabc\ncontent-type\napplication/json\naccept\n\n",
            b"{}".to_vec(),
        );
        assert_eq!(req.method, "PROPFIND");
        assert_eq!(req.origin, "https://edge.example:8443");
        assert_eq!(req.path, "/v1/p/software_configs");
        assert_eq!(req.query, "limit=2&marker=x");
        assert_eq!(
            req.headers,
            [
                ("x-auth-token".into(), "abc".into()),
                ("content-type".into(), "application/json".into()),
                ("accept".into(), String::new())
            ]
        );
        assert_eq!(req.body, b"{}");
    }

    #[test]
    fn an_edge_request_without_a_path_or_headers_is_the_root() {
        let req = Request::from_edge("GET", "http://h?q=1", "", Vec::new());
        assert_eq!(
            (req.origin.as_str(), req.path.as_str(), req.query.as_str()),
            ("http://h", "/", "q=1")
        );
        assert!(req.headers.is_empty());
        let bare = Request::from_edge("GET", "http://h", "", Vec::new());
        assert_eq!((bare.path.as_str(), bare.query.as_str()), ("/", ""));
    }

    #[test]
    fn header_lines_leave_out_a_header_that_could_not_be_sent() {
        let res = Response::empty(204)
            .with_header("etag", "\"a\"")
            .with_header("x-bad", "one\ntwo");
        assert_eq!(
            res.header_lines(),
            "content-type\napplication/json\netag\n\"a\"\n"
        );
        let back = parse_header_lines(&res.header_lines());
        assert_eq!(back, res.headers[..2]);
    }

    #[test]
    fn only_plain_http_origins_pass_the_check() {
        for good in [
            "https://edge.example",
            "http://127.0.0.1:8787",
            "https://[::1]:8443/",
            "HTTPS://Edge.Example",
        ] {
            assert!(checked_origin(good).is_some(), "{good}");
        }
        assert_eq!(
            checked_origin("https://[::1]:8443/").as_deref(),
            Some("https://[::1]:8443")
        );
        for bad in [
            "",
            "javascript://x",
            "https://",
            "https://a b",
            "https://a/path",
            "https://x\"><",
            "ftp://x",
            "https://a:99999999",
        ] {
            assert_eq!(checked_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn query_parameters_are_decoded() {
        let r = Request::new("get", "/v1/x?server_id=a%2Fb&name=two+words&flag");
        assert_eq!(r.method, "GET");
        assert_eq!(r.query_param("server_id").as_deref(), Some("a/b"));
        assert_eq!(r.query_param("name").as_deref(), Some("two words"));
        assert_eq!(r.query_param("flag").as_deref(), Some(""));
    }

    #[test]
    fn path_segments_are_decoded_and_empty_ones_dropped() {
        let r = Request::new("GET", "/v1//abc/x%20y/");
        assert_eq!(r.segments(), ["v1", "abc", "x y"]);
    }
}
