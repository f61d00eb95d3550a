//! A semantic second opinion for the matcher (feature `semantic`).
//!
//! A small sentence encoder, all-MiniLM-L6-v2 (BERT, 6 layers, 384
//! dimensions), run on the CPU by candle. Its files are read from a folder
//! (`models/all-MiniLM-L6-v2/`, filled by `scripts/fetch-model`); nothing is
//! downloaded at run time. A text's embedding is the mean of the encoder's
//! last hidden states over its real tokens (the attention mask), scaled to
//! unit length, as sentence-transformers does for this model (its
//! `1_Pooling/config.json` sets `pooling_mode_mean_tokens`), so the dot
//! product of two embeddings is their cosine similarity.
//!
//! [`SemanticIndex`] embeds every entry's phrasings (question, alternates,
//! keywords) once and ranks entries by the best of their phrasings'
//! similarities to a message.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::faq::Faq;

/// The most tokens of a text the encoder sees (the model was trained on at
/// most 128; longer texts are cut, keeping their start).
pub const MAX_TOKENS: usize = 128;

/// The length of an embedding.
pub const DIMENSIONS: usize = 384;

/// How many phrasings are encoded together while an index is built.
const BATCH: usize = 32;

/// The sentence encoder: the BERT weights and the tokenizer that goes with
/// them.
pub struct Encoder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder").finish_non_exhaustive()
    }
}

impl Encoder {
    /// Loads `model.safetensors`, `tokenizer.json` and `config.json` from
    /// `dir`. A missing or broken file is an error naming it, never a panic.
    pub fn load(dir: &Path) -> Result<Encoder, String> {
        if !dir.is_dir() {
            return Err(format!(
                "model folder {} not found (scripts/fetch-model puts it there)",
                dir.display()
            ));
        }
        let config_path = dir.join("config.json");
        let config_text = std::fs::read_to_string(&config_path)
            .map_err(|e| format!("{}: {e}", config_path.display()))?;
        let config: Config = serde_json::from_str(&config_text)
            .map_err(|e| format!("{}: not a BERT config: {e}", config_path.display()))?;
        if config.hidden_size != DIMENSIONS {
            return Err(format!(
                "{}: hidden_size is {}, expected {DIMENSIONS}",
                config_path.display(),
                config.hidden_size
            ));
        }

        let tokenizer_path = dir.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| format!("{}: {e}", tokenizer_path.display()))?;
        // The file pads every text to 128 tokens; a lone text needs none, and a
        // batch only up to its longest text.
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..PaddingParams::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| format!("{}: {e}", tokenizer_path.display()))?;

        let weights_path = dir.join("model.safetensors");
        let weights =
            std::fs::read(&weights_path).map_err(|e| format!("{}: {e}", weights_path.display()))?;
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &device)
            .map_err(|e| format!("{}: {e}", weights_path.display()))?;
        let model = BertModel::load(vb, &config).map_err(|e| {
            format!(
                "{}: does not hold the weights config.json describes: {e}",
                weights_path.display()
            )
        })?;
        Ok(Encoder {
            model,
            tokenizer,
            device,
        })
    }

    /// The unit-length embedding of `text` (at most [`MAX_TOKENS`] tokens of
    /// it are read).
    pub fn embed(&self, text: &str) -> Result<Vec<f32>, String> {
        let mut rows = self.embed_batch(&[text])?;
        rows.pop()
            .ok_or_else(|| "the encoder returned nothing".to_string())
    }

    /// The unit-length embeddings of `texts`, in order, encoded as one batch
    /// (padded to the longest; the padding is masked out).
    pub fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| format!("tokenizer: {e}"))?;
        let rows = encodings.len();
        let columns = encodings.first().map_or(0, |e| e.get_ids().len());
        let mut ids = Vec::with_capacity(rows * columns);
        let mut types = Vec::with_capacity(rows * columns);
        let mut mask = Vec::with_capacity(rows * columns);
        for encoding in &encodings {
            if encoding.get_ids().len() != columns {
                return Err("tokenizer: a batch came back with rows of different lengths".into());
            }
            ids.extend_from_slice(encoding.get_ids());
            types.extend_from_slice(encoding.get_type_ids());
            mask.extend_from_slice(encoding.get_attention_mask());
        }
        self.forward(ids, types, mask, rows, columns)
            .map_err(|e| format!("encoder: {e}"))
    }

    fn forward(
        &self,
        ids: Vec<u32>,
        types: Vec<u32>,
        mask: Vec<u32>,
        rows: usize,
        columns: usize,
    ) -> candle_core::Result<Vec<Vec<f32>>> {
        let ids = Tensor::from_vec(ids, (rows, columns), &self.device)?;
        let types = Tensor::from_vec(types, (rows, columns), &self.device)?;
        let mask = Tensor::from_vec(mask, (rows, columns), &self.device)?;
        // (rows, columns, 384)
        let hidden = self.model.forward(&ids, &types, Some(&mask))?;
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        // Every row has at least [CLS] and [SEP], so no count is zero.
        let counts = mask.sum(1)?;
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
        let unit = mean.broadcast_div(&norms.clamp(1e-12f32, f32::MAX)?)?;
        unit.to_vec2::<f32>()
    }
}

