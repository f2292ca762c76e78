//! Western addresses: `[unit] number street [unit], [locality,] [city] [region] [postcode]`.
//!
//! Street types, unit designators and directions fold to their USPS / Australia Post short
//! forms; US, Australian and Canadian regions fold to their upper-case codes. A single
//! locality is the city, except in Australia (a 4-digit postcode, or an Australian state and no
//! US zip), where the place between street and state is the suburb and goes to `district`.

use std::borrow::Cow;
use std::io::Write;
use std::sync::LazyLock;

use foldhash::HashMap;

use super::{Address, AddressScript};

/// One word of the address and the comma-separated piece it sits in.
#[derive(Debug, Clone)]
pub(super) struct Token<'a> {
    pub(super) text: Cow<'a, str>,
    pub(super) piece: usize,
}

/// Splits folded text into cleaned words; commas (and `;`) start a new piece.
pub(super) fn tokenize(folded: &str) -> Vec<Token<'_>> {
    if folded.is_ascii() {
        // Faster by byte, and the same characters.
        split_words(folded, folded.bytes().map(char::from).enumerate())
    } else {
        split_words(folded, folded.char_indices())
    }
}

/// `split([',', ';'])`, then `split_whitespace()` in each piece, in one pass over `chars`
/// (`folded`'s characters and their byte offsets).
fn split_words(folded: &str, chars: impl Iterator<Item = (usize, char)>) -> Vec<Token<'_>> {
    let mut tokens = Vec::with_capacity(16);
    let (mut piece, mut start) = (0, None);
    for (i, c) in chars {
        let comma = c == ',' || c == ';';
        if comma || c.is_whitespace() {
            if let Some(from) = start.take() {
                push_word(&mut tokens, &folded[from..i], piece);
            }
            piece += usize::from(comma);
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(from) = start {
        push_word(&mut tokens, &folded[from..], piece);
    }
    // Unit markers with nothing but markers after them in their piece mark nothing.
    if tokens.iter().any(|t| t.text == "#") {
        let (mut piece, mut marks) = (usize::MAX, false);
        for i in (0..tokens.len()).rev() {
            if tokens[i].piece != piece {
                (piece, marks) = (tokens[i].piece, false);
            }
            if tokens[i].text != "#" {
                marks = true;
            } else if !marks {
                tokens.remove(i);
            }
        }
    }
    tokens
}

/// Whether the end of a place (`las vegas nv`, `x usa`) would be read as a region or
/// country: `norm()` then marks it with a trailing `;`.
pub(super) fn ends_like_region(place: &str) -> bool {
    let last = place.rsplit(' ').next().unwrap_or_default();
    if is_country(last) || last == "kingdom" || last == "states" {
        return true;
    }
    let mut start = place.len();
    for _ in 0..3 {
        start = place[..start].rfind(' ').unwrap_or(0);
        let key = place[start..].trim_start();
        if key.len() <= MAX_REGION && region_code(key).is_some() {
            return true;
        }
        if start == 0 {
            break;
        }
    }
    false
}

fn is_country(word: &str) -> bool {
    matches!(word, "usa" | "us" | "australia" | "au" | "canada" | "uk")
}

fn push_word<'a>(tokens: &mut Vec<Token<'a>>, word: &'a str, piece: usize) {
    let b = word.as_bytes();
    // Most words start and end with a letter or digit: nothing to trim.
    let word = if b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        word
    } else {
        word.trim_matches(|c: char| !c.is_alphanumeric() && c != '#')
    };
    if word.is_empty() {
        return;
    }
    if word.starts_with('#') {
        // A run of `#` is one unit marker.
        let rest = word.trim_start_matches('#');
        tokens.push(Token {
            text: Cow::Borrowed("#"),
            piece,
        });
        push_word(tokens, rest, piece);
        return;
    }
    let text = if word.bytes().any(|b| b == b'.' || b == b'#') {
        let cleaned = word.replace(['.', '#'], "");
        // Joining what a dot separated can leave marks out of canonical order: settle them.
        let cleaned = crate::text::nfkc(&cleaned).into_owned();
        Cow::Owned(
            cleaned
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_string(),
        )
    } else {
        Cow::Borrowed(word)
    };
    if !text.is_empty() {
        tokens.push(Token { text, piece });
    }
}

/// The short form of a street type, unit designator or direction; the word itself otherwise.
pub(super) fn abbreviate(word: &str) -> &str {
    // Numbers and long words are never in the table: skip the hash.
    if word.len() > MAX_ABBREVIATED || word.starts_with(|c: char| c.is_ascii_digit()) {
        return word;
    }
    ABBREVIATIONS.get(word).copied().unwrap_or(word)
}

