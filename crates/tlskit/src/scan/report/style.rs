//! The text report's colours: one [`Style`] every section's renderer takes.

/// ANSI styles, or nothing.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Style {
    /// Use ANSI colours.
    pub colour: bool,
}

impl Style {
    /// ANSI colours when `colour`, plain text otherwise.
    pub fn new(colour: bool) -> Style {
        Style { colour }
    }
    fn paint(&self, code: &str, s: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    /// Green: a good answer.
    pub fn good(&self, s: &str) -> String {
        self.paint("32", s)
    }
    /// Yellow: worth a look.
    pub fn warn(&self, s: &str) -> String {
        self.paint("33", s)
    }
    /// Bold red: a problem.
    pub fn bad(&self, s: &str) -> String {
        self.paint("31;1", s)
    }
    /// Bold: a section heading.
    pub fn head(&self, s: &str) -> String {
        self.paint("1", s)
    }
    /// Dim: details and notes.
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
}
