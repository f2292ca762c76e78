//! What a column's header says it holds: an exact table of common English and Chinese
//! headers, then rules over the header's words (`PRIMARY_NAME_LAST`, `addrLine1`,
//! `postcode_fake`), in an order that lets the more specific word win (`email_address` is
//! an e-mail, `street_name` an address part, `person_id` a label).

use sameas_core::{FieldKind, FieldPart};

use crate::name::{ascii_letters, is_latin};
use crate::text;

/// What a column plays in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    RecordId,
    Channel,
    UpdatedAt,
    /// A whole field in one column.
    Whole(FieldKind),
    /// One part of the split name field.
    NamePart(FieldPart),
    /// One part of the split address field.
    AddressPart(FieldPart),
    /// A personal attribute (occupation, birth place, employer): compared as a category.
    Attribute,
    /// A truth or cluster label: never compared.
    Label,
    /// Kept and written back, never compared: what the header names says nothing about who
    /// someone is (amounts, order ids, a column describing another column).
    PassThrough,
    /// The header says nothing the rules know: the content decides.
    Unknown,
}

/// A header's reading and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeaderReading {
    pub(crate) role: Role,
    /// Whether the header alone settles the column (`phone`), or only suggests it, so that
    /// the values may overrule it (`*_id` holding e-mails, `national_id` holding US ids).
    pub(crate) settled: bool,
    pub(crate) reason: &'static str,
}

const fn settled(role: Role, reason: &'static str) -> HeaderReading {
    HeaderReading {
        role,
        settled: true,
        reason,
    }
}

const fn suggested(role: Role, reason: &'static str) -> HeaderReading {
    HeaderReading {
        role,
        settled: false,
        reason,
    }
}

/// Folds a header for lookup: NFKC, lower case, Simplified, and spaces, dashes and dots as `_`.
pub(crate) fn header_key(header: &str) -> String {
    let folded = text::fold(header.trim_start_matches('\u{feff}'));
    let mut key = String::with_capacity(folded.len());
    for c in folded.chars() {
        let c = if matches!(c, ' ' | '-' | '.' | '/') {
            '_'
        } else {
            c
        };
        if !(c == '_' && key.ends_with('_')) {
            key.push(c);
        }
    }
    key.trim_matches('_').to_string()
}

/// The header's words, lower case: split at anything not a letter or digit, at a lower to
/// upper case step (`addrLine1`) and between letters and digits (`address1`).
pub(crate) fn header_words(header: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous: Option<char> = None;
    for c in header.trim_start_matches('\u{feff}').chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            previous = None;
            continue;
        }
        if let Some(p) = previous {
            let case_step = p.is_lowercase() && c.is_uppercase();
            let digit_step = p.is_ascii_digit() != c.is_ascii_digit();
            if (case_step || digit_step) && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
        }
        word.extend(c.to_lowercase());
        previous = Some(c);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Headers that name a truth or a cluster: they must never leak into matching, and they
/// win over the `*_id` identifier rule.
const LABELS: &[&str] = &[
    "cluster",
    "cluster_id",
    "clusters",
    "label",
    "labels",
    "truth",
    "true_id",
    "true_match_id",
    "ground_truth",
    "gold",
    "gold_id",
    "person_id",
    "entity_id",
    "match_id",
    "group",
    "group_id",
    "household_id",
    "same_as",
];