/// Whether `word` (lower case) is a street type, long or short (`street`, `st`, `avenue`).
pub(super) fn is_street_word(word: &str) -> bool {
    is_street_type(abbreviate(word))
}

/// Kept in step with the short forms in `STREET_TYPES` (a test checks it); a `match` is
/// much cheaper than scanning the table.
fn is_street_type(short: &str) -> bool {
    matches!(
        short,
        "st" | "rd"
            | "ave"
            | "blvd"
            | "dr"
            | "ln"
            | "ct"
            | "pl"
            | "cres"
            | "cct"
            | "tce"
            | "hwy"
            | "pde"
            | "cl"
            | "sq"
            | "pkwy"
            | "cir"
            | "trl"
            | "aly"
            | "esp"
            | "expy"
            | "fwy"
            | "gr"
            | "way"
            | "walk"
            | "row"
            | "mews"
            | "loop"
    )
}

/// Whether `word` (lower case) names a unit of a building (`apt`, `unit`, `suite`).
pub(super) fn is_unit_word(word: &str) -> bool {
    matches!(
        abbreviate(word),
        "apt" | "unit" | "ste" | "flat" | "fl" | "lvl" | "rm" | "bldg"
    )
}

/// Whether a street (in short form) ends with its type, possibly followed by a direction.
pub(super) fn ends_with_type(street: &str) -> bool {
    let mut words = street.rsplit(' ');
    let Some(last) = words.next() else {
        return false;
    };
    let rest = street.len() > last.len();
    (rest && is_street_type(last))
        || (is_direction(last)
            && words.next().is_some_and(is_street_type)
            && street.matches(' ').count() >= 2)
}

fn is_direction(short: &str) -> bool {
    matches!(short, "n" | "s" | "e" | "w" | "ne" | "nw" | "se" | "sw")
}

fn is_postcode(word: &str) -> bool {
    let b = word.as_bytes();
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    ((4..=6).contains(&b.len()) && all_digits(b))
        || (b.len() == 10 && b[5] == b'-' && all_digits(&b[..5]) && all_digits(&b[6..]))
}

