//! The bulk and idle workloads.

use super::*;

/// One transfer: bytes moved and when it started (after the handshake) and ended.
pub(super) struct Moved {
    pub(super) bytes: u64,
    pub(super) start: Instant,
    pub(super) end: Instant,
    pub(super) note: Option<String>,
}

pub(super) async fn with_timeout<T>(
    t: Duration,
    what: &str,
    f: impl std::future::Future<Output = std::io::Result<T>>,
) -> std::result::Result<T, Failure> {
    match tokio::time::timeout(t, f).await {
        Err(_) => Err(Failure::new(
            Kind::Timeout,
            format!("{what}: nothing moved for {}", net::fmt_duration(t)),
        )),
        Ok(Err(e)) => Err(Failure::new(Kind::Io, format!("{what}: {e}"))),
        Ok(Ok(v)) => Ok(v),
    }
}

/// Read an HTTP response head; returns it and how many body bytes came with it (already consumed).
pub(super) async fn read_head(
    tls: &mut TlsStream<ReadAhead>,
    t: Duration,
) -> std::result::Result<(http::ResponseHead, u64), Failure> {
    let mut head = Vec::new();
    loop {
        let chunk = with_timeout(t, "reading the response head", tls.fill_buf()).await?;
        if chunk.is_empty() {
            return Err(Failure::new(
                Kind::NoAnswer,
                "the server closed the connection without answering",
            ));
        }
        let n = chunk.len();
        let searched = head.len();
        head.extend_from_slice(chunk);
        tls.consume(n);
        if let Some(end) = http::head_end_from(&head, searched) {
            let extra = (head.len() - end) as u64;
            head.truncate(end);
            let parsed = http::parse_response_head(&head)
                .map_err(|e| Failure::new(Kind::Http, e.to_string()))?;
            return Ok((parsed, extra));
        }
        if head.len() > http::MAX_HEAD {
            return Err(Failure::new(
                Kind::Http,
                "the response head is larger than 64 KiB",
            ));
        }
    }
}

pub(super) async fn download(ctx: &Ctx, want: u64) -> std::result::Result<Moved, Failure> {
    let (mut tls, _) = ctx.open(Instant::now() + ctx.timeout).await?;
    let start = Instant::now();
    let mut got = 0u64;
    let mut limit = want;
    let mut note = None;
    if let Exchange::Http { path, host, .. } = &ctx.exchange {
        let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tlskit-bench\r\nConnection: close\r\n\r\n");
        with_timeout(ctx.timeout, "sending the request", async {
            tls.write_all(req.as_bytes()).await?;
            tls.flush().await
        })
        .await?;
        let (head, extra) = read_head(&mut tls, ctx.timeout).await?;
        if head.status != 200 {
            return Err(Failure::new(
                Kind::Http,
                format!(
                    "the server answered {} {} to GET {path}: serve a file of at least {} there (--path)",
                    head.status,
                    head.reason,
                    stats::fmt_bytes(want)
                ),
            ));
        }
        if let Some(cl) =
            http::header(&head.headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok())
        {
            if cl < want {
                note = Some(format!(
                    "GET {path} is {cl} bytes, less than the {want} asked for"
                ));
                limit = cl;
            }
        }
        got = extra.min(limit);
    }
    while got < limit {
        let chunk = match tokio::time::timeout(ctx.timeout, tls.fill_buf()).await {
            Err(_) => {
                return Err(Failure::new(
                    Kind::Timeout,
                    format!("download stalled after {got} bytes"),
                ))
            }
            Ok(Ok(c)) => c.len(),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Kind::Io,
                    format!("download after {got} bytes: {e}"),
                ))
            }
        };
        if chunk == 0 {
            note = Some(format!("the server closed after {got} of {want} bytes"));
            break;
        }
        tls.consume(chunk);
        got += chunk as u64;
    }
    let end = Instant::now();
    Ok(Moved {
        bytes: got.min(limit),
        start,
        end,
        note,
    })
}

