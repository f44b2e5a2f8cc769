use super::*;

fn pair() -> (HttpParser, HttpParser) {
    let q: MethodQueue = Arc::new(Mutex::new(VecDeque::new()));
    (
        HttpParser::new(Side::Request, q.clone()),
        HttpParser::new(Side::Response, q),
    )
}

fn messages(ev: Vec<Event>) -> Vec<HttpMessage> {
    ev.into_iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(*m),
            _ => None,
        })
        .collect()
}

#[test]
fn a_posted_password_is_visible_and_redactable() {
    let (mut req, _) = pair();
    let body = "username=alice&password=s3cr%21t";
    let wire = format!(
        "POST /login HTTP/1.1\r\nHost: www.bank32.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    // Byte by byte: the parser must not depend on chunking.
    let mut ev = Vec::new();
    for b in wire.as_bytes().chunks(1) {
        ev.extend(req.push(b));
    }
    let m = messages(ev);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].method.as_deref(), Some("POST"));
    assert!(m[0].form.contains(&("password".into(), "s3cr!t".into())));
    assert_eq!(m[0].credentials, vec!["form field 'password'"]);
    let text = m[0].render_lines(1000).join("\n");
    assert!(text.contains("s3cr!t"), "{text}");
    let mut r = m[0].clone();
    r.redact();
    let text = r.render_lines(1000).join("\n");
    assert!(!text.contains("s3cr"), "{text}");
    assert!(text.contains(MASK));
    assert!(!serde_json::to_string(&r).unwrap().contains("s3cr"));
}

#[test]
fn responses_framed_by_length_chunks_and_close_and_head() {
    let (mut req, mut resp) = pair();
    req.push(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
    let mut ev =
        resp.push(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello");
    ev.extend(resp.push(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"));
    ev.extend(resp.push(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"));
    let m = messages(ev);
    assert_eq!(m.len(), 3);
    assert_eq!(m[0].body_text.as_deref(), Some("hello"));
    assert_eq!(m[1].body_bytes, 0); // HEAD: no body despite Content-Length
    assert_eq!(m[2].body_text.as_deref(), Some("abcde"));
    req.push(b"GET /d HTTP/1.1\r\n\r\n");
    assert!(messages(resp.push(b"HTTP/1.0 200 OK\r\n\r\nuntil close")).is_empty());
    let m = messages(resp.finish());
    assert_eq!(m[0].body_text.as_deref(), Some("until close"));
    assert!(!m[0].incomplete);
}

#[test]
fn redaction_scrubs_secrets_echoed_later() {
    let (mut req, mut resp) = pair();
    let m = messages(req.push(b"POST /l HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 26\r\n\r\nuser=al&password=p%26ss+wd"));
    let secrets = m[0].secrets();
    assert_eq!(secrets, vec!["p&ss wd".to_string()]);
    let page = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 31\r\n\r\n<td>password</td><td>p&amp;ss wd";
    let mut r = messages(resp.push(page)).remove(0);
    r.redact();
    r.scrub(&secrets);
    let text = r.render_lines(1000).join("\n");
    assert!(!text.contains("ss wd"), "{text}");
}

#[test]
fn non_http_is_raw() {
    let (mut req, _) = pair();
    let ev = req.push(b"\x16\x03\x01binary");
    assert!(matches!(ev.as_slice(), [Event::Raw { bytes: 9, .. }]));
    assert!(raw_preview(b"\x00\x01\x02").starts_with("hex"));
    assert!(raw_preview(b"EHLO x\r\n").starts_with("text"));
}

#[test]
fn multipart_passwords_are_fields_and_redacted() {
    let (mut req, _) = pair();
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nalice\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nhunter2x\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n--XyZ--\r\n";
    let head = format!("POST /up HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: {}\r\n\r\n", body.len());
    let mut m = messages(req.push(format!("{head}{body}").as_bytes()));
    let mut m = m.remove(0);
    assert_eq!(m.form[1], ("password".into(), "hunter2x".into()));
    assert_eq!(m.form[2].1, "<file a.txt, 9 bytes>");
    assert!(m.credentials.iter().any(|c| c.contains("password")));
    let secrets = m.secrets();
    assert!(secrets.contains(&"hunter2x".to_string()));
    m.redact();
    m.scrub(&secrets);
    let shown = m.render_lines(10_000).join("\n");
    assert!(!shown.contains("hunter2x"), "{shown}");
}

#[test]
fn basic_auth_is_decoded_then_masked() {
    assert_eq!(
        crate::base64::decode_lenient("YWxpY2U6c2VjcmV0").unwrap(),
        b"alice:secret"
    );
    let (mut req, _) = pair();
    let m = messages(
        req.push(b"GET /?token=abc&x=1 HTTP/1.1\r\nAuthorization: Basic YWxpY2U6c2VjcmV0\r\n\r\n"),
    );
    let text = m[0].render_lines(100).join("\n");
    assert!(text.contains("alice:secret"), "{text}");
    let mut r = m[0].clone();
    r.redact();
    let text = r.render_lines(100).join("\n");
    assert!(!text.contains("secret") && !text.contains("abc"), "{text}");
    assert!(text.contains("Basic ********"));
    assert!(r.target.as_deref().unwrap().contains("x=1"));
}

/// A connection's thousand cookies echoed in a page: every value is masked in every spelling,
/// and a secret that contains another is masked whole.
#[test]
fn many_secrets_are_all_scrubbed() {
    let (mut req, mut resp) = pair();
    let cookies: Vec<String> = (0..1000).map(|i| format!("c{i}=val{i}x")).collect();
    let m = messages(
        req.push(format!("GET / HTTP/1.1\r\nCookie: {}\r\n\r\n", cookies.join("; ")).as_bytes()),
    );
    let mut secrets = m[0].secrets();
    assert_eq!(secrets.len(), 1000);
    secrets.push("val12xval13x".into());
    let body: String = (0..1000)
        .rev()
        .map(|i| format!("<td>val{i}x</td>"))
        .collect();
    let body = format!("{body} val12xval13x v%26l <b>");
    let page = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut r = messages(resp.push(page.as_bytes())).remove(0);
    r.scrub(&secrets);
    let text = r.render_lines(1 << 20).join("\n");
    assert!(!text.contains("val"), "{text}");
    assert_eq!(text.matches(MASK).count(), 1001, "{text}");
    assert!(text.contains("v%26l <b>"), "{text}");
}