/// The length of `tokens[..end]` without the country names at its end (`united kingdom`,
/// `usa`, or a country's name written as a part of its own: `…, triesen, liechtenstein`),
/// keeping at least one token.
fn without_country(tokens: &[Token<'_>], mut end: usize) -> usize {
    while end > 1 {
        let two = end >= 3
            && tokens[end - 2].text == "united"
            && matches!(tokens[end - 1].text.as_ref(), "states" | "kingdom");
        let alone = tokens[end - 2].piece != tokens[end - 1].piece;
        if two {
            end -= 2;
        } else if is_country(&tokens[end - 1].text)
            || (alone
                && COUNTRY_NAMES
                    .binary_search(&tokens[end - 1].text.as_ref())
                    .is_ok())
        {
            end -= 1;
        } else {
            break;
        }
    }
    end
}

/// Countries' English names of one word, sorted, read as a country where one is a part of
/// an address by itself. Left out: names that are also a US state or a common place or
/// street name there (georgia, jordan, lebanon, chad, mexico, panama, peru, china, india).
const COUNTRY_NAMES: &[&str] = &[
    "afghanistan",
    "albania",
    "algeria",
    "andorra",
    "angola",
    "argentina",
    "armenia",
    "austria",
    "azerbaijan",
    "bahamas",
    "bahrain",
    "bangladesh",
    "barbados",
    "belarus",
    "belgium",
    "belize",
    "benin",
    "bhutan",
    "bolivia",
    "botswana",
    "brazil",
    "brunei",
    "bulgaria",
    "burundi",
    "cambodia",
    "cameroon",
    "chile",
    "colombia",
    "croatia",
    "cyprus",
    "czechia",
    "denmark",
    "deutschland",
    "djibouti",
    "ecuador",
    "egypt",
    "eritrea",
    "estonia",
    "eswatini",
    "ethiopia",
    "fiji",
    "finland",
    "france",
    "gabon",
    "gambia",
    "germany",
    "ghana",
    "greece",
    "guatemala",
    "guyana",
    "haiti",
    "honduras",
    "hungary",
    "iceland",
    "indonesia",
    "iran",
    "iraq",
    "ireland",
    "israel",
    "italy",
    "jamaica",
    "japan",
    "kazakhstan",
    "kenya",
    "kuwait",
    "kyrgyzstan",
    "laos",
    "latvia",
    "lesotho",
    "liberia",
    "libya",
    "lichtenstein",
    "liechtenstein",
    "lithuania",
    "luxembourg",
    "madagascar",
    "malawi",
    "malaysia",
    "maldives",
    "malta",
    "mauritania",
    "mauritius",
    "moldova",
    "monaco",
    "mongolia",
    "montenegro",
    "morocco",
    "mozambique",
    "myanmar",
    "namibia",
    "nepal",
    "netherlands",
    "nicaragua",
    "nigeria",
    "norway",
    "oman",
    "pakistan",
    "paraguay",
    "philippines",
    "poland",
    "portugal",
    "qatar",
    "romania",
    "russia",
    "rwanda",
    "senegal",
    "serbia",
    "singapore",
    "slovakia",
    "slovenia",
    "somalia",
    "spain",
    "sudan",
    "suriname",
    "sweden",
    "switzerland",
    "syria",
    "taiwan",
    "tajikistan",
    "tanzania",
    "thailand",
    "tunisia",
    "turkey",
    "turkiye",
    "turkmenistan",
    "uganda",
    "ukraine",
    "uruguay",
    "uzbekistan",
    "venezuela",
    "vietnam",
    "yemen",
    "zambia",
    "zimbabwe",
];

/// A British outward code (`ox1`, `sw1a`, `m1`) or a Canadian forward sortation area (`k1a`).
fn is_outward_code(word: &str) -> bool {
    let b = word.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
    (2..=4).contains(&b.len())
        && (1..=2).contains(&letters)
        && b.get(letters).is_some_and(u8::is_ascii_digit)
        && b[letters + 1..].iter().all(u8::is_ascii_alphanumeric)
        && b.len() - letters <= 2
}

/// A British inward code (`4aa`) or a Canadian local delivery unit (`0b1`).
fn is_inward_code(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() == 3
        && b[0].is_ascii_digit()
        && b[1].is_ascii_lowercase()
        && (b[2].is_ascii_lowercase() || b[2].is_ascii_digit())
}

/// How many tokens at the end of `tokens` are a British or Canadian postcode (`ox1 4aa`,
/// `ox14aa`, `k1a 0b1`), with the postcode written as the split columns write it (no space).
fn alphanumeric_postcode(tokens: &[Token<'_>]) -> Option<(usize, String)> {
    let n = tokens.len();
    let last = &tokens.last()?.text;
    if n >= 2
        && tokens[n - 2].piece == tokens[n - 1].piece
        && is_outward_code(&tokens[n - 2].text)
        && is_inward_code(last)
    {
        return Some((2, format!("{}{}", tokens[n - 2].text, last)));
    }
    let split = last.len().checked_sub(3)?;
    (last.is_char_boundary(split)
        && is_outward_code(&last[..split])
        && is_inward_code(&last[split..]))
    .then(|| (1, last.to_string()))
}

/// Whether a region code and postcode place the address in Australia.
pub(super) fn is_australian(region: Option<&str>, postcode: Option<&str>) -> bool {
    match postcode {
        Some(p) if p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()) => true,
        Some(p) if p.len() == 5 || p.len() == 10 => false,
        _ => region.is_some_and(|r| {
            AU_REGIONS
                .iter()
                .any(|(_, code)| code.eq_ignore_ascii_case(r))
        }),
    }
}

/// The upper-case code of a region written as a code or a full name.
pub(super) fn region_code(words: &str) -> Option<&'static str> {
    REGIONS.get(words).copied()
}

