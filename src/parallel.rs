//! Work split over the machine's cores, with the results in input order:
//! loading a large FAQ reads, parses and indexes thousands of entries, each
//! on its own.

/// Inputs below this many are handled on the calling thread: starting
/// threads costs more than it saves.
const MIN_PARALLEL: usize = 256;
/// At most this many threads, whatever the machine has.
const MAX_THREADS: usize = 8;

/// `f` applied to every item, on up to one thread per core, in contiguous
/// runs; the results in the items' order. A panic in `f` is passed on, as
/// it would be without threads.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_runs(items, |run| run.iter().map(&f).collect::<Vec<R>>())
        .into_iter()
        .flatten()
        .collect()
}

/// `f` applied to contiguous runs of the items, one run per thread (one
/// run in all when the items are few or the machine has one core); the
/// runs' results in order. For work that gathers one result per run rather
/// than one per item.
pub fn map_runs<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS);
    if threads <= 1 || items.len() < MIN_PARALLEL {
        return vec![f(items)];
    }
    let run = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(run)
            .map(|part| scope.spawn(move || f(part)))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items_at_every_size() {
        for size in [0, 1, MIN_PARALLEL - 1, MIN_PARALLEL, 1000, 4097] {
            let items: Vec<usize> = (0..size).collect();
            let doubled = map(&items, |&n| n * 2);
            assert_eq!(doubled, (0..size).map(|n| n * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn runs_cover_every_item_once_in_order() {
        for size in [0, 1, MIN_PARALLEL, 4097] {
            let items: Vec<usize> = (0..size).collect();
            let runs = map_runs(&items, |run| run.to_vec());
            assert!(!runs.is_empty());
            assert_eq!(runs.concat(), items);
        }
    }

    #[test]
    #[should_panic(expected = "item 700")]
    fn a_panic_in_a_worker_reaches_the_caller() {
        let items: Vec<usize> = (0..1000).collect();
        map(&items, |&n| {
            assert!(n != 700, "item {n}");
            n
        });
    }
}
