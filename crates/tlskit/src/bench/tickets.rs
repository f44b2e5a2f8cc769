//! The shared session store for `--resume`.

use super::*;

/// The client's session store for `--resume`: shared by all connections, and deep enough that
/// each of N concurrent connections finds a TLS 1.3 ticket of its own (rustls' in-memory cache
/// keeps 8 per server, fewer than the connections a benchmark runs at once). Tickets are used
/// once, as RFC 8446 asks of clients.
#[derive(Debug)]
pub(super) struct SharedTickets {
    pub(super) cap: usize,
    pub(super) inner: std::sync::Mutex<TicketsInner>,
}

#[derive(Debug, Default)]
pub(super) struct TicketsInner {
    pub(super) kx: std::collections::HashMap<ServerName<'static>, rustls::NamedGroup>,
    pub(super) tls12:
        std::collections::HashMap<ServerName<'static>, rustls::client::Tls12ClientSessionValue>,
    pub(super) tls13: std::collections::HashMap<
        ServerName<'static>,
        std::collections::VecDeque<rustls::client::Tls13ClientSessionValue>,
    >,
}

impl SharedTickets {
    pub(super) fn new(cap: usize) -> Self {
        SharedTickets {
            cap,
            inner: std::sync::Mutex::new(TicketsInner::default()),
        }
    }
    pub(super) fn with<T>(&self, f: impl FnOnce(&mut TicketsInner) -> T) -> T {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    }
}

impl rustls::client::ClientSessionStore for SharedTickets {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: rustls::NamedGroup) {
        self.with(|i| i.kx.insert(server_name, group));
    }
    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<rustls::NamedGroup> {
        self.with(|i| i.kx.get(&server_name.to_owned()).copied())
    }
    fn set_tls12_session(
        &self,
        server_name: ServerName<'static>,
        value: rustls::client::Tls12ClientSessionValue,
    ) {
        self.with(|i| i.tls12.insert(server_name, value));
    }
    fn tls12_session(
        &self,
        server_name: &ServerName<'_>,
    ) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.with(|i| i.tls12.get(&server_name.to_owned()).cloned())
    }
    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.with(|i| i.tls12.remove(server_name));
    }
    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: rustls::client::Tls13ClientSessionValue,
    ) {
        let cap = self.cap;
        self.with(|i| {
            let q = i.tls13.entry(server_name).or_default();
            q.push_back(value);
            while q.len() > cap {
                q.pop_front();
            }
        });
    }
    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.with(|i| i.tls13.get_mut(server_name).and_then(|q| q.pop_back()))
    }
}
