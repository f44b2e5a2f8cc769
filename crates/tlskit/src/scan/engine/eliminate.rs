//! Elimination that survives failures: offer a list, note the item the server picks, offer the
//! rest again — and when a probe fails (the connection is closed or reset, no answer in time,
//! bytes that do not parse), do not take the failure for "nothing left": offer the remaining
//! items in halves, down to one at a time. What still cannot be decided is returned as
//! undetermined, with the reason, for the caller to report — never silently dropped.
//!
//! A connection closed without an alert is ambiguous: some servers (and proxies in between) say
//! "none of these" that way, others close when the item they chose fails (dovecot without DH
//! parameters). The first time it happens, one probe offering only an item no server accepts (a
//! GREASE value) shows how this server refuses: if it closes then too, a close is its refusal;
//! if it sends an alert, a close is a failure.
//!
//! A server that closes to refuse may also close when the item it chose fails, and then the two
//! cannot be told apart one list at a time (dovecot 2.3 without DH parameters never flushes its
//! alerts: "no shared cipher" and "no DH parameters" both end in a bare close). So a close of a
//! list spanning several families (key exchanges, for cipher suites) is split by family, and every
//! family list that closes is kept aside; at the end each is offered again with the item found
//! that the server likes least: if the server then picks that item, the family is refused; if it
//! closes, an item of the family is chosen and fails — halved down to that item, reported as
//! undetermined with the reason.
//!
//! Two bounds keep a dead or hostile server from costing more than a few seconds: a budget of
//! extra probes spent on splitting, and a limit on failures in a row (a server that stopped
//! answering altogether).

use crate::scan::engine::probe::Response;
use std::future::Future;

/// Extra probes (beyond one per item found) an elimination may spend on splitting.
pub const SPLIT_BUDGET: usize = 48;
/// Failed probes in a row after which the server is taken to have stopped answering.
pub const FAILURES_IN_A_ROW: usize = 6;

/// What one probe of a list of candidates gave.
pub enum Answer<T, X> {
    /// The server chose `T` (one of the items offered), with what came with it.
    Chose(T, X),
    /// A clean refusal (a fatal alert): nothing in the list offered is accepted.
    Refused,
    /// The connection was closed without an alert: a refusal or a failure, depending on the
    /// server (see the module documentation); why.
    Closed(String),
    /// Nothing can be learnt from this probe: why (connection reset, timeout, garbage …).
    Failed(String),
    /// An answer that makes going on pointless (it chose something not offered …): why.
    Stop(String),
}

impl<T, X> Answer<T, X> {
    /// Classify a probe's response that is not a ServerHello: a fatal alert (or SSLv2 error) is
    /// a refusal; a closed or reset connection, a timeout or garbage is a failure.
    pub fn from_response(r: &Response) -> Answer<T, X> {
        match r {
            Response::Alert(_) | Response::Sslv2Error(_) => Answer::Refused,
            Response::Closed { reset: false } => Answer::Closed(r.describe()),
            other => Answer::Failed(other.describe()),
        }
    }
}

/// The outcome: what was found (in the order found), what could not be decided and why, and why
/// the search stopped early, if it did.
pub struct Elimination<T, X> {
    /// Items the server chose, with their extras, in the order found.
    pub found: Vec<(T, X)>,
    /// Items neither found nor refused, with the reason of the last failure that touched them.
    pub undetermined: Vec<(T, String)>,
    /// Why the search stopped before the end ([`Answer::Stop`]).
    pub stopped: Option<String>,
}

impl<T, X> Elimination<T, X> {
    /// The items found, without their extras.
    pub fn items(&self) -> Vec<T>
    where
        T: Copy,
    {
        self.found.iter().map(|(t, _)| *t).collect()
    }
}

/// Eliminate within `list`: `probe` offers a list and says what the server did with it;
/// `impossible` is an item no server accepts (a GREASE value), offered alone to learn what a
/// close means (see the module documentation). One family for every item.
pub async fn eliminate<T, X, F, Fut>(list: Vec<T>, impossible: T, probe: F) -> Elimination<T, X>
where
    T: Copy + PartialEq,
    F: FnMut(Vec<T>) -> Fut,
    Fut: Future<Output = Answer<T, X>>,
{
    eliminate_in_families(list, impossible, |_| 0, probe).await
}

