//! A TCP stream wrapper that reads ahead in large chunks during bulk transfers.

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// A TCP stream that reads ahead in large chunks while data streams in.
///
/// rustls asks its transport for about 4 KiB per read, so a bulk transfer would cost one system
/// call per 4 KiB. When a read fills all that rustls asked for, more is probably waiting: from then
/// on this reads up to 64 KiB at once into a buffer of its own and hands it out in the sizes
/// rustls asks for, until a read finds the socket drained. The buffer exists only while it holds
/// data, so an idle connection keeps none, and small messages (handshakes, HTTP requests) are read
/// directly as before.
#[derive(Debug)]
pub struct ReadAhead {
    tcp: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    streaming: bool,
}

/// Largest read-ahead: four TLS records.
const READ_AHEAD: usize = 64 * 1024;

impl ReadAhead {
    pub fn new(tcp: TcpStream) -> Self {
        ReadAhead {
            tcp,
            buf: Vec::new(),
            pos: 0,
            streaming: false,
        }
    }

    pub fn get_ref(&self) -> &TcpStream {
        &self.tcp
    }
}

impl AsyncRead for ReadAhead {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        out: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        let this = self.get_mut();
        if this.pos < this.buf.len() {
            let n = out.remaining().min(this.buf.len() - this.pos);
            out.put_slice(&this.buf[this.pos..this.pos + n]);
            this.pos += n;
            if this.pos == this.buf.len() {
                this.buf = Vec::new();
                this.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        let want = out.remaining();
        if !this.streaming || want >= READ_AHEAD {
            let before = out.filled().len();
            match std::pin::Pin::new(&mut this.tcp).poll_read(cx, out) {
                Poll::Ready(Ok(())) => {
                    this.streaming = want > 0 && out.filled().len() - before == want;
                    return Poll::Ready(Ok(()));
                }
                other => return other,
            }
        }
        loop {
            // Allocate only once data is there: a stream waiting for its peer holds no buffer.
            match this.tcp.poll_read_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {}
            }
            let mut buf = Vec::with_capacity(READ_AHEAD);
            match this.tcp.try_read_buf(&mut buf) {
                Ok(n) => {
                    this.streaming = n == READ_AHEAD;
                    let k = n.min(want);
                    out.put_slice(&buf[..k]);
                    if k < n {
                        this.buf = buf;
                        this.pos = k;
                    }
                    return Poll::Ready(Ok(()));
                }
                // Stale readiness: poll again, which registers for the next wake-up.
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for ReadAhead {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }
    fn poll_write_vectored(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().tcp).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}
