//! The slash commands as Discord lists them, and their registration: in the
//! configured guilds (instant, for trying the bot out) or globally.
//!
//! The descriptions are what people read in Discord's command picker.

use serenity::all::{
    Command, CommandOptionType, CreateCommand, CreateCommandOption, GuildId, Http, Permissions,
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
/// `/faq-admin`, for moderators.
pub const FAQ_ADMIN: &str = "faq-admin";
/// `/faq-admin` subcommands.
pub mod admin {
    /// Reload the FAQ folder now.
    pub const RELOAD: &str = "reload";
    /// The change history of an entry.
    pub const HISTORY: &str = "history";
    /// What the bot could not answer.
    pub const GAPS: &str = "gaps";
    /// Answers per entry.
    pub const STATS: &str = "stats";
    /// Add an entry.
    pub const ADD: &str = "add";
    /// Edit an entry.
    pub const EDIT: &str = "edit";
    /// Remove an entry.
    pub const REMOVE: &str = "remove";
    /// The entry id option.
    pub const ID: &str = "id";
}

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
        admin_definition(),
    ]
}

/// An entry id option, autocompleted.
fn id_option(required: bool) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::String, admin::ID, "The FAQ entry's id")
        .required(required)
        .set_autocomplete(true)
        .max_length(100)
}

/// `/faq-admin`: hidden by Discord from members without Manage Messages
/// (server admins can grant it to a role in Server Settings >
/// Integrations); the bot checks again itself.
fn admin_definition() -> CreateCommand {
    let sub = |name: &str, description: &str| {
        CreateCommandOption::new(CommandOptionType::SubCommand, name, description)
    };
    CreateCommand::new(FAQ_ADMIN)
        .description("Moderator tools for the FAQ: reload, edit, history, gaps")
        .default_member_permissions(Permissions::MANAGE_MESSAGES)
        .dm_permission(false)
        .add_option(sub(
            admin::RELOAD,
            "Load the FAQ files now and show what changed or what is wrong",
        ))
        .add_option(
            sub(admin::HISTORY, "Show the recorded changes of an entry")
                .add_sub_option(id_option(false)),
        )
        .add_option(sub(
            admin::GAPS,
            "Messages the bot could not answer, grouped by similarity",
        ))
        .add_option(sub(
            admin::STATS,
            "How often each entry was answered (counts only)",
        ))
        .add_option(sub(
            admin::ADD,
            "Add an entry (opens a form, previews before saving)",
        ))
        .add_option(
            sub(
                admin::EDIT,
                "Edit an entry (opens a form, previews before saving)",
            )
            .add_sub_option(id_option(true)),
        )
        .add_option(
            sub(admin::REMOVE, "Remove an entry (asks before removing)")
                .add_sub_option(id_option(true)),
        )
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
                for sub in option["options"].as_array().into_iter().flatten() {
                    let text = sub["description"].as_str().unwrap_or("");
                    assert!((1..=100).contains(&text.chars().count()), "{text}");
                }
            }
        }
    }
}
