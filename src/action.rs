//! What a rule does when it matches, and what kind of problem it names.

use core::fmt;
use core::str::FromStr;

/// What happens to a post when a rule matches it.
///
/// `Block`, `Flag` and `Warn` are posting rules; `Hide` and `Collapse` are mute-list rules (a hard and
/// a soft mute). When several rules match, the strongest action wins, in the order the variants are
/// declared: `Block` > `Flag` > `Warn` > `Hide` > `Collapse`. No match at all is "allow".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Action {
    /// Reject the post; it never reaches the origin.
    Block,
    /// Let the post through, marked, and report it.
    Flag,
    /// Let the post through, marked; warn the author while composing.
    Warn,
    /// Remove the post from the reader's timeline.
    Hide,
    /// Keep the post in the timeline, folded behind a "muted" notice.
    Collapse,
}

impl Action {
    /// Every action, strongest first.
    pub const ALL: [Action; 5] = [
        Action::Block,
        Action::Flag,
        Action::Warn,
        Action::Hide,
        Action::Collapse,
    ];

    /// The name used in term lists and JSON: `block`, `flag`, `warn`, `hide` or `collapse`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Block => "block",
            Action::Flag => "flag",
            Action::Warn => "warn",
            Action::Hide => "hide",
            Action::Collapse => "collapse",
        }
    }

    pub(crate) fn to_u8(self) -> u8 {
        self as u8
    }

    pub(crate) fn from_u8(b: u8) -> Option<Action> {
        Action::ALL.get(usize::from(b)).copied()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Action, UnknownName> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or(UnknownName(()))
    }
}

/// The kind of problem a rule names: the report categories operators use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Category {
    /// Unsolicited advertising and bulk messages.
    Spam,
    /// Sites that pose as legitimate ones to steal credentials.
    Phishing,
    /// Malware or virus distribution.
    Malware,
    /// Defacement of a website.
    Tampering,
    /// Access to systems without authority.
    UnauthorizedAccess,
    /// Use of copyrighted works without permission.
    Copyright,
    /// Statements that hurt someone's honour.
    Defamation,
    /// Publishing what a person does not want published.
    Privacy,
    /// Information that identifies a living individual.
    PersonalInfo,
    /// Photos that identify a person, published without permission.
    Portrait,
    /// Unauthorized use of a registered trademark.
    Trademark,
    /// Other unlawful content.
    Illegal,
    /// Harmful posts that infringe no right.
    Nuisance,
    /// Insults and attacks on a person.
    Harassment,
    /// Anything else.
    Other,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 15] = [
        Category::Spam,
        Category::Phishing,
        Category::Malware,
        Category::Tampering,
        Category::UnauthorizedAccess,
        Category::Copyright,
        Category::Defamation,
        Category::Privacy,
        Category::PersonalInfo,
        Category::Portrait,
        Category::Trademark,
        Category::Illegal,
        Category::Nuisance,
        Category::Harassment,
        Category::Other,
    ];

    /// The name used in term lists, reports and JSON, such as `unauthorized-access`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Spam => "spam",
            Category::Phishing => "phishing",
            Category::Malware => "malware",
            Category::Tampering => "tampering",
            Category::UnauthorizedAccess => "unauthorized-access",
            Category::Copyright => "copyright",
            Category::Defamation => "defamation",
            Category::Privacy => "privacy",
            Category::PersonalInfo => "personal-info",
            Category::Portrait => "portrait",
            Category::Trademark => "trademark",
            Category::Illegal => "illegal",
            Category::Nuisance => "nuisance",
            Category::Harassment => "harassment",
            Category::Other => "other",
        }
    }

    pub(crate) fn to_u8(self) -> u8 {
        self as u8
    }

    pub(crate) fn from_u8(b: u8) -> Option<Category> {
        Category::ALL.get(usize::from(b)).copied()
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Category, UnknownName> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or(UnknownName(()))
    }
}

/// The error of parsing an [`Action`] or [`Category`] from a name that is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownName(());

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown name")
    }
}

impl std::error::Error for UnknownName {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>(), Ok(a));
            assert_eq!(Action::from_u8(a.to_u8()), Some(a));
        }
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
            assert_eq!(Category::from_u8(c.to_u8()), Some(c));
        }
        assert!("Block".parse::<Action>().is_err());
        assert_eq!(Category::from_u8(15), None);
    }

    #[test]
    fn strength_order() {
        assert!(Action::Block < Action::Flag);
        assert!(Action::Flag < Action::Warn);
        assert!(Action::Warn < Action::Hide);
        assert!(Action::Hide < Action::Collapse);
    }
}
