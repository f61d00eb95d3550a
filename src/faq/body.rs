//! A second, independent ranking of the entries for the calibrated second
//! look ([`super::calibration`]): the message against each entry's whole
//! text — question, alternates, keywords *and answer* — as TF-IDF vectors
//! compared by cosine.
//!
//! The matcher ranks by the phrasings moderators wrote for an entry; people
//! telling a story use the words of the answer instead ("my calf goes tight
//! after a mile and eases when I stop" is in the claudication answer, not in
//! its question). When both rankings put the same entry first, that entry is
//! far more often right; when they disagree, the matcher's first is a guess.
//! Only messages the rules do not answer are ranked this way.

use crate::fasthash::FastMap;

/// The entries' whole texts as normalised TF-IDF vectors.
#[derive(Debug, Default)]
pub struct BodyIndex {
    /// Stem -> term id.
    terms: FastMap<String, u32>,
    /// Inverse document frequency of each term.
    idf: Vec<f32>,
    /// Term -> (entry index, weight in the entry's normalised vector).
    postings: Vec<Vec<(u32, f32)>>,
    entries: usize,
}

/// Where one entry stands in a ranking of the entries for a message.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Standing {
    /// Its similarity or score (0 when the ranking leaves it out).
    pub score: f32,
    /// Its score minus the best other entry's (negative when another leads).
    pub margin: f32,
    /// 1 / its rank (1 first, 0.5 second, …; entries scoring the same share
    /// the better rank), 0 when it is left out or scores nothing.
    pub reciprocal_rank: f32,
}

impl Standing {
    /// Where entry `index` stands in `ranking` (entry, score), any order.
    pub fn of(ranking: &[(usize, f32)], index: usize) -> Standing {
        let Some(score) = ranking.iter().find(|r| r.0 == index).map(|r| r.1) else {
            return Standing::default();
        };
        let best_other = ranking
            .iter()
            .filter(|r| r.0 != index)
            .map(|r| r.1)
            .fold(None, |best: Option<f32>, s| {
                Some(best.map_or(s, |b| b.max(s)))
            });
        let above = ranking.iter().filter(|r| r.1 > score).count();
        Standing {
            score,
            margin: score - best_other.unwrap_or(0.0),
            reciprocal_rank: if score > 0.0 {
                1.0 / (above + 1) as f32
            } else {
                0.0
            },
        }
    }
}

impl BodyIndex {
    /// Indexes each entry's stems (already read: synonyms, stop words and
    /// stemming applied), one list per entry, in entry order.
    pub fn new(entries: &[Vec<String>]) -> Self {
        let mut index = BodyIndex {
            entries: entries.len(),
            ..BodyIndex::default()
        };
        let mut counts: Vec<FastMap<u32, u32>> = Vec::with_capacity(entries.len());
        let mut document_frequency: Vec<u32> = Vec::new();
        for stems in entries {
            let mut count: FastMap<u32, u32> = FastMap::default();
            for stem in stems {
                let next = index.terms.len() as u32;
                let id = *index.terms.entry(stem.clone()).or_insert(next);
                if id as usize == document_frequency.len() {
                    document_frequency.push(0);
                }
                *count.entry(id).or_insert(0) += 1;
            }
            for &id in count.keys() {
                document_frequency[id as usize] += 1;
            }
            counts.push(count);
        }
        let n = entries.len() as f32;
        index.idf = document_frequency
            .iter()
            .map(|&df| ((n + 1.0) / df as f32).ln())
            .collect();
        index.postings = vec![Vec::new(); index.idf.len()];
        for (entry, count) in counts.iter().enumerate() {
            let mut vector: Vec<(u32, f32)> = count
                .iter()
                .map(|(&id, &tf)| (id, (tf as f32).ln_1p() * index.idf[id as usize]))
                .collect();
            vector.sort_unstable_by_key(|&(id, _)| id);
            let norm = vector.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm <= 0.0 {
                continue;
            }
            for (id, weight) in vector {
                index.postings[id as usize].push((entry as u32, weight / norm));
            }
        }
        index
    }

    /// Every entry's cosine similarity to a message's stems (0 for entries
    /// that share no word with it).
    pub fn cosines(&self, stems: &[String]) -> Vec<f32> {
        let mut count: FastMap<u32, u32> = FastMap::default();
        for stem in stems {
            if let Some(&id) = self.terms.get(stem) {
                *count.entry(id).or_insert(0) += 1;
            }
        }
        let mut query: Vec<(u32, f32)> = count
            .into_iter()
            .map(|(id, tf)| (id, (tf as f32).ln_1p() * self.idf[id as usize]))
            .collect();
        query.sort_unstable_by_key(|&(id, _)| id);
        let norm = query.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        let mut scores = vec![0.0f32; self.entries];
        if norm <= 0.0 {
            return scores;
        }
        for (id, weight) in query {
            for &(entry, entry_weight) in &self.postings[id as usize] {
                scores[entry as usize] += weight / norm * entry_weight;
            }
        }
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_entry_whose_text_shares_the_rare_words_ranks_first() {
        let index = BodyIndex::new(&[
            stems("calf pain walk rest artery narrow"),
            stems("calf pain night cramp stretch"),
            stems("back pain leg nerve sciatica"),
        ]);
        let message = stems("calf cramp at night");
        let ranking: Vec<(usize, f32)> = index.cosines(&message).into_iter().enumerate().collect();
        let first = Standing::of(&ranking, 1);
        assert_eq!(first.reciprocal_rank, 1.0);
        assert!(first.margin > 0.0);
        let other = Standing::of(&ranking, 0);
        assert_eq!(other.reciprocal_rank, 0.5);
        assert!(other.margin < 0.0);
        // An entry sharing nothing has no rank.
        assert_eq!(Standing::of(&ranking, 2).reciprocal_rank, 0.0);
        // An entry the ranking leaves out stands nowhere, without a panic.
        assert_eq!(Standing::of(&ranking, 9), Standing::default());
    }
}