/// Header words of German, French, Spanish, Portuguese, Italian, Dutch, Polish, Russian,
/// Japanese and Korean forms (accents dropped, lower case), and the English words the rules
/// read them as. A word that is ambiguous across languages takes its reading in the language
/// that uses it most in customer forms: `nom` is the French family name (beside `prénom`),
/// `nombre` and `nome` a name that is the given one beside a family-name column
/// (`given_beside_family` in `infer.rs`).
const FOREIGN_WORDS: &[(&str, &[&str])] = &[
    // German
    ("vorname", &["firstname"]),
    ("vornamen", &["firstname"]),
    ("rufname", &["firstname"]),
    ("nachname", &["lastname"]),
    ("familienname", &["lastname"]),
    ("zuname", &["lastname"]),
    ("geburtsdatum", &["birth", "date"]),
    ("geburtstag", &["birthday"]),
    ("geburtsort", &["birthplace"]),
    ("geburt", &["birth"]),
    ("strasse", &["street"]),
    ("hausnummer", &["house", "number"]),
    ("hausnr", &["house", "number"]),
    ("plz", &["postcode"]),
    ("postleitzahl", &["postcode"]),
    ("ort", &["city"]),
    ("wohnort", &["city"]),
    ("stadt", &["city"]),
    ("bundesland", &["state"]),
    ("land", &["country"]),
    ("ortsteil", &["district"]),
    ("stadtteil", &["district"]),
    ("adresszusatz", &["address", "line2"]),
    ("adresse", &["address"]),
    ("anschrift", &["address"]),
    ("telefon", &["phone"]),
    ("telefonnummer", &["phone"]),
    ("handy", &["mobile"]),
    ("handynummer", &["mobile"]),
    ("mobil", &["mobile"]),
    ("mobilnummer", &["mobile"]),
    ("geschlecht", &["gender"]),
    ("kundennummer", &["customer", "number"]),
    ("kundennr", &["customer", "number"]),
    ("steuernummer", &["tax", "number"]),
    ("datum", &["date"]),
    ("date", &["date"]),
    ("data", &["date"]),
    ("code", &["code"]),
    ("codice", &["code"]),
    ("kod", &["code"]),
    ("numer", &["number"]),
    ("domu", &["house"]),
    ("lokal", &["apartment"]),
    ("betrag", &["amount"]),
    ("bestellung", &["order"]),
    // French
    ("prenom", &["firstname"]),
    ("prenoms", &["firstname"]),
    ("nom", &["lastname"]),
    ("famille", &["family"]),
    ("naissance", &["birth"]),
    ("lieu", &["place"]),
    ("ville", &["city"]),
    ("commune", &["city"]),
    ("rue", &["street"]),
    ("telephone", &["phone"]),
    ("portable", &["mobile"]),
    ("courriel", &["email"]),
    ("sexe", &["gender"]),
    ("pays", &["country"]),
    ("complement", &["address", "line2"]),
    ("securite", &["security"]),
    ("sociale", &["social"]),
    ("numero", &["number"]),
    ("montant", &["amount"]),
    ("commande", &["order"]),
    // Spanish
    ("nombre", &["name"]),
    ("nombres", &["name"]),
    ("apellido", &["lastname"]),
    ("apellidos", &["lastname"]),
    ("fecha", &["date"]),
    ("nacimiento", &["birth"]),
    ("lugar", &["place"]),
    ("direccion", &["address"]),
    ("domicilio", &["address"]),
    ("calle", &["street"]),
    ("ciudad", &["city"]),
    ("localidad", &["city"]),
    ("municipio", &["city"]),
    ("codigo", &["code"]),
    ("telefono", &["phone"]),
    ("celular", &["mobile"]),
    ("movil", &["mobile"]),
    ("correo", &["email"]),
    ("sexo", &["gender"]),
    ("genero", &["gender"]),
    ("pais", &["country"]),
    ("provincia", &["province"]),
    ("barrio", &["district"]),
    ("dni", &["identity", "number"]),
    ("importe", &["amount"]),
    ("pedido", &["order"]),
    // Portuguese
    ("nome", &["name"]),
    ("sobrenome", &["lastname"]),
    ("apelido", &["lastname"]),
    ("nascimento", &["birth"]),
    ("endereco", &["address"]),
    ("morada", &["address"]),
    ("rua", &["street"]),
    ("cidade", &["city"]),
    ("cep", &["postcode"]),
    ("telefone", &["phone"]),
    ("telemovel", &["mobile"]),
    ("cpf", &["tax", "number"]),
    ("bairro", &["district"]),
    ("complemento", &["address", "line2"]),
    ("estado", &["state"]),
    // Italian
    ("cognome", &["lastname"]),
    ("nascita", &["birth"]),
    ("luogo", &["place"]),
    ("indirizzo", &["address"]),
    ("citta", &["city"]),
    ("cap", &["postcode"]),
    ("cellulare", &["mobile"]),
    ("sesso", &["gender"]),
    ("fiscale", &["tax"]),
    ("civico", &["house", "number"]),
    ("interno", &["address", "line2"]),
    ("frazione", &["district"]),
    // Dutch
    ("voornaam", &["firstname"]),
    ("achternaam", &["lastname"]),
    ("geboortedatum", &["birth", "date"]),
    ("geboorteplaats", &["birthplace"]),
    ("straat", &["street"]),
    ("straatnaam", &["street"]),
    ("huisnummer", &["house", "number"]),
    ("woonplaats", &["city"]),
    ("plaats", &["city"]),
    ("adres", &["address"]),
    ("telefoon", &["phone"]),
    ("telefoonnummer", &["phone"]),
    ("geslacht", &["gender"]),
    ("wijk", &["district"]),
    ("provincie", &["province"]),
    ("toevoeging", &["address", "line2"]),
    ("bsn", &["identity", "number"]),
    // Polish
    ("imie", &["firstname"]),
    ("nazwisko", &["lastname"]),
    ("urodzenia", &["birth"]),
    ("miejsce", &["place"]),
    ("ulica", &["street"]),
    ("miasto", &["city"]),
    ("miejscowosc", &["city"]),
    ("pocztowy", &["postal"]),
    ("plec", &["gender"]),
    ("pesel", &["identity", "number"]),
    ("dzielnica", &["district"]),
    ("wojewodztwo", &["province"]),
    // Russian
    ("имя", &["firstname"]),
    ("фамилия", &["lastname"]),
    ("отчество", &["middlename"]),
    ("фио", &["name"]),
    ("дата", &["date"]),
    ("рождения", &["birth"]),
    ("место", &["place"]),
    ("телефон", &["phone"]),
    ("адрес", &["address"]),
    ("улица", &["street"]),
    ("город", &["city"]),
    ("индекс", &["postcode"]),
    ("пол", &["gender"]),
    ("дом", &["house", "number"]),
    ("квартира", &["apartment"]),
    ("район", &["district"]),
    ("регион", &["region"]),
    ("область", &["region"]),
    ("инн", &["tax", "number"]),
    ("почта", &["email"]),
    // Japanese
    ("氏名", &["name"]),
    ("名前", &["name"]),
    ("生年月日", &["birth", "date"]),
    ("住所", &["address"]),
    ("郵便番号", &["postcode"]),
    ("番地", &["house", "number"]),
    ("市区町村", &["city"]),
    ("都道府県", &["prefecture"]),
    ("携帯番号", &["mobile"]),
    ("メール", &["email"]),
    ("メールアドレス", &["email"]),
    // Korean
    ("이름", &["name"]),
    ("성명", &["name"]),
    ("성", &["lastname"]),
    ("생년월일", &["birth", "date"]),
    ("주소", &["address"]),
    ("우편번호", &["postcode"]),
    ("전화번호", &["phone"]),
    ("휴대폰", &["mobile"]),
    ("이메일", &["email"]),
    ("성별", &["gender"]),
    // English shorthand
    ("bdate", &["birth", "date"]),
    ("nin", &["nino"]),
];

