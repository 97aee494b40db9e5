//! The terminal side of `fix`: dialoguer prompts on stderr for each drifted resource,
//! for forcing a conflict, and for the reason and expiry of accepted drift.

use std::io;

use dialoguer::{theme::ColorfulTheme, Confirm, Input, Select};

use super::{parse_date, Choice, Decider};
use crate::drift::Status;
use crate::report::{terminal_text, ResourceReport};

/// Asks a person at a terminal.
#[derive(Default)]
pub struct Terminal {
    theme: ColorfulTheme,
}

fn to_io(error: dialoguer::Error) -> io::Error {
    match error {
        dialoguer::Error::IO(e) => e,
    }
}

impl Decider for Terminal {
    fn choose(&mut self, resource: &ResourceReport) -> io::Result<Choice> {
        let apply = match resource.status {
            Status::Missing => "create it from Git",
            _ => "apply the Git state",
        };
        let items = [
            apply,
            "skip",
            "accept as intentional",
            "adopt the live state into Git",
            "show both objects in full",
            "quit",
        ];
        let prompt = terminal_text(&format!(
            "{} {} ({})",
            resource.identity.kind,
            resource.identity.namespaced_name(),
            resource.context
        ))
        .into_owned();
        let picked = Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(0)
            .interact_opt()
            .map_err(to_io)?;
        Ok(match picked {
            Some(0) => Choice::Apply,
            Some(1) => Choice::Skip,
            Some(2) => {
                let reason: String = Input::with_theme(&self.theme)
                    .with_prompt("Why is this drift intentional?")
                    .validate_with(|text: &String| {
                        if text.trim().is_empty() {
                            Err("a reason is required")
                        } else {
                            Ok(())
                        }
                    })
                    .interact_text()
                    .map_err(to_io)?;
                let until: String = Input::with_theme(&self.theme)
                    .with_prompt("Accept until (YYYY-MM-DD, empty for no expiry)")
                    .allow_empty(true)
                    .validate_with(|text: &String| parse_date(text).map(|_| ()))
                    .interact_text()
                    .map_err(to_io)?;
                Choice::Accept {
                    reason,
                    until: parse_date(&until).unwrap_or(None),
                }
            }
            Some(3) => Choice::Adopt,
            Some(4) => Choice::Show,
            // Escape or `q` quits, like the last item.
            _ => Choice::Quit,
        })
    }

    fn force(&mut self, _: &ResourceReport, _: &str) -> io::Result<bool> {
        Confirm::with_theme(&self.theme)
            .with_prompt("Take these fields over from their managers (force)?")
            .default(false)
            .interact()
            .map_err(to_io)
    }
}