/// The dot product of two embeddings: their cosine similarity when both have
/// unit length.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Every FAQ entry's phrasings, embedded once, and the encoder to embed
/// messages with.
#[derive(Debug)]
pub struct SemanticIndex {
    encoder: Arc<Encoder>,
    /// One row per phrasing: the entry's index in `faq.entries` and the
    /// phrasing's embedding.
    phrasings: Vec<(usize, Vec<f32>)>,
    entries: usize,
}

impl SemanticIndex {
    /// Embeds every entry's question, alternates and keywords.
    pub fn build(encoder: Encoder, faq: &Faq) -> Result<SemanticIndex, String> {
        SemanticIndex::build_shared(Arc::new(encoder), faq, &mut HashMap::new())
    }

    /// [`SemanticIndex::build`] with a shared encoder and a cache of
    /// phrasing embeddings (text -> embedding): only phrasings not in the
    /// cache are encoded, and they are added to it.
    pub fn build_shared(
        encoder: Arc<Encoder>,
        faq: &Faq,
        cache: &mut HashMap<String, Vec<f32>>,
    ) -> Result<SemanticIndex, String> {
        let mut texts: Vec<(usize, &str)> = Vec::new();
        for (index, entry) in faq.entries.iter().enumerate() {
            let phrasings = std::iter::once(&entry.question)
                .chain(&entry.alternates)
                .chain(&entry.keywords);
            for phrasing in phrasings {
                let phrasing = phrasing.trim();
                if !phrasing.is_empty() {
                    texts.push((index, phrasing));
                }
            }
        }
        // Texts of like length batch together with little padding.
        let mut missing: Vec<&str> = texts
            .iter()
            .map(|(_, text)| *text)
            .filter(|text| !cache.contains_key(*text))
            .collect();
        missing.sort_by_key(|text| text.len());
        missing.dedup();
        for batch in missing.chunks(BATCH) {
            let embeddings = encoder.embed_batch(batch)?;
            for (text, embedding) in batch.iter().zip(embeddings) {
                cache.insert((*text).to_owned(), embedding);
            }
        }
        let phrasings = texts
            .iter()
            .filter_map(|(index, text)| cache.get(*text).map(|e| (*index, e.clone())))
            .collect();
        Ok(SemanticIndex {
            encoder,
            phrasings,
            entries: faq.entries.len(),
        })
    }

    /// How many phrasings the index holds.
    pub fn phrasings(&self) -> usize {
        self.phrasings.len()
    }

    /// The encoder the index embeds messages with.
    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// The index for `faq` with the model in `dir`, for the matcher: the
    /// encoder is loaded once per folder and process, and each phrasing is
    /// embedded once per process, so a reload encodes only what changed.
    pub fn for_faq(dir: &Path, faq: &Faq) -> Result<SemanticIndex, String> {
        type Loaded = (Arc<Encoder>, HashMap<String, Vec<f32>>);
        static LOADED: Mutex<Vec<(PathBuf, Loaded)>> = Mutex::new(Vec::new());
        let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        let position = match loaded.iter().position(|(d, _)| d == dir) {
            Some(position) => position,
            None => {
                let encoder = Arc::new(Encoder::load(dir)?);
                loaded.push((dir.to_path_buf(), (encoder, HashMap::new())));
                loaded.len() - 1
            }
        };
        let (encoder, cache) = &mut loaded[position].1;
        SemanticIndex::build_shared(Arc::clone(encoder), faq, cache)
    }

    /// Every entry's index (into `faq.entries`) with the cosine similarity of
    /// its closest phrasing to `message`, best first; ties keep entry order.
    /// An entry without phrasings scores -1.
    pub fn rank(&self, message: &str) -> Result<Vec<(usize, f32)>, String> {
        let query = self.encoder.embed(message)?;
        let mut best = vec![-1.0f32; self.entries];
        for (index, embedding) in &self.phrasings {
            let similarity = dot(&query, embedding);
            if similarity > best[*index] {
                best[*index] = similarity;
            }
        }
        let mut ranked: Vec<(usize, f32)> = best.into_iter().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        Ok(ranked)
    }
}

/// The semantic ranking as the matcher's second opinion: a message it cannot
/// embed gets no opinion (the second look then decides without it).
impl super::matcher::SecondOpinion for SemanticIndex {
    fn rank(&self, message: &str) -> Vec<(usize, f32)> {
        SemanticIndex::rank(self, message).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn model_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2")
    }