pub(super) async fn upload(
    ctx: &Ctx,
    want: u64,
    zeros: &[u8],
) -> std::result::Result<Moved, Failure> {
    let (mut tls, _) = ctx.open(Instant::now() + ctx.timeout).await?;
    let start = Instant::now();
    if let Exchange::Http {
        upload_path, host, ..
    } = &ctx.exchange
    {
        let head = format!(
            "POST {upload_path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tlskit-bench\r\nContent-Type: application/octet-stream\r\nContent-Length: {want}\r\nConnection: close\r\n\r\n"
        );
        with_timeout(
            ctx.timeout,
            "sending the request",
            tls.write_all(head.as_bytes()),
        )
        .await?;
    }
    let mut left = want;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        with_timeout(ctx.timeout, "upload", tls.write_all(&zeros[..n])).await?;
        left -= n as u64;
    }
    with_timeout(ctx.timeout, "upload", tls.flush()).await?;
    if matches!(ctx.exchange, Exchange::Raw) {
        // close_notify and FIN: the server sees the end and closes in turn.
        with_timeout(ctx.timeout, "closing", tls.shutdown()).await?;
    }
    // The answer, to its end: the server has read everything once it closes.
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(ctx.timeout, tls.read(&mut buf)).await {
            Err(_) => {
                return Err(Failure::new(
                    Kind::Timeout,
                    "waiting for the server to finish reading the upload",
                ))
            }
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => {
                if answer.len() < 4096 {
                    answer.extend_from_slice(&buf[..n]);
                }
            }
            Ok(Err(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
                ) =>
            {
                break
            }
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Kind::Io,
                    format!("reading the answer to the upload: {e}"),
                ))
            }
        }
    }
    let end = Instant::now();
    if let Exchange::Http { upload_path, .. } = &ctx.exchange {
        let status = status_of(&answer[..answer.len().min(16)]);
        if !(200..300).contains(&status) {
            let line = String::from_utf8_lossy(&answer)
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            return Err(Failure::new(
                Kind::Http,
                format!(
                    "the server did not accept POST {upload_path}: {}",
                    if line.is_empty() {
                        "no answer".to_string()
                    } else {
                        line
                    }
                ),
            ));
        }
    }
    Ok(Moved {
        bytes: want,
        start,
        end,
        note: None,
    })
}

pub(super) async fn bulk(
    ctx: &Arc<Ctx>,
    opts: &BenchOptions,
    bytes: u64,
    down: bool,
    up: bool,
    report: &mut BenchReport,
) -> Result<()> {
    let mut result = Bulk {
        bytes_per_connection: bytes,
        down: None,
        up: None,
    };
    let zeros: Arc<Vec<u8>> = Arc::new(vec![0u8; UPLOAD_CHUNK]);
    let wall = Instant::now();
    for (is_down, wanted) in [(true, down), (false, up)] {
        if !wanted {
            continue;
        }
        let server0 = procfs::snapshot(&opts.server_pids);
        let client0 = procfs::self_cpu_seconds();
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..opts.connections {
            let ctx = ctx.clone();
            let zeros = zeros.clone();
            set.spawn(async move {
                if is_down {
                    download(&ctx, bytes).await
                } else {
                    upload(&ctx, bytes, &zeros).await
                }
            });
        }
        let mut moved = Vec::new();
        while let Some(r) = set.join_next().await {
            match r {
                Ok(Ok(m)) => moved.push(m),
                Ok(Err(f)) => return Err(f.into_error()),
                Err(e) => return Err(Error::other(format!("a transfer task failed: {e}"))),
            }
        }
        let client_s = procfs::self_cpu_seconds() - client0;
        let server1 = procfs::snapshot(&opts.server_pids);
        let start = moved.iter().map(|m| m.start).min().unwrap_or(wall);
        let end = moved.iter().map(|m| m.end).max().unwrap_or(wall);
        let total: u64 = moved.iter().map(|m| m.bytes).sum();
        let secs = (end - start).as_secs_f64().max(1e-6);
        for note in moved.iter().filter_map(|m| m.note.clone()) {
            if !report.notes.contains(&note) {
                report.notes.push(note);
            }
        }
        let t = Transfer {
            connections: opts.connections,
            bytes: total,
            seconds: round3(secs),
            mb_per_s: round2(total as f64 / 1e6 / secs),
            client_cpu_s: round3(client_s),
            server_cpu_s: (!opts.server_pids.is_empty())
                .then(|| round3(server1.cpu_s - server0.cpu_s)),
        };
        if is_down {
            result.down = Some(t);
        } else {
            result.up = Some(t);
        }
    }
    report.duration_s = round3(wall.elapsed().as_secs_f64());
    report.cpu.client_s = result
        .down
        .iter()
        .chain(result.up.iter())
        .map(|t| t.client_cpu_s)
        .sum();
    if !opts.server_pids.is_empty() {
        report.cpu.server_s = Some(
            result
                .down
                .iter()
                .chain(result.up.iter())
                .filter_map(|t| t.server_cpu_s)
                .sum(),
        );
    }
    report.bulk = Some(result);
    Ok(())
}

