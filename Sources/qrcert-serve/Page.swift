/// The page at `/` (Page/, owned by the page's own work): index.html, app.js and app.css, embedded in the
/// binary at build time. Nothing is read from disk at request time, and no path a client names is ever opened.
enum Page {
    /// The three files by path, with their content types.
    static let files: [String: (type: String, bytes: [UInt8])] = [
        "/": ("text/html; charset=utf-8", PackageResources.index_html),
        "/index.html": ("text/html; charset=utf-8", PackageResources.index_html),
        "/app.js": ("text/javascript; charset=utf-8", PackageResources.app_js),
        "/app.css": ("text/css; charset=utf-8", PackageResources.app_css),
    ]
}