/// Reads a folded Latin-script address.
pub(super) fn parse(folded: &str) -> Address {
    // A trailing `;` says that nothing at the end is a region or country.
    let end_text = folded.trim_end();
    let (end_text, no_region) = match end_text.strip_suffix(';') {
        Some(rest) => (rest.trim_end(), true),
        None => (end_text, false),
    };
    let trailing_comma = end_text.ends_with(',');
    let mut tokens = tokenize(folded);
    // Empty pieces at the end (`x,\u{15}`) are no pieces; a trailing separator is one.
    let last_piece = match tokens.last() {
        Some(t) if !trailing_comma && !no_region => t.piece,
        _ => folded.matches([',', ';']).count(),
    };

    // Country names at the end say nothing the region and postcode do not.
    if !no_region {
        let kept = without_country(&tokens, tokens.len());
        tokens.truncate(kept);
    }

    let mut end = tokens.len();
    let mut postcode = None;
    // A number right after a unit designator is its value (`unit 88588`).
    let unit_value = |end: usize| {
        end >= 2
            && tokens[end - 2].piece == tokens[end - 1].piece
            && is_unit_word(&tokens[end - 2].text)
    };
    if end >= 1 && is_postcode(&tokens[end - 1].text) && !unit_value(end) {
        postcode = Some(tokens[end - 1].text.to_string());
        end -= 1;
    } else if let Some((taken, code)) = alphanumeric_postcode(&tokens[..end]).filter(|_| end > 2) {
        postcode = Some(code);
        end -= taken;
    }
    // The country may also stand before the postcode (`…, united kingdom, le11 1uu`).
    if postcode.is_some() && !no_region {
        end = without_country(&tokens, end);
    }
    // A unit marker left last by what was taken off the end marks nothing.
    let drop_markers = |mut end: usize| {
        while end > 0 && tokens[end - 1].text == "#" {
            end -= 1;
        }
        end
    };
    end = drop_markers(end);

    let mut province = None;
    let mut region_piece = None;
    let region = (!no_region)
        .then(|| find_region(&tokens[..end], postcode.is_some()))
        .flatten();
    if let Some((start, code)) = region {
        province = Some(code.to_string());
        region_piece = Some(tokens[start].piece);
        end = drop_markers(start);
    }
    let postcode_piece = postcode.as_ref().map(|_| tokens[tokens.len() - 1].piece);
    let body = &tokens[..end];
    // A leading comma says there is no street line at all (`, perth`).
    let no_street_line = body.first().is_some_and(|t| t.piece > 0);

    // Words borrowed from the tokens (or the short-form tables) until the output is joined.
    let mut line2: Vec<&str> = Vec::new();
    let mut i = 0;
    // Leading units (`apt 4 12 main st`, `unit 2 bldg`) go after the street, as written.
    if body.first().is_some_and(|t| is_unit_word(&t.text)) {
        i = take_units(same_piece(body).unwrap_or_default(), &mut line2, false);
    }
    let mut number = None;
    let mut number_piece = None;
    if i < body.len() && body[i].text.starts_with(|c: char| c.is_ascii_digit()) {
        number = Some(body[i].text.to_string());
        number_piece = Some(body[i].piece);
        i += 1;
    }

    let mut street: Vec<&str> = Vec::new();
    let mut localities: Vec<&[Token<'_>]> = Vec::new();
    // The street shares the number's line, or the first line when there is no number: a
    // number or unit alone on its line has no street after it (`6, perth`, `apt 4, st james`).
    let line_piece = number_piece.or(body.first().map(|t| t.piece));
    if i < body.len() && line_piece == Some(body[i].piece) && !no_street_line {
        let street_piece = body[i].piece;
        let start = i;
        let mut found_type = false;
        while i < body.len() && body[i].piece == street_piece {
            let word = &body[i].text;
            if i > start && is_unit_word(word) {
                break;
            }
            let short = abbreviate(word);
            street.push(short);
            i += 1;
            if i - 1 > start && is_street_type(short) {
                found_type = true;
                // A direction after the type belongs to the street when nothing but a unit
                // follows it (`main st nw`).
                if i < body.len() && body[i].piece == street_piece {
                    let dir = abbreviate(&body[i].text);
                    let after = body.get(i + 1).filter(|t| t.piece == street_piece);
                    if is_direction(dir) && after.is_none_or(|t| is_unit_word(&t.text)) {
                        street.push(dir);
                        i += 1;
                    }
                }
                break;
            }
        }
        // A one-word street is a name, even when the word is a type (`court` stays, so that
        // it never reads back as the state `CT`).
        if street.len() == 1 {
            street[0] = &body[start].text;
        }
        // Units after the street (`apt 4`, or a designator without its value).
        if i < body.len() && body[i].piece == street_piece && is_unit_word(&body[i].text) {
            i += take_units(same_piece(&body[i..]).unwrap_or_default(), &mut line2, true);
        }
        let street_is_last = street_piece == last_piece
            && !trailing_comma
            && region_piece.is_none_or(|p| p == street_piece)
            && postcode_piece.is_none_or(|p| p == street_piece);
        let rest = same_piece(&body[i..]).filter(|r| r[0].piece == street_piece);
        let rest = rest.unwrap_or_default();
        i += rest.len();
        let only_piece = body[i..].iter().all(|t| t.piece == street_piece);
        if only_piece
            && !folded.contains(';')
            && number.is_none()
            && !found_type
            && line2.is_empty()
            && !is_unit_word(&body[start].text)
            && (province.is_some() || postcode.is_some() || trailing_comma || no_street_line)
        {
            // `las vegas nv 89132`: no street at all.
            localities.push(&body[start..i]);
            street.clear();
        } else if !rest.is_empty() {
            if street_is_last {
                // As a later piece is read: a unit or number first is line 2.
                let taken = take_units(rest, &mut line2, true);
                if taken < rest.len() {
                    localities.push(&rest[taken..]);
                }
            } else {
                line2.extend(rest.iter().map(|t| abbreviate(&t.text)));
            }
        }
    }
    // Later pieces: a unit or number line is line 2, anything else a locality.
    while i < body.len() {
        let words = same_piece(&body[i..]).unwrap_or_default();
        i += words.len();
        let taken = take_units(words, &mut line2, true);
        if taken < words.len() {
            localities.push(&words[taken..]);
        }
    }

    let (mut district, mut city) = (None, None);
    let join =
        |words: &[Token<'_>]| join_words(words.iter().map(|t| t.text.as_ref())).unwrap_or_default();
    match localities.len() {
        0 => {}
        1 => {
            let place = join(localities[0]);
            if trailing_comma || is_australian(province.as_deref(), postcode.as_deref()) {
                district = Some(place);
            } else {
                city = Some(place);
            }
        }
        n => {
            // More places than district and city: the first is the street when there is none.
            for (k, extra) in localities[..n - 2].iter().enumerate() {
                let words = extra.iter().map(|t| abbreviate(&t.text));
                if k == 0 && street.is_empty() {
                    if extra.len() == 1 {
                        street.push(&extra[0].text);
                    } else {
                        street.extend(words);
                    }
                } else {
                    line2.extend(words);
                }
            }
            district = Some(join(localities[n - 2]));
            city = Some(join(localities[n - 1]));
        }
    }

    // Written as one line, a second reading takes a number after the leading units for the
    // house number, and joins a non-unit word after a one-word street to the street.
    if number.is_none() && street.is_empty() {
        let lead = leading_units(&line2);
        if lead > 0
            && line2
                .get(lead)
                .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        {
            number = Some(line2.remove(lead).to_string());
        }
    }
    if street.len() == 1 && line2.first().is_some_and(|w| !is_unit_word(w)) {
        street[0] = abbreviate(street[0]);
    }

    let detail = number.as_deref().into_iter().chain(street.iter().copied());
    Address {
        script: AddressScript::Latin,
        province: province.map(Into::into),
        city: city.map(Into::into),
        district: district.map(Into::into),
        detail: join_words(detail.chain(line2)).map(Into::into),
        street: join_words(street).map(Into::into),
        number: number.map(Into::into),
        postcode: postcode.map(Into::into),
    }
}

/// Moves leading unit designators with their values (`apt 4`, `fl`) and, with `numbers`,
/// numbers (`3rd`) to `line2`; returns how many words it took.
fn take_units<'t>(words: &'t [Token<'_>], line2: &mut Vec<&'t str>, numbers: bool) -> usize {
    let mut k = 0;
    while k < words.len() {
        if is_unit_word(&words[k].text) {
            line2.push(abbreviate(&words[k].text));
            k += 1;
            // A designator's value is never another designator (`unit #`); it is written in
            // short form, as a street read from it would be (`unit pkwy`).
            if k < words.len() && !is_unit_word(&words[k].text) {
                line2.push(abbreviate(&words[k].text));
                k += 1;
            }
        } else if numbers && words[k].text.starts_with(|c: char| c.is_ascii_digit()) {
            line2.push(&words[k].text);
            k += 1;
        } else {
            break;
        }
    }
    k
}

/// Whether reading `detail` (in short form) as a whole line leaves words after the street
/// and its units, which a reading takes for a place unless a trailing comma says otherwise.
pub(super) fn leaves_rest(detail: &str, has_number: bool) -> bool {
    let mut words = detail.split(' ').filter(|w| !w.is_empty()).peekable();
    if has_number {
        words.next();
    } else {
        while words.next_if(|w| is_unit_word(w)).is_some() {
            words.next_if(|w| !is_unit_word(w));
        }
    }
    // The street: its first word, then up to a unit word or a street type (and direction).
    if words.next().is_some() {
        while let Some(word) = words.next_if(|w| !is_unit_word(w)) {
            if is_street_type(abbreviate(word)) {
                let mut after = words.clone();
                if after.next().is_some_and(|w| is_direction(abbreviate(w)))
                    && after.next().is_none_or(is_unit_word)
                {
                    words.next();
                }
                break;
            }
        }
    }
    !units_only(words)
}

/// Whether a reading takes all of `words` as units and numbers, as a line 2 after the street.
fn units_only<'w>(words: impl Iterator<Item = &'w str>) -> bool {
    let mut words = words.peekable();
    while let Some(word) = words.next() {
        if is_unit_word(word) {
            words.next_if(|w| !is_unit_word(w));
        } else if !word.starts_with(|c: char| c.is_ascii_digit()) {
            return false;
        }
    }
    true
}

/// How many of `words` a reading takes as leading units: designators with their values.
fn leading_units(words: &[&str]) -> usize {
    let mut k = 0;
    while k < words.len() && is_unit_word(words[k]) {
        k += 1;
        if k < words.len() && !is_unit_word(words[k]) {
            k += 1;
        }
    }
    k
}

/// The leading tokens that share the first one's piece; `None` when there are none.
fn same_piece<'t, 'a>(tokens: &'t [Token<'a>]) -> Option<&'t [Token<'a>]> {
    let piece = tokens.first()?.piece;
    let len = tokens.iter().take_while(|t| t.piece == piece).count();
    Some(&tokens[..len])
}