    /// The encoder, or None (with a note) when the model is absent; with
    /// FAQBOT_REQUIRE_MODEL=1 an absent model fails the test instead.
    fn encoder() -> Option<Encoder> {
        let dir = model_dir();
        if !dir.join("model.safetensors").is_file() {
            assert!(
                std::env::var("FAQBOT_REQUIRE_MODEL").as_deref() != Ok("1"),
                "FAQBOT_REQUIRE_MODEL=1 but {} has no model (run scripts/fetch-model)",
                dir.display()
            );
            eprintln!(
                "note: skipped, {} has no model (run scripts/fetch-model)",
                dir.display()
            );
            return None;
        }
        Some(Encoder::load(&dir).expect("the model loads"))
    }

    #[test]
    fn similar_sentences_are_closer_and_embeddings_have_unit_length() {
        let Some(encoder) = encoder() else { return };
        let message = encoder.embed("my calves hurt when I walk").unwrap();
        let near = encoder.embed("calf pain when walking").unwrap();
        let far = encoder.embed("how do I bake bread").unwrap();
        for embedding in [&message, &near, &far] {
            assert_eq!(embedding.len(), DIMENSIONS);
            let length = dot(embedding, embedding).sqrt();
            assert!((length - 1.0).abs() < 1e-4, "length {length}");
        }
        let (close, distant) = (dot(&message, &near), dot(&message, &far));
        assert!(
            close > distant + 0.2,
            "calf pain {close} vs bread {distant}"
        );
    }

    /// The first six components of two embeddings and their cosine, as an
    /// independent float64 numpy implementation of the same BERT forward pass
    /// and mean pooling gives them (Python tokenizers 0.23.3 for the ids).
    #[test]
    fn embeddings_match_an_independent_reference() {
        let Some(encoder) = encoder() else { return };
        let cases: [(&str, [f32; 6]); 3] = [
            (
                "my calves hurt when I walk",
                [-0.023295, -0.1235, 0.038285, 0.067969, 0.055637, -0.05618],
            ),
            (
                "calf pain when walking",
                [-0.031357, -0.088873, 0.0488, 0.057029, 0.02519, -0.050262],
            ),
            (
                "Leg cramps at night? Naïve café — “quotes” and 12km!",
                [0.015367, 0.043998, 0.023176, 0.043689, -0.002106, -0.048643],
            ),
        ];
        let mut embeddings = Vec::new();
        for (text, expected) in cases {
            let embedding = encoder.embed(text).unwrap();
            for (got, want) in embedding.iter().zip(expected) {
                assert!((got - want).abs() < 1e-4, "{text}: {:?}", &embedding[..6]);
            }
            embeddings.push(embedding);
        }
        let cosine = dot(&embeddings[0], &embeddings[1]);
        assert!((cosine - 0.868673).abs() < 1e-4, "cosine {cosine}");
    }

    #[test]
    fn a_batch_gives_the_same_embeddings_as_one_at_a_time() {
        let Some(encoder) = encoder() else { return };
        let texts = [
            "leg cramps at night",
            "why do my legs hurt when I walk a block",
        ];
        let batch = encoder.embed_batch(&texts).unwrap();
        for (text, row) in texts.iter().zip(&batch) {
            let alone = encoder.embed(text).unwrap();
            assert!(dot(&alone, row) > 0.9999, "{text}");
        }
    }

    #[test]
    fn long_input_is_truncated_not_refused() {
        let Some(encoder) = encoder() else { return };
        let long = "my calf hurts when I walk ".repeat(200);
        let embedding = encoder.embed(&long).unwrap();
        assert_eq!(embedding.len(), DIMENSIONS);
    }

    #[test]
    fn a_missing_or_broken_model_is_an_error_not_a_panic() {
        let scratch = tempfile::tempdir().unwrap();
        let missing = Encoder::load(&scratch.path().join("nowhere")).unwrap_err();
        assert!(missing.contains("not found"), "{missing}");

        let empty = Encoder::load(scratch.path()).unwrap_err();
        assert!(empty.contains("config.json"), "{empty}");

        std::fs::write(scratch.path().join("config.json"), "{ not json").unwrap();
        let broken = Encoder::load(scratch.path()).unwrap_err();
        assert!(broken.contains("config.json"), "{broken}");
    }

    #[test]
    fn the_index_ranks_every_entry_best_first() {
        let Some(encoder) = encoder() else { return };
        let faq_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("faq");
        let (faq, _) = crate::faq::load_dir(&faq_dir);
        assert!(!faq.entries.is_empty());
        let index = SemanticIndex::build(encoder, &faq).unwrap();
        let ranked = index.rank("I get cramps in my calves at night").unwrap();
        assert_eq!(ranked.len(), faq.entries.len());
        assert!(ranked.windows(2).all(|w| w[0].1 >= w[1].1));
        let mut seen: Vec<usize> = ranked.iter().map(|(i, _)| *i).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..faq.entries.len()).collect::<Vec<_>>());
    }
}