/// Words that join the others in such headers (`date de naissance`, `fecha_de_nacimiento`)
/// or say nothing on their own (`correo electrónico`).
const FOREIGN_JOINERS: &[&str] = &[
    "de",
    "di",
    "da",
    "do",
    "del",
    "des",
    "du",
    "van",
    "von",
    "electronico",
    "electronica",
    "electronique",
];

/// A header word with its Latin letters in ASCII as the phonetic key spells them (`prénom` →
/// `prenom`, `straße` → `strasse`, `płeć` → `plec`); letters of other scripts and digits
/// stay as written (`й`, Hangul, kana).
fn without_accents(word: &str) -> String {
    let mut plain = String::with_capacity(word.len());
    for c in word.chars() {
        if c.is_ascii() || !is_latin(c) {
            plain.push(c);
        } else {
            plain.push_str(&ascii_letters(c.encode_utf8(&mut [0; 4])));
        }
    }
    plain
}

/// The header's words read in English: accents dropped (`région`), each word of another
/// language's forms replaced by its English words, and the joiners between them dropped.
/// `None` unless every word is such a word, a joiner, a number or accented: a header that
/// mixes in an English word the table does not hold (`credit_cap`, `portable_device`) is not
/// another language's.
fn in_english(words: &[String]) -> Option<Vec<String>> {
    let mut translated = Vec::with_capacity(words.len());
    for word in words {
        let plain = without_accents(word);
        if let Some((_, english)) = FOREIGN_WORDS.iter().find(|(w, _)| *w == plain) {
            translated.extend(english.iter().map(|w| (*w).to_string()));
        } else if FOREIGN_JOINERS.contains(&plain.as_str()) {
        } else if plain != *word || plain.bytes().all(|b| b.is_ascii_digit()) {
            translated.push(plain);
        } else {
            return None;
        }
    }
    (!translated.is_empty()).then_some(translated)
}

/// Whether the header says "name" and nothing more (`name`, `Nombre`, `nome`): beside a
/// family-name column and no given-name one it is the given name.
pub(crate) fn says_only_name(header: &str) -> bool {
    let words = header_words(header);
    let words = in_english(&words).unwrap_or(words);
    words == ["name"]
}

/// Reads one header: in English (or Chinese) first; where that reads nothing, or only a
/// date that is not a birth date (`date de naissance`), in English translation.
pub(crate) fn read_header(header: &str) -> HeaderReading {
    let reading = read_english(header);
    if !matches!(reading.role, Role::Unknown | Role::Whole(FieldKind::Date)) {
        return reading;
    }
    match in_english(&header_words(header)) {
        Some(words) => match read_english(&words.join("_")) {
            translated if translated.role != Role::Unknown => translated,
            _ => reading,
        },
        None => reading,
    }
}

/// Whether `header` is, whole, a header the rules know word for word (`phone`, `email`,
/// `姓名`): a value in a record rarely is.
pub(crate) fn is_exact_header(header: &str) -> bool {
    let key = header_key(header);
    exact(&key).is_some() || LABELS.contains(&key.as_str())
}