/// The words joined by single spaces; `None` when there are none.
fn join_words<'w>(words: impl IntoIterator<Item = &'w str>) -> Option<String> {
    let mut out: Option<String> = None;
    for word in words {
        match &mut out {
            None => {
                // Room for a few words, so that the usual line is not reallocated.
                let mut first = String::with_capacity(word.len().max(24));
                first.push_str(word);
                out = Some(first);
            }
            Some(out) => {
                out.push(' ');
                out.push_str(word);
            }
        }
    }
    out
}

/// The region at the end of `tokens`: the longest full name or code, as (start, code).
///
/// A bare code ends many street lines (`123 main ct`), so without a postcode it must sit in a
/// later piece, or after a street type with a place between, or after words that do not look
/// like a street at all.
fn find_region(tokens: &[Token<'_>], has_postcode: bool) -> Option<(usize, &'static str)> {
    let n = tokens.len();
    for len in (1..=3.min(n)).rev() {
        let start = n - len;
        if tokens[start..]
            .iter()
            .any(|t| t.piece != tokens[n - 1].piece)
        {
            continue;
        }
        let mut key = [0u8; MAX_REGION];
        let mut rest: &mut [u8] = &mut key;
        // A key longer than any region name does not fit, and is no region.
        let fits = tokens[start..].iter().enumerate().all(|(k, t)| {
            (k == 0 || rest.write_all(b" ").is_ok()) && rest.write_all(t.text.as_bytes()).is_ok()
        });
        let used = MAX_REGION - rest.len();
        let key = fits
            .then(|| std::str::from_utf8(&key[..used]).ok())
            .flatten();
        let Some(code) = key.and_then(region_code) else {
            continue;
        };
        // Right after the house number is the street (`1 ct`), never the region.
        if start == 1
            && tokens[0].piece == tokens[1].piece
            && tokens[0].text.starts_with(|c: char| c.is_ascii_digit())
        {
            continue;
        }
        let allowed = has_postcode || start == 0 || tokens[start].piece > 0 || {
            let before = &tokens[..start];

            let type_at = before
                .iter()
                .enumerate()
                .skip(1)
                .position(|(_, t)| is_street_type(abbreviate(&t.text)))
                .map(|p| p + 1);
            // A code right after a unit designator is its value (`unit ky`).
            !is_unit_word(&before[start - 1].text)
                && match type_at {
                    Some(j) => j < start,
                    None => !before[0].text.starts_with(|c: char| c.is_ascii_digit()),
                }
        };
        if allowed {
            return Some((start, code));
        }
    }
    None
}

const STREET_TYPES: &[(&str, &str)] = &[
    ("street", "st"),
    ("str", "st"),
    ("st", "st"),
    ("road", "rd"),
    ("rd", "rd"),
    ("avenue", "ave"),
    ("av", "ave"),
    ("ave", "ave"),
    ("boulevard", "blvd"),
    ("bvd", "blvd"),
    ("blvd", "blvd"),
    ("drive", "dr"),
    ("drv", "dr"),
    ("dr", "dr"),
    ("lane", "ln"),
    ("ln", "ln"),
    ("court", "ct"),
    ("crt", "ct"),
    ("ct", "ct"),
    ("place", "pl"),
    ("pl", "pl"),
    ("crescent", "cres"),
    ("cres", "cres"),
    ("cr", "cres"),
    ("circuit", "cct"),
    ("cct", "cct"),
    ("terrace", "tce"),
    ("ter", "tce"),
    ("tce", "tce"),
    ("highway", "hwy"),
    ("hwy", "hwy"),
    ("parade", "pde"),
    ("pde", "pde"),
    ("close", "cl"),
    ("cl", "cl"),
    ("square", "sq"),
    ("sq", "sq"),
    ("parkway", "pkwy"),
    ("pkwy", "pkwy"),
    ("pky", "pkwy"),
    ("circle", "cir"),
    ("cir", "cir"),
    ("trail", "trl"),
    ("trl", "trl"),
    ("alley", "aly"),
    ("aly", "aly"),
    ("esplanade", "esp"),
    ("esp", "esp"),
    ("expressway", "expy"),
    ("expy", "expy"),
    ("freeway", "fwy"),
    ("fwy", "fwy"),
    ("grove", "gr"),
    ("gr", "gr"),
    ("way", "way"),
    ("walk", "walk"),
    ("row", "row"),
    ("mews", "mews"),
    ("loop", "loop"),
];

const UNIT_WORDS: &[(&str, &str)] = &[
    ("apartment", "apt"),
    ("apt", "apt"),
    ("unit", "unit"),
    ("#", "unit"),
    ("suite", "ste"),
    ("ste", "ste"),
    ("flat", "flat"),
    ("floor", "fl"),
    ("fl", "fl"),
    ("level", "lvl"),
    ("lvl", "lvl"),
    ("room", "rm"),
    ("rm", "rm"),
    ("building", "bldg"),
    ("bldg", "bldg"),
];

const DIRECTIONS: &[(&str, &str)] = &[
    ("north", "n"),
    ("south", "s"),
    ("east", "e"),
    ("west", "w"),
    ("northeast", "ne"),
    ("northwest", "nw"),
    ("southeast", "se"),
    ("southwest", "sw"),
    ("n", "n"),
    ("s", "s"),
    ("e", "e"),
    ("w", "w"),
    ("ne", "ne"),
    ("nw", "nw"),
    ("se", "se"),
    ("sw", "sw"),
];

/// Ordinals spelled out, as numbered streets are written both ways (`Second St`, `2nd St`).
const ORDINALS: &[(&str, &str)] = &[
    ("first", "1st"),
    ("second", "2nd"),
    ("third", "3rd"),
    ("fourth", "4th"),
    ("fifth", "5th"),
    ("sixth", "6th"),
    ("seventh", "7th"),
    ("eighth", "8th"),
    ("ninth", "9th"),
    ("tenth", "10th"),
    ("eleventh", "11th"),
    ("twelfth", "12th"),
];

/// The longest word in the short-form tables (`expressway`); a test checks it.
const MAX_ABBREVIATED: usize = 10;

static ABBREVIATIONS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    STREET_TYPES
        .iter()
        .chain(UNIT_WORDS)
        .chain(DIRECTIONS)
        .chain(ORDINALS)
        .copied()
        .collect()
});