/// [`eliminate`], where `family` sorts items into families that fail together (a cipher suite's
/// key exchange): an ambiguous close is split along them (see the module documentation).
pub async fn eliminate_in_families<T, X, K, F, Fut>(
    list: Vec<T>,
    impossible: T,
    family: K,
    mut probe: F,
) -> Elimination<T, X>
where
    T: Copy + PartialEq,
    K: Fn(&T) -> u32,
    F: FnMut(Vec<T>) -> Fut,
    Fut: Future<Output = Answer<T, X>>,
{
    let mut out = Elimination {
        found: Vec::new(),
        undetermined: Vec::new(),
        stopped: None,
    };
    // Lists still to search; the last one is searched next (depth first keeps the server's order
    // of preference within the first, undivided list).
    let mut work: Vec<Vec<T>> = vec![list];
    let mut budget = SPLIT_BUDGET;
    let mut in_a_row = 0usize;
    // Whether a close without an alert is this server's way of refusing: learnt when first seen.
    let mut close_is_refusal: Option<bool> = None;
    // Once a close was split by family: the family lists that closed, decided at the end.
    let mut split_by_family = false;
    let mut suspect: Vec<Vec<T>> = Vec::new();
    while let Some(mut current) = work.pop() {
        if current.is_empty() {
            continue;
        }
        let mut answer = probe(current.clone()).await;
        if let Answer::Closed(why) = answer {
            let refusal = match close_is_refusal {
                Some(r) => r,
                None => {
                    let r = matches!(probe(vec![impossible]).await, Answer::Closed(_));
                    close_is_refusal = Some(r);
                    r
                }
            };
            answer = if !refusal {
                Answer::Failed(why)
            } else {
                let families = by_family(&current, &family);
                if families.len() > 1 && budget > 0 {
                    budget -= 1;
                    split_by_family = true;
                    work.extend(families.into_iter().rev());
                    continue;
                }
                if split_by_family {
                    suspect.push(current);
                    continue;
                }
                Answer::Refused
            };
        }
        match answer {
            Answer::Chose(t, x) if current.contains(&t) => {
                in_a_row = 0;
                current.retain(|c| *c != t);
                out.found.push((t, x));
                work.push(current);
            }
            Answer::Chose(..) => {
                out.stopped = Some("the server chose an item that was not offered".into());
                give_up(
                    &mut out,
                    current,
                    work,
                    "not tested after an inconsistent answer",
                );
                return out;
            }
            Answer::Refused => in_a_row = 0,
            Answer::Closed(_) => unreachable!("a close was classified above"),
            Answer::Stop(why) => {
                give_up(&mut out, current, work, &why);
                out.stopped = Some(why);
                return out;
            }
            Answer::Failed(why) => {
                in_a_row += 1;
                if in_a_row >= FAILURES_IN_A_ROW {
                    let why = format!("{why} ({in_a_row} probes in a row failed)");
                    give_up(&mut out, current, work, &why);
                    return out;
                }
                if current.len() == 1 || budget == 0 {
                    out.undetermined
                        .extend(current.into_iter().map(|t| (t, why.clone())));
                    continue;
                }
                budget -= 1;
                let back = current.split_off(current.len() / 2);
                // Search the first half first.
                work.push(back);
                work.push(current);
            }
        }
    }
    settle_suspects(&mut out, suspect, budget, &mut probe).await;
    out
}

/// The items of `list` by family, each family in the order of its first item.
fn by_family<T: Copy>(list: &[T], family: &impl Fn(&T) -> u32) -> Vec<Vec<T>> {
    let mut groups: Vec<(u32, Vec<T>)> = Vec::new();
    for t in list {
        let k = family(t);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, v)) => v.push(*t),
            None => groups.push((k, vec![*t])),
        }
    }
    groups.into_iter().map(|(_, v)| v).collect()
}