/// Reads one header in English (or Chinese).
fn read_english(header: &str) -> HeaderReading {
    let key = header_key(header);
    if let Some(reading) = exact(&key) {
        return reading;
    }
    if LABELS.contains(&key.as_str()) {
        return settled(
            Role::Label,
            "the header names a label or truth: never compared",
        );
    }
    let words = header_words(header);
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    let last_is = |list: &[&str]| words.last().is_some_and(|w| list.contains(&w.as_str()));
    if words.is_empty() {
        return chinese(&key);
    }

    // A column that describes another one: its type, status or issuer.
    const QUALIFIERS: &[&str] = &[
        "type",
        "kind",
        "status",
        "category",
        "role",
        "flag",
        "usage",
        "verified",
        "consent",
        "optin",
        "source",
        "format",
        "confidence",
        "quality",
        "valid",
    ];
    if last_is(QUALIFIERS) && words.len() > 1 {
        return settled(
            Role::PassThrough,
            "the header describes another column (type, status, role …): not compared",
        );
    }
    const ID_WORDS: &[&str] = &[
        "passport", "license", "licence", "ssn", "tax", "national", "id", "identity",
    ];
    if has(ID_WORDS) && last_is(&["country", "state", "issuer", "authority", "province"]) {
        return settled(
            Role::PassThrough,
            "the header names where an identifier was issued: not compared",
        );
    }
    let birth = has(&["birth", "born", "dob", "birthday", "birthdate", "bday"]);
    if !birth && last_is(&["date", "time", "timestamp", "datetime"]) {
        return settled(
            Role::Whole(FieldKind::Date),
            "the header names a date that is not a birth date: not compared",
        );
    }
    const NOT_PERSONAL: &[&str] = &[
        "order",
        "orders",
        "transaction",
        "txn",
        "invoice",
        "receipt",
        "product",
        "sku",
        "item",
        "store",
        "shop",
        "branch",
        "campaign",
        "batch",
        "session",
        "request",
        "event",
        "file",
        "row",
        "line_item",
        "page",
        "amount",
        "price",
        "total",
        "revenue",
        "spend",
        "quantity",
        "qty",
        "count",
        "score",
        "balance",
        "points",
        "key",
        "hash",
        "checksum",
        "rel",
        "relationship",
        "pointer",
        "anchor",
    ];
    if has(NOT_PERSONAL) {
        return settled(
            Role::PassThrough,
            "the header names an order, amount or other record-keeping value: not compared",
        );
    }
    if has(&["email", "emails", "emailaddress", "e_mail"])
        || words == ["mail"]
        || words == ["e", "mail"]
    {
        return settled(Role::Whole(FieldKind::Email), "the header names an e-mail");
    }
    if has(&[
        "phone",
        "phones",
        "mobile",
        "mobiles",
        "tel",
        "telephone",
        "telephones",
        "cell",
        "cellphone",
        "fax",
        "msisdn",
        "phonenumber",
        "phonenumbers",
    ]) || (has(&["contact"]) && last_is(&["number", "no", "num", "nr"]))
    {
        return settled(Role::Whole(FieldKind::Phone), "the header names a phone");
    }
    const PLACES: &[&str] = &[
        "place", "city", "town", "country", "state", "county", "location", "region", "province",
    ];
    if birth {
        if has(PLACES) {
            return settled(Role::Attribute, "the header names a birth place");
        }
        if has(&["year", "month", "day"]) && !has(&["date", "dob"]) {
            return settled(
                Role::PassThrough,
                "the header names part of a birth date: not compared on its own",
            );
        }
        return settled(
            Role::Whole(FieldKind::BirthDate),
            "the header names a birth date",
        );
    }
    if has(&["gender", "sex"]) {
        return settled(Role::Whole(FieldKind::Gender), "the header names a gender");
    }
    // The last word names what the column holds: `Default Address Company` is a company
    // (`Company Address` an address).
    if last_is(&["company", "organisation", "organization", "employer"]) {
        return settled(
            Role::Attribute,
            "the header names an organisation, an attribute",
        );
    }
    if let Some(reading) = address_part(&words) {
        return reading;
    }
    if let Some(reading) = name_part(&words) {
        return reading;
    }
    const ATTRIBUTES: &[&str] = &[
        "occupation",
        "profession",
        "job",
        "employer",
        "company",
        "organisation",
        "organization",
        "org",
        "nationality",
        "citizenship",
        "language",
        "school",
        "university",
        "education",
        "department",
        "place",
        "birthplace",
    ];
    if has(ATTRIBUTES) {
        return settled(Role::Attribute, "the header names a personal attribute");
    }
    if words.len() > 1 && has(&["national", "resident", "citizen"]) && has(&["id", "number"]) {
        return suggested(
            Role::Whole(FieldKind::NationalId),
            "the header names a national id",
        );
    }
    const IDENTIFIERS: &[&str] = &[
        "ssn",
        "sin",
        "nino",
        "passport",
        "license",
        "licence",
        "tin",
        "tax",
        "member",
        "membership",
        "loyalty",
        "card",
        "account",
        "customer",
        "client",
        "patient",
        "device",
        "imei",
        "idfa",
        "openid",
        "unionid",
        "wechat",
        "alipay",
        "username",
        "user",
        "login",
        "lei",
        "vat",
        "nhs",
        "medicare",
        "social",
        "insurance",
    ];
    if has(IDENTIFIERS) || last_is(&["id", "no", "number", "num", "nr", "code", "ref"]) {
        return suggested(
            Role::Whole(FieldKind::Identifier),
            "the header names an identifier",
        );
    }
    if has(&[
        "date",
        "time",
        "timestamp",
        "created",
        "modified",
        "signup",
        "registered",
    ]) {
        return settled(
            Role::Whole(FieldKind::Date),
            "the header names a date that is not a birth date: not compared",
        );
    }
    // Chinese headers have no word breaks; an English header the rules do not know falls
    // to the content there too.
    chinese(&key)
}