pub(super) async fn idle(
    ctx: &Arc<Ctx>,
    opts: &BenchOptions,
    count: usize,
    report: &mut BenchReport,
) -> Result<()> {
    // Warm the server up (threads, allocator arenas, caches) before the baseline.
    let mut buf = vec![0u8; 16 * 1024];
    let warm = Instant::now() + Duration::from_secs(2);
    for _ in 0..200 {
        if Instant::now() > warm {
            break;
        }
        let _ = ctx
            .small_exchange(&mut buf, Instant::now() + ctx.timeout)
            .await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = procfs::snapshot(&opts.server_pids);
    let client0 = procfs::self_cpu_seconds();
    let slots = Arc::new(tokio::sync::Semaphore::new(opts.connections));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..count {
        let ctx = ctx.clone();
        let slots = slots.clone();
        set.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("never closed");
            ctx.open(Instant::now() + ctx.timeout).await.map(|(s, _)| s)
        });
    }
    let mut held = Vec::with_capacity(count);
    let mut errors: BTreeMap<Kind, (u64, String)> = BTreeMap::new();
    while let Some(r) = set.join_next().await {
        match r {
            Ok(Ok(s)) => held.push(s),
            Ok(Err(f)) => errors.entry(f.kind).or_insert((0, f.message)).0 += 1,
            Err(_) => {}
        }
    }
    // Let the server finish its side (TLS 1.3: the client's Finished, the tickets) and settle.
    tokio::time::sleep(opts.duration).await;
    let during = procfs::snapshot(&opts.server_pids);
    let n = held.len() as u64;
    drop(held);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = procfs::snapshot(&opts.server_pids);
    let measured = !opts.server_pids.is_empty();
    report.duration_s = round3(opts.duration.as_secs_f64());
    report.errors = errors_of(&errors);
    report.cpu.client_s = round3(procfs::self_cpu_seconds() - client0);
    if measured {
        report.cpu.server_s = Some(round3(during.cpu_s - before.cpu_s));
    }
    report.idle = Some(Idle {
        requested: count,
        held: n,
        hold_s: round3(opts.duration.as_secs_f64()),
        server_rss_kib_before: measured.then_some(before.rss_kib),
        server_rss_kib_held: measured.then_some(during.rss_kib),
        server_rss_kib_after_close: measured.then_some(after.rss_kib),
        per_connection_kib: (measured && n > 0)
            .then(|| round2((during.rss_kib as f64 - before.rss_kib as f64) / n as f64)),
    });
    if !measured {
        report.notes.push(
            "give --server-pid PID to measure the server's memory per connection".to_string(),
        );
    }
    if n == 0 {
        let first = errors
            .into_values()
            .next()
            .map(|(_, m)| m)
            .unwrap_or_default();
        return Err(Error::network(format!(
            "no connection could be established: {first}"
        )));
    }
    Ok(())
}
