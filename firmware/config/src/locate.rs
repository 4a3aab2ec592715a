//! Finding where a dotted key (`pins.button`, `surfaces.surfaces[1].name`) is written in a TOML
//! text, so an error can name its line.

use std::ops::Range;

use toml_edit::{Document, Item, Table, Value};

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// Splits `a.b[2].c` into steps. Keys with dots or brackets in them are not supported: no
/// Atelier config has one.
pub(crate) fn steps(key: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = part.split_once('[').unwrap_or((part, ""));
        if !name.is_empty() {
            steps.push(Step::Key(name.to_owned()));
        }
        while let Some((index, after)) = rest.split_once(']') {
            if let Ok(index) = index.parse() {
                steps.push(Step::Index(index));
            }
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    steps
}

/// A place inside a parsed document that a step can go into.
#[derive(Clone, Copy)]
enum Cursor<'a> {
    Item(&'a Item),
    Table(&'a Table),
    Value(&'a Value),
}

impl<'a> Cursor<'a> {
    /// The child at `step`, with the span to show for it: a key's own span when it has one,
    /// so the line shown is where the user typed it.
    fn child(self, step: &Step) -> Option<(Cursor<'a>, Option<Range<usize>>)> {
        let keyed = |(key, item): (&toml_edit::Key, &'a Item)| {
            (Cursor::Item(item), key.span().or_else(|| item.span()))
        };
        match (self, step) {
            (Cursor::Item(Item::Table(table)) | Cursor::Table(table), Step::Key(key)) => {
                table.get_key_value(key).map(keyed)
            }
            (Cursor::Item(Item::Value(Value::InlineTable(table))), Step::Key(key))
            | (Cursor::Value(Value::InlineTable(table)), Step::Key(key)) => {
                table.get_key_value(key).map(keyed)
            }
            (Cursor::Item(Item::ArrayOfTables(tables)), Step::Index(index)) => {
                let table = tables.get(*index)?;
                Some((Cursor::Table(table), table.span()))
            }
            (Cursor::Item(Item::Value(Value::Array(array))), Step::Index(index))
            | (Cursor::Value(Value::Array(array)), Step::Index(index)) => {
                let value = array.get(*index)?;
                Some((Cursor::Value(value), value.span()))
            }
            _ => None,
        }
    }
}

/// How many of `steps` the text has, and the byte span of the deepest one it has.
pub(crate) fn deepest(text: &str, steps: &[Step]) -> (usize, Option<Range<usize>>) {
    let Ok(document) = Document::parse(text) else {
        return (0, None);
    };
    let mut cursor = Cursor::Item(document.as_item());
    let mut found = 0;
    let mut span = None;
    for step in steps {
        let Some((child, child_span)) = cursor.child(step) else {
            break;
        };
        cursor = child;
        found += 1;
        span = child_span.or(span);
    }
    (found, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_keys_and_indices() {
        assert_eq!(
            steps("surfaces.surfaces[1].name"),
            [
                Step::Key("surfaces".into()),
                Step::Key("surfaces".into()),
                Step::Index(1),
                Step::Key("name".into())
            ]
        );
        assert_eq!(
            steps("a[0][2]"),
            [Step::Key("a".into()), Step::Index(0), Step::Index(2)]
        );
    }

    #[test]
    fn finds_keys_in_tables_arrays_of_tables_and_inline_tables() {
        let text = "[pins]\nbutton = 5\n\n[[apps]]\nname = \"a\"\n[[apps]]\nname = \"b\"\n\
                    point = { x = 1, y = [3, 4] }\n";
        let line_of = |key: &str| {
            let (found, span) = deepest(text, &steps(key));
            let start = span.expect("span").start;
            (found, text[..start].matches('\n').count() + 1)
        };
        assert_eq!(line_of("pins.button"), (2, 2));
        assert_eq!(line_of("apps[1].name"), (3, 7));
        assert_eq!(line_of("apps[1].point.y[1]"), (5, 8));
        // Only the part that exists is found: the error then points at its parent.
        assert_eq!(line_of("pins.missing"), (1, 1));
    }
}