/// An address part named by the header's words, if any.
fn address_part(words: &[String]) -> Option<HeaderReading> {
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    let part = |p: FieldPart, reason| Some(settled(Role::AddressPart(p), reason));
    let addressy = has(&[
        "address",
        "addresses",
        "addr",
        "adr",
        "street",
        "residence",
        "mailing",
        "home",
    ]);
    if has(&[
        "postcode",
        "zip",
        "zipcode",
        "postalcode",
        "postal",
        "postcodes",
    ]) || (has(&["post"]) && has(&["code"]))
    {
        return part(FieldPart::Postcode, "the header names a postcode");
    }
    if has(&["street", "house", "building"]) && has(&["number", "no", "num", "nr"]) {
        return part(FieldPart::StreetNumber, "the header names a house number");
    }
    if has(&["unit", "apt", "apartment", "suite", "flat", "floor"]) {
        return part(FieldPart::Address2, "the header names a unit or apartment");
    }
    // Before the numbered lines: `Address 1 - City` (a contacts export's first address) is
    // a city, not the first line of a street.
    if has(&[
        "suburb",
        "district",
        "county",
        "locality",
        "neighbourhood",
        "neighborhood",
    ]) {
        return part(FieldPart::Locality, "the header names a district");
    }
    if has(&["city", "town", "municipality"]) {
        return part(FieldPart::City, "the header names a city");
    }
    if has(&["state", "province", "region", "prefecture"]) {
        return part(FieldPart::Region, "the header names a state or province");
    }
    if has(&["country"]) {
        return Some(settled(
            Role::Attribute,
            "the header names a country, an attribute",
        ));
    }
    if addressy && has(&["line2", "2", "second"]) {
        return part(
            FieldPart::Address2,
            "the header names a second address line",
        );
    }
    if has(&["street", "road"]) || (addressy && has(&["line1", "line", "1", "first"])) {
        return part(FieldPart::Street, "the header names a street");
    }
    if addressy {
        return Some(settled(
            Role::Whole(FieldKind::Address),
            "the header names an address",
        ));
    }
    None
}

/// A name or name part named by the header's words, if any.
fn name_part(words: &[String]) -> Option<HeaderReading> {
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    let part = |p: FieldPart, reason| Some(settled(Role::NamePart(p), reason));
    let first = has(&[
        "first",
        "given",
        "fore",
        "christian",
        "fname",
        "forename",
        "forenames",
    ]) || has(&["firstname", "givenname"]);
    let last = has(&[
        "last", "family", "sur", "surname", "surnames", "lname", "lastname",
    ]) || has(&["familyname"]);
    let named = has(&["name", "names", "nm"])
        || has(&["fname", "forename", "forenames", "firstname", "givenname"])
        || has(&[
            "surname",
            "surnames",
            "lname",
            "lastname",
            "familyname",
            "mname",
            "middlename",
        ]);
    let initial = has(&["initial", "initials"]);
    if !(named || initial) {
        return None;
    }
    if has(&[
        "org",
        "organisation",
        "organization",
        "company",
        "business",
        "employer",
    ]) {
        return Some(settled(
            Role::Attribute,
            "the header names an organisation's name, an attribute",
        ));
    }
    if has(&[
        "user", "screen", "login", "account", "nick", "nickname", "handle",
    ]) {
        return Some(suggested(
            Role::Whole(FieldKind::Identifier),
            "the header names an account name: an identifier",
        ));
    }
    if has(&[
        "file", "product", "item", "store", "shop", "brand", "merchant", "bank", "city", "place",
        "school", "pet", "street", "country", "state",
    ]) {
        return Some(settled(
            Role::PassThrough,
            "the header names something other than a person: not compared",
        ));
    }
    if has(&["middle", "mid", "second", "mname", "middlename"]) {
        return part(FieldPart::Middle, "the header names a middle name");
    }
    match (first, last) {
        (true, false) => part(FieldPart::Given, "the header names a given name"),
        (false, true) => part(FieldPart::Family, "the header names a family name"),
        _ if initial && !named => None,
        _ => Some(settled(
            Role::Whole(FieldKind::Name),
            "the header names a name",
        )),
    }
}

