//! faqbot: answers questions about pain in the back of the legs when walking
//! from a moderator-kept FAQ, runs a guided symptom check that ends in a
//! triage level, and wraps everything it says in safety disclaimers.
//!
//! This library is the whole bot except its front ends. The adapters
//! (terminal chat, the CLI, Discord) turn what they receive into an
//! [`engine::Input`], call [`engine::Engine::handle`], and render the
//! [`safety::Reply`]s that come back. Only [`safety`] builds a `Reply`, so no
//! path can send an answer without its disclaimer. See ARCHITECTURE.md.

pub mod admin;
pub mod config;
pub mod console;
#[cfg(feature = "discord")]
pub mod discord;
pub mod engine;
pub mod faq;
mod fasthash;
pub mod files;
mod locks;
pub mod logging;
mod parallel;
pub mod problem;
pub mod review;
pub mod safety;
pub mod sessions;
#[cfg(feature = "redis")]
pub mod state;
pub mod symptoms;
pub mod text;
pub mod tomlread;
