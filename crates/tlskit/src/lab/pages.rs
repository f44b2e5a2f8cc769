//! The lab's HTML: the index on `good` and one page per endpoint.

use super::catalog::Spec;
use super::{EndpointInfo, LabOptions};
use crate::http::html_escape as esc;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}\
code{background:#f4f4f4;padding:0 .2em}.na{color:#888}";

/// The index: every endpoint with a link, what it shows, what a browser says, the command.
pub fn index(endpoints: &[EndpointInfo], opts: &LabOptions, responder: &str) -> String {
    let mut rows = String::new();
    for e in endpoints {
        let link = if e.available {
            format!("<a href=\"{0}\">{1}</a>", esc(&e.url), esc(&e.name))
        } else {
            format!("<span class=na>{}</span>", esc(&e.name))
        };
        let browser = if e.available {
            esc(&e.browser)
        } else {
            format!(
                "{} <br><span class=na>not served by this build: {}</span>",
                esc(&e.browser),
                esc(e.unavailable.as_deref().unwrap_or(""))
            )
        };
        rows.push_str(&format!(
            "<tr id=\"{name}\"><td>{link}<br><small>port {port}</small></td><td>{demo}</td><td>{expect}</td><td>{browser}</td><td><code>{cmd}</code></td></tr>\n",
            name = esc(&e.name),
            port = e.port,
            demo = esc(&e.demonstrates),
            expect = esc(&e.expect),
            cmd = esc(&e.command),
        ));
    }
    format!(
        "<!doctype html><html><head><meta charset=utf-8><title>tlskit lab</title><style>{STYLE}</style></head><body>\n\
<h1>tlskit lab</h1>\n\
<p>Every endpoint below runs on this machine. Each one is broken in one way on purpose (except <b>good</b> and <b>hsts</b>): \
open it, read what your browser says, then run the command to see why.</p>\n\
<p>Lab CA: <code>{ca}</code> (it may only vouch for *.test, localhost and loopback addresses). \
Trust it in your browser with <code>tlskit cert trust {dir}</code>. \
Revocation service (CRL and OCSP, plain HTTP): <code>{responder}</code>. \
Endpoints as JSON: <code>{json}</code>.</p>\n\
<table><tr><th>endpoint</th><th>what it demonstrates</th><th>a correct client</th><th>what Chromium says</th><th>look at it with</th></tr>\n{rows}</table>\n\
<p>Page served over TLS by <b>good</b>; you are reading it, so your browser trusts the lab CA.</p>\n</body></html>\n",
        ca = esc(&opts.dir.join("ca.crt").display().to_string()),
        dir = esc(&crate::pki::trust::shell_word(&opts.dir.display().to_string())),
        responder = esc(responder),
        json = esc(&opts.dir.join("endpoints.json").display().to_string()),
    )
}

/// The page an endpoint shows to a client that got through.
pub fn endpoint_page(spec: &Spec, endpoints: &[EndpointInfo]) -> String {
    let info = endpoints.iter().find(|e| e.name == spec.name);
    let index = endpoints
        .iter()
        .find(|e| e.name == "good")
        .map(|e| e.url.clone())
        .unwrap_or_default();
    let warning = if matches!(spec.name, "good" | "hsts") {
        String::new()
    } else {
        format!(
            "<p><b>You got through to a broken endpoint.</b> A correct client would: {}.</p>",
            esc(spec.expect)
        )
    };
    format!(
        "<!doctype html><html><head><meta charset=utf-8><title>tlskit lab: {name}</title><style>{STYLE}</style></head><body>\n\
<h1>tlskit lab: {name}</h1>\n<p>{demo}</p>\n{warning}\n<p>Look at it with <code>{cmd}</code></p>\n\
<p><a href=\"{index}\">all endpoints</a></p>\n</body></html>\n",
        name = esc(spec.name),
        demo = esc(spec.demonstrates),
        cmd = esc(info.map(|i| i.command.as_str()).unwrap_or("")),
        index = esc(&index),
    )
}