/// Chinese headers, by the characters they hold.
fn chinese(key: &str) -> HeaderReading {
    let has = |needles: &[&str]| needles.iter().any(|n| key.contains(n));
    if key.is_empty() || key.is_ascii() {
        return suggested(
            Role::Unknown,
            "the header is not one the rules know: the values decide",
        );
    }
    if has(&["订单", "金额", "交易", "价格", "数量", "积分", "商品"]) {
        return settled(
            Role::PassThrough,
            "the header names an order, amount or other record-keeping value: not compared",
        );
    }
    if has(&["邮箱", "邮件"]) {
        return settled(Role::Whole(FieldKind::Email), "the header names an e-mail");
    }
    if has(&["手机", "电话", "座机", "联系方式"]) {
        return settled(Role::Whole(FieldKind::Phone), "the header names a phone");
    }
    if has(&["出生地", "籍贯", "户籍"]) {
        return settled(Role::Attribute, "the header names a birth place");
    }
    if has(&["生日", "出生"]) {
        return settled(
            Role::Whole(FieldKind::BirthDate),
            "the header names a birth date",
        );
    }
    if has(&["身份证", "证件"]) {
        return suggested(
            Role::Whole(FieldKind::NationalId),
            "the header names a national id",
        );
    }
    if has(&["性别"]) {
        return settled(Role::Whole(FieldKind::Gender), "the header names a gender");
    }
    if has(&["邮编", "邮政编码"]) {
        return settled(
            Role::AddressPart(FieldPart::Postcode),
            "the header names a postcode",
        );
    }
    if has(&["地址", "住址"]) {
        return settled(
            Role::Whole(FieldKind::Address),
            "the header names an address",
        );
    }
    if has(&["城市"]) {
        return settled(
            Role::AddressPart(FieldPart::City),
            "the header names a city",
        );
    }
    if has(&["省份"]) {
        return settled(
            Role::AddressPart(FieldPart::Region),
            "the header names a province",
        );
    }
    if has(&["姓名", "名字", "联系人", "收货人", "客户名"]) {
        return settled(Role::Whole(FieldKind::Name), "the header names a name");
    }
    if has(&["职业", "工作单位", "单位", "公司", "民族", "国籍"]) {
        return settled(Role::Attribute, "the header names a personal attribute");
    }
    if has(&["卡号", "会员号", "设备号", "编号", "账号", "号码"]) {
        return suggested(
            Role::Whole(FieldKind::Identifier),
            "the header names an identifier",
        );
    }
    if has(&["日期", "时间"]) {
        return settled(
            Role::Whole(FieldKind::Date),
            "the header names a date that is not a birth date: not compared",
        );
    }
    suggested(
        Role::Unknown,
        "the header is not one the rules know: the values decide",
    )
}