const AU_REGIONS: &[(&str, &str)] = &[
    ("new south wales", "NSW"),
    ("victoria", "VIC"),
    ("queensland", "QLD"),
    ("western australia", "WA"),
    ("south australia", "SA"),
    ("tasmania", "TAS"),
    ("australian capital territory", "ACT"),
    ("northern territory", "NT"),
];

const US_REGIONS: &[(&str, &str)] = &[
    ("alabama", "AL"),
    ("alaska", "AK"),
    ("arizona", "AZ"),
    ("arkansas", "AR"),
    ("california", "CA"),
    ("colorado", "CO"),
    ("connecticut", "CT"),
    ("delaware", "DE"),
    ("florida", "FL"),
    ("georgia", "GA"),
    ("hawaii", "HI"),
    ("idaho", "ID"),
    ("illinois", "IL"),
    ("indiana", "IN"),
    ("iowa", "IA"),
    ("kansas", "KS"),
    ("kentucky", "KY"),
    ("louisiana", "LA"),
    ("maine", "ME"),
    ("maryland", "MD"),
    ("massachusetts", "MA"),
    ("michigan", "MI"),
    ("minnesota", "MN"),
    ("mississippi", "MS"),
    ("missouri", "MO"),
    ("montana", "MT"),
    ("nebraska", "NE"),
    ("nevada", "NV"),
    ("new hampshire", "NH"),
    ("new jersey", "NJ"),
    ("new mexico", "NM"),
    ("new york", "NY"),
    ("north carolina", "NC"),
    ("north dakota", "ND"),
    ("ohio", "OH"),
    ("oklahoma", "OK"),
    ("oregon", "OR"),
    ("pennsylvania", "PA"),
    ("rhode island", "RI"),
    ("south carolina", "SC"),
    ("south dakota", "SD"),
    ("tennessee", "TN"),
    ("texas", "TX"),
    ("utah", "UT"),
    ("vermont", "VT"),
    ("virginia", "VA"),
    ("washington", "WA"),
    ("west virginia", "WV"),
    ("wisconsin", "WI"),
    ("wyoming", "WY"),
    ("district of columbia", "DC"),
    ("puerto rico", "PR"),
    ("guam", "GU"),
];

