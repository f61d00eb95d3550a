//! The slash commands as Discord lists them, and their registration: in the
//! configured guilds (instant, for trying the bot out) or globally.
//!
//! The descriptions are what people read in Discord's command picker.

use serenity::all::{
    Command, CommandOptionType, CreateCommand, CreateCommandOption, GuildId, Http,
};

/// `/faq`.
pub const FAQ: &str = "faq";
/// `/faq`'s question option.
pub const FAQ_QUESTION: &str = "question";
/// `/faq`'s "only show it to me" option.
pub const FAQ_PRIVATE: &str = "private";
/// `/symptoms`.
pub const SYMPTOMS: &str = "symptoms";
/// `/about`.
pub const ABOUT: &str = "about";

/// The longest question `/faq` accepts.
const MAX_QUESTION_LENGTH: u16 = 500;

/// Every command the bot offers.
pub fn definitions() -> Vec<CreateCommand> {
    vec![
        CreateCommand::new(FAQ)
            .description("Look up a question about leg pain when walking in this server's FAQ")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    FAQ_QUESTION,
                    "Your question in your own words, or pick one from the list",
                )
                .required(true)
                .set_autocomplete(true)
                .max_length(MAX_QUESTION_LENGTH),
            )
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::Boolean,
                    FAQ_PRIVATE,
                    "Show the answer only to you (default: everyone in the channel sees it)",
                )
                .required(false),
            ),
        CreateCommand::new(SYMPTOMS).description(
            "A short, private symptom check: how urgently to get leg pain seen (not a diagnosis)",
        ),
        CreateCommand::new(ABOUT)
            .description("What this bot is and isn't, and what to do in an emergency"),
    ]
}

/// Registers the commands in `guild_ids`, or globally when there are none.
/// Replaces whatever this application had registered there before.
pub async fn register(http: &Http, guild_ids: &[u64]) -> serenity::Result<()> {
    if guild_ids.is_empty() {
        Command::set_global_commands(http, definitions()).await?;
        tracing::info!("slash commands registered globally (they can take up to an hour to show)");
    } else {
        for &guild_id in guild_ids {
            GuildId::new(guild_id)
                .set_commands(http, definitions())
                .await?;
            tracing::info!(guild_id, "slash commands registered in guild");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_fit_discords_limits() {
        for command in definitions() {
            let value = serde_json::to_value(&command).expect("serialises");
            let description = value["description"].as_str().unwrap_or("");
            assert!(
                (1..=100).contains(&description.chars().count()),
                "{description}"
            );
            for option in value["options"].as_array().into_iter().flatten() {
                let text = option["description"].as_str().unwrap_or("");
                assert!((1..=100).contains(&text.chars().count()), "{text}");
            }
        }
    }
}