/// The common headers, exactly.
fn exact(key: &str) -> Option<HeaderReading> {
    use FieldKind::*;
    use FieldPart as P;
    let reading = match key {
        "record_id" | "id" | "rec_id" | "unique_id" | "uid" | "row_id" | "客户编号" | "客户id"
        | "记录编号" => settled(Role::RecordId, "the header names the record id"),
        "channel" | "source" | "source_channel" | "data_source" | "source_system" | "dsrc"
        | "渠道" | "来源" | "来源渠道" => {
            settled(Role::Channel, "the header names the channel")
        }
        "updated_at" | "update_time" | "updated" | "last_updated" | "modified_at"
        | "last_modified" | "更新时间" | "修改时间" => {
            settled(Role::UpdatedAt, "the header names when the record changed")
        }
        "name" | "full_name" | "fullname" | "customer_name" | "contact_name" | "姓名"
        | "客户姓名" | "名字" | "联系人" | "会员姓名" | "收货人" => {
            settled(Role::Whole(Name), "the header names a name")
        }
        "given_name" | "first_name" | "firstname" | "forename" | "givenname" | "first"
        | "given" | "名" => settled(Role::NamePart(P::Given), "the header names a given name"),
        "middle_name" | "middlename" | "middle_initial" | "middle" => {
            settled(Role::NamePart(P::Middle), "the header names a middle name")
        }
        "surname" | "last_name" | "lastname" | "family_name" | "familyname" | "last" | "姓" => {
            settled(Role::NamePart(P::Family), "the header names a family name")
        }
        "id_number" | "national_id" | "id_card" | "idcard" | "id_card_no" | "resident_id"
        | "身份证" | "身份证号" | "身份证号码" | "证件号" | "证件号码" => {
            suggested(Role::Whole(NationalId), "the header names a national id")
        }
        "address" | "addr" | "full_address" | "street_address" | "地址" | "住址" | "收货地址"
        | "联系地址" | "详细地址" => {
            settled(Role::Whole(Address), "the header names an address")
        }
        "street_number" | "house_number" | "street_no" | "门牌号" => settled(
            Role::AddressPart(P::StreetNumber),
            "the header names a house number",
        ),
        "address_1" | "address1" | "address_line_1" | "street" | "街道" => {
            settled(Role::AddressPart(P::Street), "the header names a street")
        }
        "address_2" | "address2" | "address_line_2" => settled(
            Role::AddressPart(P::Address2),
            "the header names a second address line",
        ),
        "suburb" | "district" | "county" | "区" | "区县" => settled(
            Role::AddressPart(P::Locality),
            "the header names a district",
        ),
        "city" | "town" | "城市" | "市" => {
            settled(Role::AddressPart(P::City), "the header names a city")
        }
        "state" | "province" | "region" | "省" | "省份" => settled(
            Role::AddressPart(P::Region),
            "the header names a state or province",
        ),
        "postcode" | "zip" | "zipcode" | "zip_code" | "postal_code" | "post_code" | "邮编"
        | "邮政编码" => settled(
            Role::AddressPart(P::Postcode),
            "the header names a postcode",
        ),
        "email" | "e_mail" | "mail" | "email_address" | "邮箱" | "电子邮箱" | "邮件" => {
            settled(Role::Whole(Email), "the header names an e-mail")
        }
        "birth_date" | "dob" | "birthday" | "date_of_birth" | "birthdate" | "生日" | "出生日期"
        | "出生年月" => settled(Role::Whole(BirthDate), "the header names a birth date"),
        "gender" | "sex" | "性别" => settled(Role::Whole(Gender), "the header names a gender"),
        "member_no" | "会员卡号" | "device_id" | "设备号" | "ssn" | "passport" => {
            suggested(Role::Whole(Identifier), "the header names an identifier")
        }
        _ => return None,
    };
    Some(reading)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_case_digits_and_punctuation() {
        assert_eq!(
            header_words("PRIMARY_NAME_LAST"),
            ["primary", "name", "last"]
        );
        assert_eq!(header_words("addrLine1"), ["addr", "line", "1"]);
        assert_eq!(header_words("postcode_fake"), ["postcode", "fake"]);
        assert_eq!(
            header_words("\u{feff}E-mail Address"),
            ["e", "mail", "address"]
        );
    }

    fn role(header: &str) -> Role {
        read_header(header).role
    }

    #[test]
    fn prefixed_and_suffixed_headers() {
        use FieldKind::*;
        use FieldPart as P;
        let cases = [
            ("PRIMARY_NAME_LAST", Role::NamePart(P::Family)),
            ("PRIMARY_NAME_FIRST", Role::NamePart(P::Given)),
            ("PRIMARY_NAME_MIDDLE", Role::NamePart(P::Middle)),
            ("PRIMARY_NAME_FULL", Role::Whole(Name)),
            ("NATIVE_NAME_FULL", Role::Whole(Name)),
            ("PRIMARY_NAME_ORG", Role::Attribute),
            ("first_and_surname", Role::Whole(Name)),
            ("lname", Role::NamePart(P::Family)),
            ("FirstName", Role::NamePart(P::Given)),
            ("EMAIL_ADDRESS", Role::Whole(Email)),
            ("ADDR_FULL", Role::Whole(Address)),
            ("ADDR_LINE1", Role::AddressPart(P::Street)),
            ("ADDR_CITY", Role::AddressPart(P::City)),
            ("ADDR_STATE", Role::AddressPart(P::Region)),
            // A contacts export numbers its addresses: the part named wins over the number.
            ("Address 1 - Street", Role::AddressPart(P::Street)),
            ("Address 1 - City", Role::AddressPart(P::City)),
            ("Address 1 - Region", Role::AddressPart(P::Region)),
            ("Address 1 - Postal Code", Role::AddressPart(P::Postcode)),
            ("Address 1 - Country", Role::Attribute),
            ("address_2", Role::AddressPart(P::Address2)),
            // An online shop's export: the last word names what the column holds.
            ("Default Address Company", Role::Attribute),
            ("Company Address", Role::Whole(Address)),
            ("ADDR_POSTAL_CODE", Role::AddressPart(P::Postcode)),
            ("ADDR_TYPE", Role::PassThrough),
            ("PHONE_NUMBER", Role::Whole(Phone)),
            ("PHONE_TYPE", Role::PassThrough),
            ("DATE_OF_BIRTH", Role::Whole(BirthDate)),
            ("PASSPORT_NUMBER", Role::Whole(Identifier)),
            ("PASSPORT_COUNTRY", Role::PassThrough),
            ("DRIVERS_LICENSE_STATE", Role::PassThrough),
            ("SSN_NUMBER", Role::Whole(Identifier)),
            ("NATIONAL_ID_NUMBER", Role::Whole(NationalId)),
            ("AMOUNT", Role::PassThrough),
            ("DATA_SOURCE", Role::Channel),
            ("REL_POINTER_KEY", Role::PassThrough),
            ("EMPLOYER", Role::Attribute),
            ("postcode_fake", Role::AddressPart(P::Postcode)),
            ("birth_place", Role::Attribute),
            ("occupation", Role::Attribute),
            ("street_name", Role::AddressPart(P::Street)),
            ("unit_number", Role::AddressPart(P::Address2)),
            ("middle_initial", Role::NamePart(P::Middle)),
            ("order_id", Role::PassThrough),
            ("cluster", Role::Label),
            ("person_id", Role::Label),
            ("entity_id", Role::Label),
            ("Match_ID", Role::Label),
            ("member_no", Role::Whole(Identifier)),
            ("loyalty_card", Role::Whole(Identifier)),
            ("signup_date", Role::Whole(Date)),
            ("notes", Role::Unknown),
            ("联系电话", Role::Whole(Phone)),
            ("出生地", Role::Attribute),
            ("职业", Role::Attribute),
            ("订单号", Role::PassThrough),
        ];
        for (header, expected) in cases {
            assert_eq!(role(header), expected, "{header}");
        }
    }

    #[test]
    fn headers_of_other_languages_and_english_shorthand() {
        use FieldKind::*;
        use FieldPart as P;
        let cases = [
            ("Vorname", Role::NamePart(P::Given)),
            ("Nachname", Role::NamePart(P::Family)),
            ("Geburtsdatum", Role::Whole(BirthDate)),
            ("Straße", Role::AddressPart(P::Street)),
            ("Hausnummer", Role::AddressPart(P::StreetNumber)),
            ("PLZ", Role::AddressPart(P::Postcode)),
            ("Ort", Role::AddressPart(P::City)),
            ("Telefonnummer", Role::Whole(Phone)),
            ("Geschlecht", Role::Whole(Gender)),
            ("Prénom", Role::NamePart(P::Given)),
            ("Nom", Role::NamePart(P::Family)),
            ("Nom de famille", Role::NamePart(P::Family)),
            // English reads a plain date here; the French words say birth.
            ("Date de naissance", Role::Whole(BirthDate)),
            ("Lieu de naissance", Role::Attribute),
            ("Code postal", Role::AddressPart(P::Postcode)),
            ("Région", Role::AddressPart(P::Region)),
            ("Numéro de sécurité sociale", Role::Whole(Identifier)),
            ("Courriel", Role::Whole(Email)),
            ("Apellidos", Role::NamePart(P::Family)),
            ("Fecha de nacimiento", Role::Whole(BirthDate)),
            ("Dirección", Role::Whole(Address)),
            ("Teléfono móvil", Role::Whole(Phone)),
            ("Correo electrónico", Role::Whole(Email)),
            ("Código postal", Role::AddressPart(P::Postcode)),
            ("data_nascimento", Role::Whole(BirthDate)),
            ("Sobrenome", Role::NamePart(P::Family)),
            ("Cognome", Role::NamePart(P::Family)),
            ("Data di nascita", Role::Whole(BirthDate)),
            ("CAP", Role::AddressPart(P::Postcode)),
            ("Codice fiscale", Role::Whole(Identifier)),
            ("Voornaam", Role::NamePart(P::Given)),
            ("Achternaam", Role::NamePart(P::Family)),
            ("Woonplaats", Role::AddressPart(P::City)),
            ("Imię", Role::NamePart(P::Given)),
            ("Płeć", Role::Whole(Gender)),
            ("Nazwisko", Role::NamePart(P::Family)),
            ("Data urodzenia", Role::Whole(BirthDate)),
            ("Kod pocztowy", Role::AddressPart(P::Postcode)),
            ("Имя", Role::NamePart(P::Given)),
            ("Фамилия", Role::NamePart(P::Family)),
            ("Отчество", Role::NamePart(P::Middle)),
            ("Район", Role::AddressPart(P::Locality)),
            ("Дата рождения", Role::Whole(BirthDate)),
            ("Телефон", Role::Whole(Phone)),
            ("氏名", Role::Whole(Name)),
            ("生年月日", Role::Whole(BirthDate)),
            ("住所", Role::Whole(Address)),
            ("郵便番号", Role::AddressPart(P::Postcode)),
            ("電話番号", Role::Whole(Phone)),
            ("メールアドレス", Role::Whole(Email)),
            ("이름", Role::Whole(Name)),
            ("생년월일", Role::Whole(BirthDate)),
            ("주소", Role::Whole(Address)),
            ("휴대폰", Role::Whole(Phone)),
            ("이메일", Role::Whole(Email)),
            ("first", Role::NamePart(P::Given)),
            ("Last", Role::NamePart(P::Family)),
            ("middle", Role::NamePart(P::Middle)),
            ("bdate", Role::Whole(BirthDate)),
            ("contact_number", Role::Whole(Phone)),
            ("phones", Role::Whole(Phone)),
            ("Emails", Role::Whole(Email)),
            ("addresses", Role::Whole(Address)),
            ("national_insurance", Role::Whole(Identifier)),
            // English readings are kept where English knows the header.
            ("data_source", Role::Channel),
            ("order_date", Role::Whole(Date)),
            // A header that mixes in an English word the table lacks is not translated.
            ("credit_cap", Role::Unknown),
            ("portable_device", Role::Whole(Identifier)),
            ("Numer domu", Role::AddressPart(P::StreetNumber)),
            ("Lokal", Role::AddressPart(P::Address2)),
        ];
        for (header, expected) in cases {
            assert_eq!(role(header), expected, "{header}");
        }
    }
}