/// Decide the family lists that closed on a server that closes to refuse: each offered again
/// with the item found that the server likes least, last. The server picking that item refuses the list; a
/// close means an item of the list is chosen and fails (halved down to it, then undetermined).
/// Without any item found, or without budget, a close stays a refusal.
async fn settle_suspects<T, X, F, Fut>(
    out: &mut Elimination<T, X>,
    mut suspect: Vec<Vec<T>>,
    mut budget: usize,
    probe: &mut F,
) where
    T: Copy + PartialEq,
    F: FnMut(Vec<T>) -> Fut,
    Fut: Future<Output = Answer<T, X>>,
{
    if suspect.is_empty() {
        return;
    }
    // The anchor: the item found that the server likes least (with its own order, it picks
    // the anchor only over items it likes even less), found by offering the found items and
    // taking away the one it picks, while the budget lasts.
    let mut pool: Vec<T> = out.found.iter().map(|(t, _)| *t).collect();
    while pool.len() > 1 && budget > 0 {
        budget -= 1;
        match probe(pool.clone()).await {
            Answer::Chose(t, _) if pool.contains(&t) => pool.retain(|c| *c != t),
            _ => break,
        }
    }
    let Some(anchor) = pool.last().copied() else {
        return;
    };
    while let Some(mut list) = suspect.pop() {
        if list.is_empty() || budget == 0 {
            continue;
        }
        budget -= 1;
        let mut offer = list.clone();
        offer.push(anchor);
        let why = match probe(offer).await {
            Answer::Chose(t, _) if t == anchor => continue,
            Answer::Chose(t, x) if list.contains(&t) => {
                list.retain(|c| *c != t);
                out.found.push((t, x));
                suspect.push(list);
                continue;
            }
            Answer::Refused => continue,
            Answer::Closed(why) => format!(
                "{why}, also when offered with a suite it accepts: it picks one of these and then fails"
            ),
            Answer::Failed(why) | Answer::Stop(why) => why,
            Answer::Chose(..) => "the server chose an item that was not offered".to_string(),
        };
        if list.len() == 1 || budget == 0 {
            out.undetermined
                .extend(list.into_iter().map(|t| (t, why.clone())));
            continue;
        }
        let back = list.split_off(list.len() / 2);
        suspect.push(back);
        suspect.push(list);
    }
}

/// Everything not yet searched is undetermined, for `why`.
fn give_up<T, X>(out: &mut Elimination<T, X>, current: Vec<T>, work: Vec<Vec<T>>, why: &str) {
    for list in std::iter::once(current).chain(work.into_iter().rev()) {
        out.undetermined
            .extend(list.into_iter().map(|t| (t, why.to_string())));
    }
}