const CA_REGIONS: &[(&str, &str)] = &[
    ("alberta", "AB"),
    ("british columbia", "BC"),
    ("manitoba", "MB"),
    ("new brunswick", "NB"),
    ("newfoundland and labrador", "NL"),
    ("nova scotia", "NS"),
    ("ontario", "ON"),
    ("prince edward island", "PE"),
    ("quebec", "QC"),
    ("saskatchewan", "SK"),
    ("yukon", "YT"),
    ("nunavut", "NU"),
    ("northwest territories", "NT"),
];

/// The longest full region name, in bytes; a test checks it.
const MAX_REGION: usize = 28;

/// Full names and lower-case codes to upper-case codes. `washington` means the state: a city
/// of that name is usually written with `dc`.
static REGIONS: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::default();
    for (name, code) in US_REGIONS.iter().chain(CA_REGIONS).chain(AU_REGIONS) {
        map.insert(name.to_string(), *code);
        map.insert(code.to_ascii_lowercase(), *code);
    }
    for code in ["VI", "AS", "MP"] {
        map.insert(code.to_ascii_lowercase(), code);
    }
    map
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_form_sets_match_the_tables() {
        for (long, short) in STREET_TYPES {
            assert!(is_street_type(short), "{long}");
            assert_eq!(abbreviate(long), *short);
            assert_eq!(abbreviate(short), *short, "short forms are fixed points");
        }
        for (long, short) in UNIT_WORDS {
            assert!(is_unit_word(long) && is_unit_word(short), "{long}");
            assert_eq!(abbreviate(short), *short);
        }
        for (long, short) in DIRECTIONS {
            assert!(is_direction(short), "{long}");
        }
        for (long, short) in ORDINALS {
            assert_eq!(abbreviate(long), *short);
            assert!(!is_street_type(short) && !is_unit_word(short), "{long}");
        }
        assert!(!is_street_type("main") && !is_unit_word("main"));
        let longest = |table: &[(&str, &str)]| table.iter().map(|(w, _)| w.len()).max();
        assert_eq!(
            [STREET_TYPES, UNIT_WORDS, DIRECTIONS, ORDINALS]
                .map(longest)
                .iter()
                .max(),
            Some(&Some(MAX_ABBREVIATED))
        );
        assert!(
            STREET_TYPES
                .iter()
                .chain(UNIT_WORDS)
                .chain(DIRECTIONS)
                .all(|(w, _)| !w.starts_with(|c: char| c.is_ascii_digit()))
        );
        assert_eq!(
            [US_REGIONS, CA_REGIONS, AU_REGIONS]
                .map(longest)
                .iter()
                .max(),
            Some(&Some(MAX_REGION))
        );
    }

    #[test]
    fn regions_and_postcodes() {
        assert_eq!(region_code("new south wales"), Some("NSW"));
        assert_eq!(region_code("nv"), Some("NV"));
        assert_eq!(region_code("district of columbia"), Some("DC"));
        assert_eq!(region_code("main"), None);
        assert!(is_postcode("4011") && is_postcode("89132") && is_postcode("89132-1234"));
        assert!(!is_postcode("123") && !is_postcode("1234567") && !is_postcode("8913a"));
        for code in [
            "ox1 4aa", "ox14aa", "sw1a 1aa", "m1 1ae", "k1a 0b1", "cr2 6xh",
        ] {
            let tokens = tokenize(code);
            let (_, found) = alphanumeric_postcode(&tokens).unwrap_or_else(|| panic!("{code}"));
            assert_eq!(found, code.replace(' ', ""));
        }
        for words in [
            "main st",
            "12 4th ave",
            "apt 4b",
            "route 66",
            "ox1",
            "a1 123",
        ] {
            assert_eq!(alphanumeric_postcode(&tokenize(words)), None, "{words}");
        }
        assert!(is_australian(Some("WA"), Some("6000")));
        assert!(!is_australian(Some("WA"), Some("98101")));
        assert!(is_australian(Some("NSW"), None));
        assert!(!is_australian(Some("NV"), None));
    }
}
