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

/// The body ranking's view of one message's best entry.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BodyOpinion {
    /// Whether the body ranking puts the same entry first.
    pub agrees: bool,
    /// 1 / the entry's rank in the body ranking (1 first, 0.5 second, …; 0
    /// when it shares no word with the message).
    pub reciprocal_rank: f32,
    /// The entry's cosine similarity to the message (0–1).
    pub cosine: f32,
    /// How far the body ranking's first leads its second (0–1).
    pub lead: f32,
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

    /// What the body ranking says about entry `best` for a message's stems.
    pub fn opinion(&self, stems: &[String], best: usize) -> BodyOpinion {
        let scores = self.cosines(stems);
        let Some(&cosine) = scores.get(best) else {
            return BodyOpinion::default();
        };
        let mut sorted = scores.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let top = sorted.first().copied().unwrap_or(0.0);
        let runner_up = sorted.get(1).copied().unwrap_or(0.0);
        // Rank: one more than the entries scoring strictly higher; ties with
        // the best entry do not push it down.
        let above = scores.iter().filter(|&&s| s > cosine).count();
        BodyOpinion {
            agrees: cosine > 0.0 && above == 0,
            reciprocal_rank: if cosine > 0.0 {
                1.0 / (above + 1) as f32
            } else {
                0.0
            },
            cosine,
            lead: top - runner_up,
        }
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
        let opinion = index.opinion(&message, 1);
        assert!(opinion.agrees);
        assert_eq!(opinion.reciprocal_rank, 1.0);
        assert!(opinion.lead > 0.0);
        let other = index.opinion(&message, 0);
        assert!(!other.agrees);
        assert_eq!(other.reciprocal_rank, 0.5);
        // An entry sharing nothing has no rank.
        assert_eq!(index.opinion(&message, 2).reciprocal_rank, 0.0);
        // An unknown entry index is no opinion, not a panic.
        assert_eq!(index.opinion(&message, 9), BodyOpinion::default());
    }
}