/// One line for an error entry: `what: N could not be tested (why): a, b, c …` — the reasons
/// grouped, at most `max_names` names each.
pub fn describe_undetermined<T>(
    what: &str,
    undetermined: &[(T, String)],
    name: impl Fn(&T) -> String,
    max_names: usize,
) -> Option<String> {
    if undetermined.is_empty() {
        return None;
    }
    let mut groups: Vec<(&str, Vec<&T>)> = Vec::new();
    for (t, why) in undetermined {
        match groups.iter_mut().find(|(w, _)| *w == why.as_str()) {
            Some((_, v)) => v.push(t),
            None => groups.push((why.as_str(), vec![t])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(why, items)| {
            let mut names: Vec<String> = items.iter().take(max_names).map(|t| name(t)).collect();
            if items.len() > max_names {
                names.push(format!("… {} more", items.len() - max_names));
            }
            format!(
                "{} could not be tested ({}): {}",
                items.len(),
                crate::escape::short(why, 160),
                names.join(", ")
            )
        })
        .collect();
    Some(format!("{what}: {}", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that accepts `accepts` in its own order, fails (closes) whenever its choice is in
    /// `fails`, and refuses with an alert when nothing is left.
    async fn run(accepts: &[u16], fails: &[u16], list: Vec<u16>) -> Elimination<u16, ()> {
        eliminate(list, GREASE, |offer: Vec<u16>| {
            let choice = accepts.iter().find(|a| offer.contains(a)).copied();
            async move {
                match choice {
                    Some(c) if fails.contains(&c) => Answer::Closed("connection closed".into()),
                    Some(c) => Answer::Chose(c, ()),
                    None => Answer::Refused,
                }
            }
        })
        .await
    }

    const GREASE: u16 = 0x0a0a;

    #[tokio::test]
    async fn a_server_that_closes_to_refuse_is_not_undetermined() {
        // It (or a proxy in front of it) closes without an alert when nothing is acceptable.
        let accepts = [5u16, 3];
        let mut probes = 0;
        let e: Elimination<u16, ()> = eliminate((1..=10).collect(), GREASE, |offer: Vec<u16>| {
            probes += 1;
            let choice = accepts.iter().find(|a| offer.contains(a)).copied();
            async move {
                match choice {
                    Some(c) => Answer::Chose(c, ()),
                    None => Answer::Closed("connection closed without an answer".into()),
                }
            }
        })
        .await;
        assert_eq!(e.items(), vec![5, 3]);
        assert!(e.undetermined.is_empty());
        assert_eq!(probes, 4, "two found, one close, one GREASE probe");
    }

    #[tokio::test]
    async fn a_clean_server_is_searched_in_its_order() {
        let e = run(&[5, 3, 9], &[], (1..=10).collect()).await;
        assert_eq!(e.items(), vec![5, 3, 9]);
        assert!(e.undetermined.is_empty());
    }

    #[tokio::test]
    async fn a_failing_choice_does_not_end_the_list() {
        // dovecot without DH parameters: it prefers DHE (here 2 and 7) and then drops the
        // connection; everything else must still be found, and 2 and 7 reported undetermined.
        let e = run(&[2, 7, 4, 8, 10], &[2, 7], (1..=10).collect()).await;
        let mut found = e.items();
        found.sort();
        assert_eq!(found, vec![4, 8, 10]);
        let mut und: Vec<u16> = e.undetermined.iter().map(|(t, _)| *t).collect();
        und.sort();
        assert_eq!(und, vec![2, 7]);
        assert!(e.undetermined.iter().all(|(_, w)| w == "connection closed"));
    }

    #[tokio::test]
    async fn a_server_that_closes_both_to_refuse_and_on_a_failing_choice() {
        // dovecot 2.3 without DH parameters: its order is 1 (ECDHE), 2 (DHE), 3 (ECDHE),
        // 4 (DHE), 5 (RSA), 6 (RSA); it closes without an alert when it picks 2 or 4, and also
        // when nothing offered is acceptable. Families: 1x ECDHE, 2x DHE, 5x RSA, 9x PSK.
        let order = [1u16, 2, 3, 4, 5, 6];
        let fails = [2u16, 4];
        let family = |t: &u16| match t {
            1 | 3 | 10..=12 => 1,
            2 | 4 | 20..=22 => 2,
            5 | 6 | 30 => 3,
            _ => 9,
        };
        let mut probes = 0;
        let list: Vec<u16> = vec![1, 2, 3, 4, 5, 6, 10, 11, 12, 20, 21, 22, 30, 90, 91];
        let e: Elimination<u16, ()> =
            eliminate_in_families(list, GREASE, family, |offer: Vec<u16>| {
                probes += 1;
                let choice = order.iter().find(|a| offer.contains(a)).copied();
                async move {
                    match choice {
                        Some(c) if fails.contains(&c) => Answer::Closed("connection closed".into()),
                        Some(c) => Answer::Chose(c, ()),
                        None => Answer::Closed("connection closed".into()),
                    }
                }
            })
            .await;
        let mut found = e.items();
        found.sort();
        assert_eq!(found, vec![1, 3, 5, 6]);
        let mut und: Vec<u16> = e.undetermined.iter().map(|(t, _)| *t).collect();
        und.sort();
        assert_eq!(
            und,
            vec![2, 4],
            "only the failing choices, not the refused DHE/PSK items"
        );
        assert!(e.undetermined[0]
            .1
            .contains("picks one of these and then fails"));
        assert!(probes <= 34, "{probes} probes");
        // The same server without a failing item: nothing undetermined.
        let e: Elimination<u16, ()> = eliminate_in_families(
            (1..=6).chain(90..=91).collect(),
            GREASE,
            family,
            |offer: Vec<u16>| {
                let choice = [1u16, 3, 5].iter().find(|a| offer.contains(a)).copied();
                async move {
                    match choice {
                        Some(c) => Answer::Chose(c, ()),
                        None => Answer::Closed("connection closed".into()),
                    }
                }
            },
        )
        .await;
        assert_eq!(e.items(), vec![1, 3, 5]);
        assert!(e.undetermined.is_empty());
    }

    #[tokio::test]
    async fn a_dead_server_costs_a_bounded_number_of_probes() {
        let mut probes = 0;
        let e: Elimination<u16, ()> = eliminate((0..300).collect(), GREASE, |_offer: Vec<u16>| {
            probes += 1;
            async { Answer::Failed("connection reset".into()) }
        })
        .await;
        assert!(probes <= FAILURES_IN_A_ROW, "{probes} probes");
        assert_eq!(e.undetermined.len(), 300, "everything is undetermined");
        let line = describe_undetermined(
            "TLSv1.2 cipher suites",
            &e.undetermined,
            |t| t.to_string(),
            3,
        )
        .unwrap();
        assert!(
            line.starts_with("TLSv1.2 cipher suites: 300 could not be tested (connection reset (6 probes in a row failed)): 0, 1, 2, … 297 more"),
            "{line}"
        );
    }
}
